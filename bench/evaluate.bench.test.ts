/**
 * Evaluate every rule over a generated 100,000-secret snapshot (20 account-regions, a
 * realistic mix of keys, policies, rotation, tags and reads) and record wall time and
 * peak memory. Target: < 2 s and < 1 GB.
 *
 * The timing runs what users run: the compiled build (`dist/`, rebuilt here from the
 * working tree), each run in a new Node process that reads the snapshot file, as
 * `sm-audit evaluate` does. Five runs; the median is the figure, and every run is recorded.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { emptySnapshot } from "../src/inventory/io";
import type { KmsKey, PolicyDocument, ReadStat, Secret, Snapshot, Trail, Vpc } from "../src/inventory/types";
import { seededRandom } from "../src/simulator/rand";
import { writeJsonAtomic } from "../src/util/fs";
import { recordReadmeRow } from "../test/reliability/fault-figures";

const SECRETS = 100_000;
const ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];
const NOW = "2025-06-01T00:00:00Z";
const DAY = 86_400_000;

function daysAgo(n: number): string {
  return new Date(Date.parse(NOW) - n * DAY).toISOString();
}

/** Build the estate: 20 account-regions × 5,000 secrets. */
export function generateSnapshot(): Snapshot {
  const r = seededRandom(42);
  const snap = emptySnapshot({ kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" }, NOW);
  snap.organization = { id: "o-abc123", managementAccountId: ACCOUNTS[0] };
  snap.accounts = ACCOUNTS.map((id) => ({ id, status: "ACTIVE" }));
  snap.regions = REGIONS;
  const perUnit = SECRETS / (ACCOUNTS.length * REGIONS.length);
  for (const acct of ACCOUNTS) {
    snap.trails.push(trail(acct, r() < 0.8));
    for (const region of REGIONS) {
      const live = (api: string) => ({ kind: "live" as const, accountId: acct, region, api });
      const keys: KmsKey[] = [];
      for (let k = 0; k < 6; k++) {
        const arn = `arn:aws:kms:${region}:${acct}:key/${acct.slice(0, 4)}${k}000-0000-4000-8000-${region.replace(/-/g, "").padEnd(12, "0").slice(0, 12)}`;
        keys.push({
          id: arn, arn, keyId: arn.split("/")[1], accountId: acct, region, source: live("kms:DescribeKey"),
          manager: "CUSTOMER", state: k === 5 ? "Disabled" : "Enabled", rotationEnabled: k % 2 === 0, rotationPeriodDays: 365,
          origin: "AWS_KMS", multiRegion: false, aliases: [`alias/app-${k}`], policy: null,
        });
      }
      const managedArn = `arn:aws:kms:${region}:${acct}:key/aws-managed-${region}`;
      keys.push({ id: managedArn, arn: managedArn, accountId: acct, region, source: live("kms:DescribeKey"), manager: "AWS", state: "Enabled", rotationEnabled: true, aliases: ["alias/aws/secretsmanager"] });
      snap.kmsKeys.push(...keys);
      snap.vpcs.push(vpc(acct, region, true, r() < 0.5), vpc(acct, region, false, r() < 0.3));
      for (const kind of ["secrets", "resourcePolicies", "kmsKeys", "vpcs", "trails", "reads"] as const) {
        snap.coverage.push({ accountId: acct, region, kind, status: "collected", count: kind === "secrets" ? perUnit : 1 });
      }
      for (let i = 0; i < perUnit; i++) {
        const s = secret(acct, region, i, keys, r);
        snap.secrets.push(s);
        if (r() < 0.5) snap.reads.push(...reads(s, r));
      }
    }
  }
  return snap;
}

function secret(acct: string, region: string, i: number, keys: KmsKey[], r: () => number): Secret {
  const name = `${["app", "db", "api", "svc"][i % 4]}/${region}/secret-${i}`;
  const arn = `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-${(i * 7919).toString(36).padStart(6, "0").slice(-6)}`;
  const x = r();
  const rotating = x < 0.6;
  const sched = r();
  const tags: Record<string, string> = {};
  if (r() < 0.8) tags.Owner = `team-${i % 17}`;
  if (r() < 0.7) tags.DataClassification = ["phi", "pci", "internal", "public"][i % 4];
  if (r() < 0.5) tags.Environment = ["prod", "staging", "dev"][i % 3];
  const keyPick = r();
  const s: Secret = {
    id: arn, arn, name, accountId: acct, region,
    source: { kind: "live", accountId: acct, region, api: "secretsmanager:ListSecrets" },
    kmsKeyId: keyPick < 0.25 ? null : keyPick < 0.3 ? "alias/aws/secretsmanager" : keys[Math.floor(r() * 6)].arn,
    rotation: rotating
      ? {
          enabled: true,
          lambdaArn: `arn:aws:lambda:${region}:${acct}:function:rotate`,
          ...(sched < 0.5 ? { afterDays: [30, 60, 90, 120][i % 4] } : sched < 0.8 ? { scheduleExpression: `rate(${[10, 45, 100][i % 3]} days)` } : { scheduleExpression: ["cron(0 0 1 * ? *)", "cron(0 12 ? * MON *)", "cron(0 0 1 */4 ? *)"][i % 3] }),
          lastRotated: daysAgo(Math.floor(r() * 150)),
          nextRotation: daysAgo(-Math.floor(r() * 60) + 5),
        }
      : { enabled: false },
    created: daysAgo(100 + Math.floor(r() * 900)),
    lastChanged: daysAgo(Math.floor(r() * 100)),
    lastAccessed: r() < 0.85 ? daysAgo(Math.floor(r() * 200)).slice(0, 10) + "T00:00:00Z" : undefined,
    primaryRegion: region,
    tags,
    policy: r() < 0.2 ? policy(acct, arn, r) : null,
  };
  if (i % 500 === 0) s.owningService = "rds";
  if (i % 97 === 0) s.deleted = daysAgo(3);
  if (i % 50 === 0) s.replicas = [{ region: region === "us-east-1" ? "us-west-2" : "us-east-1", kmsKeyId: i % 100 === 0 ? null : keys[0].arn ?? null, status: "InSync" }];
  return s;
}

function policy(acct: string, arn: string, r: () => number): PolicyDocument {
  const x = r();
  const statements: PolicyDocument["Statement"] = [
    { Sid: "App", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${acct}:role/app` }, Action: "secretsmanager:GetSecretValue", Resource: "*" },
  ];
  if (x < 0.1) statements.push({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" });
  else if (x < 0.3) statements.push({ Sid: "Partner", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "secretsmanager:*", Resource: "*" });
  else if (x < 0.6) {
    statements.push({ Sid: "DenyOutsideVpce", Effect: "Deny", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: arn, Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } } });
  }
  return { Version: "2012-10-17", Statement: statements };
}

function reads(s: Secret, r: () => number): ReadStat[] {
  const acct = s.accountId ?? "";
  const n = 1 + Math.floor(r() * 3);
  const out: ReadStat[] = [];
  for (let k = 0; k < n; k++) {
    const count = 1 + Math.floor(r() * 500);
    const viaVpce = r() < 0.6 ? count : Math.floor(count / 3);
    out.push({
      secretId: s.id, accountId: acct, region: s.region ?? "", principal: k === 2 ? `arn:aws:iam::${acct}:user/ci` : `arn:aws:iam::${acct}:role/app-${k}`,
      principalType: k === 2 ? "IAMUser" : "AssumedRole", principalAccountId: acct, longTermKey: k === 2,
      count, deniedCount: r() < 0.05 ? 25 : 0, viaVpceCount: viaVpce, awsServiceCount: 0,
      vpcEndpointIds: viaVpce ? ["vpce-0123456789abcdef0"] : undefined, firstSeen: daysAgo(30), lastSeen: daysAgo(Math.floor(r() * 30)),
    });
  }
  return out;
}

function vpc(acct: string, region: string, isDefault: boolean, withEndpoint: boolean): Vpc {
  const vpcId = `vpc-${acct.slice(0, 4)}${region.length}${isDefault ? "d" : "a"}`;
  const source = { kind: "live" as const, accountId: acct, region, api: "ec2:DescribeVpcs" };
  return {
    id: `arn:aws:ec2:${region}:${acct}:vpc/${vpcId}`, vpcId, accountId: acct, region, source, isDefault, cidr: "10.0.0.0/16",
    subnetIds: ["subnet-1", "subnet-2"],
    endpoints: withEndpoint ? [{ id: "vpce-0123456789abcdef0", serviceName: `com.amazonaws.${region}.secretsmanager`, type: "Interface", state: "available", privateDns: true, source: { ...source, api: "ec2:DescribeVpcEndpoints" } }] : [],
  };
}

function trail(acct: string, good: boolean): Trail {
  const arn = `arn:aws:cloudtrail:us-east-1:${acct}:trail/org`;
  return {
    id: arn, arn, name: "org", accountId: acct, region: "us-east-1", homeRegion: "us-east-1",
    source: { kind: "live", accountId: acct, region: "us-east-1", api: "cloudtrail:DescribeTrails" },
    isMultiRegion: true, logging: true, logFileValidation: good, managementEvents: { read: good, write: true }, isOrganizationTrail: false,
  };
}

/** Recorded at the end of the previous session (objects per finding, messages filled when read), in the vitest process. */
const PREVIOUS = { recordedAt: "2026-11-23T21:41:56Z", findings: 2200045, analyzeMs: 1461, evaluateMs: 4740, totalMs: 6201, cpuMs: 6547, loadAverage1m: 2.38, peakRssMb: 931, heapUsedAfterMb: 783 };

/** Recorded before the lazy-message / view-major changes (same estate, 24 rules), in the vitest process. */
const BEFORE = { recordedAt: "2026-11-23T21:03:20Z", findings: 2200045, analyzeMs: 6308, evaluateMs: 22062, totalMs: 28370, cpuMs: 12137, loadAverage1m: 9.79, peakRssMb: 1123, heapUsedAfterMb: 1012 };

const ROOT = join(__dirname, "..");
const RUNS = 5;

/** One timed run, as the child process reports it. */
interface Run {
  secrets: number;
  rules: number;
  findings: number;
  byStatus: Record<string, number>;
  analyzeMs: number;
  evaluateMs: number;
  totalMs: number;
  /** CPU time of the process during the timing (user + system, GC threads included). */
  cpuMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Peak RSS of the whole process: reading and parsing the file included. */
  peakRssMb: number;
  heapUsedAfterMb: number;
}

/** The child: the compiled build, the snapshot read from the file named in argv, analysis and evaluation timed. */
const CHILD = `
const src = require("node:path").join(process.cwd(), "dist", "src");
const { analyzeSnapshot } = require(src + "/analyze/index.js");
const { evaluateAnalyzed } = require(src + "/policy/evaluate.js");
const { loadRules } = require(src + "/policy/loader.js");
const { findingCount } = require(src + "/findings/rows.js");
const rules = loadRules([]);
const snapshot = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
global.gc();
const mb = (n) => Math.round(n / 1048576);
const before = process.memoryUsage();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const analyzed = analyzeSnapshot(snapshot);
const t1 = performance.now();
const findings = evaluateAnalyzed(snapshot, analyzed, { rules });
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
const after = process.memoryUsage();
process.stdout.write(JSON.stringify({
  secrets: snapshot.secrets.length, rules: rules.rules.length, findings: findingCount(findings), byStatus: findings.summary.byStatus,
  analyzeMs: Math.round(t1 - t0), evaluateMs: Math.round(t2 - t1), totalMs: Math.round(t2 - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  rssBeforeMb: mb(before.rss), rssAfterMb: mb(after.rss), peakRssMb: mb(process.resourceUsage().maxRSS * 1024), heapUsedAfterMb: mb(after.heapUsed),
}) + "\\n");
`;

function timedRun(file: string): Run {
  const out = execFileSync(process.execPath, ["--expose-gc", "-e", CHILD, file], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop() as string) as Run;
}

it("evaluates 100,000 secrets × every rule", () => {
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "sm-audit-bench-"));
  const file = join(dir, "snapshot.json");
  try {
    writeFileSync(file, JSON.stringify(generateSnapshot()));
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(timedRun(file));
    const median = [...runs].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(RUNS / 2)];
    const result = {
      ...median,
      method: `median of ${RUNS} runs, each a new Node process running the compiled build on the snapshot file (previous figures: one run inside the vitest process)`,
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      runs: runs.map((r) => ({ analyzeMs: r.analyzeMs, evaluateMs: r.evaluateMs, totalMs: r.totalMs, cpuMs: r.cpuMs, peakRssMb: r.peakRssMb })),
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
      node: process.version,
      recordedAt: new Date().toISOString(),
      targets: { totalMs: 2000, peakRssMb: 1024 },
      previous: PREVIOUS,
      before: BEFORE,
    };
    writeJsonAtomic(join(ROOT, "bench", "results", "evaluate.json"), result);
    const figures = `${result.secrets} secrets × ${result.rules} rules = ${result.findings} findings, compiled build in a new process, median of ${RUNS}: analyze ${result.analyzeMs} ms + evaluate ${result.evaluateMs} ms = ${result.totalMs} ms wall (${result.cpuMs} ms CPU; runs ${runs.map((r) => r.totalMs).join(" / ")} ms; load ${result.loadAverage1m}); peak RSS ${result.peakRssMb} MB (previous, in the vitest process: ${PREVIOUS.totalMs} ms wall, ${PREVIOUS.peakRssMb} MB; first: ${BEFORE.totalMs} ms wall at load ${BEFORE.loadAverage1m}, ${BEFORE.peakRssMb} MB)`;
    recordReadmeRow("evaluate", figures, "< 2 s, < 1 GB");
    console.log(figures);
    expect(median.findings).toBeGreaterThan(SECRETS);
    for (const r of runs) expect(r.findings).toBe(median.findings);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
