import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kmsKeyMonthlyCost, loadPricing, parsePriceFlags, priceFor } from "../../src/report/pricing";
import { UserError } from "../../src/util/errors";
import { tempDir } from "./fixtures";

describe("pricing", () => {
  it("ships DESIGN.md §8 prices with an asOf date", () => {
    const p = loadPricing();
    expect(p).toMatchObject({ secretMonthly: 0.4, secretApiPer10k: 0.05, kmsKeyMonthly: 1, kmsRotationMonthly: 1, kmsRequestsPer10k: 0.03, endpointAzHour: 0.01, hoursPerMonth: 730, kmsKeyMonthlyCap: 3 });
    expect(p.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("applies region overrides, user files and --price flags in that order", () => {
    const d = tempDir();
    const f = join(d, "p.yaml");
    writeFileSync(f, "defaults:\n  secretMonthly: 0.5\nregions:\n  ap-south-1:\n    endpointAzHour: 0.02\n");
    const p = loadPricing(f, parsePriceFlags(["kmsKeyMonthly=2", "ap-south-1.secretMonthly=0.45"]));
    expect(priceFor(p, "us-east-1").secretMonthly).toBe(0.5);
    expect(priceFor(p, "ap-south-1")).toMatchObject({ secretMonthly: 0.45, endpointAzHour: 0.02, kmsKeyMonthly: 2 });
    expect(priceFor(p, "eu-west-1").endpointAzHour).toBe(0.011); // shipped override kept
  });

  it("caps a key's cost: $1 + $1 for each of the first two rotations", () => {
    const p = priceFor(loadPricing());
    expect([0, 1, 2, 3, 10].map((n) => kmsKeyMonthlyCost(p, n))).toEqual([1, 2, 3, 3, 3]);
  });

  it("rejects bad prices with file, line and field", () => {
    const d = tempDir();
    const f = join(d, "p.yaml");
    writeFileSync(f, "defaults:\n  secretMonthly: 0.5\n  kmsKeyMonthly: -1\n");
    const err = (() => { try { loadPricing(f); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toBe(`${f}:3: defaults.kmsKeyMonthly: expected a number >= 0, got -1`);
    writeFileSync(f, "defaults:\n  secretMontly: 0.5\n");
    expect(() => loadPricing(f)).toThrow(/unknown price/);
    expect(() => parsePriceFlags(["nope=1"])).toThrow(/unknown price 'nope'/);
    expect(() => parsePriceFlags(["secretMonthly=abc"])).toThrow(/number/);
  });
});
