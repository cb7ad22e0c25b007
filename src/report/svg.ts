/** Inline SVG charts (no library, no network): stacked status bars, a severity column chart, a line chart. */
import type { Status } from "../findings/types";
import { type Counts, pct, passRate } from "./compliance";
import { escapeHtml as esc } from "./escape";

/** Colours shared by charts and the stylesheet (colour-blind safe pairs, readable in greyscale print). */
export const STATUS_COLORS: Record<Status, string> = {
  fail: "#c62828", unknown: "#d98e04", pass: "#2e7d32", suppressed: "#6d7a86", not_applicable: "#c5ccd3",
};
const BAR_STATUSES: Status[] = ["fail", "unknown", "pass", "suppressed"];

export interface BarRow {
  label: string;
  counts: Counts;
  /** Optional link target (`#id`). */
  href?: string;
}

/** Horizontal stacked bars (fail / unknown / pass / suppressed) with the pass rate at the right. */
export function stackedBars(rows: BarRow[], title: string): string {
  const labelW = 210, barW = 360, rateW = 70, rowH = 22, top = 26;
  const width = labelW + barW + rateW;
  const height = top + rows.length * rowH + 24;
  const parts: string[] = [];
  parts.push(`<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`);
  parts.push(`<text x="0" y="16" class="chart-title">${esc(title)}</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const label = r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label;
    const text = `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="chart-label">${esc(label)}</text>`;
    parts.push(r.href ? `<a href="${esc(r.href)}">${text}</a>` : text);
    const denom = BAR_STATUSES.reduce((s, k) => s + r.counts[k], 0);
    let x = labelW;
    if (denom === 0) {
      parts.push(`<rect x="${labelW}" y="${y + 4}" width="${barW}" height="${rowH - 8}" fill="#eef1f4"/><text x="${labelW + 6}" y="${y + 15}" class="chart-note">no findings</text>`);
    } else {
      for (const k of BAR_STATUSES) {
        const n = r.counts[k];
        if (!n) continue;
        const w = (n / denom) * barW;
        parts.push(`<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(w, 0.5).toFixed(1)}" height="${rowH - 8}" fill="${STATUS_COLORS[k]}"><title>${esc(`${r.label}: ${n} ${k}`)}</title></rect>`);
        x += w;
      }
    }
    parts.push(`<text x="${labelW + barW + 8}" y="${y + 15}" class="chart-label">${pct(passRate(r.counts))}</text>`);
  });
  const ly = top + rows.length * rowH + 14;
  let lx = labelW;
  for (const k of BAR_STATUSES) {
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${STATUS_COLORS[k]}"/><text x="${lx + 14}" y="${ly}" class="chart-note">${k}</text>`);
    lx += 80;
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Vertical columns, one per category (e.g. failing findings per severity). */
export function columns(items: Array<{ label: string; value: number; color: string }>, title: string): string {
  const colW = 64, gap = 18, chartH = 140, top = 40, left = 10;
  const width = left + items.length * (colW + gap);
  const height = top + chartH + 36;
  const max = Math.max(1, ...items.map((i) => i.value));
  const parts = [`<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`];
  parts.push(`<text x="0" y="16" class="chart-title">${esc(title)}</text>`);
  items.forEach((it, i) => {
    const h = (it.value / max) * chartH;
    const x = left + i * (colW + gap);
    const y = top + chartH - h;
    parts.push(`<rect x="${x}" y="${y.toFixed(1)}" width="${colW}" height="${Math.max(h, it.value ? 1 : 0).toFixed(1)}" fill="${it.color}"><title>${esc(`${it.label}: ${it.value}`)}</title></rect>`);
    parts.push(`<text x="${x + colW / 2}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="chart-value">${it.value}</text>`);
    parts.push(`<text x="${x + colW / 2}" y="${top + chartH + 16}" text-anchor="middle" class="chart-label">${esc(it.label)}</text>`);
  });
  parts.push(`<line x1="${left - 4}" x2="${width}" y1="${top + chartH}" y2="${top + chartH}" stroke="#9aa5b1"/>`);
  parts.push("</svg>");
  return parts.join("");
}

export interface LineSeries {
  name: string;
  color: string;
  values: number[];
}

/** A line chart over labelled points (the trend of counts over time). */
export function lineChart(labels: string[], series: LineSeries[], title: string): string {
  const left = 48, right = 150, top = 28, chartW = Math.max(240, labels.length * 70), chartH = 180;
  const width = left + chartW + right, height = top + chartH + 40;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const xAt = (i: number): number => left + (labels.length <= 1 ? chartW / 2 : (i / (labels.length - 1)) * chartW);
  const yAt = (v: number): number => top + chartH - (v / max) * chartH;
  const parts = [`<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`];
  parts.push(`<text x="0" y="16" class="chart-title">${esc(title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = Math.round((max * t) / 4);
    const y = yAt(v);
    parts.push(`<line x1="${left}" x2="${left + chartW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e3e7eb"/><text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="chart-note">${v}</text>`);
  }
  labels.forEach((l, i) => parts.push(`<text x="${xAt(i).toFixed(1)}" y="${top + chartH + 16}" text-anchor="middle" class="chart-note">${esc(l)}</text>`));
  series.forEach((s, si) => {
    const pts = s.values.map((v, i) => `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    s.values.forEach((v, i) => parts.push(`<circle cx="${xAt(i).toFixed(1)}" cy="${yAt(v).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.name} ${labels[i]}: ${v}`)}</title></circle>`));
    const ly = top + 10 + si * 18;
    parts.push(`<rect x="${left + chartW + 14}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/><text x="${left + chartW + 28}" y="${ly}" class="chart-note">${esc(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
