/**
 * Names from AWS (account ids, regions, secret names, tag values) never steer a written file
 * outside `--out`, proven through the real writers: writeRemediation, writeDefaultReports,
 * `report --bundle`, `check --out` and `scan --out` against the simulator. The output directory
 * sits four levels deep inside a fresh container, so `../` climbs land where the test can see
 * them; deeper climbs and absolute names are checked where they would land.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture, cliMain } from "../policy/cli-harness";
import { ROLE, smallEstate } from "../collect-aws/helpers";
import { failingSnapshot } from "../remediate/estate";
import { validateSnapshot, writeSnapshot } from "../../src/inventory/io";
import type { Snapshot } from "../../src/inventory/types";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import type { RuleSet } from "../../src/policy/types";
import { writeRemediation } from "../../src/remediate/index";
import { writeDefaultReports } from "../../src/report/index";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server";
import { UserError } from "../../src/util/errors";

const TAG = `smevil${process.pid}x${Date.now().toString(36)}`;

/** Hostile replacements for the snapshot's account id, region and a secret name, per attack. */
function attacks(container: string): Array<{ name: string; account: string; region: string; secret: string }> {
  return [
    { name: "posix climb", account: `../../../../${TAG}-acct`, region: `../../../${TAG}-region`, secret: `../../../../${TAG}-secret/../../x` },
    { name: "windows climb", account: `..\\..\\..\\..\\${TAG}-acct`, region: `..\\..\\${TAG}-region`, secret: `..\\..\\..\\${TAG}-secret` },
    { name: "absolute", account: `${container}${sep}${TAG}-abs-acct`, region: `/tmp/${TAG}-abs-region`, secret: `${container}/${TAG}-abs-secret` },
    { name: "deep climb to /tmp", account: `${"../".repeat(40)}tmp/${TAG}-deep-acct`, region: `${"../".repeat(40)}${TAG}-root`, secret: `${"../".repeat(40)}tmp/${TAG}-deep-secret` },
    { name: "NUL and long", account: `${TAG}\u0000../../x`, region: `us-east-1\u0000/../../${TAG}-nul`, secret: `${TAG}-${"a".repeat(5000)}/../../../..` },
  ];
}

/** Every path (files and folders) under `dir`. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

/** A container holding `a/b/c/out` (the output directory) and nothing else. */
function layout(prefix: string): { container: string; out: string; work: string } {
  const container = mkdtempSync(join(tmpdir(), prefix));
  const work = join(container, "a", "b", "c");
  mkdirSync(work, { recursive: true });
  return { container, out: join(work, "out"), work };
}

/** Entries of the container outside `allowed` roots, and entries named with TAG where absolute or deep climbs would land. */
function escapes(container: string, allowed: string[]): string[] {
  const roots = [container, join(container, "a"), join(container, "a", "b"), join(container, "a", "b", "c")].map((p) => resolve(p));
  const bad = walk(container).filter((p) => {
    const r = resolve(p);
    if (roots.includes(r)) return false;
    return !allowed.some((a) => r === resolve(a) || r.startsWith(resolve(a) + sep));
  });
  for (const dir of [tmpdir(), "/tmp", "/"]) {
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir)) if (n.includes(TAG)) bad.push(join(dir, n));
  }
  return bad;
}

/** Replace `from` by `to` in every string of `value` (keys and values). */
function replaceDeep<T>(value: T, pairs: Array<[string, string]>): T {
  const sub = (s: string): string => pairs.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const walkValue = (v: unknown): unknown => {
    if (typeof v === "string") return sub(v);
    if (Array.isArray(v)) return v.map(walkValue);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [sub(k), walkValue(x)]));
    return v;
  };
  return walkValue(value) as T;
}

