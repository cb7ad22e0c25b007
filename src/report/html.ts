/**
 * The compliance report as one self-contained HTML file: coverage gaps and expired
 * suppressions first, KPIs, inline SVG charts, one section per framework, the rules, the
 * listed findings with offline filters (account, severity, status, text), and accounts.
 * Every value from the inputs goes through `escapeHtml`.
 */
import { SEVERITIES, type Severity, type Status } from "../findings/types";
import { type ComplianceModel, type Counts, type FindingRow, type FrameworkSummary, type RequirementStatus, NO_ACCOUNT, pct } from "./compliance";
import { escapeHtml as esc } from "./escape";
import { renderPage } from "./page";
import { columns, stackedBars } from "./svg";

const SEVERITY_COLORS: Record<Severity, string> = { critical: "#8e0000", high: "#c62828", medium: "#e08a00", low: "#4a6b8a", info: "#9aa5b1" };
const REQ_LABEL: Record<RequirementStatus, string> = {
  fail: "fail", unknown: "unknown", pass: "pass", suppressed: "suppressed", not_applicable: "n/a", no_resources: "no resources", manual: "manual",
};

/** Render the compliance model as a complete HTML document. */
export function renderComplianceHtml(m: ComplianceModel, extraSections = ""): string {
  const b: string[] = [];
  b.push(`<header class="top"><div class="inner"><h1>Secrets Manager compliance report</h1>`);
  b.push(`<p>Snapshot ${esc(m.snapshot.generatedAt)} · source ${esc(m.snapshot.source.kind)} · findings ${esc(m.findingsGeneratedAt)} · ${esc(m.tool.name)} ${esc(m.tool.version)} · rules digest <span class="mono">${esc(m.rulesDigest.slice(0, 12))}</span></p></div></header><main>`);
  b.push(gapsSection(m));
  b.push(summarySection(m));
  for (const fw of m.frameworks) b.push(frameworkSection(fw));
  b.push(rulesSection(m));
  b.push(findingsSection(m));
  b.push(accountsSection(m));
  b.push(extraSections);
  b.push(`<footer>Pass rate = pass ÷ (pass + fail + unknown): an unknown result counts against, suppressed and not-applicable results are left out. `);
  b.push(`Requirements marked <span class="badge b-manual">manual</span> have no automated rule; their evidence must be collected by hand. `);
  b.push(`At most ${m.cap} failing, unknown or suppressed findings are listed per rule; every finding is in ${m.everyFindingIn}.</footer></main>`);
  return renderPage({ title: "sm-audit compliance report", body: b.join("\n"), filters: true });
}

function gapsSection(m: ComplianceModel): string {
  const out: string[] = [];
  if (m.coverageGaps.length) {
    out.push(`<section class="card alert" id="coverage-gaps"><h2>Coverage gaps (${m.coverageGaps.length})</h2>`);
    out.push(`<p>These account × region × data kinds were not collected. Results that needed them are <b>unknown</b>, never pass: the report is incomplete until they are fixed.</p>`);
    out.push(`<table><thead><tr><th>account</th><th>region</th><th>data</th><th>status</th><th>error</th></tr></thead><tbody>`);
    for (const g of m.coverageGaps) {
      out.push(`<tr><td class="mono">${esc(g.accountId)}</td><td>${esc(g.region)}</td><td>${esc(g.kind)}</td><td><span class="badge b-fail">${esc(g.status)}</span></td><td>${esc(g.errorCode ?? "")} ${esc(g.message ?? "")}</td></tr>`);
    }
    out.push(`</tbody></table></section>`);
  } else {
    out.push(`<section class="card alert ok" id="coverage-gaps"><b>Coverage complete.</b> Every account × region × data kind in the snapshot was collected.</section>`);
  }
  if (m.expiredSuppressions.length) {
    out.push(`<section class="card alert warn" id="expired-suppressions"><h2>Expired suppressions (${m.expiredSuppressions.length})</h2>`);
    out.push(`<p>These suppressions have expired and no longer apply; the findings they matched are reported with their real status.</p>`);
    out.push(`<table><thead><tr><th>rule</th><th>resource</th><th>owner</th><th>expired</th><th class="n">matched</th><th>reason</th><th>entry</th></tr></thead><tbody>`);
    for (const s of m.expiredSuppressions) {
      out.push(`<tr><td>${esc(s.rule)}</td><td class="mono">${esc(s.resource)}</td><td>${esc(s.owner)}</td><td>${esc(s.expires)}</td><td class="n">${s.matched}</td><td>${esc(s.reason)}</td><td class="mono">${esc(s.at ?? "")}</td></tr>`);
    }
    out.push(`</tbody></table></section>`);
  }
  return out.join("\n");
}

function kpi(cls: string, value: string | number, label: string): string {
  return `<div class="kpi ${cls}"><div class="v">${esc(value)}</div><div class="l">${esc(label)}</div></div>`;
}

