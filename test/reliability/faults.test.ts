/**
 * Scans of a generated estate under injected faults: each must complete, lose and duplicate no
 * secret that could be read, and record every gap with its cause. Figures → bench/results/faults.json.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanAws, type AwsScanOptions, type AwsScanResult } from "../../src/collect/aws/scan";
import type { Coverage, Secret, Snapshot } from "../../src/inventory/types";
import { generateEstate } from "../../src/simulator/generate";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server";
import type { Estate, FaultConfig } from "../../src/simulator/estate";
import { NO_FAULTS, recordFaults, scenarioFigures, type FaultFigures } from "./fault-figures";

const TIME_SCALE = 20;
const estate: Estate = generateEstate({ seed: 11, accounts: 5, regions: ["us-east-1", "eu-west-1"], secrets: 400, readsPerSecret: 1, lake: false });
const members = estate.accounts.map((a) => a.id).filter((id) => id !== estate.organization?.managementAccountId);
const ROLE = "OrganizationAccountAccessRole";

let sim: RunningSimulator;
let clean: AwsScanResult;
let cleanMs = 0;
let cleanAssumeRoles = 0;
const figures: FaultFigures[] = [];

function scan(extra: Partial<AwsScanOptions> = {}): Promise<AwsScanResult> {
  return scanAws({
    credentials: sim.credentials, endpoint: sim.url, organization: true, roleName: ROLE, defaultRegion: "us-east-1",
    readsDays: 30, readsPageBudget: 200, concurrency: 8, maxAttempts: 8, quotaScale: TIME_SCALE, now: sim.now(), ...extra,
  });
}

const byId = (snap: Snapshot): Map<string, Secret> => new Map(snap.secrets.map((s) => [s.id, s]));
const gaps = (snap: Snapshot): Coverage[] => snap.coverage.filter((c) => c.status !== "collected");

/** Run one scenario and compare it with the clean scan; `readable` says which secrets must be there. */
async function scenario(name: string, faults: Partial<FaultConfig>, readable: (s: Secret) => boolean): Promise<AwsScanResult> {
  sim.setFaults({ emptyPageRate: 0, ...faults });
  sim.resetStats();
  const t0 = Date.now();
  const r = await scan();
  const ms = Date.now() - t0;
  sim.setFaults(NO_FAULTS);
  const expected = clean.snapshot.secrets.filter(readable);
  const got = byId(r.snapshot);
  figures.push(scenarioFigures(name, faults, r, expected, sim.stats(), ms, cleanMs));
  // Nothing lost, nothing duplicated, nothing invented.
  expect(r.snapshot.secrets.length, "duplicates").toBe(got.size);
  for (const s of expected) expect(got.has(s.id), `missing ${s.id}`).toBe(true);
  for (const id of got.keys()) expect(clean.snapshot.secrets.some((s) => s.id === id), `invented ${id}`).toBe(true);
  // Every gap says why.
  for (const g of gaps(r.snapshot)) expect(g.errorCode ?? g.message, JSON.stringify(g)).toBeTruthy();
  return r;
}

const untouched = (r: AwsScanResult, accountIds: string[]): void => {
  const a = byId(r.snapshot);
  for (const s of clean.snapshot.secrets.filter((x) => accountIds.includes(x.accountId ?? ""))) {
    expect(a.get(s.id), s.id).toEqual(s);
  }
};

beforeAll(async () => {
  sim = await startSimulator({ estate, timeScale: TIME_SCALE, faults: { emptyPageRate: 0 }, now: new Date("2025-06-01T00:00:00Z") });
  await scan(); // warm-up: module loading and JIT are not part of the clean time
  sim.resetStats();
  const t0 = Date.now();
  clean = await scan();
  cleanMs = Date.now() - t0;
  cleanAssumeRoles = sim.stats().byOperation["sts:AssumeRole"] ?? 0;
  // One session per member account (the caller's own account uses its own credentials).
  expect(cleanAssumeRoles).toBe(members.length);
  expect(gaps(clean.snapshot)).toEqual([]);
  expect(clean.snapshot.secrets.length).toBeGreaterThan(350);
}, 120_000);

