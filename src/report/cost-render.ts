/** Renderers of the cost report: self-contained HTML, Markdown and JSON. */
import { CATEGORY_LABELS, COST_CATEGORIES, type CostGroup, type CostReport, type WasteSection, money } from "./cost";
import { escapeHtml as esc, escapeMarkdown as md } from "./escape";
import { renderPage } from "./page";
import { columns } from "./svg";

const CAT_COLORS = ["#1f4e79", "#4f81bd", "#8064a2", "#c0504d", "#f79646", "#9bbb59", "#4bacc6"];

/** The cost report as JSON (amounts in USD, unrounded). */
export function renderCostJson(r: CostReport): string {
  return JSON.stringify(r, null, 2) + "\n";
}

/** The cost report as Markdown. */
export function renderCostMarkdown(r: CostReport): string {
  const out: string[] = ["# sm-audit cost report", ""];
  out.push(`Snapshot ${md(r.snapshotGeneratedAt)}; prices as of ${md(r.pricing.asOf)} (${md(r.pricing.currency)}).`, "");
  out.push(`**Monthly run-rate: ${money(r.total)}**${r.plan ? ` · after the remediation plan: ${money(r.total + r.plan.monthlyDelta)} (${signed(r.plan.monthlyDelta)})` : ""} · waste ${money(r.waste.total)} · caching could save ${money(r.caching.monthlySavings)}`, "");
  out.push("| item | quantity | monthly |", "|---|---:|---:|");
  for (const l of r.lines) out.push(`| ${CATEGORY_LABELS[l.category]} | ${qty(l.quantity)} ${l.unit} | ${money(l.monthly)} |`);
  out.push(`| **total** | | **${money(r.total)}** |`, "");
  const groups = (title: string, gs: CostGroup[]): void => {
    out.push(`## ${title}`, "", "| | monthly | " + COST_CATEGORIES.map((c) => CATEGORY_LABELS[c]).join(" | ") + " |", "|---|---:|" + COST_CATEGORIES.map(() => "---:").join("|") + "|");
    for (const g of gs.slice(0, 50)) out.push(`| ${md(g.key)} | ${money(g.monthly)} | ${COST_CATEGORIES.map((c) => money(g.byCategory[c] ?? 0)).join(" | ")} |`);
    if (gs.length > 50) out.push("", `…and ${gs.length - 50} more (see cost.json).`);
    out.push("");
  };
  groups("By account", r.byAccount);
  groups("By region", r.byRegion);
  if (r.tag) groups(`By tag ${md(r.tag.key)}`, r.tag.groups);
  out.push("## Waste", "");
  const waste = (title: string, w: WasteSection): void => {
    out.push(`### ${title}: ${w.count} (${money(w.monthly)}/month)`, "");
    if (!w.items.length) { out.push("None.", ""); return; }
    out.push("| name | account / region | monthly | detail |", "|---|---|---:|---|");
    for (const i of w.items) out.push(`| ${md(i.name)} | ${md(i.accountId ?? "")} ${md(i.region ?? "")} | ${money(i.monthly)} | ${md(i.detail)} |`);
    if (w.count > w.items.length) out.push("", `…and ${w.count - w.items.length} more (see cost.json).`);
    out.push("");
  };
  waste(`Unused secrets (${md(r.waste.unusedSecrets.basis)})`, r.waste.unusedSecrets);
  waste("Secrets pending deletion", r.waste.pendingDeletion);
  waste("Customer managed keys no secret uses", r.waste.unusedKeys);
  out.push(`## Caching (TTL ${r.caching.ttlSeconds}s)`, "");
  out.push(`${qty(r.caching.callsPerMonth)} calls a month today; ${qty(r.caching.callsWithCache)} with a client cache: saves ${money(r.caching.monthlySavings)}/month.`, "");
  if (r.caching.top.length) {
    out.push("| secret | account / region | principals | calls/month | with cache | saves |", "|---|---|---:|---:|---:|---:|");
    for (const c of r.caching.top) out.push(`| ${md(c.name)} | ${md(c.accountId ?? "")} ${md(c.region ?? "")} | ${c.principals} | ${qty(c.callsPerMonth)} | ${qty(c.callsWithCache)} | ${money(c.monthlySavings)} |`);
    out.push("");
  }
  if (r.plan) {
    out.push(`## Remediation plan: ${signed(r.plan.monthlyDelta)}/month over ${r.plan.actions} actions`, "", "| kind | actions | monthly delta |", "|---|---:|---:|");
    for (const [k, v] of Object.entries(r.plan.byKind)) out.push(`| ${md(k)} | ${v.actions} | ${signed(v.monthly)} |`);
    out.push("");
  }
  if (r.unpriced.length) out.push("## Not priced", "", ...r.unpriced.map((u) => `- ${md(u)}`), "");
  out.push("## Assumptions", "", ...r.assumptions.map((a) => `- ${md(a)}`), "");
  return out.join("\n");
}

