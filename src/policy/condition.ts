/**
 * The condition language of docs/rule-format.md, compiled once per rule into closures
 * that evaluate a view with three-valued (Kleene) logic and record the evidence read.
 */
import type { Evidence } from "../findings/types";
import { ElementMemo } from "./memo";
import { makeTest } from "./operators";
import { accessor, newTrace, readAt, resetTrace, UNKNOWN, type Accessor, type ReadTrace } from "./read";
import type { ConditionDef, Params } from "./types";

export { paramKind } from "./operators";

/** Three-valued truth: false, true, unknown. */
export const F = 0;
export const T = 1;
export const U = 2;
export type Tri = typeof F | typeof T | typeof U;

export const OPERATORS = ["equals", "in", "exists", "lt", "lte", "gt", "gte", "matches", "like", "contains", "containsAll", "empty", "olderThanDays", "withinDays"] as const;
export type Operator = (typeof OPERATORS)[number];
const OPERATOR_SET = new Set<string>(OPERATORS);

/** What one evaluation reads and writes besides the view. */
export interface EvalCtx {
  root: object;
  rootUnknowns: Record<string, string> | undefined;
  asOfMs: number;
  evidence: Evidence[];
  reasons: string[];
  /** Reason of the last read that hit an unknown. */
  unknown?: string;
  /** Shared evidence objects for common primitive values (see `record`). */
  intern?: Map<string, Map<unknown, Evidence>>;
  /** The same for short lists of plain values, keyed by path and then by their JSON. */
  internLists?: Map<string, Map<unknown, Evidence>>;
  /** The same for unknown reads, keyed by path and then by reason. */
  internUnknowns?: Map<string, Map<unknown, Evidence>>;
  /** The shared evidence objects, so that whole evidence lists made of them can be shared too. */
  shared?: WeakSet<Evidence>;
  /** Reused root scope (one object per run, not per evaluation). */
  rootScope?: Scope;
  /** When set, every read at the root scope is recorded here (see policy/memo.ts). */
  trace?: ReadTrace;
  /** When set, the reads of the list element being decided are recorded here (see `ElementMemo`). */
  elementTrace?: ReadTrace;
}

interface Scope {
  obj: unknown;
  unknowns: Record<string, string> | undefined;
  /** Evidence path prefix of this scope (`facts.policy.principals[2].`), empty at the root. */
  prefix: string;
}

/** A compiled condition. */
export type Compiled = (scope: Scope, ctx: EvalCtx) => Tri;

/** A problem found while compiling: the path inside the rule file and what is wrong. */
export interface CompileProblem {
  at: Array<string | number>;
  message: string;
}

/** Evaluate a compiled condition against a view. */
export function runCondition(cond: Compiled, view: { unknowns?: Record<string, string> }, ctx: EvalCtx): Tri {
  // ctx.rootUnknowns may be left undefined by the caller when the view has none (a fast path).
  const scope = ctx.rootScope ?? (ctx.rootScope = { obj: view, unknowns: undefined, prefix: "" });
  scope.obj = view;
  scope.unknowns = ctx.rootUnknowns;
  return cond(scope, ctx);
}

/** What a compiled condition reads besides its scope: a `some`/`every` remembers elements only when nothing. */
interface Reach {
  /** A `$.` path (read from the root view whatever the scope). */
  fromRoot: boolean;
  /** A `some`/`every` (its elements' evidence paths depend on the outer element). */
  nested: boolean;
}

