/**
 * SARIF 2.1.0 for code scanning: one rule entry per rule (title, rationale,
 * remediation, control tags, help link) and one result per failing, unknown or
 * suppressed finding, located at file:line for code (relative to the repository root).
 * Passes and not-applicable findings are not results (SARIF reports problems).
 * Past `SARIF_COMPACT_ABOVE` findings, `writeSarif` streams compact JSON and leaves out each
 * result's `properties` bag (its resource is the logical location, its status the result's
 * kind and suppressions), so a 100,000-secret estate writes a lean file without one huge string.
 */
import { findingCount, findingsOf, rowsOf } from "../findings/rows";
import { relative, isAbsolute } from "node:path";
import { writeFileAtomic } from "../util/fs";
import { AtomicStreamWriter } from "../util/atomic-stream";
import type { MessageOf } from "./stream";
import type { Finding, FindingsFile, Severity, Status } from "../findings/types";
import type { LoadedRule } from "../policy/types";

/** Where rule documentation lives (docs/rules/<id>.md is generated from rules/). */
export const HELP_BASE = "https://github.com/sm-audit/sm-audit/blob/main/docs/rules";

type Level = "error" | "warning" | "note" | "none";

const LEVEL: Record<Severity, Level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };

/** Options: the repository root that artifact URIs are made relative to. */
export interface SarifOptions {
  repoRoot?: string;
  /** Directory relative paths in findings are relative to (default: process.cwd()). */
  cwd?: string;
  /** Leave out each result's `properties` (resource and status are in its location, kind and suppressions). */
  lean?: boolean;
  /** How `writeSarif` reads messages (shared with the other formats of one run). */
  messageOf?: MessageOf;
}

/** Findings count past which `writeSarif` writes compact, lean, streamed SARIF. */
export const SARIF_COMPACT_ABOVE = 100_000;

/** A SARIF log (only the parts this tool writes). */
export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: Array<{
    tool: { driver: Record<string, unknown> & { rules: Array<Record<string, unknown>> } };
    results: Array<Record<string, unknown>>;
  }>;
}

function uriFor(file: string, opts: SarifOptions): string {
  const cwd = opts.cwd ?? process.cwd();
  const abs = isAbsolute(file) ? file : `${cwd}/${file}`;
  const root = opts.repoRoot ?? cwd;
  const rel = relative(root, abs).split("\\").join("/");
  return rel.startsWith("..") ? abs.split("\\").join("/") : rel;
}

function ruleEntry(rule: LoadedRule): Record<string, unknown> {
  const d = rule.def;
  const tags = ["security", ...Object.entries(d.controls).flatMap(([fw, ids]) => ids.map((id) => `${fw}:${id}`))];
  const remediation = d.remediation.kind === "manual" && typeof d.remediation.params?.action === "string"
    ? String(d.remediation.params.action)
    : `Remediation kind: ${d.remediation.kind} (sm-audit remediate generates the change).`;
  return {
    id: d.id,
    name: d.id.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(""),
    shortDescription: { text: d.title },
    fullDescription: { text: d.rationale.trim() },
    help: {
      text: `${d.title}\n\n${d.rationale.trim()}\n\nFix: ${remediation}`,
      markdown: `**${d.title}**\n\n${d.rationale.trim()}\n\n**Fix:** ${remediation}\n\n[Rule documentation](${HELP_BASE}/${d.id}.md)`,
    },
    helpUri: `${HELP_BASE}/${d.id}.md`,
    properties: { tags, "security-severity": SECURITY_SEVERITY[d.severity], severity: d.severity },
    defaultConfiguration: { level: LEVEL[d.severity] },
  };
}

function result(f: Finding, ruleIndex: number | undefined, opts: SarifOptions): Record<string, unknown> {
  const status = f.status === "suppressed" ? f.suppressedStatus : f.status;
  const unknown = status === "unknown";
  const text = unknown ? `Unknown: ${f.message}${f.reason && !f.message.includes(f.reason) ? ` (${f.reason})` : ""}` : f.message;
  const r: Record<string, unknown> = { ruleId: f.ruleId };
  if (ruleIndex !== undefined) r.ruleIndex = ruleIndex;
  r.level = unknown ? "note" : LEVEL[f.severity];
  r.kind = unknown ? "review" : "fail";
  r.message = { text };
  r.partialFingerprints = { "smAuditFinding/v1": f.id };
  if (!opts.lean) r.properties = f.baseline ? { status: f.status, resource: f.resourceId, baseline: f.baseline } : { status: f.status, resource: f.resourceId };
  if (f.source.kind === "iac") {
    const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: uriFor(f.source.file, opts) } };
    if (f.source.line) physicalLocation.region = { startLine: f.source.line };
    r.locations = [{
      physicalLocation,
      logicalLocations: [{ name: f.resourceId, fullyQualifiedName: f.source.constructPath ?? f.source.address, kind: "resource" }],
    }];
  } else {
    r.locations = [{ logicalLocations: [{ name: f.resourceId, kind: "resource" }] }];
  }
  if (f.status === "suppressed" && f.suppression) {
    r.suppressions = [{ kind: "external", status: "accepted", justification: `${f.suppression.reason} (owner ${f.suppression.owner}, expires ${f.suppression.expires})` }];
  }
  if (f.baseline) r.baselineState = f.baseline === "fixed" ? "absent" : f.baseline;
  return r;
}

/**
 * `result(f, …, { lean: true })` as JSON text, written out by hand: a result per finding of a
 * large estate, where building and serialising an object tree for each is most of the cost.
 * The test "SARIF streamed past the compact threshold" holds it equal to `result`.
 */