afterAll(async () => {
  await sim?.close();
  recordFaults("test", { estate: { accounts: 5, regions: 2, secrets: clean?.snapshot.secrets.length ?? 0, timeScale: TIME_SCALE, cleanMs, cleanAssumeRoles }, scenarios: figures });
});

describe.sequential("scans under faults (5 accounts × 2 regions, generated estate)", () => {
  it("20% throttling: complete, identical, no gaps", async () => {
    const r = await scenario("throttle 20%", { throttleRate: 0.2 }, () => true);
    expect(gaps(r.snapshot)).toEqual([]);
    untouched(r, members);
  }, 200_000);

  it("5% server errors: complete, identical, no gaps", async () => {
    const r = await scenario("5xx 5%", { serverErrorRate: 0.05 }, () => true);
    expect(gaps(r.snapshot)).toEqual([]);
    untouched(r, members);
  }, 110_000);

  it("1% dropped connections: complete, identical, no gaps", async () => {
    const r = await scenario("dropped 1%", { dropRate: 0.01 }, () => true);
    expect(gaps(r.snapshot)).toEqual([]);
    untouched(r, members);
  }, 110_000);

  it("slow responses (2% delayed 5 s): complete, identical", async () => {
    const r = await scenario("slow 2% × 5 s", { slowRate: 0.02, slowMs: 5_000 * TIME_SCALE }, () => true);
    expect(gaps(r.snapshot)).toEqual([]);
    untouched(r, members);
  }, 110_000);

  it("AccessDenied for one account and for one API in another: gaps recorded, the rest identical", async () => {
    const [denied, partly, ...rest] = members;
    const r = await scenario("AccessDenied: account + GetResourcePolicy", {
      accessDenied: [{ account: denied }, { account: partly, operation: "GetResourcePolicy" }],
    }, (s) => s.accountId !== denied);
    const g = gaps(r.snapshot);
    expect(g.filter((x) => x.accountId !== denied && !(x.accountId === partly && x.kind === "resourcePolicies"))).toEqual([]);
    // Denied from the first call on (DescribeRegions or ListSecrets), the account is a recorded gap.
    const deniedGaps = g.filter((x) => x.accountId === denied);
    expect(deniedGaps.length).toBeGreaterThan(0);
    expect(deniedGaps.every((x) => x.status === "denied" && /AccessDenied|Unauthorized/.test(x.errorCode ?? ""))).toBe(true);
    expect(g.filter((x) => x.accountId === partly && x.kind === "resourcePolicies").every((x) => x.status === "denied" && /AccessDenied/.test(x.errorCode ?? ""))).toBe(true);
    // The partly denied account's policies are unknown, never "no policy".
    for (const s of r.snapshot.secrets.filter((x) => x.accountId === partly)) {
      expect(s.policy, s.id).toBeUndefined();
      expect(Object.keys(s.unknowns ?? {})).toContain("policy");
    }
    untouched(r, rest);
  }, 110_000);

  it("assumed-role credentials expiring mid-scan (capped at 1 s): complete, identical", async () => {
    const r = await scenario("credentials expire after 1 s (scan slowed to outlast them)", { credentialTtlSeconds: 1, slowRate: 0.2, slowMs: 1_000 * TIME_SCALE }, () => true);
    // Sessions did expire and were renewed: each renewal after ExpiredToken costs one AssumeRole.
    expect(r.stats.sessionRefreshes).toBeGreaterThan(0);
    const assumes = figures.at(-1)?.assumeRoleCalls ?? 0;
    expect(assumes).toBeGreaterThan(members.length);
    expect(assumes).toBeLessThanOrEqual(members.length + r.stats.sessionRefreshes);
    expect(r.snapshot.secrets.length).toBe(clean.snapshot.secrets.length);
    expect(gaps(r.snapshot)).toEqual([]);
    untouched(r, members);
  }, 110_000);
});
