/**
 * Paths as rules read them: compiled once (`accessor`), read with the view's recorded
 * unknowns (`readAt`), and the trace of one evaluation's reads that memos are keyed by.
 */

/** A compiled path. */
export interface Accessor {
  /** Path as written. */
  text: string;
  /** Relative to the root view rather than the current element. */
  fromRoot: boolean;
  segs: string[];
  /** Dotted prefixes to look up in unknowns: `a`, `a.b`, `a.b.c`. */
  prefixes: string[];
  /** Evidence path when read at the root scope. */
  rootPath: string;
  /** Evidence paths when read inside `some`/`every` elements, by the element's prefix. */
  under?: Map<string, string>;
}

export function accessor(path: string): Accessor {
  const fromRoot = path === "$" || path.startsWith("$.");
  const rest = path === "$" || path === "." ? "" : fromRoot ? path.slice(2) : path;
  const segs = rest === "" ? [] : rest.split(".");
  const prefixes: string[] = [];
  for (let i = 0; i < segs.length; i++) prefixes.push(i === 0 ? segs[0] : `${prefixes[i - 1]}.${segs[i]}`);
  const rootPath = prefixes.length ? prefixes[prefixes.length - 1] : fromRoot ? "$" : ".";
  return { text: path, fromRoot, segs, prefixes, rootPath };
}

/** Marks a read whose path (or a prefix) is recorded unknown; the reason is left in `ctx.unknown`. */
export const UNKNOWN = Symbol("unknown");

/**
 * Read `acc` in `obj` whose unknowns are `unknowns`: UNKNOWN (with the reason left in
 * `ctx.unknown`) when the path or a prefix is recorded unknown, else the value.
 */
export function readAt(acc: Accessor, obj: unknown, unknowns: Record<string, string> | undefined, ctx: { unknown?: string }): unknown {
  if (unknowns !== undefined) {
    const prefixes = acc.prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      if (Object.hasOwn(unknowns, prefixes[i])) {
        const reason = unknowns[prefixes[i]];
        if (typeof reason === "string") {
          ctx.unknown = reason;
          return UNKNOWN;
        }
      }
    }
  }
  let v: unknown = obj;
  const segs = acc.segs;
  for (let i = 0; i < segs.length; i++) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string, unknown>)[segs[i]];
  }
  return v;
}

/** The reads of one evaluation, in order: what the memo of decisions is keyed by. */
export interface ReadTrace {
  reads: Accessor[];
  /** The value read (undefined when unknown). */
  values: unknown[];
  /** The unknown reason, when the read hit an unknown. */
  unknowns: Array<string | undefined>;
}

/** An empty trace to record one evaluation into. */
export function newTrace(): ReadTrace {
  return { reads: [], values: [], unknowns: [] };
}

/** Empty `trace` for the next evaluation. */
export function resetTrace(trace: ReadTrace): void {
  trace.reads.length = 0;
  trace.values.length = 0;
  trace.unknowns.length = 0;
}