/** Compile a condition; problems are pushed to `problems` (the result is then unusable). */
export function compileCondition(def: unknown, params: Params, problems: CompileProblem[], at: Array<string | number>, reach: Reach = { fromRoot: false, nested: false }): Compiled {
  const fail = (message: string, where: Array<string | number> = at): Compiled => {
    problems.push({ at: where, message });
    return () => U;
  };
  if (typeof def !== "object" || def === null || Array.isArray(def)) return fail("expected a condition object (all, any, not, some, every, path or param)");
  const d = def as ConditionDef;
  const keys = Object.keys(d);
  if ("all" in d || "any" in d) {
    const key = "all" in d ? "all" : "any";
    if (keys.length !== 1) return fail(`'${key}' must be alone in its condition; found also ${keys.filter((k) => k !== key).join(", ")}`);
    const list = d[key];
    if (!Array.isArray(list) || list.length === 0) return fail("expected a non-empty list of conditions", [...at, key]);
    const parts = list.map((c, i) => compileCondition(c, params, problems, [...at, key, i], reach));
    return junction(parts, key === "all" ? F : T);
  }
  if ("not" in d) {
    if (keys.length !== 1) return fail(`'not' must be alone in its condition; found also ${keys.filter((k) => k !== "not").join(", ")}`);
    const inner = compileCondition(d.not, params, problems, [...at, "not"], reach);
    return (s, c) => {
      const r = inner(s, c);
      return r === U ? U : r === T ? F : T;
    };
  }
  if ("some" in d || "every" in d) {
    const key = "some" in d ? "some" : "every";
    const extra = keys.filter((k) => k !== key && k !== "where");
    if (extra.length) return fail(`unexpected key${extra.length > 1 ? "s" : ""} ${extra.join(", ")} beside '${key}'`);
    if (!("where" in d)) return fail(`'${key}' needs a 'where' condition`);
    const path = d[key];
    if (typeof path !== "string" || !validPath(path)) return fail("expected a dotted path", [...at, key]);
    const inner: Reach = { fromRoot: false, nested: false };
    const where = compileCondition(d.where, params, problems, [...at, "where"], inner);
    const acc = accessor(path);
    reach.nested = true;
    if (acc.fromRoot || inner.fromRoot) reach.fromRoot = true;
    return quantifier(key, acc, where, !inner.fromRoot && !inner.nested);
  }
  if ("path" in d || "param" in d) return compileComparison(d, params, problems, at, reach);
  return fail(`unknown condition key${keys.length === 1 ? "" : "s"} ${keys.join(", ") || "(none)"}; expected all, any, not, some, every, path or param`);
}

/**
 * Kleene `all` (decisive = F) or `any` (decisive = T): the decisive value as soon as a part
 * yields it, else unknown if any part was unknown, else the other value.
 */
function junction(parts: Compiled[], decisive: typeof T | typeof F): Compiled {
  const otherwise = decisive === F ? T : F;
  return (s, c) => {
    let unknown = false;
    for (const p of parts) {
      const r = p(s, c);
      if (r === decisive) return decisive;
      if (r === U) unknown = true;
    }
    return unknown ? U : otherwise;
  };
}

/** True for `$`, `.`, and dotted paths optionally prefixed `$.`. */
export function validPath(path: string): boolean {
  return /^(\$|\.|(\$\.)?[^.\s{}]+(\.[^.\s{}]+)*)$/.test(path);
}

/** The evidence path of a read: precomputed at the root, prefixed inside `some`/`every`. */
function evPathOf(acc: Accessor, scope: Scope): string {
  if (acc.fromRoot || scope.prefix === "") return acc.rootPath;
  // Element paths repeat for every view (`facts.reads.principals[0].longTermKey`): made once.
  const under = (acc.under ??= new Map());
  let path = under.get(scope.prefix);
  if (path === undefined) {
    path = acc.segs.length ? scope.prefix + acc.prefixes[acc.prefixes.length - 1] : scope.prefix.slice(0, -1);
    if (under.size < 1024) under.set(scope.prefix, path);
  }
  return path;
}

/**
 * Read a path: UNKNOWN when it (or a prefix) is recorded unknown, else the value (maybe
 * undefined). Root reads go to the rule's trace; reads inside a `some`/`every` element see
 * only the list read at the root, which is traced, and go to the element's trace.
 */
function read(acc: Accessor, scope: Scope, ctx: EvalCtx): unknown {
  const v = readAt(acc, acc.fromRoot ? ctx.root : scope.obj, acc.fromRoot ? ctx.rootUnknowns : scope.unknowns, ctx);
  const trace = acc.fromRoot || scope.prefix === "" ? ctx.trace : ctx.elementTrace;
  if (trace !== undefined) {
    trace.reads.push(acc);
    trace.values.push(v === UNKNOWN ? undefined : v);
    trace.unknowns.push(v === UNKNOWN ? ctx.unknown : undefined);
  }
  return v;
}

/** A read that hit a recorded unknown: its evidence and reason; the condition is unknown. */
function unknownRead(ctx: EvalCtx, evPath: string): Tri {
  record(ctx, evPath, undefined, ctx.unknown);
  ctx.reasons.push(`${evPath}: ${ctx.unknown}`);
  return U;
}

function record(ctx: EvalCtx, path: string, value: unknown, unknown?: string): void {
  const ev = ctx.evidence;
  for (let i = 0; i < ev.length; i++) if (ev[i].path === path) return;
  ev.push(makeEvidence(ctx, path, value, unknown));
}

function pushOnce(ctx: EvalCtx, e: Evidence): void {
  const ev = ctx.evidence;
  for (let i = 0; i < ev.length; i++) if (ev[i].path === e.path) return;
  ev.push(e);
}

/**
 * Evidence objects for small primitive values are shared between findings (the same
 * `rotation.enabled: true` is read for thousands of secrets), which keeps a 100,000-secret
 * run small. They are treated as read-only; `attachSources` copies before it adds a source.
 */
