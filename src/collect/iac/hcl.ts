/**
 * HCL directories → Terraform resources. Every `*.tf` file is parsed with
 * `@cdktf/hcl2json`; the given directory is the root module, local `module` calls are
 * followed with their inputs, and any other directory holding `.tf` files that no call
 * reaches is read as a root of its own (its resource ids prefixed by its relative path).
 */
import { type Dirent, readdirSync, statSync } from "node:fs";
import { join, normalize, relative, sep } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { UserError } from "../../util/errors";
import { lineColumnAt, readTextFile } from "../../util/fs";
import { type ConfigFile, type ModuleSource, evalRaw, evaluateConfig } from "./config";
import { type Scope, type Value, Unknown } from "./expr";
import { locateHcl } from "./locate";
import type { TfModel, TfResource } from "./model";

const SKIP_DIRS = new Set([".terraform", ".git", "node_modules", "cdktf.out"]);

/** Options of the HCL reader. */
export interface HclOptions {
  /** Variable values that win over tfvars and defaults (like `-var`). */
  vars?: Record<string, Value>;
}

/** Every directory under `root` (itself included) that directly holds `.tf` files, with those files. */
export function tfDirectories(root: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (dir: string, depth: number) => {
    if (depth > 30) return;
    let entries: Dirent[];
    try { entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); } catch { return; }
    const tf: string[] = [];
    for (const d of entries) {
      const e = d.name;
      const p = join(dir, e);
      // The entry type comes with the listing; only links (and unknown types) need a stat to follow them.
      let isDir: boolean;
      if (d.isDirectory()) isDir = true;
      else if (d.isFile()) isDir = false;
      else { try { isDir = statSync(p).isDirectory(); } catch { continue; } }
      if (isDir) { if (!SKIP_DIRS.has(e) && !e.startsWith(".")) walk(p, depth + 1); }
      else if (e.endsWith(".tf")) tf.push(p);
    }
    if (tf.length) out.set(dir, tf);
  };
  walk(normalize(root), 0);
  return out;
}

/**
 * Largest `.tf` file read (docs/limits.md): hand-written configuration is kilobytes; the
 * WASM parser takes ~0.6 s per MB, so a larger file is refused rather than stalling a PR check.
 */
export const MAX_TF_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Deepest bracket nesting handed to the parser (docs/limits.md). The Go parser recurses per
 * level; at ~10^5 levels its runtime dies ("malloc deadlock") and every later call hangs.
 */
export const MAX_HCL_DEPTH = 1000;

/** How long one file may take in the parser before the read is abandoned with an error. */
export const HCL_PARSE_TIMEOUT_MS = 60_000;

/** Refuse text whose brackets nest deeper than MAX_HCL_DEPTH (counted over the raw text, strings included). */
function checkHclDepth(text: string, path: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91 || c === 40) {
      if (++depth > MAX_HCL_DEPTH) throw new UserError(`HCL nested deeper than ${MAX_HCL_DEPTH} levels`, { file: path, line: lineColumnAt(text, i).line });
    } else if ((c === 125 || c === 93 || c === 41) && depth > 0) depth--;
  }
}

/** The parser's answer, or a UserError if it does not answer in time (its runtime may have died). */
function parseWithTimeout(path: string, text: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UserError(`the HCL parser did not answer within ${HCL_PARSE_TIMEOUT_MS / 1000} s`, { file: path })), HCL_PARSE_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([parse(path, text), timeout]).finally(() => clearTimeout(timer));
}

/** Parse one `.tf` file; a syntax error becomes a UserError with file and line. */
export async function parseHclFile(path: string): Promise<ConfigFile> {
  const text = readTextFile(path, MAX_TF_FILE_BYTES);
  checkHclDepth(text, path);
  let json: Record<string, unknown>;
  try {
    json = (await parseWithTimeout(path, text)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    if (/Maximum call stack size exceeded/.test(msg)) throw new UserError("HCL nested too deeply to read", { file: path });
    const m = /:(\d+),(\d+)(?:-[\d,]+)?: ([^;\]]+)(?:; ([^\]]+))?/.exec(msg);
    throw new UserError(`HCL syntax error: ${m ? `${m[3].trim()}${m[4] ? ` (${m[4].trim()})` : ""}` : msg.replace(/^parse config: /, "")}`, {
      file: path,
      line: m ? Number(m[1]) : undefined,
    });
  }
  return { file: path, text, json };
}