/** The cost report as one self-contained HTML file. */
export function renderCostHtml(r: CostReport): string {
  const b: string[] = [];
  b.push(`<header class="top"><div class="inner"><h1>Secrets Manager cost report</h1><p>Snapshot ${esc(r.snapshotGeneratedAt)} · prices as of ${esc(r.pricing.asOf)} (${esc(r.pricing.currency)})</p></div></header><main>`);
  b.push(`<div class="kpis">`);
  b.push(kpi(money(r.total), "monthly run-rate"));
  if (r.plan) b.push(kpi(money(r.total + r.plan.monthlyDelta), `after remediation (${signed(r.plan.monthlyDelta)})`));
  b.push(kpi(money(r.waste.total), "waste per month"), kpi(money(r.caching.monthlySavings), `caching saves (TTL ${r.caching.ttlSeconds}s)`), kpi(money(r.total * 12), "annualised"));
  b.push(`</div>`);
  b.push(`<section class="card charts">${columns(r.lines.map((l, i) => ({ label: shortLabel(l.category), value: Math.round(l.monthly * 100) / 100, color: CAT_COLORS[i % CAT_COLORS.length] })), "Monthly cost by item (USD)")}</section>`);
  b.push(`<h2>Run-rate</h2><table><thead><tr><th>item</th><th class="n">quantity</th><th class="n">monthly</th></tr></thead><tbody>`);
  for (const l of r.lines) b.push(`<tr><td>${esc(CATEGORY_LABELS[l.category])}</td><td class="n">${esc(qty(l.quantity))} ${esc(l.unit)}</td><td class="money">${money(l.monthly)}</td></tr>`);
  b.push(`<tr><td><b>total</b></td><td></td><td class="money"><b>${money(r.total)}</b></td></tr></tbody></table>`);
  b.push(groupTable("By account", r.byAccount), groupTable("By region", r.byRegion));
  if (r.tag) b.push(groupTable(`By tag ${r.tag.key}`, r.tag.groups));
  b.push(`<h2>Waste: ${money(r.waste.total)} per month</h2>`);
  b.push(wasteTable(`Unused secrets — ${r.waste.unusedSecrets.basis}`, r.waste.unusedSecrets));
  b.push(wasteTable("Secrets pending deletion", r.waste.pendingDeletion));
  b.push(wasteTable("Customer managed keys no secret uses", r.waste.unusedKeys));
  const c = r.caching;
  b.push(`<h2>Caching the most-read secrets</h2><p class="note">${esc(qty(c.callsPerMonth))} calls a month today; with a client cache of ${c.ttlSeconds}s at most ${esc(qty(c.maxCallsPerClient))} calls per secret per client: ${esc(qty(c.callsWithCache))} calls, saving <b>${money(c.monthlySavings)}</b> a month.</p>`);
  if (c.top.length) {
    b.push(`<table><thead><tr><th>secret</th><th>account / region</th><th class="n">principals</th><th class="n">calls / month</th><th class="n">with cache</th><th class="n">saves</th></tr></thead><tbody>`);
    for (const i of c.top) b.push(`<tr><td>${esc(i.name)}</td><td class="small mono">${esc(i.accountId ?? "")} ${esc(i.region ?? "")}</td><td class="n">${i.principals}</td><td class="n">${esc(qty(i.callsPerMonth))}</td><td class="n">${esc(qty(i.callsWithCache))}</td><td class="money">${money(i.monthlySavings)}</td></tr>`);
    b.push(`</tbody></table>`);
  }
  if (r.plan) {
    const p = r.plan;
    b.push(`<h2>Remediation plan: ${signed(p.monthlyDelta)} per month</h2><table><thead><tr><th>kind</th><th class="n">actions</th><th class="n">monthly delta</th></tr></thead><tbody>`);
    for (const [k, v] of Object.entries(p.byKind)) b.push(`<tr><td>${esc(k)}</td><td class="n">${v.actions}</td><td class="money">${signed(v.monthly)}</td></tr>`);
    b.push(`</tbody></table><h3>Largest changes</h3><table><thead><tr><th>action</th><th>account / region</th><th class="n">monthly</th><th>how</th></tr></thead><tbody>`);
    for (const i of p.items) b.push(`<tr><td class="mono">${esc(i.id)}</td><td class="small mono">${esc(i.accountId)} ${esc(i.region)}</td><td class="money">${signed(i.monthly)}</td><td class="small">${esc(i.note)}</td></tr>`);
    b.push(`</tbody></table>`);
  }
  if (r.unpriced.length) b.push(`<section class="card alert warn"><h3>Not priced</h3><ul>${r.unpriced.map((u) => `<li>${esc(u)}</li>`).join("")}</ul></section>`);
  b.push(`<footer><b>Assumptions.</b><ul>${r.assumptions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul></footer></main>`);
  return renderPage({ title: "sm-audit cost report", body: b.join("\n") });
}

