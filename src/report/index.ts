/**
 * Report writing entry points: the compliance formats, the cost formats, and the default
 * set that `scan`, `check` and `demo` write after evaluating.
 */
import { findingCount, findingObjects } from "../findings/rows";
import { join } from "node:path";
import type { FindingsFile } from "../findings/types";
import type { Snapshot } from "../inventory/types";
import { loadRules } from "../policy/loader";
import type { Framework, RuleSet } from "../policy/types";
import type { RemediationPlan } from "../remediate/types";
import { UserError, UserErrors } from "../util/errors";
import { writeFileAtomic } from "../util/fs";
import { buildCompliance, type ComplianceModel } from "./compliance";
import { buildCost, type CostOptions, type CostReport } from "./cost";
import { renderCostHtml, renderCostJson, renderCostMarkdown } from "./cost-render";
import { type RowSelection, resolveRows, writeFindingsCsv } from "./csv";
import { renderComplianceHtml } from "./html";
import { writeJunit } from "./junit";
import { renderComplianceMarkdown } from "./markdown";
import { loadPricing } from "./pricing";
import { writeSarif } from "./sarif";
import { messageCache, readMessage } from "./stream";

/** Compliance formats `report --format` accepts. */
export const COMPLIANCE_FORMATS = ["html", "md", "json", "csv", "junit", "sarif"] as const;
export type ComplianceFormat = (typeof COMPLIANCE_FORMATS)[number];
/** Cost formats `cost --format` accepts. */
export const COST_FORMATS = ["html", "md", "json"] as const;
export type CostFormat = (typeof COST_FORMATS)[number];

/** What one format took to render and write. */
export interface WrittenReport {
  format: string;
  path: string;
  bytes: number;
  /** Wall time. */
  ms: number;
  /** CPU time of this process (user + system): steadier than wall time on a shared machine. */
  cpuMs?: number;
}

/** The compliance model as JSON. */
export function renderComplianceJson(m: ComplianceModel): string {
  return JSON.stringify(m, null, 2) + "\n";
}

/** The shipped rule set for report metadata, or undefined when it cannot be loaded (reports then name rules by id only). */
function shippedRules(): RuleSet | undefined {
  try {
    return loadRules();
  } catch (err) {
    if (err instanceof UserError || err instanceof UserErrors) return undefined;
    throw err;
  }
}

export interface ComplianceWriteOptions {
  findings: FindingsFile;
  rules?: RuleSet;
  frameworks?: Framework[];
  /** Framework ids to include (all when empty). */
  frameworkIds?: string[];
  formats: readonly ComplianceFormat[];
  /** Non-passing findings listed per rule in HTML/MD/JSON. */
  capPerRule?: number;
  /** Extra HTML appended to the compliance page (the trend section). */
  extraHtml?: string;
  /** Extra Markdown appended to compliance.md. */
  extraMarkdown?: string;
  /** CSV / JUnit rows: every finding, only fail/unknown/suppressed, or `auto` (issues only past a spreadsheet's 1,048,576 rows). */
  rows?: RowSelection | "auto";
}

const FILE_NAMES: Record<ComplianceFormat, string> = {
  html: "compliance.html", md: "compliance.md", json: "compliance.json", csv: "findings.csv", junit: "junit.xml", sarif: "findings.sarif",
};

