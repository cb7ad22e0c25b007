/** Path helpers for messages: display paths and rule-field paths. */
import { relative } from "node:path";

/** A path for messages: relative to the working directory when inside it. */
export function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/** `assert.all[1].lte` from path segments. */
export function formatPath(segs: ReadonlyArray<string | number>): string {
  let out = "";
  for (const s of segs) out += typeof s === "number" || /^\d+$/.test(String(s)) ? `[${s}]` : out ? `.${s}` : String(s);
  return out;
}
