import { describe, expect, it } from "vitest";
import { compileCondition, runCondition, F, T, U, type CompileProblem, type EvalCtx, type Tri } from "../../src/policy/condition";
import { compileGlob, regexProblem } from "../../src/policy/patterns";
import type { Params } from "../../src/policy/types";

const AS_OF = Date.parse("2025-06-01T00:00:00Z");

function run(cond: unknown, view: Record<string, unknown>, params: Params = {}): { r: Tri; ctx: EvalCtx } {
  const problems: CompileProblem[] = [];
  const c = compileCondition(cond, params, problems, ["assert"]);
  expect(problems).toEqual([]);
  const v = { unknowns: {}, ...view };
  const ctx: EvalCtx = { root: v, rootUnknowns: v.unknowns as Record<string, string>, asOfMs: AS_OF, evidence: [], reasons: [] };
  return { r: runCondition(c, v, ctx), ctx };
}

function problemsOf(cond: unknown, params: Params = {}): string[] {
  const problems: CompileProblem[] = [];
  compileCondition(cond, params, problems, ["assert"]);
  return problems.map((p) => `${p.at.join(".")}: ${p.message}`);
}

describe("three-valued logic", () => {
  const unknownA = { unknowns: { a: "var.x has no default" }, b: 1 };
  it("a comparison on an unknown or missing path is unknown, never pass", () => {
    expect(run({ path: "a", equals: 1 }, unknownA).r).toBe(U);
    expect(run({ path: "a.deep.er", equals: 1 }, unknownA).r).toBe(U);
    expect(run({ path: "missing", lte: 3 }, {}).r).toBe(U);
    expect(run({ not: { path: "missing", equals: 3 } }, {}).r).toBe(U);
  });
  it("exists accepts a missing value but not an unknown one", () => {
    expect(run({ path: "missing", exists: false }, {}).r).toBe(T);
    expect(run({ path: "n", exists: true }, { n: null }).r).toBe(F);
    expect(run({ path: "a", exists: false }, unknownA).r).toBe(U);
  });
  it("all is false if any part is false, else unknown if any is unknown", () => {
    expect(run({ all: [{ path: "a", equals: 1 }, { path: "b", equals: 2 }] }, unknownA).r).toBe(F);
    expect(run({ all: [{ path: "a", equals: 1 }, { path: "b", equals: 1 }] }, unknownA).r).toBe(U);
    expect(run({ all: [{ path: "b", equals: 1 }] }, unknownA).r).toBe(T);
  });
  it("any is true if any part is true, else unknown if any is unknown", () => {
    expect(run({ any: [{ path: "a", equals: 1 }, { path: "b", equals: 1 }] }, unknownA).r).toBe(T);
    expect(run({ any: [{ path: "a", equals: 1 }, { path: "b", equals: 2 }] }, unknownA).r).toBe(U);
    expect(run({ any: [{ path: "b", equals: 3 }, { path: "b", equals: 2 }] }, unknownA).r).toBe(F);
  });
  it("collects the reasons of unknown parts", () => {
    const { ctx } = run({ all: [{ path: "a", equals: 1 }, { path: "gone", equals: 1 }] }, unknownA);
    expect(ctx.reasons).toEqual(["a: var.x has no default", "gone is not known"]);
  });
});