function summarySection(m: ComplianceModel): string {
  const t = m.totals;
  const out = [`<h2 id="summary">Summary</h2><div class="kpis">`];
  out.push(kpi("", pct(m.passRate), "pass rate"), kpi("fail", t.fail, "fail"), kpi("unknown", t.unknown, "unknown"), kpi("pass", t.pass, "pass"));
  out.push(kpi("", t.suppressed, "suppressed"), kpi("", t.not_applicable, "not applicable"), kpi("fail", m.bySeverity.critical.fail + m.bySeverity.high.fail, "critical + high failing"));
  out.push(`</div><section class="card charts">`);
  out.push(columns(SEVERITIES.map((s) => ({ label: s, value: m.bySeverity[s].fail, color: SEVERITY_COLORS[s] })), "Failing findings by severity"));
  const accts = m.accounts.slice(0, 25).map((a) => ({ label: a.accountId, counts: a.counts }));
  if (accts.length) out.push(stackedBars(accts, m.accounts.length > 25 ? `Pass rate per account (25 of ${m.accounts.length}, most failures first)` : "Pass rate per account"));
  const fws = m.frameworks.map((f) => ({ label: f.title, counts: f.counts, href: `#fw-${slug(f.id)}` }));
  if (fws.length) out.push(stackedBars(fws, "Pass rate per framework"));
  out.push(`</section>`);
  return out.join("\n");
}