function makeEvidence(ctx: EvalCtx, path: string, value: unknown, unknown?: string): Evidence {
  const intern = ctx.intern;
  if (intern === undefined) return unknown !== undefined ? { path, unknown } : { path, value: redact(path, value) };
  let key: unknown;
  let tables = intern;
  if (unknown !== undefined) {
    if (unknown.length >= 200) return { path, unknown };
    // A table of their own: an unknown's reason must never meet a value spelled the same.
    key = unknown;
    tables = ctx.internUnknowns ??= new Map();
  } else if (value === undefined || isSmallPrimitive(value)) {
    key = value;
  } else if (Array.isArray(value) && value.length <= 8 && value.every(isSmallPrimitive)) {
    // Short lists of plain values (tag keys, empty grant lists) repeat across thousands of
    // resources: keyed by their JSON in a table of their own.
    key = JSON.stringify(value);
    tables = ctx.internLists ??= new Map();
  } else {
    return { path, value: redact(path, value) };
  }
  let byValue = tables.get(path);
  if (!byValue) tables.set(path, (byValue = new Map()));
  let e = byValue.get(key);
  if (!e) {
    e = unknown !== undefined ? { path, unknown } : { path, value: redact(path, value) };
    if (byValue.size < 10_000) {
      Object.freeze(e);
      byValue.set(key, e);
      ctx.shared?.add(e);
    }
  }
  return e;
}

/** A value shared evidence may hold: null, a boolean, a finite number or a string of up to 256 characters. */
function isSmallPrimitive(v: unknown): boolean {
  return v === null || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length <= 256);
}