/** Write the compliance report in each of `formats` into `dir`; returns what was written. */
export function writeComplianceReports(dir: string, o: ComplianceWriteOptions): WrittenReport[] {
  const out: WrittenReport[] = [];
  const timed = (format: string, name: string, fn: (path: string) => number): void => {
    const path = join(dir, name);
    out.push(measure(format, path, () => fn(path)));
  };
  const text = (path: string, s: string): number => {
    writeFileAtomic(path, s);
    return Buffer.byteLength(s, "utf8");
  };
  const rows = resolveRows(o.rows, findingCount(o.findings));
  // Several formats each walk every finding: made once here rather than once per format
  // (a columnar file makes a finding, message included, on every walk).
  if (o.formats.length > 1) findingObjects(o.findings);
  // The rule set's frameworks and rule metadata, else the shipped files (loaded once, only when needed), else none.
  let shipped: { rules: RuleSet | undefined } | undefined;
  const rules = (): RuleSet | undefined => o.rules ?? (shipped ??= { rules: shippedRules() }).rules;
  let built: ComplianceModel | undefined;
  const needModel = o.formats.some((f) => f === "html" || f === "md" || f === "json");
  if (needModel) {
    out.push(measure("model", "", () => {
      built = buildCompliance(o.findings, o.frameworks ?? rules()?.frameworks ?? [], { frameworks: o.frameworkIds, capPerRule: o.capPerRule });
      if (rows === "issues") built.everyFindingIn = "findings.json (findings.csv and junit.xml list the failing, unknown and suppressed ones; passes are counted)";
      return 0;
    }));
  }
  const model = built;
  // Messages are filled from templates on every read: with issues-only rows, read each once for CSV, JUnit and SARIF.
  const perFinding = o.formats.filter((f) => f === "csv" || f === "junit" || f === "sarif").length;
  const messageOf = rows === "issues" && perFinding > 1 ? messageCache() : readMessage;
  for (const f of o.formats) {
    const name = FILE_NAMES[f];
    if (f === "html" && model) timed(f, name, (p) => text(p, renderComplianceHtml(model, o.extraHtml)));
    else if (f === "md" && model) timed(f, name, (p) => text(p, renderComplianceMarkdown(model) + (o.extraMarkdown ?? "")));
    else if (f === "json" && model) timed(f, name, (p) => text(p, renderComplianceJson(model)));
    else if (f === "csv") timed(f, name, (p) => writeFindingsCsv(p, o.findings, rows, messageOf));
    else if (f === "junit") timed(f, name, (p) => writeJunit(p, o.findings, rows, messageOf));
    else if (f === "sarif") {
      const ruleList = rules()?.rules ?? [];
      // Indented for review-sized runs; compact, lean and streamed past SARIF_COMPACT_ABOVE findings.
      timed(f, name, (p) => writeSarif(p, o.findings, ruleList, { messageOf }));
    }
  }
  return out;
}

/** Write the cost report in each of `formats` into `dir`. */
export function writeCostReports(dir: string, report: CostReport, formats: readonly CostFormat[]): WrittenReport[] {
  return formats.map((f) => {
    const path = join(dir, `cost.${f}`);
    return measure(`cost-${f}`, path, () => {
      const s = f === "html" ? renderCostHtml(report) : f === "md" ? renderCostMarkdown(report) : renderCostJson(report);
      writeFileAtomic(path, s);
      return Buffer.byteLength(s, "utf8");
    });
  });
}

/** Run `fn` (which returns the bytes it wrote) and record its wall and CPU time. */
function measure(format: string, path: string, fn: () => number): WrittenReport {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const bytes = fn();
  const c = process.cpuUsage(c0);
  return { format, path, bytes, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

export interface DefaultReportInputs {
  snapshot: Snapshot;
  findings: FindingsFile;
  plan?: RemediationPlan;
  rules?: RuleSet;
  /** Cost options other than pricing (pricing defaults to rules/pricing.yaml). */
  cost?: Partial<CostOptions>;
}

/** True when the snapshot came from infrastructure code (SARIF with file:line is useful then). */
export function isIacSnapshot(s: Snapshot): boolean {
  return isIacSource(s.source.kind);
}

/** True for the source kinds read from infrastructure code. */
export function isIacSource(kind: string | undefined): boolean {
  return kind === "terraform-plan" || kind === "hcl" || kind === "cdktf";
}

/**
 * Write the default report set into `<outDir>/reports/`: compliance.html, .md, .json,
 * findings.csv, junit.xml, cost.html, .md, .json (+ findings.sarif for IaC snapshots).
 * CSV and JUnit hold every finding up to a spreadsheet's 1,048,575 rows, only the issues beyond.
 * Returns the paths written.
 */
export function writeDefaultReports(outDir: string, inputs: DefaultReportInputs): string[] {
  const dir = join(outDir, "reports");
  const formats: ComplianceFormat[] = ["html", "md", "json", "csv", "junit"];
  if (isIacSnapshot(inputs.snapshot)) formats.push("sarif");
  const written = writeComplianceReports(dir, { findings: inputs.findings, rules: inputs.rules, formats, rows: "auto" });
  const pricing = inputs.cost?.pricing ?? loadPricing();
  const cost = buildCost(inputs.snapshot, { ...inputs.cost, pricing, findings: inputs.findings, plan: inputs.plan });
  written.push(...writeCostReports(dir, cost, COST_FORMATS));
  return written.filter((w) => w.path !== "").map((w) => w.path);
}
