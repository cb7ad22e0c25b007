/**
 * Scan benchmark: a generated estate of 20 account-regions, one of them holding 10,000
 * secrets, scanned through the real collectors against the simulator. Records API calls by
 * operation against the minimal call plan (DESIGN.md §4) and wall time against the lower
 * bound the (time-scaled) quotas imply. Figures go to bench/results/scan.json and README.md.
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import { scanAws } from "../src/collect/aws/scan";
import { bucketFor } from "../src/simulator/quotas";
import { generateEstate } from "../src/simulator/generate";
import { startSimulator } from "../src/simulator/server";
import type { Snapshot } from "../src/inventory/types";
import { writeJsonAtomic } from "../src/util/fs";
import { recordReadmeRow } from "../test/reliability/fault-figures";

const TIME_SCALE = 10;
const BIG = 10_000;
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];

/** The fewest calls a scan of `snap` can make, per operation (pages of 100 secrets, 50 events …). */
function minimalPlan(snap: Snapshot): Record<string, number> {
  const plan: Record<string, number> = {};
  const add = (op: string, n: number): void => { plan[op] = (plan[op] ?? 0) + n; };
  const units = snap.coverage.filter((c) => c.kind === "secrets");
  for (const u of units) {
    add("secretsmanager:ListSecrets", Math.max(1, Math.ceil((u.count ?? 0) / 100)));
    add("kms:ListAliases", 1);
    add("ec2:DescribeVpcs", 1);
    add("ec2:DescribeVpcEndpoints", 1);
    add("cloudtrail:DescribeTrails", 1);
    const reads = snap.coverage.find((c) => c.kind === "reads" && c.accountId === u.accountId && c.region === u.region);
    add("cloudtrail:LookupEvents", Math.max(1, Math.ceil((reads?.count ?? 0) / 50)));
  }
  add("secretsmanager:GetResourcePolicy", snap.secrets.length);
  // Keys: one DescribeKey + GetKeyRotationStatus per distinct key per scanning account-region, GetKeyPolicy for own keys.
  const keyByRef = new Map<string, string>();
  for (const k of snap.kmsKeys) {
    for (const ref of [k.arn, k.keyId, ...(k.aliases ?? []), ...(k.aliases ?? []).map((a) => `arn:aws:kms:${k.region}:${k.accountId}:${a}`)]) {
      if (ref) keyByRef.set(ref, k.id);
    }
  }
  const keyUses = new Set<string>();
  for (const s of snap.secrets) if (s.kmsKeyId) keyUses.add(`${s.accountId}/${s.region}|${keyByRef.get(s.kmsKeyId) ?? s.kmsKeyId}`);
  add("kms:DescribeKey", keyUses.size);
  add("kms:GetKeyRotationStatus", keyUses.size);
  add("kms:GetKeyPolicy", [...keyUses].filter((u) => u.split("|")[1]?.split(":")[4] === u.split("/")[0]).length);
  const trailUses = new Set<string>();
  for (const u of units) for (const t of snap.trails) if (t.isMultiRegion || t.region === u.region) if (t.accountId === u.accountId || t.isOrganizationTrail) trailUses.add(`${u.accountId}|${t.id}`);
  add("cloudtrail:GetTrailStatus", trailUses.size);
  add("cloudtrail:GetEventSelectors", trailUses.size);
  add("sts:GetCallerIdentity", 1);
  add("organizations:ListAccounts", 1);
  add("organizations:DescribeOrganization", 1);
  add("sts:AssumeRole", snap.accounts.length - 1);
  add("ec2:DescribeRegions", snap.accounts.length);
  return plan;
}

/** Lower bound of the wall time: per account-region, the slowest quota bucket (burst, then rate), under the time scale. */
function quotaBoundSeconds(detail: Array<{ accountId: string; region: string; service: string; operation: string; count: number }>): number {
  const buckets = new Map<string, number>();
  for (const d of detail) {
    const b = bucketFor(d.service as Parameters<typeof bucketFor>[0], d.operation);
    const key = `${d.accountId}/${d.region}/${b.name}`;
    buckets.set(key, (buckets.get(key) ?? 0) + d.count);
  }
  let bound = 0;
  for (const [key, calls] of buckets) {
    const name = key.split("/").slice(2).join("/");
    const d = detail.find((x) => bucketFor(x.service as Parameters<typeof bucketFor>[0], x.operation).name === name);
    if (!d) continue;
    const b = bucketFor(d.service as Parameters<typeof bucketFor>[0], d.operation);
    bound = Math.max(bound, Math.max(0, calls - b.capacity * TIME_SCALE) / (b.ratePerSecond * TIME_SCALE));
  }
  return bound;
}

