/**
 * The generic rule harness: evaluates each rule folder's fixtures with only that rule
 * and compares every resource's status with expected.yaml. Adding a rule adds no test code.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { emptySnapshot, validateSnapshot } from "../inventory/io";
import type { Snapshot } from "../inventory/types";
import { UserError, UserErrors, errorMessage } from "../util/errors";
import { parseJsonText, readTextFile } from "../util/fs";
import { parseYamlFile } from "../util/yaml";
import { evaluate } from "./evaluate";
import { builtinRulesDir, loadRules } from "./loader";
import type { LoadedRule, RuleSet } from "./types";

/** The outcome of one rule folder. */
export interface RuleTestResult {
  id: string;
  dir: string;
  ok: boolean;
  /** One line per problem. */
  problems: string[];
  /** Fixture cases evaluated. */
  cases: number;
}

const STATUSES = new Set(["pass", "fail", "unknown", "not_applicable"]);
/** Reference time of snapshot fixtures that do not state `generatedAt`. */
export const FIXTURE_TIME = "2025-06-01T00:00:00Z";

/** Rule folders under the given rules dirs (built-in first), as absolute paths. */
export function ruleFolders(dirs: string[], builtin = true): string[] {
  const roots = [...(builtin ? [builtinRulesDir()] : []), ...dirs.map((d) => resolve(d))];
  const out: string[] = [];
  for (const root of roots.filter((r, i) => roots.indexOf(r) === i)) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (name !== "frameworks" && !name.startsWith(".") && statSync(dir).isDirectory()) out.push(dir);
    }
  }
  return out;
}

/** Load rules leniently so that one broken rule does not stop the others from being tested. */
export function loadForTest(dirs: string[], builtin = true): RuleSet {
  return loadRules(dirs, { lenient: true, builtin });
}

/** Test one rule folder. */
export async function testRuleFolder(dir: string, set: RuleSet): Promise<RuleTestResult> {
  const id = dir.split(/[\\/]/).pop() ?? dir;
  const problems: string[] = [];
  const result = (cases: number): RuleTestResult => ({ id, dir, ok: problems.length === 0, problems, cases });
  const loadProblems = (set.problems ?? []).filter((e) => {
    const f = e.location.file ? resolve(e.location.file) : "";
    return f === dir || f.startsWith(dir + sep);
  });
  if (loadProblems.length) {
    problems.push(...loadProblems.map((e) => e.format()));
    return result(0);
  }
  const rule = set.rules.find((r) => r.dir === dir);
  if (!rule) {
    problems.push(`${id}: not loaded (see the rule set's errors)`);
    return result(0);
  }
  const fixturesDir = join(dir, "fixtures");
  const expectedFile = join(dir, "expected.yaml");
  if (!existsSync(expectedFile)) {
    problems.push(`${id}: missing expected.yaml`);
    return result(0);
  }
  let expected: Record<string, Record<string, string>>;
  let lineOf: (p: Array<string | number>) => number | undefined;
  try {
    const doc = parseYamlFile(expectedFile);
    lineOf = doc.lineOf;
    expected = checkExpected(doc.value, expectedFile, lineOf);
  } catch (err) {
    problems.push(errorMessage(err));
    return result(0);
  }
  const cases = fixtureCases(fixturesDir);
  let sawFail = false;
  for (const name of Object.keys(expected)) {
    if (!cases.includes(name)) problems.push(`${expectedFile}:${lineOf([name]) ?? "?"}: ${id}: expected.yaml names fixture '${name}', which does not exist`);
    if (Object.values(expected[name]).includes("fail")) sawFail = true;
  }
  for (const name of cases) {
    let snap: Snapshot;
    try {
      snap = await loadFixture(join(fixturesDir, name), name);
    } catch (err) {
      problems.push(`${id}: fixtures/${name}: ${err instanceof UserErrors ? err.errors.map((e) => e.format()).join("; ") : errorMessage(err)}`);
      continue;
    }
    const want = expected[name];
    if (!want) {
      problems.push(`${id}: fixtures/${name} is not listed in expected.yaml`);
      continue;
    }
    compareCase(id, name, rule, set, snap, want, problems);
  }
  if (!sawFail) problems.push(`${id}: no fixture case expects 'fail'; a rule needs at least one failing case`);
  return result(cases.length);
}

