/**
 * Escaping for every output format. Everything that comes from an input (secret names,
 * tags, principals, messages) is attacker-controlled and passes through one of these.
 */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Escape text for XML 1.0 (JUnit): the five entities, and characters XML 1.0 cannot carry
 * at all (control characters, lone surrogates) replaced by U+FFFD so the file stays well formed.
 */
export function escapeXml(value: unknown): string {
  const s = typeof value === "string" ? value : String(value ?? "");
  // Fast path: most names and messages need no escaping (this runs millions of times for JUnit).
  if (!XML_SPECIAL.test(s)) return s;
  return s
    .replace(/[&<>"']/g, (c) => (c === "'" ? "&apos;" : HTML_ESCAPES[c]))
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

const XML_SPECIAL = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;

/**
 * Escape text for a Markdown table cell or inline text: Markdown and HTML syntax are
 * neutralised (a PR comment renders HTML), pipes escaped, newlines flattened.
 */
export function escapeMarkdown(value: unknown): string {
  return String(value ?? "")
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : `\\${c}`))
    .replace(/@/g, "@\u200b");
}

/**
 * One CSV field per RFC 4180 (quoted when it holds a comma, quote, CR or LF; quotes doubled),
 * with the spreadsheet formula-injection guard: a cell starting with = + - @ (or a tab / CR)
 * is prefixed with an apostrophe so that Excel and LibreOffice show it as text.
 */
export function csvField(value: unknown): string {
  let s = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  if (s.length === 0) return s;
  const c = s.charCodeAt(0);
  // = + - @ TAB CR
  if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) s = `'${s}`;
  return CSV_QUOTE.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_QUOTE = /[",\r\n]/;
