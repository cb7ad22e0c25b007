/** `sm-audit scan` and `sm-audit iam-policy` in-process: outputs, exit codes and one-line usage errors. */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/simulator/server";
import { capture, cliMain } from "../policy/cli-harness";
import { DEV, ROLE, sim, smallEstate } from "./helpers";

describe("sm-audit scan", () => {
  let s: RunningSimulator;
  const dir = mkdtempSync(join(tmpdir(), "sm-audit-scan-"));
  const env = (): NodeJS.ProcessEnv => ({ AWS_ACCESS_KEY_ID: s.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey, AWS_ENDPOINT_URL: s.url, AWS_REGION: "us-east-1" });
  beforeAll(async () => { s = await sim(smallEstate(), { timeScale: 1 }); });
  afterAll(async () => { await s.close(); });

  it("writes snapshot and findings and exits 1 on failing findings at --fail-on", async () => {
    const io = { ...capture(dir), env: env() };
    const code = await cliMain()(["scan", "--organization", "--role-name", ROLE, "--out", "o1", "--fail-on", "critical"], io);
    expect(io.stderr.join("\n")).toBe("");
    expect(existsSync(join(dir, "o1", "snapshot.json"))).toBe(true);
    expect(existsSync(join(dir, "o1", "findings.json"))).toBe(true);
    expect(code).toBe(1);
    expect(s.stats().valueReads).toBe(0);
  });

  it("exits 3 on coverage gaps unless --allow-gaps", async () => {
    s.setFaults({ accessDenied: [{ account: DEV }] });
    try {
      const io = { ...capture(dir), env: env() };
      expect(await cliMain()(["scan", "--organization", "--role-name", ROLE, "--regions", "us-east-1", "--out", "o2", "--fail-on", "none"], io)).toBe(3);
      expect(io.stderr.join("\n")).toMatch(/incomplete: \d+ coverage gap/);
      const io2 = { ...capture(dir), env: env() };
      expect(await cliMain()(["scan", "--organization", "--role-name", ROLE, "--regions", "us-east-1", "--out", "o3", "--fail-on", "none", "--allow-gaps"], io2)).toBe(0);
    } finally {
      s.setFaults({ accessDenied: [] });
    }
  });

  it("scans the accounts of an accounts file, and names file and line of a bad entry", async () => {
    writeFileSync(join(dir, "accounts.txt"), "# members\n222222222222\n\n33333333333x\n");
    const io = { ...capture(dir), env: env() };
    expect(await cliMain()(["scan", "--accounts-file", "accounts.txt", "--role-name", ROLE], io)).toBe(2);
    expect(io.stderr.join("\n")).toMatch(/accounts\.txt:4: account id: expected a 12-digit account id, got '33333333333x'/);
    const bad = { ...capture(dir), env: env() };
    expect(await cliMain()(["scan", "--accounts", "12", "--reads-days", "200"], bad)).toBe(2);
    expect(bad.stderr.join("\n")).toMatch(/--accounts: expected a 12-digit account id/);
  });
});

describe("sm-audit iam-policy", () => {
  it("prints the JSON policy and the Terraform form", async () => {
    const io = capture();
    expect(await cliMain()(["iam-policy"], io)).toBe(0);
    const doc = JSON.parse(io.stdout.join("")) as { Statement: Array<{ Action: string[] }> };
    const actions = doc.Statement.flatMap((s) => s.Action);
    expect(actions).toContain("secretsmanager:ListSecrets");
    expect(actions).not.toContain("secretsmanager:GetSecretValue");
    const tf = capture();
    expect(await cliMain()(["iam-policy", "--format", "terraform", "--role-name", "SmAudit"], tf)).toBe(0);
    expect(tf.stdout.join("")).toContain('"arn:aws:iam::*:role/SmAudit"');
    expect(await cliMain()(["iam-policy", "--format", "yaml"], capture())).toBe(2);
  });
});
