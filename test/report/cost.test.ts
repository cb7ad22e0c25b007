/** Cost numbers checked against hand-computed values for the fixture estate (see fixtures.ts). */
import { describe, expect, it } from "vitest";
import { type CostCategory, type CostReport, buildCost } from "../../src/report/cost";
import { renderCostMarkdown } from "../../src/report/cost-render";
import { loadPricing } from "../../src/report/pricing";
import type { RemediationPlan } from "../../src/remediate/types";
import { A1, A2, KEY_UNUSED, estate, findingsFixture } from "./fixtures";

const line = (r: CostReport, c: CostCategory): number => r.lines.find((l) => l.category === c)?.monthly ?? 0;
const near = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-9);

describe("cost run-rate", () => {
  const r = buildCost(estate(), { pricing: loadPricing(), tagKey: "CostCenter" });

  it("bills every secret and every replica region, not the one pending deletion", () => {
    near(line(r, "secrets"), 4 * 0.4); // app/db, app/api, hostile, calc; old/thing is scheduled for deletion
    near(line(r, "replicas"), 2 * 0.4); // app/db replicated to eu-west-1 and us-west-2
  });

  it("prices API calls and KMS Decrypts from the read statistics", () => {
    // 300,000 + 500 reads in a 30-day window -> 300,500 calls a month.
    near(line(r, "secretApi"), (300_500 / 10_000) * 0.05);
    // Both read secrets use customer managed keys: one Decrypt per read.
    near(line(r, "kmsRequests"), (300_500 / 10_000) * 0.03);
  });

  it("adds the rotation surcharge for a rotating key, capped at $3 per key", () => {
    near(line(r, "kmsKeys"), 3 * 1.0);
    near(line(r, "kmsRotation"), 2 * 1.0); // the rotating key: $1 + 2 rotations = $3 (cap)
    const capped = buildCost(estate(), { pricing: loadPricing(undefined, { kmsKeyMonthlyCap: 2.5 }) });
    near(line(capped, "kmsRotation"), 1.5);
    const once = buildCost(estate(), { pricing: loadPricing(), keyRotations: 1 });
    near(line(once, "kmsRotation"), 1.0);
    const many = buildCost(estate(), { pricing: loadPricing(), keyRotations: 7 });
    near(line(many, "kmsRotation"), 2.0); // rotations after the second are not billed
  });

  it("prices an interface endpoint in 3 AZs at 3 × 730 × $0.01 = $21.90", () => {
    near(line(r, "endpoints"), 21.9);
    expect(r.lines.find((l) => l.category === "endpoints")?.quantity).toBe(2190);
  });

  it("totals and breaks down by account, region and tag", () => {
    const total = 1.6 + 0.8 + 1.5025 + 0.9015 + 3 + 2 + 21.9;
    near(r.total, total);
    const a2 = r.byAccount.find((g) => g.key === A2);
    near(a2?.monthly ?? -1, 0.4 + 1.0); // calc + the unused key
    near(r.byAccount.find((g) => g.key === A1)?.monthly ?? -1, total - 1.4);
    near(r.byRegion.find((g) => g.key === "us-west-2")?.monthly ?? -1, 0.4);
    near(r.tag?.groups.find((g) => g.key === "net")?.monthly ?? -1, 21.9);
    near(r.tag?.groups.find((g) => g.key === "cc-2")?.monthly ?? -1, 0.4);
    // cc-1: app/db (+2 replicas), app/api, their reads and Decrypts, and their two keys ($3 + $1).
    near(r.tag?.groups.find((g) => g.key === "cc-1")?.monthly ?? -1, 0.8 + 0.8 + 1.5025 + 0.9015 + 4);
    near(r.tag?.groups.find((g) => g.key === "(untagged)")?.monthly ?? -1, 0.4 + 1.0); // the hostile secret and the unused key
    near(r.tag?.groups.reduce((s, g) => s + g.monthly, 0) ?? -1, total);
  });

  it("uses regional prices when the pricing file has them", () => {
    const p = loadPricing(undefined, { regions: { "us-east-1": { endpointAzHour: 0.02 } } });
    near(line(buildCost(estate(), { pricing: p }), "endpoints"), 43.8);
  });
});

describe("waste, caching and the plan", () => {
  it("finds unused secrets by last use, pending deletions (not billed) and keys no secret uses", () => {
    const r = buildCost(estate(), { pricing: loadPricing() });
    expect(r.waste.unusedSecrets.items.map((i) => i.name)).toEqual([estate().secrets[2].name]); // 200 days unused
    expect(r.waste.pendingDeletion.count).toBe(1);
    expect(r.waste.pendingDeletion.monthly).toBe(0);
    expect(r.waste.unusedKeys.items.map((i) => i.id)).toEqual([KEY_UNUSED]);
    near(r.waste.total, 0.4 + 1.0);
  });

  it("takes unused secrets from secret-unused findings when given", () => {
    const f = findingsFixture();
    const r = buildCost(estate(), { pricing: loadPricing(), findings: f });
    expect(r.waste.unusedSecrets.basis).toContain("secret-unused");
    expect(r.waste.unusedSecrets.items.map((i) => i.id)).toEqual([estate().secrets[2].id]);
  });

  it("estimates caching savings: at most 30·86400/ttl calls per principal per month", () => {
    const r = buildCost(estate(), { pricing: loadPricing(), cacheTtlSeconds: 3600 });
    // app/db: 2 principals capped at 720 calls each; app/api: 500 calls, under the cap.
    expect(r.caching.maxCallsPerClient).toBe(720);
    near(r.caching.callsWithCache, 720 * 2 + 500);
    const saved = 300_000 - 1440;
    near(r.caching.monthlySavings, (saved / 10_000) * (0.05 + 0.03));
    expect(r.caching.top.map((c) => c.name)).toEqual(["app/db"]);
    const ttl60 = buildCost(estate(), { pricing: loadPricing(), cacheTtlSeconds: 60 });
    expect(ttl60.caching.maxCallsPerClient).toBe(43_200);
    near(ttl60.caching.monthlySavings, ((300_000 - 2 * 43_200) / 10_000) * 0.08);
  });

  it("adds the remediation plan's delta", () => {
    const plan = {
      actions: [
        { id: "a", kind: "add-vpc-endpoint", accountId: A2, region: "eu-west-1", monthlyCostDelta: 24.09, costNote: "3 AZ × 730 h × $0.011" },
        { id: "b", kind: "move-to-cmk", accountId: A1, region: "us-east-1", monthlyCostDelta: 1, costNote: "one key" },
        { id: "c", kind: "move-to-cmk", accountId: A1, region: "us-east-1", monthlyCostDelta: 0.5, costNote: "decrypts" },
      ],
    } as unknown as RemediationPlan;
    const r = buildCost(estate(), { pricing: loadPricing(), plan });
    near(r.plan?.monthlyDelta ?? -1, 25.59);
    expect(r.plan?.byKind["move-to-cmk"]).toEqual({ actions: 2, monthly: 1.5 });
    near(r.plan?.byAccount[A1] ?? -1, 1.5);
    expect(renderCostMarkdown(r)).toContain("+$25.59");
  });
});