function leanResult(f: Finding, head: string, opts: SarifOptions): string {
  const status = f.status === "suppressed" ? f.suppressedStatus : f.status;
  const unknown = status === "unknown";
  const message = opts.messageOf ? opts.messageOf(f) : f.message; // computed on each read: read it once
  const text = unknown ? `Unknown: ${message}${f.reason && !message.includes(f.reason) ? ` (${f.reason})` : ""}` : message;
  let s = `${head}"level":"${unknown ? "note" : LEVEL[f.severity]}","kind":"${unknown ? "review" : "fail"}","message":{"text":${JSON.stringify(text)}},`
    + `"partialFingerprints":{"smAuditFinding/v1":${JSON.stringify(f.id)}},"locations":[{`;
  const src = f.source;
  if (src.kind === "iac") {
    s += `"physicalLocation":{"artifactLocation":{"uri":${JSON.stringify(uriFor(src.file, opts))}}${src.line ? `,"region":{"startLine":${JSON.stringify(src.line)}}` : ""}},`;
    const fqn = src.constructPath ?? src.address;
    s += `"logicalLocations":[{"name":${JSON.stringify(f.resourceId)}${fqn !== undefined ? `,"fullyQualifiedName":${JSON.stringify(fqn)}` : ""},"kind":"resource"}]}]`;
  } else {
    s += `"logicalLocations":[{"name":${JSON.stringify(f.resourceId)},"kind":"resource"}]}]`;
  }
  const sup = f.suppression;
  if (f.status === "suppressed" && sup) {
    s += `,"suppressions":[{"kind":"external","status":"accepted","justification":${JSON.stringify(`${sup.reason} (owner ${sup.owner}, expires ${sup.expires})`)}}]`;
  }
  if (f.baseline) s += `,"baselineState":${JSON.stringify(f.baseline === "fixed" ? "absent" : f.baseline)}`;
  return s + "}";
}

/** Whether a finding becomes a SARIF result: fail, unknown, or a suppressed fail / unknown. */
/** The statuses a result can have (suppressed ones are results when they were failing or unknown). */
const RESULT_STATUSES: readonly Status[] = ["fail", "unknown", "suppressed"];

function isResult(f: Finding): boolean {
  const s = f.status === "suppressed" ? f.suppressedStatus : f.status;
  return s === "fail" || s === "unknown";
}

/** The rules to describe (those the findings used, else all) and each one's index. */
function ruleTable(file: FindingsFile, rules: LoadedRule[]): { list: LoadedRule[]; indexOf: Map<string, number> } {
  // One pass over the findings: a per-rule scan would be rules × findings.
  const seen = new Set<string>();
  const rows = rowsOf(file);
  for (let i = 0; i < rows.length; i++) seen.add(rows.ruleId(i));
  const used = rules.filter((r) => r.def.id in file.params || seen.has(r.def.id));
  const list = used.length ? used : rules;
  return { list, indexOf: new Map(list.map((r, i) => [r.def.id, i])) };
}

function runHead(file: FindingsFile, list: LoadedRule[]): { $schema: string; version: "2.1.0"; tool: SarifLog["runs"][number]["tool"] } {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    tool: {
      driver: {
        name: file.tool.name,
        version: file.tool.version,
        semanticVersion: file.tool.version,
        informationUri: "https://github.com/sm-audit/sm-audit",
        rules: list.map(ruleEntry),
      },
    },
  };
}

/** Build the SARIF log for a findings file and the rules that produced it. */
export function toSarif(file: FindingsFile, rules: LoadedRule[], opts: SarifOptions = {}): SarifLog {
  const { list, indexOf } = ruleTable(file, rules);
  const results: Array<Record<string, unknown>> = [];
  for (const f of findingsOf(file, RESULT_STATUSES)) if (isResult(f)) results.push(result(f, indexOf.get(f.ruleId), opts));
  const { $schema, version, tool } = runHead(file, list);
  return { $schema, version, runs: [{ tool, results }] };
}

/**
 * Write the SARIF log to `path` atomically; returns bytes written. Up to `SARIF_COMPACT_ABOVE`
 * findings it is `toSarif` indented for review; past that, compact and lean, streamed result by result.
 */
export function writeSarif(path: string, file: FindingsFile, rules: LoadedRule[], opts: SarifOptions = {}): number {
  if (findingCount(file) <= SARIF_COMPACT_ABOVE && !opts.lean) {
    const text = JSON.stringify(toSarif(file, rules, opts), null, 2) + "\n";
    writeFileAtomic(path, text);
    return Buffer.byteLength(text, "utf8");
  }
  const lean = { ...opts, lean: true };
  const { list, indexOf } = ruleTable(file, rules);
  const { $schema, version, tool } = runHead(file, list);
  const w = new AtomicStreamWriter(path);
  try {
    w.write(`{"$schema":${JSON.stringify($schema)},"version":"${version}","runs":[{"tool":${JSON.stringify(tool)},"results":[`);
    let sep = "";
    let ruleId = "", head = "";
    for (const f of findingsOf(file, RESULT_STATUSES)) {
      if (!isResult(f)) continue;
      if (f.ruleId !== ruleId) {
        ruleId = f.ruleId;
        const idx = indexOf.get(ruleId);
        head = `{"ruleId":${JSON.stringify(ruleId)}${idx !== undefined ? `,"ruleIndex":${idx}` : ""},`;
      }
      w.write(sep + leanResult(f, head, lean));
      sep = ",";
    }
    w.write("]}]}\n");
    return w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
}
