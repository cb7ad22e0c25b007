/**
 * Bigger fault figures than test/reliability/faults.test.ts: a generated estate of 8 accounts ×
 * 2 regions × 2,000 secrets scanned clean and under each fault; records secrets expected /
 * collected / missing, gaps, retries and the time ratio to bench/results/faults.json ("bench").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanAws, type AwsScanResult } from "../src/collect/aws/scan";
import { generateEstate } from "../src/simulator/generate";
import { startSimulator, type RunningSimulator } from "../src/simulator/server";
import type { FaultConfig } from "../src/simulator/estate";
import { NO_FAULTS, recordFaults, recordReadmeRow, scenarioFigures, type FaultFigures } from "../test/reliability/fault-figures";

const TIME_SCALE = 20;
const estate = generateEstate({ seed: 21, accounts: 8, regions: ["us-east-1", "eu-west-1"], secrets: 2000, readsPerSecret: 1, lake: false });
const members = estate.accounts.map((a) => a.id).filter((id) => id !== estate.organization?.managementAccountId);
let sim: RunningSimulator;
let clean: AwsScanResult;
let cleanMs = 0;
let cleanAssumeRoles = 0;
const rows: FaultFigures[] = [];

const scan = (): Promise<AwsScanResult> => scanAws({
  credentials: sim.credentials, endpoint: sim.url, organization: true, roleName: "OrganizationAccountAccessRole", defaultRegion: "us-east-1",
  readsDays: 30, readsPageBudget: 200, concurrency: 8, maxAttempts: 8, quotaScale: TIME_SCALE, now: sim.now(),
});

beforeAll(async () => {
  sim = await startSimulator({ estate, timeScale: TIME_SCALE, faults: { emptyPageRate: 0 }, now: new Date("2025-06-01T00:00:00Z") });
  await scan(); // warm-up: module loading and JIT are not part of the clean time
  sim.resetStats();
  const t0 = Date.now();
  clean = await scan();
  cleanMs = Date.now() - t0;
  cleanAssumeRoles = sim.stats().byOperation["sts:AssumeRole"] ?? 0;
});

afterAll(async () => {
  await sim?.close();
  recordReadmeRow("faults", `${clean?.snapshot.secrets.length ?? 0} secrets, 8 accounts × 2 regions: ${rows.map((r) => `${r.scenario}: ${r.secretsCollected}/${r.secretsExpected} secrets, ${r.gaps} gaps, ×${r.timeRatio} time`).join("; ")}`, "nothing lost, every gap with a cause");
  recordFaults("bench", { estate: { accounts: 8, regions: 2, secrets: clean?.snapshot.secrets.length ?? 0, timeScale: TIME_SCALE, cleanMs, cleanAssumeRoles }, scenarios: rows });
});

const SCENARIOS: Array<[string, Partial<FaultConfig>, (accountId: string) => boolean]> = [
  ["throttle 20% (Secrets Manager)", { throttleRate: 0.2, scope: { service: "secretsmanager" } }, () => true],
  ["5xx 5%", { serverErrorRate: 0.05 }, () => true],
  ["dropped 1%", { dropRate: 0.01 }, () => true],
  ["slow 2% × 5 s", { slowRate: 0.02, slowMs: 5_000 * TIME_SCALE }, () => true],
  ["AccessDenied: account + GetResourcePolicy", { accessDenied: [{ account: members[0] }, { account: members[1], operation: "GetResourcePolicy" }] }, (a) => a !== members[0]],
  ["credentials expire after 2 s", { credentialTtlSeconds: 2, slowRate: 0.1, slowMs: 1_000 * TIME_SCALE }, () => true],
];

describe("scans under faults (bench)", () => {
  for (const [name, faults, readable] of SCENARIOS) {
    it(name, async () => {
      sim.setFaults({ ...NO_FAULTS, ...faults });
      sim.resetStats();
      const t0 = Date.now();
      const r = await scan();
      const ms = Date.now() - t0;
      sim.setFaults(NO_FAULTS);
      const got = new Set(r.snapshot.secrets.map((s) => s.id));
      const expected = clean.snapshot.secrets.filter((s) => readable(s.accountId ?? ""));
      const gaps = r.snapshot.coverage.filter((c) => c.status !== "collected");
      rows.push(scenarioFigures(name, faults, r, expected, sim.stats(), ms, cleanMs));
      expect(expected.filter((s) => !got.has(s.id))).toEqual([]);
      expect(r.snapshot.secrets.length).toBe(got.size);
      for (const g of gaps) expect(g.errorCode ?? g.message).toBeTruthy();
    }, 600_000);
  }
});
