import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFindings } from "../../src/findings/io";
import { writeSnapshot } from "../../src/inventory/io";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import { planRemediation } from "../../src/remediate/plan";
import { writeJsonAtomic } from "../../src/util/fs";
import { capture, cliMain } from "./cli-harness";
import { ROTATION_RULE, liveSecret, rulesDir, snapshotOf } from "./fixtures";

const main = cliMain();
const tmp = mkdtempSync(join(tmpdir(), "sm-cli-"));
// A rule id of our own: built-in rules are loaded too, but only this one fails our secrets at medium.
const rules = rulesDir(ROTATION_RULE);
const gap = { accountId: "111111111111", region: "eu-west-1", kind: "secrets" as const, status: "denied" as const, errorCode: "AccessDenied" };

function snap(name: string, afterDays: number, gaps = false): string {
  const p = join(tmp, name);
  writeSnapshot(p, snapshotOf([liveSecret("a", afterDays, { tags: { Owner: "x", DataClassification: "internal" } })], gaps ? { coverage: [gap] } : {}));
  return p;
}

async function evalCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture(tmp);
  const code = await main(["evaluate", "--rules", rules, "--fail-on", "medium", ...args], io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

describe("sm-audit evaluate", () => {
  const clean = snap("clean.json", 30);
  const failing = snap("failing.json", 400);
  const gappy = snap("gappy.json", 30, true);
  const both = snap("both.json", 400, true);

  it("exit codes follow failures, --fail-on, gaps and --allow-gaps", async () => {
    const onlyOurs = ["--format", "json"];
    const cleanRun = await evalCli(clean, ...onlyOurs);
    const blocking = JSON.parse(cleanRun.out).findings.filter((f: { status: string; severity: string }) => f.status === "fail" && ["critical", "high", "medium"].includes(f.severity));
    expect(cleanRun.code).toBe(blocking.length ? 1 : 0);
    expect((await evalCli(failing)).code).toBe(1);
    const low = await main(["evaluate", "--rules", rules, "--fail-on", "none", failing], capture(tmp));
    expect(low).toBe(0);
    const g = await evalCli(gappy, "--fail-on", "none");
    expect(g.code).toBe(3);
    expect(g.err).toMatch(/the result is incomplete: 1 coverage gap/);
    expect((await evalCli(gappy, "--fail-on", "none", "--allow-gaps")).code).toBe(0);
    const b = await evalCli(both);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/incomplete.*exit 1 for failing findings takes precedence/);
  });

  it("writes the findings file and counts only new failures against a baseline", async () => {
    const out = join(tmp, "base.json");
    expect((await evalCli(failing, "--out", out)).code).toBe(1);
    expect(existsSync(out)).toBe(true);
    const base = readFindings(out);
    expect(base.findings.some((f) => f.ruleId === "t-rotation" && f.status === "fail")).toBe(true);
    const again = await evalCli(failing, "--baseline", out);
    expect(again.code).toBe(0);
  });

  it("input errors exit 2 with one line naming the file", async () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ schemaVersion: "9.0" }));
    const r = await evalCli(bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.json:1: schemaVersion: snapshot format 9\.0 is newer/);
    expect(r.err.split("\n")).toHaveLength(1);
    expect((await evalCli(clean, "--fail-on", "severe")).code).toBe(2);
    expect((await evalCli()).code).toBe(2);
    expect((await evalCli(join(tmp, "missing.json"))).err).toMatch(/missing\.json: cannot read: ENOENT/);
  });
});

describe("sm-audit evaluate --projected", () => {
  it("re-evaluates the snapshot as a remediation plan would leave it", async () => {
    const set = loadRules([]);
    const s = snapshotOf([liveSecret("db", undefined, { rotation: { enabled: false }, kmsKeyId: null })]);
    const snapFile = join(tmp, "proj.json");
    writeSnapshot(snapFile, s);
    const before = evaluate(s, { rules: set });
    const failing = before.findings.filter((f) => f.status === "fail").map((f) => f.ruleId);
    expect(failing).toContain("secret-encrypted-with-cmk");
    const plan = planRemediation(before, s, { rules: set.rules });
    const planFile = join(tmp, "plan.json");
    writeJsonAtomic(planFile, plan);
    const io = capture(tmp);
    await main(["evaluate", snapFile, "--projected", planFile, "--format", "json", "--fail-on", "none"], io);
    const after = JSON.parse(io.stdout.join("")) as { findings: Array<{ ruleId: string; status: string }> };
    expect(after.findings.find((f) => f.ruleId === "secret-encrypted-with-cmk")?.status).toBe("pass");
    const bad = join(tmp, "bad-plan.json");
    writeFileSync(bad, "{}");
    expect(await main(["evaluate", snapFile, "--projected", bad], capture(tmp))).toBe(2);
  });
});
