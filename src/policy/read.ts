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
  /** The value at `segs` in an object (undefined past a null or absent step), without unknown checks. */
  get: (obj: unknown) => unknown;
}

export function accessor(path: string): Accessor {
  const fromRoot = path === "$" || path.startsWith("$.");
  const rest = path === "$" || path === "." ? "" : fromRoot ? path.slice(2) : path;
  const segs = rest === "" ? [] : rest.split(".");
  const prefixes: string[] = [];
  for (let i = 0; i < segs.length; i++) prefixes.push(i === 0 ? segs[0] : `${prefixes[i - 1]}.${segs[i]}`);
  const rootPath = prefixes.length ? prefixes[prefixes.length - 1] : fromRoot ? "$" : ".";
  return { text: path, fromRoot, segs, prefixes, rootPath, get: getter(segs) };
}

/**
 * A function reading `segs` with one property load per step (the paths of rules and of
 * message placeholders), compiled as ajv compiles its validators. A loop over the
 * segments made every read of every rule one megamorphic keyed load site; each path's
 * own code keeps each load's inline cache to the few shapes that path meets (a tenth of
 * evaluation time on 100,000 secrets). Segments enter the code only as JSON string
 * literals, so a path cannot inject code.
 */
export function getter(segs: readonly string[]): (obj: unknown) => unknown {
  let body = "let v = o;\n";
  for (const seg of segs) body += `if (v === null || v === undefined) return undefined;\nv = v[${JSON.stringify(seg)}];\n`;
  return new Function("o", `${body}return v;`) as (obj: unknown) => unknown;
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
  return acc.get(obj);
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
