/** File helpers shared by every stage: atomic writes, guarded reads, safe output paths. */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { UserError } from "./errors";
import { locateJsonError } from "./json-locate";

/** Largest input file any reader accepts (documented in docs/limits.md). */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * Write a file atomically: to a temp file in the same directory, fsync, then rename,
 * so a crash never leaves a half-written file that later reads as valid.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Write JSON atomically, pretty-printed, with a trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** Read a text file, turning a missing, unreadable, oversized or binary file into a UserError. */
export function readTextFile(path: string, maxBytes = MAX_INPUT_BYTES): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UserError("is a directory, expected a file", { file: path });
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: path });
  }
  if (size > maxBytes) throw new UserError(`file is ${size} bytes; the limit is ${maxBytes}`, { file: path });
  const buf = readFileSync(path);
  if (buf.subarray(0, 8000).includes(0)) throw new UserError("is a binary file, expected text", { file: path });
  return buf.toString("utf8");
}

/** 1-based line and column of a character offset in a text. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; last = i; }
  }
  return { line, column: offset - last };
}

/**
 * Deepest JSON nesting any reader accepts (docs/limits.md): far above real plans and snapshots,
 * far below what recursive code (JSON.stringify, validators, analysers) can walk without a stack overflow.
 */
export const MAX_JSON_DEPTH = 512;

/** Parse JSON, reporting a syntax error with file and line, and refusing nesting deeper than MAX_JSON_DEPTH. */
export function parseJsonText(text: string, file: string): unknown {
  checkJsonDepth(text, file);
  try {
    return JSON.parse(text);
  } catch {
    // Node 20's messages often carry no position and embed the text: locate the error ourselves.
    const offset = locateJsonError(text);
    const at = offset >= 0 ? offset : text.length;
    const { line, column } = lineColumnAt(text, at);
    const detail = at >= text.length ? "unexpected end of input (truncated?)" : `unexpected '${text.slice(at, at + 12).split("\n")[0]}'`;
    return failJson(file, line, `invalid JSON: ${detail} at column ${column}`);
  }
}

/** One pass over the text outside strings: cheap next to JSON.parse, and it names the line. */
function checkJsonDepth(text: string, file: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) failJson(file, lineColumnAt(text, i).line, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 125 || c === 93) depth--;
  }
}

function failJson(file: string, line: number | undefined, message: string): never {
  throw new UserError(message, { file, line });
}

/** Read and parse a JSON file with errors naming the file and line. */
export function readJsonFile(path: string): unknown {
  return parseJsonText(readTextFile(path), path);
}

/**
 * Turn a name from outside (a secret name, an account alias) into a single safe path
 * segment: no separators, no `..`, no control characters.
 */
export function safeSegment(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[\\/:*?"<>|!]/g, "_")
    .replace(/^\.+/, "_")
    .slice(0, 120);
  return cleaned === "" ? "_" : cleaned;
}

/** Join `parts` under `root`, refusing any result that escapes `root`. */
export function safeJoin(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const target = resolve(base, ...parts);
  const rel = relative(base, target);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new UserError(`output path escapes the output directory: ${join(...parts)}`, { file: root });
  }
  return target;
}