/** Literal values found in code are shown only as their fingerprint. */
export function redact(path: string, value: unknown): unknown {
  if (!path.startsWith("valueInCode")) return value;
  const one = (v: unknown): unknown =>
    v && typeof v === "object" && "fingerprint" in v ? `[redacted sha256:${String((v as { fingerprint: unknown }).fingerprint)}]` : v;
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** `path[i].`, kept for the root path (the same strings for every view) so that paths built on it are made once. */
function elementPrefix(evPath: string, i: number, rootPrefixes: { path: string; list: string[] }): string {
  if (evPath !== rootPrefixes.path) return `${evPath}[${i}].`;
  return (rootPrefixes.list[i] ??= `${evPath}[${i}].`);
}

/** What a `some`/`every` condition decided for one element: its result, the evidence it kept and the reasons it gave. */
interface ElementDecision {
  result: Tri;
  evidence: Evidence[];
  reasons: string[];
}

/**
 * `some`/`every`. When `remember` (the condition reads only its element) and the rule is
 * being remembered (`ctx.trace`), each element's decision is kept by its position and the
 * values read, so a list new to the rule whose elements are not is decided from memory.
 */
function quantifier(kind: "some" | "every", acc: Accessor, where: Compiled, remember: boolean): Compiled {
  const prefixes = { path: acc.rootPath, list: [] as string[] };
  const memo = remember ? new ElementMemo<ElementDecision>() : undefined;
  // The reads of the element being decided (a remembered condition holds no nested `some`/`every`).
  const elementTrace = newTrace();
  return (scope, ctx) => {
    const v = read(acc, scope, ctx);
    const evPath = evPathOf(acc, scope);
    if (v === UNKNOWN) {
      return unknownRead(ctx, evPath);
    }
    if (v === undefined) {
      record(ctx, evPath, undefined, "not known");
      ctx.reasons.push(`${evPath} is not known`);
      return U;
    }
    const items: unknown[] = v === null ? [] : Array.isArray(v) ? v : typeof v === "object" ? Object.entries(v as object).map(([key, value]) => ({ key, value })) : [];
    if (v !== null && typeof v !== "object") {
      record(ctx, evPath, v);
      return F;
    }
    // Element evidence paths name the position under this path: remembered only at the root path.
    const elements = memo !== undefined && ctx.trace !== undefined && evPath === prefixes.path ? memo : undefined;
    // Keep only the evidence of the element that decided the result, so evidence stays small.
    const outer = ctx.evidence;
    let undecided: Evidence[] | undefined;
    let sawUnknown = false;
    for (let i = 0; i < items.length; i++) {
      const el = items[i];
      const elUnknowns = el && typeof el === "object" ? (el as { unknowns?: Record<string, string> }).unknowns : undefined;
      const known = elements?.at(i);
      const hit = known?.lookup(el, elUnknowns, ctx);
      let res: Tri;
      let local: Evidence[];
      if (hit !== undefined) {
        res = hit.result;
        local = hit.evidence;
        for (let r = 0; r < hit.reasons.length; r++) ctx.reasons.push(hit.reasons[r]);
      } else {
        local = [];
        ctx.evidence = local;
        const reasonsFrom = ctx.reasons.length;
        if (known !== undefined) resetTrace((ctx.elementTrace = elementTrace));
        res = where({ obj: el, unknowns: elUnknowns, prefix: elementPrefix(evPath, i, prefixes) }, ctx);
        ctx.evidence = outer;
        if (known !== undefined) {
          ctx.elementTrace = undefined;
          known.remember(elementTrace, { result: res, evidence: local, reasons: ctx.reasons.slice(reasonsFrom) });
        }
      }
      if ((kind === "some" && res === T) || (kind === "every" && res === F)) {
        for (const e of local) pushOnce(ctx, e);
        return kind === "some" ? T : F;
      }
      if (res === U && !sawUnknown) {
        sawUnknown = true;
        undecided = local;
      }
    }
    if (undecided) for (const e of undecided) pushOnce(ctx, e);
    else record(ctx, `${evPath}.length`, items.length);
    if (sawUnknown) return U;
    return kind === "some" ? F : T;
  };
}

function compileComparison(d: ConditionDef, params: Params, problems: CompileProblem[], at: Array<string | number>, reach: Reach): Compiled {
  const keys = Object.keys(d);
  const fail = (message: string, where: Array<string | number> = at): Compiled => {
    problems.push({ at: where, message });
    return () => U;
  };
  if ("path" in d && "param" in d) return fail("use either 'path' or 'param', not both");
  const ops = keys.filter((k) => OPERATOR_SET.has(k));
  const others = keys.filter((k) => !OPERATOR_SET.has(k) && k !== "path" && k !== "param" && k !== "caseInsensitive");
  if (others.length) return fail(`unknown operator '${others[0]}'; expected one of ${OPERATORS.join(", ")}`, [...at, others[0]]);
  if (ops.length !== 1) return fail(ops.length ? `exactly one operator per comparison; found ${ops.join(", ")}` : `missing operator; expected one of ${OPERATORS.join(", ")}`);
  const op = ops[0] as Operator;
  const ci = d.caseInsensitive;
  if (ci !== undefined && typeof ci !== "boolean") return fail("expected true or false", [...at, "caseInsensitive"]);
  if (ci && !["equals", "in", "like", "contains", "containsAll"].includes(op)) return fail(`caseInsensitive applies to equals, in, like, contains and containsAll, not ${op}`, [...at, "caseInsensitive"]);
  const opAt = [...at, op];
  const operand = resolveOperand(d[op], params, problems, opAt);
  if (operand === INVALID) return () => U;
  const test = makeTest(op, operand, Boolean(ci), problems, opAt);
  if (!test) return () => U;

  if ("param" in d) {
    const name = d.param;
    if (typeof name !== "string" || !Object.hasOwn(params, name)) return fail(`unknown param '${String(name)}'; declared: ${Object.keys(params).join(", ") || "(none)"}`, [...at, "param"]);
    return (_s, ctx) => {
      const v = params[name];
      if (op === "exists") return (v !== undefined && v !== null) === operand ? T : F;
      return test(v, ctx) ? T : F;
    };
  }
  const path = d.path;
  if (typeof path !== "string" || !validPath(path)) return fail("expected a dotted path such as facts.key.manager", [...at, "path"]);
  const acc = accessor(path);
  if (acc.fromRoot) reach.fromRoot = true;
  const isExists = op === "exists";
  return (scope, ctx) => {
    const v = read(acc, scope, ctx);
    const evPath = evPathOf(acc, scope);
    if (v === UNKNOWN) {
      return unknownRead(ctx, evPath);
    }
    record(ctx, evPath, v);
    if (isExists) return (v !== undefined && v !== null) === operand ? T : F;
    if (v === undefined) {
      ctx.reasons.push(`${evPath} is not known`);
      return U;
    }
    return test(v, ctx) ? T : F;
  };
}

const INVALID = Symbol("invalid");

function resolveOperand(raw: unknown, params: Params, problems: CompileProblem[], at: Array<string | number>): unknown {
  let name: string | undefined;
  if (typeof raw === "string" && raw.startsWith("$params.")) name = raw.slice(8);
  else if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const keys = Object.keys(raw);
    if (keys.length === 1 && keys[0] === "param" && typeof (raw as { param: unknown }).param === "string") name = (raw as { param: string }).param;
    else {
      problems.push({ at, message: "expected a value or a param reference ({ param: NAME } or $params.NAME)" });
      return INVALID;
    }
  }
  if (name === undefined) return raw;
  if (!Object.hasOwn(params, name)) {
    problems.push({ at, message: `unknown param '${name}'; declared: ${Object.keys(params).join(", ") || "(none)"}` });
    return INVALID;
  }
  return params[name];
}