it("scans 10,000 secrets in one account-region (20 account-regions) with the minimal plan, near the quota bound", async () => {
  const estate = generateEstate({ seed: 42, accounts: 5, regions: REGIONS, secrets: 400, readsPerSecret: 2, lake: false });
  const member = estate.accounts.find((a) => a.id !== estate.organization?.managementAccountId);
  if (!member) throw new Error("no member account");
  member.regions ??= {};
  const ar = (member.regions["us-east-1"] ??= {});
  (ar.secrets ??= []).push({ name: "bulk/app-{n:5}", repeat: BIG, tags: { Owner: "bench" } });
  const sim = await startSimulator({ estate, timeScale: TIME_SCALE, faults: { emptyPageRate: 0 } });
  try {
    const t0 = performance.now();
    const { snapshot, stats } = await scanAws({
      credentials: sim.credentials, endpoint: sim.url, organization: true, roleName: "OrganizationAccountAccessRole",
      defaultRegion: "us-east-1", readsDays: 30, readsPageBudget: 200, concurrency: 8, maxAttempts: 8, quotaScale: TIME_SCALE,
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const served = sim.stats();
    const minimal = minimalPlan(snapshot);
    const ops = [...new Set([...Object.keys(minimal), ...Object.keys(served.byOperation)])].sort();
    const byOperation = Object.fromEntries(ops.map((op) => [op, {
      calls: served.byOperation[op] ?? 0, minimal: minimal[op] ?? 0,
      ratio: minimal[op] ? Number(((served.byOperation[op] ?? 0) / (minimal[op] as number)).toFixed(4)) : null,
    }]));
    const totalCalls = Object.values(served.byOperation).reduce((a, b) => a + b, 0);
    const totalMinimal = Object.values(minimal).reduce((a, b) => a + b, 0);
    const perSecretCalls = (served.byOperation["secretsmanager:GetResourcePolicy"] ?? 0) + (served.byOperation["secretsmanager:ListSecrets"] ?? 0);
    const perSecretMinimal = (minimal["secretsmanager:GetResourcePolicy"] ?? 0) + (minimal["secretsmanager:ListSecrets"] ?? 0);
    const bound = quotaBoundSeconds(served.detail);
    const units = snapshot.coverage.filter((c) => c.kind === "secrets").length;
    const result = {
      benchmark: "scan", recordedAt: new Date().toISOString(), timeScale: TIME_SCALE,
      estate: { accounts: snapshot.accounts.length, accountRegions: units, secrets: snapshot.secrets.length, biggestAccountRegion: BIG },
      calls: { total: totalCalls, minimal: totalMinimal, ratio: Number((totalCalls / totalMinimal).toFixed(4)), perSecretRatio: Number((perSecretCalls / perSecretMinimal).toFixed(4)) },
      describeSecret: served.byOperation["secretsmanager:DescribeSecret"] ?? 0,
      valueReads: served.valueReads,
      throttles: { server: served.throttles, client: stats.throttles },
      wall: { seconds: Number(wallSeconds.toFixed(2)), quotaBoundSeconds: Number(bound.toFixed(2)), ratio: Number((wallSeconds / bound).toFixed(3)) },
      gaps: snapshot.coverage.filter((c) => c.status !== "collected").length,
      byOperation,
    };
    writeJsonAtomic(join(__dirname, "results", "scan.json"), result);
    recordReadmeRow("scan",
      `${result.estate.secrets} secrets, ${units} account-regions (one with ${BIG}): calls ${result.calls.ratio}× minimal plan (per-secret ${result.calls.perSecretRatio}×), DescribeSecret ${result.describeSecret}, value reads ${result.valueReads}; wall ${result.wall.seconds} s vs quota bound ${result.wall.quotaBoundSeconds} s at timeScale ${TIME_SCALE} = ${result.wall.ratio}×`,
      "calls ≤ 1.02×, 0 DescribeSecret, 0 value reads, wall ≤ 1.15×");
    expect(result.gaps).toBe(0);
    expect(result.describeSecret).toBe(0);
    expect(result.valueReads).toBe(0);
    expect(snapshot.secrets.length).toBeGreaterThanOrEqual(BIG);
  } finally {
    await sim.close();
  }
});
