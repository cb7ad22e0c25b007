/**
 * SARIF 2.1.0 for code scanning: one rule entry per rule (title, rationale,
 * remediation, control tags, help link) and one result per failing, unknown or
 * suppressed finding, located at file:line for code (relative to the repository root).
 */
import { relative, isAbsolute } from "node:path";
import type { Finding, FindingsFile, Severity } from "../findings/types";
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
}

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
  const level: Level = status === "unknown" ? "note" : LEVEL[f.severity];
  const text = status === "unknown" ? `${f.message}${f.reason && !f.message.includes(f.reason) ? ` (${f.reason})` : ""}` : f.message;
  const r: Record<string, unknown> = {
    ruleId: f.ruleId,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level,
    kind: status === "unknown" ? "review" : "fail",
    message: { text: status === "unknown" ? `Unknown: ${text}` : text },
    partialFingerprints: { "smAuditFinding/v1": f.id },
    properties: { status: f.status, resource: f.resourceId, ...(f.baseline ? { baseline: f.baseline } : {}) },
  };
  if (f.source.kind === "iac") {
    const region: Record<string, number> = {};
    if (f.source.line) region.startLine = f.source.line;
    r.locations = [{
      physicalLocation: { artifactLocation: { uri: uriFor(f.source.file, opts) }, ...(f.source.line ? { region } : {}) },
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

/** Build the SARIF log for a findings file and the rules that produced it. */
export function toSarif(file: FindingsFile, rules: LoadedRule[], opts: SarifOptions = {}): SarifLog {
  const used = rules.filter((r) => r.def.id in file.params || file.findings.some((f) => f.ruleId === r.def.id));
  const list = used.length ? used : rules;
  const indexOf = new Map(list.map((r, i) => [r.def.id, i]));
  const results = file.findings
    .filter((f) => f.status === "fail" || f.status === "unknown" || f.status === "suppressed")
    .filter((f) => f.status !== "suppressed" || f.suppressedStatus === "fail" || f.suppressedStatus === "unknown")
    .map((f) => result(f, indexOf.get(f.ruleId), opts));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: file.tool.name,
          version: file.tool.version,
          semanticVersion: file.tool.version,
          informationUri: "https://github.com/sm-audit/sm-audit",
          rules: list.map(ruleEntry),
        },
      },
      results,
    }],
  };
}
