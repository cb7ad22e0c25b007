/**
 * `scan --resume` end to end through the built CLI: a scan killed (SIGKILL) after some
 * account-regions finished is resumed; only the missing units are collected again, and the
 * final snapshot equals a clean run's.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEstate } from "../../src/simulator/generate";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin", "sm-audit.js");
const REGIONS = ["us-east-1", "eu-west-1"];
const UNIT_FILE = /^(\d{12})-([a-z0-9-]+)\.json$/;

let sim: RunningSimulator;
let tmp: string;
let accounts: string[];

/** Build the CLI unless dist is newer than every source file the scan uses. */
function ensureBuilt(): void {
  const newest = (dir: string): number => readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts"))
    .reduce((m, d) => Math.max(m, statSync(join(d.parentPath, d.name)).mtimeMs), 0);
  const built = join(ROOT, "dist", "src", "cli", "scan.js");
  if (existsSync(built) && statSync(built).mtimeMs > newest(join(ROOT, "src")) && existsSync(join(ROOT, "dist", "src", "collect", "aws", "partial.js"))) return;
  try {
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "pipe" });
  } catch {
    // tsc still emits when another module has type errors; the checks below decide.
  }
  expect(existsSync(join(ROOT, "dist", "src", "collect", "aws", "partial.js"))).toBe(true);
}

function scanArgs(out: string, extra: string[] = []): string[] {
  return [BIN, "scan", "--endpoint-url", sim.url, "--accounts", accounts.join(","), "--role-name", "OrganizationAccountAccessRole",
    "--regions", REGIONS.join(","), "--fail-on", "none", "--allow-gaps", "--concurrency", "2", "--out", out, ...extra];
}

const env = (): NodeJS.ProcessEnv => ({
  ...process.env, AWS_ACCESS_KEY_ID: sim.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.credentials.secretAccessKey, AWS_REGION: "us-east-1",
  AWS_ENDPOINT_URL: "", AWS_PROFILE: "", AWS_CONFIG_FILE: join(tmp, "none"), AWS_SHARED_CREDENTIALS_FILE: join(tmp, "none"),
});

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { env: env(), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (b: Buffer) => { stderr += b.toString(); });
    child.on("exit", (code) => done({ code, stderr }));
  });
}

function unitFiles(out: string): string[] {
  const dir = join(out, ".partial");
  return existsSync(dir) ? readdirSync(dir).filter((n) => UNIT_FILE.test(n)) : [];
}

/** The snapshot without run timestamps. */
function normalized(out: string): unknown {
  const snap = JSON.parse(readFileSync(join(out, "snapshot.json"), "utf8")) as Record<string, unknown>;
  delete snap.generatedAt;
  return snap;
}

/** Units (account/region) that received per-unit Secrets Manager or VPC calls since the last reset. */
function unitsCalled(): Set<string> {
  return new Set(sim.stats().detail
    .filter((d) => d.service === "secretsmanager" || (d.service === "ec2" && d.operation !== "DescribeRegions"))
    .map((d) => `${d.accountId}/${d.region}`));
}

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), "sm-resume-"));
  const estate = generateEstate({ seed: 11, accounts: 4, regions: REGIONS, secrets: 160 });
  accounts = estate.accounts.map((a) => a.id);
  // Slow enough (a fraction of calls delayed) that a scan takes a few seconds and can be killed midway.
  sim = await startSimulator({ estate, timeScale: 1, faults: { emptyPageRate: 0, slowRate: 0.15, slowMs: 250 } });
}, 180_000);

afterAll(async () => {
  await sim?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("scan --resume", () => {
  it("a killed scan resumes: only missing units are collected, the snapshot equals a clean run's, .partial is removed", async () => {
    const clean = join(tmp, "clean");
    const first = await runCli(scanArgs(clean));
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    expect(existsSync(join(clean, ".partial"))).toBe(false);

    const out = join(tmp, "killed");
    const child: ChildProcess = spawn(process.execPath, scanArgs(out), { env: env(), stdio: "ignore" });
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    const deadline = Date.now() + 60_000;
    while (unitFiles(out).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await exited;
    const done = unitFiles(out).map((n) => { const m = UNIT_FILE.exec(n) as RegExpExecArray; return `${m[1]}/${m[2]}`; });
    // The kill must land mid-scan for the test to mean anything.
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(accounts.length * REGIONS.length);
    expect(existsSync(join(out, "snapshot.json"))).toBe(false);

    await new Promise((r) => setTimeout(r, 300));
    sim.resetStats();
    const resumed = await runCli(scanArgs(out, ["--resume"]));
    expect(resumed.stderr).toMatch(new RegExp(`resuming: ${done.length} account-region`));
    expect(resumed.code).toBe(0);
    const all = accounts.flatMap((a) => REGIONS.map((r) => `${a}/${r}`));
    const missing = all.filter((u) => !done.includes(u)).sort();
    expect([...unitsCalled()].sort()).toEqual(missing);
    expect(normalized(out)).toEqual(normalized(clean));
    expect(existsSync(join(out, ".partial"))).toBe(false);
  });

  it("a corrupt checkpoint is collected again; different parameters are refused with exit 2", async () => {
    const out = join(tmp, "corrupt");
    // A finished run leaves no checkpoints; fake an interrupted one from its parameters.
    const child = spawn(process.execPath, scanArgs(out), { env: env(), stdio: "ignore" });
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    const deadline = Date.now() + 60_000;
    while (unitFiles(out).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await exited;
    const [victim] = unitFiles(out);
    expect(victim).toBeDefined();
    const file = join(out, ".partial", victim as string);
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 200));

    const other = await runCli(scanArgs(out, ["--resume", "--reads-days", "7"]));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/readsDays was 30, now 7/);

    sim.resetStats();
    const resumed = await runCli(scanArgs(out, ["--resume"]));
    expect(resumed.code).toBe(0);
    const m = UNIT_FILE.exec(victim as string) as RegExpExecArray;
    expect(unitsCalled().has(`${m[1]}/${m[2]}`)).toBe(true);
    expect(normalized(out)).toEqual(normalized(join(tmp, "clean")));
  });
});
