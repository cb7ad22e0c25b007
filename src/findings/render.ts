/** The console table: coverage gaps first, then failing findings by severity, then counts. */
import { findingsOf } from "./rows";
import { SEVERITIES, type Finding, type FindingsFile, type Severity } from "./types";

export interface TableOptions {
  color: boolean;
  /** Most rows shown per section (the rest are counted). */
  limit?: number;
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const SEV_COLOR: Record<Severity, string> = { critical: "35;1", high: "31;1", medium: "33", low: "36", info: "2" };

/** Render findings for a terminal. */
export function renderTable(file: FindingsFile, opts: TableOptions): string {
  const c = (code: string, s: string): string => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const limit = opts.limit ?? 200;
  const lines: string[] = [];
  if (file.coverageGaps.length) {
    lines.push(c("33;1", `INCOMPLETE: ${file.coverageGaps.length} coverage gap(s); results below do not cover them`));
    for (const g of file.coverageGaps.slice(0, limit)) {
      lines.push(`  ${g.status.padEnd(8)} ${g.accountId}/${g.region} ${g.kind}${g.errorCode ? ` (${g.errorCode})` : ""}${g.message ? `: ${g.message}` : ""}`);
    }
    more(lines, file.coverageGaps.length, limit);
    lines.push("");
  }
  const failing = [...findingsOf(file, ["fail"])].sort(bySeverity);
  if (failing.length) {
    lines.push(c("1", "Failing"));
    for (const f of failing.slice(0, limit)) lines.push(row(f, c));
    more(lines, failing.length, limit);
    lines.push("");
  }
  const unknown = [...findingsOf(file, ["unknown"])].sort(bySeverity);
  if (unknown.length) {
    lines.push(c("1", "Unknown (not a pass: a value the rule needs could not be read)"));
    // Most unknown messages already name their reason; add it only where the message does not.
    for (const f of unknown.slice(0, limit)) lines.push(`${row(f, c)}${f.reason && !f.message.includes(f.reason) ? ` — ${f.reason}` : ""}`);
    more(lines, unknown.length, limit);
    lines.push("");
  }
  if (file.expiredSuppressions.length) {
    lines.push(c("33", "Expired suppressions (no longer applied)"));
    for (const e of file.expiredSuppressions) lines.push(`  ${e.rule} ${e.resource} expired ${e.expires} (${e.owner}): would match ${e.matched} finding(s)${e.at ? ` [${e.at}]` : ""}`);
    lines.push("");
  }
  const s = file.summary;
  const sev = SEVERITIES.filter((x) => s.failBySeverity[x] > 0).map((x) => `${x} ${s.failBySeverity[x]}`).join(", ");
  lines.push(
    `${s.rules} rules, ${s.resources} resources: ${c("32", `${s.byStatus.pass} pass`)}, ${c("31", `${s.byStatus.fail} fail`)}${sev ? ` (${sev})` : ""}, ` +
      `${s.byStatus.unknown} unknown, ${s.byStatus.suppressed} suppressed, ${s.byStatus.not_applicable} not applicable`,
  );
  if (file.fixed?.length) lines.push(`${file.fixed.length} finding(s) fixed since the baseline`);
  const newCount = failing.filter((f) => f.baseline === "new").length;
  if (file.fixed !== undefined) lines.push(`${newCount} new failing finding(s) against the baseline`);
  return lines.join("\n");
}

function bySeverity(a: Finding, b: Finding): number {
  return RANK[a.severity] - RANK[b.severity] || a.ruleId.localeCompare(b.ruleId) || a.resourceId.localeCompare(b.resourceId);
}

function row(f: Finding, c: (code: string, s: string) => string): string {
  const where = f.source.kind === "iac" ? `${f.source.file}${f.source.line ? `:${f.source.line}` : ""}` : `${f.accountId ?? "?"}/${f.region ?? "?"}`;
  const mark = f.baseline === "new" ? " [new]" : "";
  return `  ${c(SEV_COLOR[f.severity], f.severity.padEnd(8))} ${f.ruleId}  ${f.resourceName ?? f.resourceId}  ${where}${mark}\n      ${f.message}`;
}

function more(lines: string[], total: number, limit: number): void {
  if (total > limit) lines.push(`  … and ${total - limit} more`);
}
