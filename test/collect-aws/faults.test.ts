/** A scan under faults slows down or records gaps; it never aborts, and other accounts complete. */
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/simulator/server";
import type { Estate } from "../../src/simulator/estate";
import { DEV, MGMT, PROD, scanSim, sim, smallEstate } from "./helpers";

let s: RunningSimulator | undefined;
afterEach(async () => { await s?.close(); s = undefined; });

const secretKey = (snap: { secrets: Array<{ id: string; policy?: unknown }> }): string[] => snap.secrets.map((x) => x.id).sort();

describe("faults", () => {
  it("recovers from throttling storms: same inventory, no gaps, throttles seen", async () => {
    s = await sim(smallEstate());
    const clean = await scanSim(s);
    // A storm on Secrets Manager (the calls that scale with the number of secrets), beyond the quotas.
    s.setFaults({ throttleRate: 0.2, scope: { service: "secretsmanager" } });
    const r = await scanSim(s);
    expect(r.stats.throttles).toBeGreaterThan(0);
    expect(r.snapshot.coverage.filter((c) => c.status !== "collected")).toEqual([]);
    expect(secretKey(r.snapshot)).toEqual(secretKey(clean.snapshot));
    expect(r.snapshot.reads.map((x) => x.count).sort()).toEqual(clean.snapshot.reads.map((x) => x.count).sort());
  });

  it("recovers from 5xx errors", async () => {
    s = await sim(smallEstate(), { faults: { serverErrorRate: 0.2 } });
    const r = await scanSim(s);
    expect(Object.keys(r.stats.errors).length).toBeGreaterThan(0);
    expect(r.snapshot.coverage.filter((c) => c.status !== "collected")).toEqual([]);
    expect(r.snapshot.secrets).toHaveLength(4);
  });

  it("records a denied account as gaps while the other accounts complete", async () => {
    s = await sim(smallEstate(), { faults: { accessDenied: [{ account: DEV }] } });
    const r = await scanSim(s, { regions: ["us-east-1", "eu-west-1"] });
    const gaps = r.snapshot.coverage.filter((c) => c.status !== "collected");
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.filter((g) => !(g.accountId === DEV && g.status === "denied")).map((g) => JSON.stringify(g))).toEqual([]);
    expect(gaps.find((g) => g.kind === "secrets" && g.region === "us-east-1")?.errorCode).toMatch(/AccessDenied/);
    expect(r.snapshot.secrets.filter((x) => x.accountId === PROD)).toHaveLength(3);
    expect(r.snapshot.coverage.filter((c) => c.accountId === PROD && c.region !== "global" && c.status === "collected").length).toBe(12);
  });

  it("records an account whose role cannot be assumed", async () => {
    const e: Estate = smallEstate();
    const dev = e.accounts.find((a) => a.id === DEV);
    if (dev) dev.roles = ["SomeOtherRole"];
    s = await sim(e);
    const r = await scanSim(s, { regions: ["us-east-1"] });
    const acct = r.snapshot.coverage.find((c) => c.accountId === DEV && c.kind === "accounts");
    expect(acct).toMatchObject({ status: "denied", region: "global" });
    expect(r.snapshot.coverage.filter((c) => c.accountId === DEV && c.region === "us-east-1" && c.status === "denied")).toHaveLength(6);
    expect(r.snapshot.secrets.some((x) => x.accountId === PROD)).toBe(true);
  });

  it("keeps a secret's policy unknown (not absent) when GetResourcePolicy is denied", async () => {
    s = await sim(smallEstate(), { faults: { accessDenied: [{ account: PROD, operation: "GetResourcePolicy" }] } });
    const r = await scanSim(s, { regions: ["us-east-1"] });
    const gap = r.snapshot.coverage.find((c) => c.accountId === PROD && c.kind === "resourcePolicies");
    expect(gap?.status).toBe("denied");
    const api = r.snapshot.secrets.find((x) => x.name === "prod/api");
    expect(api?.policy).toBeUndefined();
    expect(api?.unknowns?.policy).toMatch(/denied/);
    expect(r.snapshot.coverage.find((c) => c.accountId === MGMT && c.kind === "resourcePolicies")?.status).toBe("collected");
  });

  it("re-assumes a role when its session expires mid-scan", async () => {
    const e: Estate = smallEstate();
    const prod = e.accounts.find((a) => a.id === PROD);
    const reads = prod?.regions?.["us-east-1"]?.secrets?.[0]?.reads;
    reads?.push({ principal: "role/batch", count: 400, spreadDays: 20 });
    s = await sim(e, { timeScale: 1, faults: { credentialTtlSeconds: 1 } });
    const r = await scanSim(s, { regions: ["us-east-1"], quotaScale: 1 });
    // Sessions of one second are re-assumed before they expire (or after ExpiredToken), never fatal.
    expect(r.stats.commands["sts:AssumeRole"]).toBeGreaterThan(2);
    expect(r.snapshot.coverage.filter((c) => c.status !== "collected")).toEqual([]);
    expect(r.snapshot.reads.find((x) => x.principal.endsWith(":role/batch"))?.count).toBe(400);
  });
});
