/**
 * The pull-request comment: new failing and unknown findings first (grouped by file,
 * with line links), then the ones the base branch already had, then those the PR
 * fixes, with counts. Kept under GitHub's 65,536-character comment limit by
 * truncating the lists with a note.
 */
import { countByStatus, findingsOf } from "../findings/rows";
import type { Finding, FindingsFile, Severity } from "../findings/types";
import { escapeMarkdown } from "./escape";

/** GitHub refuses comments longer than 65,536 characters; leave room for the note. */
export const MAX_COMMENT_CHARS = 65_000;

/** How to link a file:line (e.g. `https://github.com/o/r/blob/<sha>/`); without it, plain text. */
export interface PrMarkdownOptions {
  blobBase?: string;
  /** Turn a finding's file into a repository-relative path. */
  relativePath?: (file: string) => string;
  maxChars?: number;
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const ICON: Record<Severity, string> = { critical: "🟣", high: "🔴", medium: "🟠", low: "🔵", info: "⚪" };

/** Text outside code spans: the shared Markdown escaping (which also keeps `@team` from mentioning anyone). */
const esc = escapeMarkdown;

/** A code span: backslashes are literal inside one, so nothing is escaped; the fence outruns any backticks in the text. */
function code(s: string): string {
  const text = s.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function fileOf(f: Finding, opts: PrMarkdownOptions): string {
  if (f.source.kind !== "iac") return `${f.source.accountId}/${f.source.region}`;
  return opts.relativePath ? opts.relativePath(f.source.file) : f.source.file;
}

function location(f: Finding, opts: PrMarkdownOptions): string {
  if (f.source.kind !== "iac") return "";
  const file = fileOf(f, opts);
  const label = f.source.line ? `${file}:${f.source.line}` : file;
  if (!opts.blobBase) return `\`${label}\``;
  return `[\`${label}\`](${opts.blobBase}${encodeURI(file)}${f.source.line ? `#L${f.source.line}` : ""})`;
}

function line(f: Finding, opts: PrMarkdownOptions): string {
  const status = f.status === "suppressed" ? f.suppressedStatus : f.status;
  const tag = status === "unknown" ? "❔ unknown" : `${ICON[f.severity]} ${f.severity}`;
  const why = status === "unknown" && f.reason && !f.message.includes(f.reason) ? ` — ${esc(f.reason)}` : "";
  return `- ${tag} **${esc(f.ruleId)}** ${code(f.resourceId)} ${location(f, opts)}: ${esc(f.message)}${why}`;
}

function bySeverity(a: Finding, b: Finding): number {
  return RANK[a.severity] - RANK[b.severity] || a.ruleId.localeCompare(b.ruleId) || a.resourceId.localeCompare(b.resourceId);
}

/** Group findings by file, files sorted, findings by line then severity. */
function grouped(list: Finding[], opts: PrMarkdownOptions): string[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of list) {
    const k = fileOf(f, opts);
    const same = byFile.get(k);
    if (same) same.push(f); else byFile.set(k, [f]);
  }
  const out: string[] = [];
  for (const file of [...byFile.keys()].sort()) {
    out.push(`**${esc(file)}**`, "");
    const rows = (byFile.get(file) ?? []).sort((a, b) => ((a.source.kind === "iac" ? a.source.line ?? 0 : 0) - (b.source.kind === "iac" ? b.source.line ?? 0 : 0)) || bySeverity(a, b));
    for (const f of rows) out.push(line(f, opts));
    out.push("");
  }
  return out;
}

/** Render the PR summary; `findings.fixed` and `baseline` marks are used when a baseline was applied. */
export function toPrMarkdown(file: FindingsFile, opts: PrMarkdownOptions = {}): string {
  const max = opts.maxChars ?? MAX_COMMENT_CHARS;
  const open = [...findingsOf(file, ["fail", "unknown"])];
  const withBaseline = file.fixed !== undefined;
  const fresh = open.filter((f) => !withBaseline || f.baseline === "new");
  const unchanged = withBaseline ? open.filter((f) => f.baseline === "unchanged") : [];
  const fixed = file.fixed ?? [];
  const suppressed = [...findingsOf(file, ["suppressed"])];
  const failNew = fresh.filter((f) => f.status === "fail").length;
  const unknownNew = fresh.length - failNew;
  const passed = countByStatus(file).pass;

  const head: string[] = [
    "## sm-audit: Secrets Manager checks",
    "",
    withBaseline
      ? `**${failNew}** new failing, **${unknownNew}** new unknown, **${unchanged.length}** unchanged, **${fixed.length}** fixed · ${passed} passing · ${suppressed.length} suppressed`
      : `**${failNew}** failing, **${unknownNew}** unknown · ${passed} passing · ${suppressed.length} suppressed`,
    "",
  ];
  if (file.coverageGaps.length) head.push(`> ⚠️ Incomplete: ${file.coverageGaps.length} input(s) could not be read fully.`, "");
  const sections: Array<[string, string[]]> = [
    [withBaseline ? `### New in this pull request (${fresh.length})` : `### Findings (${fresh.length})`, grouped(fresh.sort(bySeverity), opts)],
  ];
  if (withBaseline) {
    sections.push([`### Already on the base branch (${unchanged.length})`, grouped(unchanged.sort(bySeverity), opts)]);
    sections.push([`### Fixed by this pull request (${fixed.length})`, fixed.sort(bySeverity).map((f) => `- ✅ **${esc(f.ruleId)}** ${code(f.resourceId)}`)]);
  }
  if (suppressed.length) {
    sections.push([`### Suppressed (${suppressed.length})`, suppressed.sort(bySeverity).map((f) => `- **${esc(f.ruleId)}** ${code(f.resourceId)}: ${esc(f.suppression?.reason ?? "")} (owner ${esc(f.suppression?.owner ?? "?")}, expires ${f.suppression?.expires ?? "?"})`)]);
  }
  const out: string[] = [...head];
  let size = out.join("\n").length;
  let cut = 0;
  for (const [title, body] of sections) {
    if (body.length === 0) continue;
    const titleLine = `${title}\n`;
    if (size + titleLine.length > max - 300) { cut += body.filter((l) => l.startsWith("- ")).length; continue; }
    out.push(title, "");
    size += titleLine.length + 1;
    for (const l of body) {
      if (size + l.length + 1 > max - 300) { if (l.startsWith("- ")) cut++; continue; }
      out.push(l);
      size += l.length + 1;
    }
    out.push("");
    size += 1;
  }
  if (cut > 0) out.push(`> ✂️ ${cut} more finding(s) not shown: the comment is limited to ${max} characters. See the SARIF upload or the findings JSON for all of them.`);
  out.push("", `<sub>${file.tool.name} ${file.tool.version} · rules ${file.rulesDigest.slice(0, 12)}</sub>`);
  return out.join("\n");
}