function compareCase(id: string, name: string, rule: LoadedRule, set: RuleSet, snap: Snapshot, want: Record<string, string>, problems: string[]): void {
  let got: Map<string, { status: string; reason?: string; message: string }>;
  try {
    const file = evaluate(snap, { rules: set, only: [rule.def.id] });
    got = new Map(file.findings.map((f) => [f.resourceId, { status: f.status, reason: f.reason, message: f.message }]));
  } catch (err) {
    problems.push(`${id}: fixtures/${name}: evaluation failed: ${errorMessage(err)}`);
    return;
  }
  for (const [res, status] of Object.entries(want)) {
    const g = got.get(res);
    if (!g) problems.push(`${id}: ${name}: ${res}: expected ${status}, but no such resource was evaluated`);
    else if (g.status !== status) problems.push(`${id}: ${name}: ${res}: expected ${status}, got ${g.status} (${g.reason ?? g.message})`);
  }
  for (const [res, g] of got) {
    if (!Object.hasOwn(want, res)) problems.push(`${id}: ${name}: ${res}: evaluated (${g.status}) but missing from expected.yaml`);
  }
}

function checkExpected(v: unknown, file: string, lineOf: (p: Array<string | number>) => number | undefined): Record<string, Record<string, string>> {
  const errors: UserError[] = [];
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new UserError("expected a mapping: fixture path -> { resource id: status }", { file, line: 1 });
  for (const [fx, map] of Object.entries(v)) {
    if (!map || typeof map !== "object" || Array.isArray(map)) {
      errors.push(new UserError("expected a mapping: resource id -> status", { file, line: lineOf([fx]), field: fx }));
      continue;
    }
    for (const [res, st] of Object.entries(map as Record<string, unknown>)) {
      if (!STATUSES.has(String(st))) errors.push(new UserError(`expected pass, fail, unknown or not_applicable, got ${JSON.stringify(st)}`, { file, line: lineOf([fx, res]), field: `${fx}.${res}` }));
    }
  }
  if (errors.length) throw new UserErrors(errors);
  return v as Record<string, Record<string, string>>;
}

/** Fixture case names relative to fixtures/: `snapshot/x.json`, `plan/y.json`, `hcl/<case>`. */
export function fixtureCases(fixturesDir: string): string[] {
  const out: string[] = [];
  const list = (sub: string): string[] => (existsSync(join(fixturesDir, sub)) ? readdirSync(join(fixturesDir, sub)).sort() : []);
  for (const f of list("snapshot")) if (f.endsWith(".json")) out.push(`snapshot/${f}`);
  for (const f of list("plan")) if (f.endsWith(".json")) out.push(`plan/${f}`);
  for (const d of list("hcl")) if (statSync(join(fixturesDir, "hcl", d)).isDirectory()) out.push(`hcl/${d}`);
  return out;
}

/** Read one fixture case into a validated snapshot. */
export async function loadFixture(path: string, name: string): Promise<Snapshot> {
  if (name.startsWith("snapshot/")) {
    const text = readTextFile(path);
    return validateSnapshot(fillFragment(parseJsonText(text, path), path), path, text);
  }
  let readIac: (p: string, o: { generatedAt?: string }) => Promise<Snapshot>;
  try {
    // Loaded only for IaC fixtures, so snapshot-only rule sets never load the HCL parser.
    readIac = (await import("../collect/iac/index.js")).readIac;
  } catch (err) {
    throw new UserError(`IaC reader not available: ${errorMessage(err).split("\n")[0]}`, { file: path });
  }
  return await readIac(path, { generatedAt: FIXTURE_TIME });
}

/** Fill a snapshot fragment's missing top-level fields with defaults. */
export function fillFragment(v: unknown, file: string): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new UserError("expected a JSON object (a snapshot fragment)", { file, line: 1 });
  const base = emptySnapshot({ kind: "fixture", inputs: [file] }, FIXTURE_TIME) as unknown as Record<string, unknown>;
  return { ...base, ...(v as Record<string, unknown>) };
}
