/**
 * CSV: one row per finding (every finding, not capped), RFC 4180 (CRLF, quoted fields),
 * with the formula-injection guard of `csvField`. Streamed so millions of rows stay cheap;
 * the cells every finding of a rule shares (title, severity, controls) are escaped once per rule.
 * A finding's id is `<rule>/<resource_id>`, so it is not repeated in a column of its own.
 * Issues-only files (`--rows issues`, and `auto` past a spreadsheet's rows) leave out the
 * `title` and `controls` columns: they are the same on every row of a rule, are listed per rule
 * in compliance.json / .html, and would be a quarter of a file of hundreds of thousands of rows.
 */
import { findingsOf } from "../findings/rows";
import type { Finding, FindingsFile } from "../findings/types";
import type { Source } from "../inventory/types";
import { formatValue } from "./compliance";
import { csvField } from "./escape";
import { AtomicStreamWriter } from "../util/atomic-stream";
import { type MessageOf, readMessage } from "./stream";

/** Column names, in order. */
export const CSV_COLUMNS = [
  "rule", "title", "severity", "status", "suppressed_status", "resource_kind", "resource_id", "resource_name",
  "account", "region", "source", "message", "reason", "controls", "evidence", "suppression", "baseline",
] as const;

/** Columns of an issues-only file: the per-rule constants `title` and `controls` are left out. */
export const CSV_ISSUE_COLUMNS = CSV_COLUMNS.filter((c) => c !== "title" && c !== "controls");

/** The cells every finding of a rule shares: the leading ones and the controls cell with its leading comma ("" when left out). */
type RuleCells = { before: string; controls: string };

/** `file:line (address)` for code; the API for live data (account and region have their own columns). */
function sourceCell(src: Source | undefined): string {
  if (!src) return "";
  if (src.kind === "iac") return `${src.file}${src.line ? `:${src.line}` : ""}${src.address ? ` (${src.address})` : ""}`;
  return src.api;
}

function ruleCells(f: Finding, lean = false): RuleCells {
  if (lean) return { before: `${csvField(f.ruleId)},${csvField(f.severity)}`, controls: "" };
  const controls = Object.entries(f.controls ?? {}).map(([fw, ids]) => `${fw}:${ids.join(" ")}`).join("; ");
  return { before: `${csvField(f.ruleId)},${csvField(f.title)},${csvField(f.severity)}`, controls: `,${csvField(controls)}` };
}

/** The CSV record of one finding (without the line break); every column unless `cells` come from an issues-only file. */
export function csvRow(f: Finding, cells: RuleCells = ruleCells(f), messageOf: MessageOf = readMessage): string {
  let evidence = "";
  // A not-applicable finding was never decided: its reason column says why, and evidence would be noise.
  if (f.status !== "not_applicable") for (const e of f.evidence ?? []) evidence += `${evidence ? "; " : ""}${e.path}=${formatValue(e)}`;
  const s = f.suppression;
  // Enum-like fields are escaped too: a findings file read from disk is input like any other.
  return `${cells.before},${csvField(f.status)},${csvField(f.suppressedStatus)},${csvField(f.resourceKind)},${csvField(f.resourceId)},${csvField(f.resourceName)},`
    + `${csvField(f.accountId)},${csvField(f.region)},${csvField(sourceCell(f.source))},${csvField(messageOf(f))},${csvField(f.reason)}${cells.controls},`
    + `${csvField(evidence)},${s ? csvField(`${s.reason} (owner ${s.owner}, expires ${s.expires})`) : ""},${csvField(f.baseline)}`;
}

/** Which findings CSV and JUnit carry: every one, or only fail / unknown / suppressed. */
export type RowSelection = "all" | "issues";

/** Spreadsheets stop at 1,048,576 rows: past that, `auto` writes only the issues. */
export const SPREADSHEET_MAX_ROWS = 1_048_575;

/** Resolve `auto` for a findings count. */
export function resolveRows(rows: RowSelection | "auto" | undefined, findings: number): RowSelection {
  if (rows === "all" || rows === "issues") return rows;
  return findings > SPREADSHEET_MAX_ROWS ? "issues" : "all";
}

/** Whether a finding is an issue (listed even when passes are only counted). */
export function isIssue(f: Finding): boolean {
  return f.status === "fail" || f.status === "unknown" || f.status === "suppressed";
}

/** Write the findings as CSV to `path` (atomically): all of them, or only the issues; returns bytes written. */
export function writeFindingsCsv(path: string, file: FindingsFile, rows: RowSelection = "all", messageOf: MessageOf = readMessage): number {
  const w = new AtomicStreamWriter(path);
  const byRule = new Map<string, RuleCells>();
  const issuesOnly = rows === "issues";
  try {
    w.write((issuesOnly ? CSV_ISSUE_COLUMNS : CSV_COLUMNS).join(",") + "\r\n");
    for (const f of findingsOf(file)) {
      if (issuesOnly && !isIssue(f)) continue;
      let cells = byRule.get(f.ruleId);
      if (!cells) byRule.set(f.ruleId, (cells = ruleCells(f, issuesOnly)));
      w.write(csvRow(f, cells, messageOf) + "\r\n");
    }
    return w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
}
