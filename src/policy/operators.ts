/** The comparison operators of the condition language: operand checks at compile time, tests at run time. */
import { compileGlob, regexProblem, type GlobMatcher } from "./patterns";
import type { CompileProblem, EvalCtx, Operator } from "./condition";
import type { ParamValue } from "./types";

/** A compiled comparison on a known (defined) value. */
export type Test = (v: unknown, ctx: EvalCtx) => boolean;

const DAY_MS = 86_400_000;

/** Compile one operator with its (resolved) operand; a bad operand is pushed to `problems`. */
export function makeTest(op: Operator, operand: unknown, ci: boolean, problems: CompileProblem[], at: Array<string | number>): Test | undefined {
  const bad = (expected: string): undefined => {
    problems.push({ at, message: `expected ${expected}` });
    return undefined;
  };
  const isScalar = (x: unknown): boolean => x === null || ["string", "number", "boolean"].includes(typeof x);
  const norm = (x: unknown): unknown => (ci && typeof x === "string" ? x.toLowerCase() : x);
  switch (op) {
    case "equals": {
      if (!isScalar(operand)) return bad("a string, number, boolean or null, or a $params reference");
      const want = norm(operand);
      return (v) => norm(v) === want;
    }
    case "in": {
      if (!Array.isArray(operand) || !operand.every(isScalar)) return bad("a list of values or a $params reference");
      const set = new Set(operand.map(norm));
      return (v) => set.has(norm(v));
    }
    case "contains": {
      if (!isScalar(operand)) return bad("a string, number, boolean or null, or a $params reference");
      const want = norm(operand);
      return (v) => Array.isArray(v) && v.some((x) => norm(x) === want);
    }
    case "containsAll": {
      if (!Array.isArray(operand) || !operand.every(isScalar)) return bad("a list of values or a $params reference");
      const wanted = operand.map(norm);
      return (v) => {
        if (!Array.isArray(v)) return false;
        const have = new Set(v.map(norm));
        return wanted.every((w) => have.has(w));
      };
    }
    case "exists":
    case "empty": {
      if (typeof operand !== "boolean") return bad("true or false, or a $params reference");
      if (op === "exists") return () => true;
      return (v) => isEmpty(v) === operand;
    }
    case "lt": case "lte": case "gt": case "gte": {
      if (typeof operand !== "number" || !Number.isFinite(operand)) return bad("a number or $params reference");
      const n = operand;
      if (op === "lt") return (v) => typeof v === "number" && v < n;
      if (op === "lte") return (v) => typeof v === "number" && v <= n;
      if (op === "gt") return (v) => typeof v === "number" && v > n;
      return (v) => typeof v === "number" && v >= n;
    }
    case "olderThanDays": case "withinDays": {
      if (typeof operand !== "number" || !Number.isFinite(operand)) return bad("a number of days or $params reference");
      const limit = operand * DAY_MS;
      const older = op === "olderThanDays";
      return (v, ctx) => {
        const t = typeof v === "string" ? Date.parse(v) : NaN;
        if (Number.isNaN(t)) return false;
        const age = ctx.asOfMs - t;
        return older ? age > limit : age <= limit;
      };
    }
    case "matches": {
      if (typeof operand !== "string") return bad("a regular expression string");
      const problem = regexProblem(operand);
      if (problem) return bad(`a safe regular expression: ${problem}`);
      const re = new RegExp(operand);
      return (v) => typeof v === "string" && re.test(v);
    }
    case "like": {
      const globs = typeof operand === "string" ? [operand] : operand;
      if (!Array.isArray(globs) || !globs.every((g) => typeof g === "string")) return bad("a glob or a list of globs, or a $params reference");
      const matchers: GlobMatcher[] = (globs as string[]).map((g) => compileGlob(g, ci));
      return (v) => typeof v === "string" && matchers.some((m) => m(v));
    }
  }
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string" || Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") {
    for (const _k in v as object) return false;
    return true;
  }
  return false;
}

/** Param values a rule operand may take, for type checks of overrides. */
export function paramKind(v: ParamValue | undefined): string {
  return Array.isArray(v) ? "list" : v === null ? "null" : typeof v;
}