/** failingSnapshot with its account, region and `prod/db` replaced by hostile text, plus hostile tags. */
function hostileSnapshot(a: { account: string; region: string; secret: string }): Snapshot {
  const base = failingSnapshot();
  const snap = replaceDeep(base, [["111111111111", a.account], ["us-east-1", a.region], ["prod/db", a.secret]]);
  for (const s of snap.secrets) s.tags = { ...s.tags, Owner: a.secret, [a.account]: a.region };
  snap.accounts = snap.accounts.map((x) => ({ ...x, name: a.secret }));
  return snap;
}

let rules: RuleSet;
beforeAll(() => { rules = loadRules(); });

describe("hostile AWS names cannot steer the real writers outside --out", () => {
  it("the snapshot schema accepts hostile names, so the writers must contain them (validateSnapshot)", () => {
    const { container } = layout("sm-paths-schema-");
    for (const a of attacks(container)) {
      // If the schema ever refuses these, that is a defence too: it must be a UserError, never a crash.
      const snap = validateSnapshot(JSON.parse(JSON.stringify(hostileSnapshot(a))), `${a.name}.json`);
      expect(snap.secrets.some((s) => s.accountId === a.account && s.region === a.region), a.name).toBe(true);
    }
  });

  it("writeRemediation and writeDefaultReports write only under outDir", () => {
    const count = attacks("/x").length;
    let refused = 0;
    for (let i = 0; i < count; i++) {
      for (const scope of ["everything", "everything, no trail finding", "names only"] as const) {
        const { container, out } = layout("sm-paths-remed-");
        const a = attacks(container)[i];
        // "names only" keeps a real account and region: secret names and tags are free text in AWS.
        const atk = scope === "everything" ? a : { ...a, account: "111111111111", region: "us-east-1" };
        const label = `${atk.name} (${scope})`;
        const snapshot = validateSnapshot(JSON.parse(JSON.stringify(hostileSnapshot(atk))), "hostile.json");
        const all = evaluate(snapshot, { rules });
        // The add-cloudtrail action names a bucket after the account, which the plan schema refuses for a
        // hostile id; without that finding the hostile account id must reach the stack writers themselves.
        const findings = scope === "everything, no trail finding" ? { ...all, findings: all.findings.filter((f) => f.ruleId !== "account-trail-multi-region-validated") } : all;
        expect(findings.findings.some((f) => f.status === "fail" && f.accountId === atk.account), label).toBe(true);
        let result: ReturnType<typeof writeRemediation> | undefined;
        try {
          result = writeRemediation(out, { snapshot, findings, rules: rules.rules });
        } catch (err) {
          // Refusing the plan (a hostile account id makes no valid bucket or stack name) is a defence too,
          // provided it is a one-line UserError and nothing was written.
          expect(err, label).toBeInstanceOf(UserError);
          expect(scope, `${label}: ${(err as Error).message}`).toBe("everything");
          expect((err as Error).message, label).toMatch(/must match pattern/);
          expect(walk(out), label).toEqual([]);
          refused++;
        }
        if (result) {
          // The hostile input must really have reached the writer, not been dropped.
          expect(result.plan.stacks.some((st) => st.accountId === atk.account), label).toBe(true);
          expect(result.stacks.length).toBeGreaterThan(0);
          for (const f of result.stacks) expect(resolve(f).startsWith(resolve(out) + sep), `${label}: ${f}`).toBe(true);
          // Every written stack folder is one plain segment under stacks/.
          for (const d of readdirSync(join(out, "remediation", "stacks"))) expect(d, label).toMatch(/^[A-Za-z0-9_.-]+$/);
        }
        const reports = writeDefaultReports(out, { snapshot, findings, rules, plan: result?.plan });
        expect(reports.length).toBeGreaterThan(5);
        for (const f of reports) expect(resolve(f).startsWith(resolve(out) + sep), `${label}: ${f}`).toBe(true);
        expect(escapes(container, [out]), label).toEqual([]);
      }
    }
    // Not every attack may be refused: the writers themselves must have been exercised.
    expect(refused).toBeLessThan(count * 3);
  }, 90_000);

  it("report --bundle writes the bundle, and only the bundle", async () => {
    const { container, work } = layout("sm-paths-bundle-");
    const atk = attacks(container)[0];
    writeSnapshot(join(work, "snap.json"), hostileSnapshot(atk));
    const before = walk(container);
    const io = capture(work);
    const code = await cliMain()(["report", "snap.json", "--bundle", "bundle"], io);
    expect(io.stderr.join("\n")).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(existsSync(join(work, "bundle", "manifest.json"))).toBe(true);
    const added = walk(container).filter((p) => !before.includes(p));
    expect(added.length).toBeGreaterThan(3);
    for (const p of added) expect(resolve(p) === resolve(work, "bundle") || resolve(p).startsWith(resolve(work, "bundle") + sep), p).toBe(true);
    expect(escapes(container, [join(work, "bundle"), join(work, "snap.json")])).toEqual([]);
  }, 30_000);

  it("check --out on Terraform naming secrets and tags with path tricks writes only under --out", async () => {
    const { container, work, out } = layout("sm-paths-check-");
    const atk = attacks(container);
    const tf = join(work, "infra");
    mkdirSync(tf);
    writeFileSync(join(tf, "main.tf"), atk.map((a, i) => [
      `resource "aws_secretsmanager_secret" "s${i}" {`,
      `  name = ${JSON.stringify(a.secret.replace(/\u0000/g, ""))}`,
      `  tags = { Owner = ${JSON.stringify(a.account.replace(/\u0000/g, ""))}, Team = ${JSON.stringify(a.region.replace(/\u0000/g, ""))} }`,
      "}",
    ].join("\n")).join("\n") + "\n");
    const io = capture(work);
    const code = await cliMain()(["check", "infra", "--out", "out", "--fail-on", "none"], io);
    expect(io.stderr.join("\n")).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(existsSync(join(out, "findings.json"))).toBe(true);
    expect(walk(join(out, "reports")).length).toBeGreaterThan(5);
    expect(escapes(container, [out, tf])).toEqual([]);
  }, 30_000);

  describe("scan --out through the simulator, with secret names holding ../ (legal in AWS)", () => {
    let sim: RunningSimulator;
    const secrets = [`../../../../${TAG}-scan-a`, `..\\..\\..\\${TAG}-scan-b`, `/tmp/${TAG}-scan-c`, `a/../../../../../../../../${TAG}-scan-d`];
    beforeAll(async () => {
      const estate = smallEstate();
      const dev = estate.accounts.find((x) => x.name === "dev");
      if (!dev?.regions) throw new Error("smallEstate has no dev account");
      dev.regions["us-east-1"].secrets = secrets.map((name) => ({ name, tags: { Owner: name, [name]: "x" } }));
      sim = await startSimulator({ estate, timeScale: 20, faults: { emptyPageRate: 0 } });
    });
    afterAll(async () => { await sim?.close(); });

    it("every hostile secret is scanned and every file lands under --out", async () => {
      const { container, work, out } = layout("sm-paths-scan-");
      const env = { AWS_ACCESS_KEY_ID: sim.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.credentials.secretAccessKey, AWS_ENDPOINT_URL: sim.url, AWS_REGION: "us-east-1" };
      const io = { ...capture(work), env };
      const code = await cliMain()(["scan", "--organization", "--role-name", ROLE, "--out", "out", "--fail-on", "none", "--remediate"], io);
      expect(io.stderr.join("\n")).not.toMatch(/internal error/);
      expect(code).toBe(0);
      const snap = validateSnapshot(JSON.parse(readFileSync(join(out, "snapshot.json"), "utf8")), "snapshot.json");
      for (const name of secrets) expect(snap.secrets.map((s) => s.name), name).toContain(name);
      expect(existsSync(join(out, "remediation", "plan.json"))).toBe(true);
      expect(escapes(container, [out])).toEqual([]);
      expect(sim.stats().valueReads).toBe(0);
    }, 60_000);
  });
});
