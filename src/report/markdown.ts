/** The compliance report as Markdown (a PR comment or a wiki page): gaps first, then frameworks, rules, accounts. */
import { SEVERITIES } from "../findings/types";
import { type ComplianceModel, type Counts, type RequirementStatus, pct } from "./compliance";
import { escapeMarkdown as md } from "./escape";

const STATUS_LABEL: Record<RequirementStatus, string> = {
  fail: "❌ fail", unknown: "❔ unknown", pass: "✅ pass", suppressed: "🔕 suppressed",
  not_applicable: "➖ n/a", no_resources: "➖ no resources", manual: "📝 manual",
};

export interface MarkdownOptions {
  /** Findings listed per rule at most (a PR comment is limited to 65,536 characters). */
  maxRowsPerRule?: number;
}

/** Render the compliance model as Markdown. */
export function renderComplianceMarkdown(m: ComplianceModel, opts: MarkdownOptions = {}): string {
  const max = Math.min(opts.maxRowsPerRule ?? 25, m.cap);
  const out: string[] = [];
  out.push("# sm-audit compliance report", "");
  out.push(`Snapshot taken ${md(m.snapshot.generatedAt)} (${md(m.snapshot.source.kind)}); findings of ${md(m.findingsGeneratedAt)}; ${md(m.tool.name)} ${md(m.tool.version)}; rules digest \`${m.rulesDigest.slice(0, 12)}\`.`, "");

  out.push(`## Coverage gaps (${m.coverageGaps.length})`, "");
  if (m.coverageGaps.length === 0) out.push("None: every account × region × data kind was collected.", "");
  else {
    out.push("Results for these are incomplete: a rule that needed the missing data is `unknown`, never `pass`.", "");
    out.push("| account | region | data | status | error |", "|---|---|---|---|---|");
    for (const g of m.coverageGaps) out.push(`| ${md(g.accountId)} | ${md(g.region)} | ${md(g.kind)} | ${md(g.status)} | ${md(g.errorCode ?? g.message ?? "")} |`);
    out.push("");
  }
  if (m.expiredSuppressions.length) {
    out.push(`## Expired suppressions (${m.expiredSuppressions.length})`, "", "These no longer apply; the findings they matched are reported with their real status.", "");
    out.push("| rule | resource | owner | expired | matched | reason |", "|---|---|---|---|---|---|");
    for (const s of m.expiredSuppressions) out.push(`| ${md(s.rule)} | ${md(s.resource)} | ${md(s.owner)} | ${md(s.expires)} | ${s.matched} | ${md(s.reason)} |`);
    out.push("");
  }

  out.push("## Summary", "");
  out.push(`Pass rate ${pct(m.passRate)} (pass ÷ (pass + fail + unknown); suppressed and not-applicable findings are left out).`, "");
  out.push("| | fail | unknown | pass | suppressed | n/a | total |", "|---|---:|---:|---:|---:|---:|---:|");
  out.push(`| **all** | ${countCells(m.totals)} |`);
  for (const s of SEVERITIES) if (m.bySeverity[s].total) out.push(`| ${s} | ${countCells(m.bySeverity[s])} |`);
  out.push("");

  for (const fw of m.frameworks) {
    const r = fw.requirementsByStatus;
    out.push(`## ${md(fw.title)}${fw.version ? ` (${md(fw.version)})` : ""}`, "");
    out.push(`${fw.requirements.length} requirements: ${r.fail} failing, ${r.unknown} unknown, ${r.pass} passing, ${r.manual} manual (no automated rule: evidence must be collected by hand), ${r.no_resources + r.not_applicable} without resources in scope. Pass rate ${pct(fw.passRate)}.`, "");
    out.push("| requirement | title | status | fail | unknown | pass | suppressed | rules |", "|---|---|---|---:|---:|---:|---:|---|");
    for (const q of fw.requirements) {
      const c = q.counts;
      out.push(`| ${md(q.id)} | ${md(q.title)} | ${STATUS_LABEL[q.status]} | ${c.fail} | ${c.unknown} | ${c.pass} | ${c.suppressed} | ${q.rules.map((x) => md(x)).join(", ") || "manual"} |`);
    }
    out.push("");
  }

  out.push("## Rules", "");
  out.push("| rule | severity | fail | unknown | pass | suppressed | n/a | pass rate |", "|---|---|---:|---:|---:|---:|---:|---:|");
  for (const r of m.rules) out.push(`| ${md(r.id)} | ${r.severity} | ${r.counts.fail} | ${r.counts.unknown} | ${r.counts.pass} | ${r.counts.suppressed} | ${r.counts.not_applicable} | ${pct(r.passRate)} |`);
  out.push("");

  const withIssues = m.rules.filter((r) => r.listed.length);
  if (withIssues.length) {
    out.push("## Failing, unknown and suppressed resources", "");
    for (const r of withIssues) {
      out.push(`### ${md(r.id)} — ${md(r.title)}`, "");
      out.push("| status | resource | account / region | where | message |", "|---|---|---|---|---|");
      const rows = r.listed.slice(0, max);
      for (const f of rows) {
        out.push(`| ${f.status}${f.suppressedStatus ? ` (${f.suppressedStatus})` : ""} | ${md(f.resourceName ?? f.resourceId)} | ${md(f.accountId ?? "")} ${md(f.region ?? "")} | ${md(f.location)} | ${md(f.message)} |`);
      }
      const rest = r.counts.fail + r.counts.unknown + r.counts.suppressed - rows.length;
      if (rest > 0) out.push("", `…and ${rest} more not listed here (every finding is in ${m.everyFindingIn}).`);
      out.push("");
    }
  }

  if (m.accounts.length) {
    out.push("## Accounts", "");
    out.push("| account | fail | unknown | pass | pass rate | critical | high | medium | low |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const a of m.accounts) {
      const s = a.failBySeverity;
      out.push(`| ${md(a.accountId)} | ${a.counts.fail} | ${a.counts.unknown} | ${a.counts.pass} | ${pct(a.passRate)} | ${s.critical} | ${s.high} | ${s.medium} | ${s.low} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

function countCells(c: Counts): string {
  return [c.fail, c.unknown, c.pass, c.suppressed, c.not_applicable, c.total].join(" | ");
}
