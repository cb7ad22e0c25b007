import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadRuleFolder } from "../../src/policy/loader";
import type { Framework } from "../../src/policy/types";
import { loadEstate } from "../../src/simulator/load";
import { UserError, UserErrors } from "../../src/util/errors";
import { FuzzRng, NASTY_STRINGS, deepYaml, mutate, recordFuzz, runFuzz, yamlAliasBomb, type FuzzCase } from "../helpers/fuzz";

const LIMITS = { budgetMs: 18_000, perCaseMs: 5_000, retainedMB: 64, peakRssMB: 1536 };

/** Attacks that do not depend on the document's shape. */
function* yamlAttacks(valid: string): Generator<FuzzCase<string>> {
  yield { name: "valid", input: valid };
  yield { name: "empty", input: "" };
  yield { name: "only a comment", input: "# nothing\n" };
  yield { name: "billion laughs", input: yamlAliasBomb(9, 10) };
  yield { name: "alias bomb inside the document", input: yamlAliasBomb(6, 10) + valid };
  yield { name: "deep flow 1e5", input: deepYaml(100_000, "flow") };
  yield { name: "deep block 1e5", input: deepYaml(100_000, "block") };
  yield { name: "deep flow mapping 1e5", input: "{a: ".repeat(100_000) + "1" + "}".repeat(100_000) };
  yield { name: "huge string 50MB", input: `name: "${"a".repeat(50 * 2 ** 20)}"\n` };
  yield { name: "long string 8MB in a valid document", input: valid + `description: "${"b".repeat(8 * 2 ** 20)}"\n` };
  yield { name: "many keys", input: Array.from({ length: 5_000 }, (_, i) => `k${i}: ${i}`).join("\n") };
  yield { name: "duplicate keys", input: valid + valid };
  yield { name: "merge key", input: "base: &b {x: 1}\nother:\n  <<: *b\n" + valid };
  yield { name: "js tags", input: "x: !!js/function 'function(){}'\n" + valid };
  yield { name: "binary tag", input: "x: !!binary aGVsbG8=\n" + valid };
  yield { name: "__proto__ keys", input: "__proto__:\n  polluted: yes\nconstructor:\n  prototype:\n    polluted: yes\n" + valid };
  yield { name: "__proto__ via merge", input: "p: &p {polluted: yes}\n__proto__: *p\n" + valid };
  yield { name: "NUL", input: valid + "\u0000" };
  yield { name: "tabs for indentation", input: valid.replace(/^ {2}/gm, "\t") };
  yield { name: "bad unicode", input: valid + "x: \"\\ud800\\u202e\\u0000\"\n" };
  yield { name: "multi-document", input: valid + "---\n" + valid };
  for (const s of NASTY_STRINGS) yield { name: `nasty key ${JSON.stringify(s.slice(0, 20))}`, input: valid + `${JSON.stringify(s)}: 1\n` };
}

function* mutations(valid: string, seed: number, n: number): Generator<FuzzCase<string>> {
  const base = parse(valid) as unknown;
  const rng = new FuzzRng(seed);
  for (let i = 0; i < n; i++) {
    let text: string;
    try { text = stringify(mutate(base, rng, 0.1)); } catch { text = "x: [unterminated\n"; }
    yield { name: `mutation #${i} (seed ${seed})`, input: text };
  }
  for (let i = 0; i < 60; i++) {
    const cut = rng.int(0, valid.length);
    yield { name: `truncated at ${cut}`, input: valid.slice(0, cut) };
  }
}

const ESTATE = `version: 1
name: fuzz
seed: 7
regions: [us-east-1, eu-west-1]
organization: { id: o-abc123defg, managementAccountId: "111111111111" }
accounts:
  - id: "111111111111"
    name: prod
    regions:
      us-east-1:
        secrets:
          - name: db
            kmsKey: alias/app
            rotation: { enabled: true, afterDays: 30 }
            tags: { team: payments }
            replicas: [{ region: eu-west-1 }]
            reads: [{ principal: role/App, count: 10 }]
        kmsKeys:
          - { alias: app }
`;

const RULE = `id: fuzz-rule
title: Secrets rotate at least every {maxDays} days
severity: medium
resource: secret
sources: [live, iac]
mapping_source: [own]
params:
  maxDays: 90
applies:
  all:
    - { not: { path: facts.serviceOwned, equals: true } }
    - { path: name, matches: "^[a-z]+$" }
assert:
  path: facts.rotation.intervalDays
  lte: $params.maxDays
controls:
  pci-dss-4.0: ["8.3.9"]
rationale: Why.
remediation:
  kind: shorten-rotation
  params: { days: $params.maxDays }
messages:
  pass: "{name} rotates every {facts.rotation.intervalDays} days"
  fail: "{name} rotates too rarely; at most {params.maxDays} allowed"
  unknown: "Rotation interval of {name} is unknown: {reason}"
`;

describe("fuzz: YAML loaders", () => {
  const dir = mkdtempSync(join(tmpdir(), "sm-fuzz-yaml-"));

  it("estate reader (loadEstate): every case is a UserError or an estate", async () => {
    const file = join(dir, "estate.yaml");
    writeFileSync(file, ESTATE);
    expect(loadEstate(file).accounts).toHaveLength(1);
    const seed = 0x5eed_0002;
    const stats = await runFuzz("estate-reader", seed, (function* () { yield* yamlAttacks(ESTATE); yield* mutations(ESTATE, seed, 300); })(), (input: string) => {
      writeFileSync(file, input);
      loadEstate(file);
    }, LIMITS);
    recordFuzz(stats);
    expect(stats.failures).toEqual([]);
    expect(stats.cases).toBeGreaterThan(200);
  }, 30_000);

  it("rule loader (rule.yaml): every case is a UserError or a rule", async () => {
    // A framework of our own, so the rule loader is fuzzed without depending on rules/frameworks.
    const frameworks: Framework[] = [{
      id: "pci-dss-4.0", title: "PCI DSS", file: "fuzz.yaml", rulesByRequirement: new Map(),
      requirements: [{ id: "8.3.9", title: "Rotate secrets", text: "Rotate.", kind: "requirement" }],
    }];
    const ruleDir = join(dir, "fuzz-rule");
    mkdirSync(ruleDir, { recursive: true });
    const load = (text: string): void => {
      writeFileSync(join(ruleDir, "rule.yaml"), text);
      const errors: UserError[] = [];
      const rule = loadRuleFolder(ruleDir, frameworks, errors);
      if (errors.length) throw new UserErrors(errors);
      if (!rule) throw new Error("no rule and no error");
    };
    load(RULE);
    const seed = 0x5eed_0003;
    const stats = await runFuzz("rule-loader", seed, (function* () { yield* yamlAttacks(RULE); yield* mutations(RULE, seed, 300); })(), load, LIMITS);
    recordFuzz(stats);
    expect(stats.failures).toEqual([]);
    expect(stats.cases).toBeGreaterThan(200);
  }, 30_000);
});