function kpi(value: string, label: string): string {
  return `<div class="kpi"><div class="v">${esc(value)}</div><div class="l">${esc(label)}</div></div>`;
}

function groupTable(title: string, gs: CostGroup[]): string {
  const cats = COST_CATEGORIES.filter((c) => gs.some((g) => g.byCategory[c]));
  const out = [`<h2>${esc(title)}</h2><table class="groups"><thead><tr><th></th><th class="n">monthly</th>${cats.map((c) => `<th class="n" title="${esc(CATEGORY_LABELS[c])}">${esc(shortLabel(c))}</th>`).join("")}</tr></thead><tbody>`];
  for (const g of gs.slice(0, 100)) out.push(`<tr><td class="key mono">${esc(g.key)}</td><td class="money"><b>${money(g.monthly)}</b></td>${cats.map((c) => `<td class="money">${money(g.byCategory[c] ?? 0)}</td>`).join("")}</tr>`);
  out.push(`</tbody></table>`);
  if (gs.length > 100) out.push(`<p class="note">…and ${gs.length - 100} more (see cost.json).</p>`);
  return out.join("");
}

function wasteTable(title: string, w: WasteSection): string {
  const out = [`<h3>${esc(title)}: ${w.count} (${money(w.monthly)} per month)</h3>`];
  if (!w.items.length) return out.join("") + `<p class="note">None.</p>`;
  out.push(`<table><thead><tr><th>name</th><th>account / region</th><th class="n">monthly</th><th>detail</th></tr></thead><tbody>`);
  for (const i of w.items) out.push(`<tr><td>${esc(i.name)}<div class="mono muted small">${esc(i.id)}</div></td><td class="small mono">${esc(i.accountId ?? "")} ${esc(i.region ?? "")}</td><td class="money">${money(i.monthly)}</td><td class="small">${esc(i.detail)}</td></tr>`);
  out.push(`</tbody></table>`);
  if (w.count > w.items.length) out.push(`<p class="note">…and ${w.count - w.items.length} more (see cost.json).</p>`);
  return out.join("");
}

function shortLabel(c: string): string {
  return ({ secrets: "secrets", replicas: "replicas", secretApi: "API calls", kmsKeys: "KMS keys", kmsRotation: "rotation", kmsRequests: "KMS req.", endpoints: "endpoints" } as Record<string, string>)[c] ?? c;
}

function qty(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function signed(n: number): string {
  return n > 0 ? `+${money(n)}` : money(n);
}
