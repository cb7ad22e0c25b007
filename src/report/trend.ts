/**
 * Trend over time (`report --history DIR`): earlier findings files (or snapshots, evaluated)
 * become points with counts per framework; rendered as a table and an SVG line chart.
 */
import { findingsOf } from "../findings/rows";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FindingsFile } from "../findings/types";
import { UserError } from "../util/errors";
import { type Counts, emptyCounts, passRate, pct } from "./compliance";
import { escapeHtml as esc, escapeMarkdown as md } from "./escape";
import { lineChart, type LineSeries } from "./svg";

export interface TrendPoint {
  /** The audit time: the evaluated snapshot's generatedAt. */
  at: string;
  file: string;
  totals: Counts;
  /** framework id -> counts of the findings mapped to it. */
  frameworks: Record<string, Counts>;
}

export interface TrendModel {
  frameworks: string[];
  points: TrendPoint[];
}

/** Counts of one findings file, overall and per framework. */
export function trendPoint(f: FindingsFile, file: string): TrendPoint {
  const totals = emptyCounts();
  const frameworks: Record<string, Counts> = {};
  for (const x of findingsOf(f)) {
    totals[x.status]++;
    totals.total++;
    for (const fw of Object.keys(x.controls ?? {})) {
      const c = (frameworks[fw] ??= emptyCounts());
      c[x.status]++;
      c.total++;
    }
  }
  return { at: f.snapshot?.generatedAt ?? f.generatedAt, file, totals, frameworks };
}

/** The JSON files of a history directory, sorted by name. */
export function historyFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UserError("expected a directory of findings or snapshot files", { file: dir, field: "--history" });
    names = readdirSync(dir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: dir, field: "--history" });
  }
  return names.filter((n) => n.endsWith(".json")).sort().map((n) => join(dir, n));
}

/** Build the trend from points (the current run included), ordered by audit time. */
export function buildTrend(points: TrendPoint[], frameworkIds?: string[]): TrendModel {
  const sorted = [...points].sort((a, b) => a.at.localeCompare(b.at) || a.file.localeCompare(b.file));
  const seen = new Set<string>();
  for (const p of sorted) for (const fw of Object.keys(p.frameworks)) seen.add(fw);
  const frameworks = [...seen].filter((fw) => !frameworkIds?.length || frameworkIds.includes(fw)).sort();
  return { frameworks, points: sorted };
}

const COLORS = ["#c62828", "#1f4e79", "#2e7d32", "#8064a2", "#d98e04"];

/** The trend as an HTML section (table + line chart of failing findings per framework). */
export function renderTrendHtml(t: TrendModel, titles: Record<string, string> = {}): string {
  if (t.points.length === 0) return "";
  const labels = t.points.map((p) => p.at.slice(0, 10));
  const series: LineSeries[] = t.frameworks.map((fw, i) => ({ name: `${titles[fw] ?? fw} fail`, color: COLORS[i % COLORS.length], values: t.points.map((p) => p.frameworks[fw]?.fail ?? 0) }));
  series.push({ name: "unknown (all)", color: "#d98e04", values: t.points.map((p) => p.totals.unknown) });
  const out = [`<h2 id="trend">Trend</h2><section class="card">${lineChart(labels, series, "Failing findings per framework over time")}</section>`];
  out.push(`<table><thead><tr><th>audit</th><th>file</th>${t.frameworks.map((fw) => `<th class="n">${esc(titles[fw] ?? fw)} fail / unknown / pass</th>`).join("")}<th class="n">pass rate</th></tr></thead><tbody>`);
  for (const p of t.points) {
    out.push(`<tr><td>${esc(p.at)}</td><td class="mono small">${esc(p.file)}</td>${t.frameworks.map((fw) => { const c = p.frameworks[fw] ?? emptyCounts(); return `<td class="n">${c.fail} / ${c.unknown} / ${c.pass}</td>`; }).join("")}<td class="n">${pct(passRate(p.totals))}</td></tr>`);
  }
  out.push(`</tbody></table>`);
  return out.join("\n");
}

/** The trend as a Markdown section. */
export function renderTrendMarkdown(t: TrendModel, titles: Record<string, string> = {}): string {
  if (t.points.length === 0) return "";
  const out = ["", "## Trend", "", `| audit | ${t.frameworks.map((fw) => `${md(titles[fw] ?? fw)} fail / unknown / pass`).join(" | ")} | pass rate |`, `|---|${t.frameworks.map(() => "---:").join("|")}|---:|`];
  for (const p of t.points) {
    out.push(`| ${md(p.at)} | ${t.frameworks.map((fw) => { const c = p.frameworks[fw] ?? emptyCounts(); return `${c.fail} / ${c.unknown} / ${c.pass}`; }).join(" | ")} | ${pct(passRate(p.totals))} |`);
  }
  out.push("");
  return out.join("\n");
}
