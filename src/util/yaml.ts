/**
 * The shared YAML loader: parses with the `yaml` package, keeps line numbers so that
 * any field can be reported as `file:line`, and refuses alias bombs and oversized input.
 */
import { LineCounter, Pair, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import { UserError } from "./errors";
import { readTextFile } from "./fs";

/** Largest YAML file accepted: rule, config and suppression files are small by nature. */
export const MAX_YAML_BYTES = 16 * 1024 * 1024;
/** Aliases expanded at most this many times; a billion-laughs document fails instead of eating memory. */
export const MAX_YAML_ALIASES = 100;

/** Deepest nesting accepted: rule, estate and config files are a few levels deep. */
export const MAX_YAML_DEPTH = 256;

/** A parsed YAML document: its plain value and a way to find the line of any field. */
export interface ParsedYaml {
  value: unknown;
  /** 1-based line of the field at `path` (or of its nearest existing ancestor). */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/** Parse a YAML file; syntax errors, duplicate keys and alias bombs become UserErrors with file and line. */
export function parseYamlFile(path: string, maxBytes = MAX_YAML_BYTES): ParsedYaml {
  return parseYamlText(readTextFile(path, maxBytes), path);
}

/** Parse YAML text named `file` (used in error messages). */
export function parseYamlText(text: string, file: string): ParsedYaml {
  if (text.length > MAX_YAML_BYTES) throw new UserError(`YAML text is ${text.length} characters; the limit is ${MAX_YAML_BYTES}`, { file });
  const lineCounter = new LineCounter();
  // The yaml package's own duplicate-key check compares every key with every other one
  // (20,000 keys took 6 s): keys are checked below in one pass instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    const msg = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new UserError(`invalid YAML: ${msg}`, { file, line });
  }
  checkKeys(doc.contents, file, lineCounter);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new UserError(`invalid YAML: ${(err as Error).message.split("\n")[0]}`, { file });
  }
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  return {
    value,
    lineOf(path) {
      let node: unknown = doc.contents;
      let line = lineAt((node as YamlNode | null)?.range?.[0]);
      for (const seg of path) {
        if (isMap(node)) {
          const pair = pairIndex(node).get(String(seg));
          if (!pair) return line;
          line = lineAt((pair.key as YamlNode | null)?.range?.[0]) ?? line;
          node = pair.value;
        } else if (isSeq(node)) {
          const item = node.items[Number(seg)];
          if (item === undefined || typeof seg === "string" && !/^\d+$/.test(seg)) return line;
          line = lineAt((item as YamlNode | null)?.range?.[0]) ?? line;
          node = item;
        } else {
          return line;
        }
      }
      return line;
    },
  };
}

/**
 * Refuse duplicate mapping keys and nesting deeper than MAX_YAML_DEPTH, walking the node tree
 * with an explicit stack so that a deeply nested document cannot overflow the call stack.
 */
function checkKeys(root: unknown, file: string, lineCounter: LineCounter): void {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (!isMap(node) && !isSeq(node)) continue;
    const start = (node as YamlNode).range?.[0];
    if (depth > MAX_YAML_DEPTH) {
      throw new UserError(`invalid YAML: nested deeper than ${MAX_YAML_DEPTH} levels`, { file, line: start === undefined ? undefined : lineCounter.linePos(start).line });
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    const seen = new Set<string>();
    for (const pair of node.items) {
      const k = keyText(pair.key);
      if (k !== undefined) {
        if (seen.has(k)) {
          const at = (pair.key as YamlNode | null)?.range?.[0];
          throw new UserError("invalid YAML: Map keys must be unique", { file, line: at === undefined ? undefined : lineCounter.linePos(at).line });
        }
        seen.add(k);
      }
      stack.push({ node: pair.key, depth: depth + 1 }, { node: pair.value, depth: depth + 1 });
    }
  }
}

/** Key → pair of a map, built once per map, so that reporting many fields stays linear. */
const pairIndexes = new WeakMap<object, Map<string, Pair>>();
function pairIndex(map: { items: Pair[] }): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = keyText(p.key);
      if (k !== undefined && !index.has(k)) index.set(k, p);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}
