/**
 * One AssumeRole per member account per session lifetime (DESIGN §4): clients of every
 * service and region of an account share its session, also when the simulator's clock is far
 * from the local one (Expiration then looks already past, which once made every request
 * re-assume: ~200 AssumeRole calls for 5 accounts).
 */
import { describe, expect, it } from "vitest";
import { scanAws } from "../../src/collect/aws/scan";
import { generateEstate } from "../../src/simulator/generate";
import { loadEstate } from "../../src/simulator/load";
import { startSimulator } from "../../src/simulator/server";
import type { Estate } from "../../src/simulator/estate";
import { PROD, ROLE, scanSim, smallEstate } from "./helpers";

async function cleanScan(estate: Estate, now?: Date): Promise<{ assumeRoles: number; members: number; scannerAssumes: number | undefined }> {
  const s = await startSimulator({ estate, timeScale: 20, faults: { emptyPageRate: 0 }, ...(now ? { now } : {}) });
  try {
    const r = await scanAws({
      credentials: s.credentials, endpoint: s.url, organization: true, roleName: ROLE, defaultRegion: "us-east-1",
      readsDays: 30, readsPageBudget: 200, concurrency: 8, maxAttempts: 8, quotaScale: 20, now: s.now(),
    });
    expect(r.snapshot.secrets.length).toBeGreaterThan(0);
    const members = r.snapshot.accounts.filter((a) => a.id !== s.managementAccountId && (a.status ?? "ACTIVE") === "ACTIVE").length;
    return { assumeRoles: s.stats().byOperation["sts:AssumeRole"] ?? 0, members, scannerAssumes: r.stats.commands["sts:AssumeRole"] };
  } finally {
    await s.close();
  }
}

describe("AssumeRole sessions", () => {
  const generated = (): Estate => generateEstate({ seed: 3, accounts: 5, regions: ["us-east-1", "eu-west-1"], secrets: 400 });

  it("a clean scan of a generated 5-account × 2-region estate assumes once per member account", async () => {
    const r = await cleanScan(generated());
    expect(r.members).toBe(4);
    expect(r.assumeRoles).toBe(r.members);
    expect(r.scannerAssumes).toBe(r.members);
  });

  it("still once per member account when the AWS clock is a year behind the local clock", async () => {
    const r = await cleanScan(generated(), new Date(Date.now() - 365 * 86_400_000));
    expect(r.assumeRoles).toBe(r.members);
  });

  it("the acme-health example estate: once per member account", async () => {
    const r = await cleanScan(loadEstate("examples/estates/acme-health.yaml"), new Date("2025-06-01T00:00:00Z"));
    expect(r.members).toBeGreaterThan(0);
    expect(r.assumeRoles).toBe(r.members);
  });

  it("with a skewed clock and 1-second sessions, re-assumes only after ExpiredToken and loses nothing", async () => {
    const e = smallEstate();
    const reads = e.accounts.find((a) => a.id === PROD)?.regions?.["us-east-1"]?.secrets?.[0]?.reads;
    reads?.push({ principal: "role/batch", count: 400, spreadDays: 20 });
    const s = await startSimulator({ estate: e, timeScale: 1, now: new Date(Date.now() - 365 * 86_400_000), faults: { emptyPageRate: 0, credentialTtlSeconds: 1 } });
    try {
      const r = await scanSim(s, { regions: ["us-east-1"], quotaScale: 1, now: s.now() });
      expect(r.snapshot.coverage.filter((c) => c.status !== "collected")).toEqual([]);
      expect(r.snapshot.reads.find((x) => x.principal.endsWith(":role/batch"))?.count).toBe(400);
      expect(r.stats.sessionRefreshes).toBeGreaterThan(0);
      const assumes = s.stats().byOperation["sts:AssumeRole"] ?? 0;
      // 2 member accounts; every further AssumeRole answers at least one ExpiredToken (a burst of them costs one).
      expect(assumes).toBeGreaterThan(2);
      expect(assumes).toBeLessThanOrEqual(2 + r.stats.sessionRefreshes);
    } finally {
      await s.close();
    }
  });
});