describe("operators", () => {
  const view = {
    name: "prod/DB", n: 90, tags: { Env: "Prod", Owner: "x" }, list: ["a", "B"], empty: [], created: "2025-01-01T00:00:00Z",
  };
  const cases: Array<[unknown, Tri]> = [
    [{ path: "name", equals: "prod/DB" }, T],
    [{ path: "name", equals: "prod/db" }, F],
    [{ path: "name", equals: "prod/db", caseInsensitive: true }, T],
    [{ path: "tags.Env", in: ["Dev", "Prod"] }, T],
    [{ path: "tags.Env", in: ["prod"], caseInsensitive: true }, T],
    [{ path: "n", lte: 90 }, T], [{ path: "n", lt: 90 }, F], [{ path: "n", gt: 89 }, T], [{ path: "n", gte: 91 }, F],
    [{ path: "name", lte: 90 }, F],
    [{ path: "name", matches: "^prod/" }, T], [{ path: "n", matches: "9" }, F],
    [{ path: "name", like: "prod/*" }, T], [{ path: "name", like: ["dev/*", "*/D?"] }, T], [{ path: "name", like: "PROD/*", caseInsensitive: true }, T],
    [{ path: "list", contains: "a" }, T], [{ path: "list", contains: "b" }, F], [{ path: "list", contains: "b", caseInsensitive: true }, T],
    [{ path: "list", containsAll: ["a", "B"] }, T], [{ path: "list", containsAll: ["a", "c"] }, F], [{ path: "list", containsAll: ["A", "b"], caseInsensitive: true }, T],
    [{ path: "name", containsAll: ["p"] }, F],
    [{ path: "empty", empty: true }, T], [{ path: "list", empty: false }, T], [{ path: "tags", empty: false }, T],
    [{ path: "created", olderThanDays: 150 }, T], [{ path: "created", olderThanDays: 160 }, F],
    [{ path: "created", withinDays: 160 }, T], [{ path: "created", withinDays: 150 }, F],
    [{ path: "name", olderThanDays: 1 }, F],
  ];
  it.each(cases)("%j -> %s", (cond, want) => {
    expect(run(cond, view).r).toBe(want);
  });
  it("resolves $params and { param } operands and param subjects", () => {
    expect(run({ path: "n", lte: "$params.maxDays" }, view, { maxDays: 90 }).r).toBe(T);
    expect(run({ path: "n", lte: { param: "maxDays" } }, view, { maxDays: 30 }).r).toBe(F);
    expect(run({ param: "ignoreDefault", equals: true }, view, { ignoreDefault: true }).r).toBe(T);
    expect(run({ path: "tags.Env", in: "$params.envs" }, view, { envs: ["Prod"] }).r).toBe(T);
  });
});

describe("some / every", () => {
  const view = {
    facts: { principals: [{ kind: "role", sameAccount: true }, { kind: "wildcard", sameAccount: false, unknowns: {} }] },
    tags: { Owner: "a", DataClassification: "phi" },
    accountId: "111111111111",
    refs: [{ accountId: "111111111111" }, { accountId: "222222222222" }],
    partial: [{ ok: true }, { unknowns: { ok: "unresolved" } }],
  };
  it("some and every over lists, maps and $. references", () => {
    expect(run({ some: "facts.principals", where: { path: "kind", equals: "wildcard" } }, view).r).toBe(T);
    expect(run({ every: "facts.principals", where: { path: "sameAccount", equals: true } }, view).r).toBe(F);
    expect(run({ some: "tags", where: { all: [{ path: "key", equals: "DataClassification" }, { path: "value", in: ["phi", "pci"] }] } }, view).r).toBe(T);
    expect(run({ every: "refs", where: { path: "accountId", equals: "111111111111" } }, view).r).toBe(F);
    expect(run({ some: "refs", where: { path: "$.accountId", equals: "111111111111" } }, view).r).toBe(T);
    expect(run({ every: "nothing", where: { path: "x", equals: 1 } }, { nothing: null }).r).toBe(T);
    expect(run({ some: "nothing", where: { path: "x", equals: 1 } }, { nothing: [] }).r).toBe(F);
    expect(run({ some: "missing", where: { path: "x", equals: 1 } }, {}).r).toBe(U);
  });
  it("element unknowns make the quantifier unknown unless another element decides", () => {
    expect(run({ every: "partial", where: { path: "ok", equals: true } }, view).r).toBe(U);
    expect(run({ some: "partial", where: { path: "ok", equals: true } }, view).r).toBe(T);
  });
  it("keeps only the deciding element's evidence", () => {
    const { ctx } = run({ some: "facts.principals", where: { path: "kind", equals: "wildcard" } }, view);
    expect(ctx.evidence).toEqual([{ path: "facts.principals[1].kind", value: "wildcard" }]);
  });
});

