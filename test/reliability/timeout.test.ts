/**
 * Client request timeouts: a response that never arrives (here: one that arrives far later
 * than the timeout) no longer blocks its account-region; the call is retried like a 5xx and,
 * when every attempt times out, that one kind becomes a `failed` gap with a timeout code.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/simulator/server";
import { PROD, scanSim, sim, smallEstate } from "../collect-aws/helpers";

const TIME_SCALE = 20;
/** Simulator delays are divided by its timeScale: this is 3 s of real time. */
const DELAY_3S = 3_000 * TIME_SCALE;

let s: RunningSimulator | undefined;
afterEach(async () => { await s?.close(); s = undefined; });

const ids = (snap: { secrets: Array<{ id: string }> }): string[] => snap.secrets.map((x) => x.id).sort();

describe("request timeout", () => {
  it("slow responses on a fraction of calls: retried after the timeout, nothing lost", async () => {
    s = await sim(smallEstate(), { timeScale: TIME_SCALE });
    const clean = await scanSim(s, { requestTimeoutMs: 1_000 });
    s.setFaults({ slowRate: 0.25, slowMs: DELAY_3S });
    s.resetStats();
    const r = await scanSim(s, { requestTimeoutMs: 1_000 });
    expect(s.stats().faults.slow).toBeGreaterThan(0);
    expect(r.stats.errors.TimeoutError ?? 0).toBeGreaterThan(0);
    expect(r.snapshot.coverage.filter((c) => c.status !== "collected")).toEqual([]);
    expect(ids(r.snapshot)).toEqual(ids(clean.snapshot));
    expect(r.snapshot.kmsKeys.length).toBe(clean.snapshot.kmsKeys.length);
    expect(r.snapshot.vpcs.length).toBe(clean.snapshot.vpcs.length);
    expect(r.snapshot.reads.map((x) => x.count).sort()).toEqual(clean.snapshot.reads.map((x) => x.count).sort());
  });

  it("an operation that always outlasts the timeout in one account: a failed gap there, the rest complete", async () => {
    s = await sim(smallEstate(), { timeScale: TIME_SCALE, faults: { slowRate: 1, slowMs: DELAY_3S, scope: { account: PROD, service: "ec2", operation: "DescribeVpcEndpoints" } } });
    const started = Date.now();
    const r = await scanSim(s, { requestTimeoutMs: 1_000, maxAttempts: 3, regions: ["us-east-1", "eu-west-1"] });
    expect(Date.now() - started).toBeLessThan(60_000);
    const gaps = r.snapshot.coverage.filter((c) => c.status !== "collected");
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) {
      expect(g).toMatchObject({ accountId: PROD, kind: "vpcs", status: "failed" });
      expect(g.errorCode).toMatch(/Timeout|ETIMEDOUT/);
    }
    expect(r.snapshot.secrets.filter((x) => x.accountId === PROD)).toHaveLength(3);
    expect(r.snapshot.secrets).toHaveLength(4);
    expect(r.snapshot.coverage.filter((c) => c.accountId !== PROD && c.region !== "global").every((c) => c.status === "collected")).toBe(true);
  });
});
