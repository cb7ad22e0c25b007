/** `sm-audit remediate` end to end, in-process: snapshot in, plan + stacks + README out. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capture, cliMain } from "../policy/cli-harness";
import { writeSnapshot } from "../../src/inventory/io";
import { writeFindings } from "../../src/findings/io";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import { ACCT, R1, failingSnapshot } from "./estate";

const main = cliMain();
const io = capture;

describe("sm-audit remediate", () => {
  it("from a snapshot: evaluates, writes plan.json, app/, one cdk.tf.json per stack and README.md, prints a summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smr-cli-"));
    writeSnapshot(join(dir, "snap.json"), failingSnapshot());
    const t = io(dir);
    const code = await main(["remediate", "snap.json", "--out", "out", "--role-name", "Fixer"], t);
    expect(t.stderr).toEqual([]);
    expect(code).toBe(0);
    const root = join(dir, "out", "remediation");
    const plan = JSON.parse(readFileSync(join(root, "plan.json"), "utf8")) as { roleName: string; stacks: Array<{ id: string }> };
    expect(plan.roleName).toBe("Fixer");
    for (const st of plan.stacks) expect(existsSync(join(root, "stacks", st.id, "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(root, "stacks", `${ACCT}-${R1}`, "cdk.tf.json"))).toBe(true);
    for (const f of ["app/main.ts", "app/plan.json", "app/package.json", "app/cdktf.json"]) expect(existsSync(join(root, f)), f).toBe(true);
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain(`## Stack ${ACCT}-${R1}`);
    expect(readme).toContain("[secret-policy-not-public](https://github.com/sm-audit/sm-audit/blob/main/docs/rules/secret-policy-not-public.md)");
    expect(readme).not.toMatch(/\]\(docs\/rules\//);
    expect(readme).toContain("aws secretsmanager delete-secret");
    expect(readme).toMatch(/managed by rds/);
    const out = t.stdout.join("\n");
    expect(out).toMatch(/actions: \d+ closing \d+ failing finding/);
    expect(out).toMatch(/replace-resource-policy\s+3/);
    expect(out).toMatch(/monthly cost delta: \$\d+\.\d\d/);
    expect(out).toMatch(/manual: 3/);
  });

  it("from a snapshot: suppressions in sm-audit.yaml apply, so a suppressed finding gets no action", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smr-cli-supp-"));
    writeSnapshot(join(dir, "snap.json"), failingSnapshot());
    const rules = ["secret-policy-not-public", "secret-policy-trusted-principals-only", "secret-policy-no-wildcard-actions", "secret-policy-requires-vpc-endpoint"];
    writeFileSync(join(dir, "suppressions.yaml"), rules.map((r) => `- rule: ${r}\n  resource: "*"\n  reason: policy owned by the partner team\n  owner: sec@example.com\n  expires: 2999-01-01\n`).join(""));
    writeFileSync(join(dir, "sm-audit.yaml"), "suppressions: suppressions.yaml\n");
    const t = io(dir);
    expect(await main(["remediate", "snap.json", "--out", "out"], t)).toBe(0);
    expect(t.stdout.join("\n")).not.toMatch(/replace-resource-policy/);
    const plan = JSON.parse(readFileSync(join(dir, "out", "remediation", "plan.json"), "utf8")) as { actions: Array<{ kind: string }> };
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(plan.actions.filter((a) => a.kind === "replace-resource-policy")).toEqual([]);
  });

  it("from a findings file: needs the snapshot (recorded or --snapshot), else exit 2 with one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smr-cli-"));
    const snap = failingSnapshot();
    writeSnapshot(join(dir, "snap.json"), snap);
    const findings = evaluate(snap, { rules: loadRules(), snapshotFile: join(dir, "snap.json") });
    writeFindings(join(dir, "findings.json"), findings);
    const ok = io(dir);
    expect(await main(["remediate", "findings.json", "--out", "o1"], ok)).toBe(0);
    expect(existsSync(join(dir, "o1", "remediation", "plan.json"))).toBe(true);
    writeFindings(join(dir, "nofile.json"), { ...findings, snapshot: { ...findings.snapshot, file: undefined, sha256: undefined } });
    const bad = io(dir);
    expect(await main(["remediate", "nofile.json"], bad)).toBe(2);
    expect(bad.stderr).toEqual([`sm-audit remediate: ${join(dir, "nofile.json")}: the findings file records no snapshot path: give --snapshot FILE`]);
    const bad2 = io(dir);
    expect(await main(["remediate", "snap.json", "--role-name", "no spaces"], bad2)).toBe(2);
  });

  it("re-running into the same --out removes stale stack folders, but keeps one holding Terraform state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smr-cli-"));
    writeSnapshot(join(dir, "snap.json"), failingSnapshot());
    expect(await main(["remediate", "snap.json", "--out", "out"], io(dir))).toBe(0);
    const stacksDir = join(dir, "out", "remediation", "stacks");
    const current = readdirSync(stacksDir).sort();
    expect(current.length).toBeGreaterThan(1);
    // Two stacks from an "earlier run": one only generated, one with state from an apply.
    for (const old of ["000000000000-us-east-1", "000000000001-us-east-1"]) {
      mkdirSync(join(stacksDir, old));
      writeFileSync(join(stacksDir, old, "cdk.tf.json"), "{}");
    }
    writeFileSync(join(stacksDir, "000000000001-us-east-1", "terraform.tfstate"), "{}");
    writeFileSync(join(stacksDir, "README-not-a-stack.txt"), "x");
    const t = io(dir);
    expect(await main(["remediate", "snap.json", "--out", "out"], t)).toBe(0);
    expect(t.stderr).toEqual([]);
    expect(readdirSync(stacksDir).filter((f) => !f.endsWith(".txt")).sort()).toEqual([...current, "000000000001-us-east-1"].sort());
    expect(existsSync(join(stacksDir, "000000000001-us-east-1", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(stacksDir, "README-not-a-stack.txt"))).toBe(true);
    const readme = readFileSync(join(dir, "out", "remediation", "README.md"), "utf8");
    expect(readme).toContain("## Stale stack folders");
    expect(readme).toContain("`stacks/000000000001-us-east-1`");
  });
});