function frameworkSection(fw: FrameworkSummary): string {
  const r = fw.requirementsByStatus;
  const out = [`<h2 id="fw-${slug(fw.id)}">${esc(fw.title)}${fw.version ? ` <span class="muted small">${esc(fw.version)}</span>` : ""}</h2>`];
  out.push(`<p class="note">${fw.requirements.length} requirements: <b>${r.fail}</b> failing, <b>${r.unknown}</b> unknown, <b>${r.pass}</b> passing, <b>${r.manual}</b> manual, ${r.no_resources + r.not_applicable} without resources in scope${r.suppressed ? `, ${r.suppressed} suppressed` : ""}. Pass rate ${pct(fw.passRate)}.</p>`);
  const automated = fw.requirements.filter((q) => !q.manual);
  if (automated.length) {
    out.push(`<section class="card">${stackedBars(automated.map((q) => ({ label: `${q.id} ${q.title}`, counts: q.counts, href: `#req-${slug(fw.id)}-${slug(q.id)}` })), `${fw.title}: pass rate per requirement`)}</section>`);
  }
  out.push(`<table><thead><tr><th>requirement</th><th>status</th><th class="n">fail</th><th class="n">unknown</th><th class="n">pass</th><th class="n">suppr.</th><th class="n">n/a</th><th>rules</th></tr></thead><tbody>`);
  for (const q of fw.requirements) {
    const rules = q.rules.length ? q.rules.map((id) => `<a href="#rule-${slug(id)}">${esc(id)}</a>`).join("<br>") : `<span class="muted">no automated rule: collect evidence by hand</span>`;
    out.push(`<tr id="req-${slug(fw.id)}-${slug(q.id)}"><td><b>${esc(q.id)}</b> ${esc(q.title)}${q.kind ? ` <span class="muted small">(${esc(q.kind)})</span>` : ""}${q.text ? `<div class="req-text">${esc(q.text)}</div>` : ""}</td>`);
    out.push(`<td><span class="badge b-${q.status}">${REQ_LABEL[q.status]}</span></td>${countCells(q.counts)}<td class="small">${rules}</td></tr>`);
  }
  out.push(`</tbody></table>`);
  return out.join("\n");
}

function countCells(c: Counts): string {
  return `<td class="n">${c.fail}</td><td class="n">${c.unknown}</td><td class="n">${c.pass}</td><td class="n">${c.suppressed}</td><td class="n">${c.not_applicable}</td>`;
}

function rulesSection(m: ComplianceModel): string {
  const out = [`<h2 id="rules">Rules</h2><table><thead><tr><th>rule</th><th>severity</th><th class="n">fail</th><th class="n">unknown</th><th class="n">pass</th><th class="n">suppr.</th><th class="n">n/a</th><th class="n">pass rate</th><th>listed</th></tr></thead><tbody>`];
  for (const r of m.rules) {
    const listed = r.omitted > 0 ? `${r.listed.length} listed, <b>${r.omitted} more not listed</b>` : `${r.listed.length} listed`;
    out.push(`<tr id="rule-${slug(r.id)}"><td><b>${esc(r.id)}</b><div class="req-text">${esc(r.title)}</div></td><td><span class="sev sev-${r.severity}">${r.severity}</span></td>${countCells(r.counts)}<td class="n">${pct(r.passRate)}</td><td class="small">${listed}</td></tr>`);
  }
  out.push(`</tbody></table>`);
  return out.join("\n");
}

function findingsSection(m: ComplianceModel): string {
  const rows: FindingRow[] = [];
  for (const r of m.rules) rows.push(...r.listed);
  const omitted = m.rules.reduce((s, r) => s + r.omitted, 0);
  const accounts = [...new Set(rows.map((f) => f.accountId ?? NO_ACCOUNT))].sort();
  const statuses: Status[] = ["fail", "unknown", "suppressed"];
  const out = [`<h2 id="findings-list">Failing, unknown and suppressed findings</h2>`];
  out.push(`<p class="note">Passing findings are summarised as counts above. ${omitted > 0 ? `<b>${omitted} further findings are not listed</b> (at most ${m.cap} per rule); ` : ""}every finding is in ${m.everyFindingIn}.</p>`);
  out.push(`<div class="filters no-print"><label>Account<select id="f-account"><option value="">all accounts</option>${accounts.map((a) => `<option value="${esc(a)}">${esc(a)}</option>`).join("")}</select></label>`);
  out.push(`<label>Severity<select id="f-severity"><option value="">all severities</option>${SEVERITIES.map((s) => `<option value="${s}">${s}</option>`).join("")}</select></label>`);
  out.push(`<label>Status<select id="f-status"><option value="">all statuses</option>${statuses.map((s) => `<option value="${s}">${s}</option>`).join("")}</select></label>`);
  out.push(`<label>Text<input id="f-text" type="search" placeholder="name, message, file…"></label><span id="f-count"></span></div>`);
  out.push(`<table id="findings"><thead><tr><th class="w-status">status</th><th class="w-sev">severity</th><th class="w-rule">rule</th><th class="w-res">resource</th><th class="w-acct">account / region</th><th>finding and evidence</th></tr></thead><tbody>`);
  for (const f of rows) out.push(findingRow(f));
  if (rows.length === 0) out.push(`<tr><td colspan="6" class="muted">No failing, unknown or suppressed findings.</td></tr>`);
  out.push(`</tbody></table>`);
  return out.join("\n");
}

function findingRow(f: FindingRow): string {
  const acct = f.accountId ?? NO_ACCOUNT;
  const ev = f.evidence.map((e) => `<li><code>${esc(e.path)}</code> = ${esc(e.value)}${e.at ? ` <span class="muted">[${esc(e.at)}]</span>` : ""}</li>`).join("");
  const sup = f.suppression ? `<div class="small">suppressed (would be ${esc(f.suppressedStatus ?? "fail")}): ${esc(f.suppression.reason)} — owner ${esc(f.suppression.owner)}, expires ${esc(f.suppression.expires)}</div>` : "";
  const name = f.resourceName && f.resourceName !== f.resourceId ? `<b>${esc(f.resourceName)}</b><div class="mono muted">${esc(f.resourceId)}</div>` : `<span class="mono">${esc(f.resourceId)}</span>`;
  return `<tr data-account="${esc(acct)}" data-severity="${f.severity}" data-status="${f.status}"><td><span class="badge b-${f.status}">${f.status}</span>${f.baseline ? `<div class="small muted">${esc(f.baseline)}</div>` : ""}</td>`
    + `<td><span class="sev sev-${f.severity}">${f.severity}</span></td><td class="small"><a href="#rule-${slug(f.ruleId)}">${esc(f.ruleId)}</a></td><td>${name}</td>`
    + `<td class="small"><span class="mono">${esc(acct)}</span><br>${esc(f.region ?? "")}</td>`
    + `<td>${esc(f.message)}${f.reason ? `<div class="small muted">${esc(f.reason)}</div>` : ""}${sup}<div class="small muted">at <span class="mono">${esc(f.location)}</span></div>${ev ? `<ul class="ev">${ev}</ul>` : ""}</td></tr>`;
}

function accountsSection(m: ComplianceModel): string {
  if (!m.accounts.length) return "";
  const out = [`<h2 id="accounts">Accounts</h2><table><thead><tr><th>account</th><th class="n">fail</th><th class="n">unknown</th><th class="n">pass</th><th class="n">pass rate</th>${SEVERITIES.map((s) => `<th class="n">${s}</th>`).join("")}</tr></thead><tbody>`];
  for (const a of m.accounts) {
    out.push(`<tr><td class="mono">${esc(a.accountId)}</td><td class="n">${a.counts.fail}</td><td class="n">${a.counts.unknown}</td><td class="n">${a.counts.pass}</td><td class="n">${pct(a.passRate)}</td>${SEVERITIES.map((s) => `<td class="n">${a.failBySeverity[s]}</td>`).join("")}</tr>`);
  }
  out.push(`</tbody></table>`);
  return out.join("\n");
}

/** An id-safe fragment of a name (ids only ever hold [a-z0-9-]). */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "x";
}
