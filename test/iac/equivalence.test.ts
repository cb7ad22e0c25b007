import { describe, expect, test } from "vitest";
import { readIac } from "../../src/collect/iac/index";
import type { FindingsFile } from "../../src/findings/types";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";

// The Acme Health scenario written three ways: HCL, a `terraform show -json` plan, and cdktf (two stacks).
const rules = loadRules();
const iacRules = new Set(rules.rules.filter((r) => (r.def.sources ?? ["live", "iac"]).includes("iac")).map((r) => r.def.id));

/**
 * rule × secret name (or resource kind for the rest) → status: addresses differ across sources, names do not.
 * Several resources under one key (keys, VPCs, trails) give their sorted statuses, so none is dropped.
 */
function statuses(f: FindingsFile): Map<string, string> {
  const all = new Map<string, string[]>();
  for (const x of f.findings) {
    if (!iacRules.has(x.ruleId)) continue;
    const key = `${x.ruleId} ${x.resourceKind === "secret" ? x.resourceName : x.resourceKind}`;
    all.set(key, [...(all.get(key) ?? []), x.status]);
  }
  return new Map([...all].map(([k, v]) => [k, v.sort().join(",")]));
}

describe("the same scenario from HCL, plan JSON and cdktf output", () => {
  test("yields the same findings for every IaC-decidable rule", async () => {
    const asOf = "2025-06-02T00:00:00Z";
    const hcl = statuses(evaluate(await readIac("examples/terraform", { generatedAt: asOf }), { rules }));
    const plan = statuses(evaluate(await readIac("examples/terraform/plan.json", { generatedAt: asOf }), { rules }));
    const cdktf = statuses(evaluate(await readIac("examples/cdktf/cdktf.out", { generatedAt: asOf }), { rules }));
    expect(hcl.size).toBeGreaterThan(40);
    expect([...plan.entries()].sort()).toEqual([...hcl.entries()].sort());
    expect([...cdktf.entries()].sort()).toEqual([...hcl.entries()].sort());
    // The scenario exercises every kind of outcome, including the catalogue's disagreements.
    expect(hcl.get("secret-encrypted-with-cmk acme-health/prod/partner-api-key")).toBe("fail");
    expect(hcl.get("secret-encrypted-with-cmk acme-health/prod/oauth-client-secret")).toBe("unknown");
    expect(hcl.get("secret-rotation-interval acme-health/prod/partner-api-key")).toBe("pass");
    expect(hcl.get("secret-rotation-interval acme-health/prod/oauth-client-secret")).toBe("fail");
    expect(hcl.get("secret-value-not-in-code acme-health/prod/partner-api-key")).toBe("fail");
    expect(hcl.get("vpc-has-secretsmanager-endpoint vpc")).toBe("pass");
  });
});
