/** The planner: routing by kind, merging, skipping, manual commands, costs, purity, schema. */
import { describe, expect, it } from "vitest";
import { planRemediation } from "../../src/remediate/plan";
import { loadRemediationConfig } from "../../src/remediate/config";
import type { CmkParams, ResourcePolicyParams, RotationParams } from "../../src/remediate/types";
import { validatePlan } from "../../src/remediate/validate";
import { UserError, UserErrors } from "../../src/util/errors";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACCT, R1, R2, arn, fail, failingFindings, failingSnapshot, findingsFile, STUB_RULES } from "./estate";

function formatted(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof UserErrors ? err.message : err instanceof UserError ? err.format() : String(err);
  }
  return "no error";
}

const plan = () => planRemediation(failingFindings(), failingSnapshot(), { rules: STUB_RULES });

describe("planRemediation", () => {
  it("produces a plan that validates and is a pure function of its inputs", () => {
    const a = plan();
    expect(validatePlan(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(plan()).toEqual(a);
    expect(formatted(() => validatePlan({ ...a, roleName: 42 }, "p.json"))).toBe("p.json: roleName: must be string");
  });

  it("merges several findings on one secret into one action", () => {
    const p = plan();
    const apiPolicy = p.actions.filter((x) => x.kind === "replace-resource-policy" && (x.params as ResourcePolicyParams).secretArn === arn("prod/api"));
    expect(apiPolicy).toHaveLength(1);
    expect(apiPolicy[0].closes).toEqual([
      `secret-policy-no-wildcard-actions/${arn("prod/api")}`,
      `secret-policy-trusted-principals-only/${arn("prod/api")}`,
    ]);
    const dropped = (apiPolicy[0].params as ResourcePolicyParams).dropped.map((d) => d.statement);
    expect(dropped).toEqual(["Partner", "Everything"]);
    // One key per account-region closes the CMK findings of every secret it takes.
    const key = p.actions.filter((x) => x.kind === "use-customer-managed-key" && x.region === R1);
    expect(key).toHaveLength(1);
    expect((key[0].params as CmkParams).secrets.map((s) => s.name)).toEqual(["prod/db", "prod/payments"]);
    expect(key[0].closes).toHaveLength(3);
  });

  it("rotation: enable vs shorten, interval capped by the rules' maxDays, Lambda from tag / existing / variable", () => {
    const p = plan();
    const rot = (name: string) => p.actions.find((x) => (x.kind === "enable-rotation" || x.kind === "shorten-rotation") && (x.params as RotationParams).secretName === name);
    expect(rot("prod/api")?.kind).toBe("shorten-rotation");
    expect(rot("prod/api")?.adopt).toBe(true);
    expect(rot("prod/db")?.kind).toBe("enable-rotation");
    expect((rot("prod/db")?.params as RotationParams).lambdaFrom).toBe("variable");
    expect((rot("prod/payments")?.params as RotationParams).lambdaFrom).toBe("tag");
    expect((rot("prod/api")?.params as RotationParams).lambdaFrom).toBe("existing");
    for (const n of ["prod/api", "prod/db", "prod/payments"]) expect((rot(n)?.params as RotationParams).afterDays).toBeLessThanOrEqual(30);
  });

  it("takes the rotation Lambda from the config by glob before the tag", () => {
    const p = planRemediation(failingFindings(), failingSnapshot(), {
      rules: STUB_RULES, config: { rotation: { lambdas: [{ match: "prod/*", lambdaArn: "arn:aws:lambda:us-east-1:111111111111:function:cfg" }], days: 14 } },
    });
    const db = p.actions.find((x) => x.kind === "enable-rotation" && (x.params as RotationParams).secretName === "prod/db");
    expect(db?.params).toMatchObject({ lambdaArn: "arn:aws:lambda:us-east-1:111111111111:function:cfg", lambdaFrom: "config", afterDays: 14 });
    expect(db?.variables).toEqual([]);
  });

  it("skips service-owned and replica secrets with the reason, and lists manual fixes with their command", () => {
    const p = plan();
    const rds = p.skipped.find((s) => s.resourceId === arn("rds!db-1234"));
    expect(rds?.reason).toMatch(/managed by rds/);
    const replica = p.skipped.find((s) => s.resourceId === arn("prod/db", R2));
    expect(replica?.reason).toMatch(/replica of the primary in us-east-1/);
    expect(p.actions.some((a) => a.closes.some((c) => c.includes("rds!")))).toBe(false);
    expect(p.manual).toEqual([expect.objectContaining({
      ruleId: "secret-unused",
      command: `aws secretsmanager delete-secret --secret-id ${arn("legacy/token")} --recovery-window-in-days 30`,
    })]);
  });

  it("closes a key-rotation finding with the new key when the secret moves to it", () => {
    const snap = failingSnapshot();
    const f = findingsFile([fail("secret-encrypted-with-cmk", "secret", arn("prod/api")), fail("secret-kms-key-rotation-enabled", "secret", arn("prod/api"))]);
    const p = planRemediation(f, snap, { rules: STUB_RULES });
    expect(p.actions.map((a) => a.kind)).toEqual(["use-customer-managed-key"]);
    expect(p.actions[0].closes).toHaveLength(2);
  });

  it("uses inventory endpoints for the VPC-endpoint deny, else a required variable", () => {
    const snap = failingSnapshot();
    snap.vpcs = [];
    const p = planRemediation(findingsFile([fail("secret-policy-requires-vpc-endpoint", "secret", arn("prod/db"))]), snap, { rules: STUB_RULES });
    const a = p.actions[0];
    expect(JSON.stringify((a.params as ResourcePolicyParams).document)).toContain("<var:allowed_vpce_ids>");
    expect(a.variables).toEqual([expect.objectContaining({ name: "allowed_vpce_ids", type: "list(string)" })]);
    expect(a.variables[0].default).toBeUndefined();
    const snap2 = failingSnapshot();
    const p2 = planRemediation(findingsFile([fail("secret-policy-requires-vpc-endpoint", "secret", arn("prod/db", R2), ACCT, R2)]), snap2, { rules: STUB_RULES });
    // The replica is skipped; the R2 endpoint is in the inventory, ready for R2 primaries.
    expect(p2.actions).toEqual([]);
  });

  it("prices the plan from the pricing (endpoint AZ-hours, key + rotation)", () => {
    const p = plan();
    const ep = p.actions.find((a) => a.kind === "add-vpc-endpoint" && a.region === R1);
    expect(ep?.monthlyCostDelta).toBeCloseTo(2 * 0.01 * 730, 2);
    const key = p.actions.find((a) => a.kind === "use-customer-managed-key" && a.region === R1);
    expect(key?.monthlyCostDelta).toBe(2);
    expect(p.summary.monthlyCostDelta).toBeCloseTo(p.actions.reduce((n, a) => n + a.monthlyCostDelta, 0), 2);
  });

  it("routes a kind declared on a resource it cannot fix to manual, with the rule's sentence when it has one", () => {
    const vpc = `arn:aws:ec2:${R1}:${ACCT}:vpc/vpc-0aaa`;
    const userRule = (id: string, kind: string, params: Record<string, unknown>) => ({ def: { id, remediation: { kind, params } } });
    const rules = [
      userRule("user-endpoint-on-secret", "add-vpc-endpoint", { action: "Read {name} through the endpoint of its VPC." }),
      userRule("user-rotation-on-vpc", "enable-rotation", {}),
      userRule("user-policy-on-vpc", "replace-resource-policy", {}),
    ];
    const p = planRemediation(findingsFile([
      fail("user-endpoint-on-secret", "secret", arn("prod/db")),
      fail("user-rotation-on-vpc", "vpc", vpc),
      fail("user-policy-on-vpc", "vpc", vpc),
    ]), failingSnapshot(), { rules });
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([]);
    const sentence = (ruleId: string) => p.manual.find((m) => m.ruleId === ruleId)?.action;
    expect(p.manual).toHaveLength(3);
    expect(sentence("user-endpoint-on-secret")).toBe("Read prod/db through the endpoint of its VPC.");
    expect(sentence("user-rotation-on-vpc")).toBe("The enable-rotation fix does not apply to this resource; fix it by hand.");
    expect(sentence("user-policy-on-vpc")).toBe("The replace-resource-policy fix does not apply to this resource; fix it by hand.");
  });

  it("ignores passing, unknown and suppressed findings", () => {
    const f = failingFindings();
    for (const x of f.findings) x.status = "unknown";
    const p = planRemediation(f, failingSnapshot(), { rules: STUB_RULES });
    expect(p.actions).toEqual([]);
    expect(p.stacks).toEqual([]);
  });
});

describe("loadRemediationConfig", () => {
  it("reads a valid file and rejects bad fields with file, line and field", () => {
    const dir = mkdtempSync(join(tmpdir(), "smr-"));
    const ok = join(dir, "ok.yaml");
    writeFileSync(ok, "rotation:\n  lambdas:\n    - match: 'prod/*'\n      lambdaArn: arn:aws:lambda:us-east-1:1:function:x\nkms:\n  rotationPeriodDays: 180\n");
    expect(loadRemediationConfig(ok).kms?.rotationPeriodDays).toBe(180);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "kms:\n  rotationPeriodDays: 30\nrotation:\n  lambdas:\n    - match: x\n      lambdaArn: nope\n");
    const msg = formatted(() => loadRemediationConfig(bad));
    expect(msg).toContain(`${bad}:2: kms.rotationPeriodDays: KMS accepts 90 to 2560 days`);
    expect(msg).toContain(`${bad}:6: rotation.lambdas.0.lambdaArn: expected a Lambda function ARN`);
  });
});