/**
 * Parse files one at a time. The WASM parser is a single-threaded Go runtime: overlapping
 * calls gain nothing, and under load they have crashed it ("malloc deadlock"), after which
 * every later call hangs.
 */
async function parseAll(paths: string[]): Promise<Map<string, ConfigFile>> {
  const out = new Map<string, ConfigFile>();
  for (const p of paths) out.set(p, await parseHclFile(p));
  return out;
}

/** tfvars files of a root: `terraform.tfvars` then `*.auto.tfvars`, later files winning. */
async function rootVars(dir: string, scope: Scope): Promise<Record<string, Value>> {
  const names = readdirSync(dir).filter((f) => f === "terraform.tfvars" || f.endsWith(".auto.tfvars")).sort((a, b) => (a === "terraform.tfvars" ? -1 : b === "terraform.tfvars" ? 1 : a.localeCompare(b)));
  const vars: Record<string, Value> = {};
  for (const n of names) {
    const f = await parseHclFile(join(dir, n));
    for (const [k, v] of Object.entries(f.json)) vars[k] = evalRaw(v, scope);
  }
  return vars;
}

const NO_REFS: Scope = { traverse: (_s, text) => new Unknown(`'${text}' in a tfvars file is not evaluated`, text) };

/** Read an HCL directory tree into Terraform resources. */
export async function readHclDir(root: string, opts: HclOptions = {}): Promise<TfModel> {
  const dirs = tfDirectories(root);
  if (dirs.size === 0) throw new UserError("no .tf files found in the directory", { file: root });
  const parsed = await parseAll([...dirs.values()].flat());
  // One ModuleSource per directory, so the evaluator indexes a module called many times once.
  const sources = new Map<string, ModuleSource>();
  const moduleSource = (dir: string): ModuleSource => {
    let src = sources.get(dir);
    if (!src) { src = { dir, files: (dirs.get(dir) ?? []).map((f) => parsed.get(f) as ConfigFile) }; sources.set(dir, src); }
    return src;
  };
  const loadModule = (fromDir: string, source: string): ModuleSource | string => {
    if (!source.startsWith("./") && !source.startsWith("../")) return `module source "${source}" is not a local path; its resources are not read`;
    const dir = normalize(join(fromDir, source));
    if (!dirs.has(dir)) return `module source "${source}" has no .tf files under ${root}`;
    return moduleSource(dir);
  };
  // Directories reached by a module call are not roots; find them first by a dry evaluation of calls.
  const callTargets = new Set<string>();
  for (const [dir, files] of dirs) {
    for (const f of files) {
      for (const raw of Object.values(((parsed.get(f) as ConfigFile).json.module ?? {}) as Record<string, unknown>)) {
        const body = Array.isArray(raw) ? raw[0] : raw;
        const src = body && typeof body === "object" ? (body as { source?: unknown }).source : undefined;
        if (typeof src === "string" && (src.startsWith("./") || src.startsWith("../"))) callTargets.add(normalize(join(dir, src)));
      }
    }
  }
  const rootDir = normalize(root);
  const roots = [...dirs.keys()].filter((d) => d === rootDir || !callTargets.has(d));
  const resources: TfResource[] = [];
  for (const dir of roots) {
    const rel = relative(rootDir, dir);
    const prefix = rel === "" ? "" : `${rel.split(sep).join("/")}/`;
    const vars = { ...(await rootVars(dir, NO_REFS)), ...(opts.vars ?? {}) };
    resources.push(...evaluateConfig(moduleSource(dir), { idPrefix: prefix, rootVars: vars, loadModule, locate: locateHcl }));
  }
  return { kind: "hcl", input: root, resources };
}
