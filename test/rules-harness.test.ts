/**
 * One test per rule folder (fixtures vs expected.yaml), and the checks that broken rule
 * folders are refused by `sm-audit rules validate` with a one-line file:line error.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadForTest, ruleFolders, testRuleFolder } from "../src/policy/harness";
import { capture, cliMain } from "./policy/cli-harness";

const main = cliMain();

const set = loadForTest([]);

describe("rule folders", () => {
  const folders = ruleFolders([]);
  it("there are rule folders to test", () => {
    expect(folders.length).toBeGreaterThan(0);
  });
  for (const dir of folders) {
    const id = dir.split(/[\\/]/).pop();
    it(`${id}: fixtures match expected.yaml`, async () => {
      const r = await testRuleFolder(dir, set);
      expect(r.problems).toEqual([]);
      expect(r.cases).toBeGreaterThan(0);
    });
  }
});

const GOOD = `id: my-rule
title: Secrets carry an Owner tag
severity: low
resource: secret
sources: [live, iac]
params:
  maxDays: 90
assert:
  all:
    - { path: tags.Owner, exists: true }
    - { path: facts.rotation.intervalDays, lte: $params.maxDays }
controls:
  pci-dss-4.0: ["12.5.1"]
rationale: Test rule.
remediation: { kind: manual, params: { action: "tag it" } }
messages:
  pass: "{name} has an owner"
  fail: "{name} has no owner"
  unknown: "{name}: {reason}"
`;

function ruleDir(root: string, id: string, text: string): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "rule.yaml"), text.replace(/^id: my-rule$/m, `id: ${id}`));
  return dir;
}

async function validate(...dirs: string[]): Promise<{ code: number; stderr: string[] }> {
  const io = capture();
  const args = ["rules", "validate", ...dirs.flatMap((d) => ["--rules", d])];
  const code = await main(args, io);
  return { code, stderr: io.stderr.flatMap((s) => s.split("\n")).filter((s) => s !== "") };
}

describe("broken rule folders are refused with file:line", () => {
  const root = mkdtempSync(join(tmpdir(), "sm-rules-"));
  const cases: Array<[string, string, RegExp]> = [
    ["wrong-type", GOOD.replace("lte: $params.maxDays", "lte: soon"), /wrong-type\/rule\.yaml:11: wrong-type: assert\.all\[1\]\.lte: expected a number or \$params reference$/],
    ["unknown-operator", GOOD.replace("exists: true", "present: true"), /unknown-operator\/rule\.yaml:10: unknown-operator: assert\.all\[0\]\.present: unknown operator 'present'/],
    ["unknown-control", GOOD.replace('"12.5.1"', '"99.9.9"'), /unknown-control\/rule\.yaml:13: unknown-control: controls\.pci-dss-4\.0\[0\]: unknown pci-dss-4\.0 requirement '99\.9\.9'$/],
    ["unknown-framework", GOOD.replace("pci-dss-4.0:", "sox:"), /unknown-framework\/rule\.yaml:13: unknown-framework: controls\.sox: unknown framework 'sox'/],
    ["yaml-syntax", GOOD.replace("severity: low", "severity: [low"), /yaml-syntax\/rule\.yaml:\d+: invalid YAML: /],
    ["nested-quantifier", GOOD.replace("exists: true", 'matches: "(a+)+$"'), /nested-quantifier\/rule\.yaml:10: nested-quantifier: assert\.all\[0\]\.matches: expected a safe regular expression: nested quantifiers/],
    ["wrong-id", GOOD.replace("id: my-rule", "id: other-name"), /wrong-id\/rule\.yaml:1: other-name: id: id 'other-name' must equal the folder name 'wrong-id'$/],
    ["bad-placeholder", GOOD.replace("{name} has no owner", "{name has no owner"), /bad-placeholder\/rule\.yaml:18: bad-placeholder: messages\.fail: unbalanced '\{'/],
    ["missing-message", GOOD.replace(/^ {2}unknown: .*$/m, ""), /missing-message\/rule\.yaml:\d+: missing-message: messages: missing required field 'unknown'$/],
    ["extra-key", GOOD + "owner: me\n", /extra-key\/rule\.yaml:20: extra-key: owner: unknown key$/],
  ];
  for (const [name, text, want] of cases) {
    it(name, async () => {
      const dir = join(root, name);
      ruleDir(dir, name, text);
      const { code, stderr } = await validate(dir);
      expect(code).toBe(2);
      const mine = stderr.filter((l) => l.includes(`${name}/`));
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.some((l) => want.test(l))).toBe(true);
      expect(stderr.join("\n")).not.toMatch(/\n\s+at |internal error/);
    });
  }
  it("a sound user rule validates", async () => {
    const dir = join(root, "good");
    ruleDir(dir, "good-rule", GOOD);
    const { code, stderr } = await validate(dir);
    expect(stderr.filter((l) => l.includes("good-rule"))).toEqual([]);
    if (!stderr.length) expect(code).toBe(0);
  });
  it("a duplicate id across rule dirs", async () => {
    const a = join(root, "dup-a");
    const b = join(root, "dup-b");
    ruleDir(a, "dup-rule", GOOD);
    ruleDir(b, "dup-rule", GOOD);
    const { code, stderr } = await validate(a, b);
    expect(code).toBe(2);
    expect(stderr.some((l) => /dup-b\/dup-rule\/rule\.yaml:1: dup-rule: id: duplicate rule id 'dup-rule' \(also in .*dup-a\/dup-rule\/rule\.yaml\)$/.test(l))).toBe(true);
  });
  it("every broken rule is reported in one run", async () => {
    const dir = join(root, "many");
    ruleDir(dir, "broken-one", GOOD.replace("lte: $params.maxDays", "lte: soon"));
    ruleDir(dir, "broken-two", GOOD.replace('"12.5.1"', '"99.9.9"'));
    const { stderr } = await validate(dir);
    expect(stderr.filter((l) => l.includes("broken-one/")).length).toBe(1);
    expect(stderr.filter((l) => l.includes("broken-two/")).length).toBe(1);
  });
});

describe("the harness rejects a malformed or wrong rule folder", () => {
  const root = mkdtempSync(join(tmpdir(), "sm-harness-"));
  const fixture = {
    secrets: [
      { id: "s-owned", name: "owned", accountId: "111111111111", region: "us-east-1", tags: { Owner: "a" }, rotation: { enabled: true, afterDays: 30 }, source: { kind: "live", accountId: "111111111111", region: "us-east-1", api: "secretsmanager:ListSecrets" } },
      { id: "s-orphan", name: "orphan", accountId: "111111111111", region: "us-east-1", tags: {}, rotation: { enabled: true, afterDays: 30 }, source: { kind: "live", accountId: "111111111111", region: "us-east-1", api: "secretsmanager:ListSecrets" } },
    ],
  };
  function folder(id: string, expected: string): string {
    const dir = ruleDir(root, id, GOOD);
    mkdirSync(join(dir, "fixtures", "snapshot"), { recursive: true });
    writeFileSync(join(dir, "fixtures", "snapshot", "basic.json"), JSON.stringify(fixture));
    writeFileSync(join(dir, "expected.yaml"), expected);
    return dir;
  }
  it("passes when statuses match", async () => {
    const dir = folder("h-ok", "snapshot/basic.json:\n  s-owned: pass\n  s-orphan: fail\n");
    const r = await testRuleFolder(dir, loadForTest([root]));
    expect(r.problems).toEqual([]);
  });
  it("fails on a wrong status, a missing resource, an unlisted resource and no fail case", async () => {
    folder("h-wrong", "snapshot/basic.json:\n  s-owned: fail\n  s-orphan: fail\n");
    folder("h-missing", "snapshot/basic.json:\n  s-owned: pass\n  s-orphan: fail\n  s-ghost: pass\n");
    folder("h-unlisted", "snapshot/basic.json:\n  s-orphan: fail\n");
    folder("h-nofail", "snapshot/basic.json:\n  s-owned: pass\n  s-orphan: pass\n");
    const s = loadForTest([root]);
    expect((await testRuleFolder(join(root, "h-wrong"), s)).problems.join("\n")).toMatch(/s-owned: expected fail, got pass/);
    expect((await testRuleFolder(join(root, "h-missing"), s)).problems.join("\n")).toMatch(/s-ghost: expected pass, but no such resource was evaluated/);
    expect((await testRuleFolder(join(root, "h-unlisted"), s)).problems.join("\n")).toMatch(/s-owned: evaluated \(pass\) but missing from expected.yaml/);
    expect((await testRuleFolder(join(root, "h-nofail"), s)).problems.join("\n")).toMatch(/no fixture case expects 'fail'/);
  });
  it("`rules test` prints ok/FAIL per rule and exits 1 on a failure", async () => {
    const io = capture();
    const code = await main(["rules", "test", "--rules", root, "h-ok", "h-wrong"], io);
    expect(code).toBe(1);
    expect(io.stdout).toContain("ok   h-ok (1 fixture case)");
    expect(io.stdout).toContain("FAIL h-wrong");
    const ok = capture();
    expect(await main(["rules", "test", "--rules", root, "h-ok"], ok)).toBe(0);
  });
});

describe("IaC fixtures", () => {
  it("reads hcl/<case>/ through the IaC reader and never shows the literal value", async () => {
    const root = mkdtempSync(join(tmpdir(), "sm-iac-"));
    const dir = join(root, "t-literal");
    mkdirSync(join(dir, "fixtures", "hcl", "literal"), { recursive: true });
    writeFileSync(join(dir, "rule.yaml"), [
      "id: t-literal", "title: No secret value is written in code", "severity: critical", "resource: secret", "sources: [iac]",
      "assert: { path: valueInCode, empty: true }", 'controls: { pci-dss-4.0: ["8.6.2"] }', "rationale: test",
      "remediation: { kind: manual, params: { action: remove it } }",
      "messages:", '  pass: "{name} has no literal value"', '  fail: "{name} has a literal value {valueInCode}"', '  unknown: "{name}: {reason}"', "",
    ].join("\n"));
    writeFileSync(join(dir, "fixtures", "hcl", "literal", "main.tf"), [
      'resource "aws_secretsmanager_secret" "app" {', '  name = "app"', "}",
      'resource "aws_secretsmanager_secret_version" "app" {', "  secret_id     = aws_secretsmanager_secret.app.id", '  secret_string = "hunter2-literal"', "}",
      'resource "aws_secretsmanager_secret" "clean" {', '  name = "clean"', "}", "",
    ].join("\n"));
    writeFileSync(join(dir, "expected.yaml"), "hcl/literal:\n  aws_secretsmanager_secret.app: fail\n  aws_secretsmanager_secret.clean: pass\n");
    const s = loadForTest([root], false);
    expect((await testRuleFolder(dir, s)).problems).toEqual([]);
    const io = capture();
    expect(await main(["rules", "test", "--rules", root, "t-literal"], io)).toBe(0);
    writeFileSync(join(dir, "expected.yaml"), "hcl/literal:\n  aws_secretsmanager_secret.app: pass\n  aws_secretsmanager_secret.clean: pass\n");
    const wrong = await testRuleFolder(dir, s);
    expect(wrong.problems.join("\n")).toMatch(/aws_secretsmanager_secret\.app: expected pass, got fail \(app has a literal value \[redacted sha256:[0-9a-f]+\]\)/);
    expect(wrong.problems.join("\n")).not.toContain("hunter2");
  });
});