describe("evidence", () => {
  it("records every path read once, with unknown reasons, and redacts literal values in code", () => {
    const view = { unknowns: { kmsKeyId: "var.key" }, valueInCode: [{ attribute: "secret_string", fingerprint: "abcdef012345", source: {} }] };
    const { ctx } = run({ any: [{ path: "kmsKeyId", exists: true }, { path: "valueInCode", empty: true }, { path: "valueInCode", empty: true }] }, view);
    expect(ctx.evidence).toEqual([
      { path: "kmsKeyId", unknown: "var.key" },
      { path: "valueInCode", value: ["[redacted sha256:abcdef012345]"] },
    ]);
  });
});

describe("compile errors", () => {
  it("names the path and what was expected", () => {
    expect(problemsOf({ all: [{ path: "a", equals: 1 }, { path: "b", lte: "x" }] })).toEqual(["assert.all.1.lte: expected a number or $params reference"]);
    expect(problemsOf({ path: "a", equal: 1 })[0]).toMatch(/^assert.equal: unknown operator 'equal'/);
    expect(problemsOf({ path: "a", equals: 1, in: [1] })[0]).toMatch(/exactly one operator per comparison/);
    expect(problemsOf({ path: "a", lte: "$params.nope" }, { maxDays: 1 })[0]).toMatch(/unknown param 'nope'; declared: maxDays/);
    expect(problemsOf({ path: "a", matches: "(a+)+$" })[0]).toMatch(/nested quantifiers/);
    expect(problemsOf({ path: "a", lte: 1, caseInsensitive: true })[0]).toMatch(/caseInsensitive applies to/);
    expect(problemsOf({ anyOf: [] })[0]).toMatch(/unknown condition key anyOf/);
    expect(problemsOf({ some: "x" })[0]).toMatch(/needs a 'where'/);
  });
});

describe("patterns", () => {
  it("refuses unsafe or oversized regexes", () => {
    expect(regexProblem("^arn:aws:iam::\\d{12}:role/.+$")).toBeUndefined();
    expect(regexProblem("(a?)?")).toBeUndefined();
    for (const bad of ["(a+)+", "(a*)*b", "((ab)+c)*", "(?:x|y+){2,}", "(\\w+\\s?)*$"]) expect(regexProblem(bad)).toMatch(/nested quantifiers/);
    expect(regexProblem("a".repeat(201))).toMatch(/at most 200/);
    expect(regexProblem("(")).toMatch(/invalid regular expression/);
    expect(regexProblem("(a)\\1")).toMatch(/back-references/);
  });
  it("globs match without backtracking blow-ups", () => {
    const m = compileGlob("arn:aws:iam::*:role/app-*");
    expect(m("arn:aws:iam::111111111111:role/app-web")).toBe(true);
    expect(m("arn:aws:iam::111111111111:user/app-web")).toBe(false);
    expect(compileGlob("a?c")("abc")).toBe(true);
    const evil = compileGlob("*a*a*a*a*a*a*a*a*a*a*b");
    expect(evil("a".repeat(5000))).toBe(false);
  });
});

describe("paths", () => {
  it("read any property name, quotes and code-like text included, as data", () => {
    const odd = `a"];globalThis["injected"]=1;//`;
    const view = { x: { [odd]: { "it's": "found" } }, s: "text" };
    expect(run({ path: `x.${odd}.it's`, equals: "found" }, view).r).toBe(T);
    expect((globalThis as { injected?: number }).injected).toBeUndefined();
    // Past a null or absent step the value is absent; a string's properties are read as such.
    expect(run({ path: "x.none.deeper", exists: false }, view).r).toBe(T);
    expect(run({ path: "s.length", equals: 4 }, view).r).toBe(T);
  });
});
