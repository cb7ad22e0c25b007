/**
 * Source lines for blocks and arguments. hcl2json keeps no positions, so the HCL
 * source text is scanned here: a block header `resource "type" "name" {`, the extent
 * of its body (braces outside strings, comments and heredocs), and the first line of
 * each argument inside it, nested block arguments dotted (`rotation_rules.schedule_expression`).
 */
import type { Located } from "./config";

interface BlockIndex {
  /** `managed:type.name` / `data:type.name` -> header offset and body range. */
  blocks: Map<string, { line: number; start: number; end: number }>;
  lineStarts: number[];
  /** Results already computed: a shared module file is located once per block, not once per call. */
  located: Map<string, Located>;
}

const cache = new WeakMap<object, BlockIndex>();

/** Locate a resource or data block and its arguments in HCL text. */
export function locateHcl(holder: { text: string }, mode: "managed" | "data", type: string, name: string): Located {
  let idx = cache.get(holder);
  if (!idx) { idx = indexBlocks(holder.text); cache.set(holder, idx); }
  const key = `${mode}:${type}.${name}`;
  const done = idx.located.get(key);
  if (done) return done;
  const b = idx.blocks.get(key);
  // attrLines is only read downstream, so resources of the same block may share it.
  const loc: Located = b ? { line: b.line, attrLines: argumentLines(holder.text, b.start, b.end, idx.lineStarts) } : { attrLines: {} };
  idx.located.set(key, loc);
  return loc;
}

function lineStartsOf(text: string): number[] {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return lineStarts;
}

const jsonLines = new WeakMap<object, number[]>();

function lineAt(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

function indexBlocks(text: string): BlockIndex {
  const lineStarts = lineStartsOf(text);
  const blocks = new Map<string, { line: number; start: number; end: number }>();
  const header = /^[ \t]*(resource|data)[ \t]+"?([A-Za-z0-9_-]+)"?[ \t]+"?([A-Za-z0-9_-]+)"?[ \t]*\{/gm;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const open = m.index + m[0].length - 1;
    const end = matchBrace(text, open);
    const key = `${m[1] === "data" ? "data" : "managed"}:${m[2]}.${m[3]}`;
    if (!blocks.has(key)) blocks.set(key, { line: lineAt(lineStarts, m.index + m[0].search(/\S/)), start: open + 1, end });
  }
  return { blocks, lineStarts, located: new Map() };
}

/** Offset of the brace closing the one at `open`, skipping strings, comments and heredocs. */
function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      continue;
    }
    if (c === "#" || (c === "/" && text[i + 1] === "/")) { while (i < text.length && text[i] !== "\n") i++; continue; }
    if (c === "/" && text[i + 1] === "*") { const e = text.indexOf("*/", i + 2); i = e < 0 ? text.length : e + 1; continue; }
    if (c === "<" && text[i + 1] === "<") {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(i, i + 200));
      if (m) {
        const close = new RegExp(`^[ \\t]*${m[1]}[ \\t]*$`, "m");
        const rest = text.slice(i + m[0].length);
        const e = close.exec(rest);
        i = e ? i + m[0].length + e.index + e[0].length - 1 : text.length;
        continue;
      }
    }
    if (c === "{") depth++;
    else if (c === "}") { depth--; if (depth === 0) return i; }
  }
  return text.length;
}

/** First line of each argument in a block body; nested block arguments are dotted. */
function argumentLines(text: string, start: number, end: number, lineStarts: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const body = text.slice(start, end);
  const stack: string[] = [];
  const re = /^[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(=|\{)|^[ \t]*\}/gm;
  // A light line scan: good enough for positions, never used for values.
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (!m[1]) { stack.pop(); continue; }
    const path = [...stack, m[1]].join(".");
    if (!(path in out)) out[path] = lineAt(lineStarts, start + m.index + m[0].search(/\S/));
    if (m[2] === "{") {
      stack.push(m[1]);
      const close = matchBrace(body, m.index + m[0].length - 1);
      if (close >= body.length) break;
      // Arguments on the same line as a one-line block close it at once.
      if (!body.slice(m.index, close).includes("\n")) stack.pop();
    }
  }
  return out;
}

/** Locate a resource in a Terraform JSON file (cdk.tf.json): the line of its name key under its type. */
export function locateJson(holder: { text: string }, mode: "managed" | "data", type: string, name: string): Located {
  const text = holder.text;
  const section = text.indexOf(mode === "data" ? '"data"' : '"resource"');
  if (section < 0) return { attrLines: {} };
  const typeAt = text.indexOf(`"${type}"`, section);
  if (typeAt < 0) return { attrLines: {} };
  const nameAt = text.indexOf(`"${name}"`, typeAt);
  if (nameAt < 0) return { attrLines: {} };
  // Line table built once per file: counting newlines from the top for every resource is quadratic.
  let lineStarts = jsonLines.get(holder);
  if (!lineStarts) { lineStarts = lineStartsOf(text); jsonLines.set(holder, lineStarts); }
  const line = lineAt(lineStarts, nameAt);
  const attrLines: Record<string, number> = {};
  const open = text.indexOf("{", nameAt);
  let depth = 0;
  let l = line;
  const stack: string[] = [];
  let lastKey = "";
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") l++;
    else if (c === '"') {
      const s = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      const after = text.slice(i + 1, i + 4).trimStart();
      if (after.startsWith(":")) {
        lastKey = text.slice(s + 1, i);
        const path = [...stack, lastKey].join(".");
        if (depth >= 1 && !(path in attrLines) && !lastKey.startsWith("//")) attrLines[path] = l;
      }
    } else if (c === "{") { depth++; if (depth > 1) stack.push(lastKey); }
    else if (c === "}") { depth--; if (depth === 0) break; stack.pop(); }
  }
  return { line, attrLines };
}
