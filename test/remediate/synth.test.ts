/** Synthesizes one plan holding every remediation kind once and checks the Terraform JSON. */
import { beforeAll, describe, expect, it } from "vitest";
import { planRemediation } from "../../src/remediate/plan";
import { synthesizeStacks } from "../../src/remediate/index";
import type { RemediationPlan } from "../../src/remediate/types";
import { ACCT, R1, R2, arn, failingFindings, failingSnapshot, STUB_RULES } from "./estate";

type Json = Record<string, unknown>;
let plan: RemediationPlan;
let east: Json;
let west: Json;

const res = (stack: Json, type: string): Record<string, Json> => ((stack.resource as Json)[type] ?? {}) as Record<string, Json>;
const imports = (stack: Json): Array<{ to: string; id: string }> => (stack.import ?? []) as Array<{ to: string; id: string }>;
const one = (stack: Json, type: string, pred: (r: Json) => boolean = () => true): [string, Json] => {
  const hits = Object.entries(res(stack, type)).filter(([, r]) => pred(r));
  expect(hits.length, `${type}`).toBe(1);
  return hits[0];
};

beforeAll(() => {
  plan = planRemediation(failingFindings(), failingSnapshot(), { rules: STUB_RULES, roleName: "Fixer" });
  const out = synthesizeStacks(plan);
  east = JSON.parse(out.get(`${ACCT}-${R1}`) as string) as Json;
  west = JSON.parse(out.get(`${ACCT}-${R2}`) as string) as Json;
});

describe("synthesized stacks", () => {
  it("has one stack per account-region whose provider assumes the remediation role", () => {
    expect(plan.stacks.map((s) => s.id)).toEqual([`${ACCT}-${R2}`, `${ACCT}-${R1}`]);
    for (const [stack, region] of [[east, R1], [west, R2]] as const) {
      const aws = (stack.provider as Json).aws as Json[];
      expect(aws).toHaveLength(1);
      expect(aws[0].region).toBe(region);
      expect(aws[0].assume_role).toEqual([{ role_arn: `arn:aws:iam::${ACCT}:role/Fixer`, session_name: "sm-audit-remediation" }]);
      // Local state next to the stack, never the synthesizing machine's absolute path.
      expect(((stack.terraform as Json).backend as Json).local).toEqual({ path: "terraform.tfstate" });
    }
  });

  it("every import targets a declared resource, and every adopted resource carries prevent_destroy", () => {
    for (const stack of [east, west]) {
      const adopted = imports(stack);
      expect(adopted.length).toBeGreaterThan(0);
      for (const { to, id } of adopted) {
        const [type, name] = to.split(".");
        const r = res(stack, type)[name];
        expect(r, to).toBeDefined();
        expect(id).toMatch(/\S/);
        expect((r.lifecycle as Json | undefined)?.prevent_destroy, to).toBe(true);
      }
    }
  });

  it("never creates a secret anew: every aws_secretsmanager_secret is imported", () => {
    const secrets = Object.keys(res(east, "aws_secretsmanager_secret"));
    expect(secrets.length).toBe(2);
    const imported = new Set(imports(east).map((i) => i.to));
    for (const name of secrets) expect(imported.has(`aws_secretsmanager_secret.${name}`)).toBe(true);
  });

  it("use-customer-managed-key: a rotating key scoped to Secrets Manager, an alias, secrets moved to it", () => {
    const [keyName, key] = one(east, "aws_kms_key", (r) => typeof r.policy === "string");
    expect(key.enable_key_rotation).toBe(true);
    expect(key.rotation_period_in_days).toBe(365);
    const policy = JSON.parse(key.policy as string) as { Statement: Json[] };
    const use = policy.Statement.find((s) => s.Sid === "UseOnlyThroughSecretsManager") as Json;
    expect(use.Condition).toEqual({ StringEquals: { "kms:ViaService": `secretsmanager.${R1}.amazonaws.com`, "kms:CallerAccount": ACCT } });
    expect(JSON.stringify(policy)).not.toContain('"kms:*"');
    const [, alias] = one(east, "aws_kms_alias");
    expect(alias.name).toBe("alias/sm-audit/secrets");
    expect(alias.target_key_id).toBe(`\${aws_kms_key.${keyName}.key_id}`);
    const db = Object.values(res(east, "aws_secretsmanager_secret")).find((s) => s.name === "prod/db") as Json;
    expect(db.kms_key_id).toBe(`\${aws_kms_key.${keyName}.arn}`);
    expect(db.tags).toEqual({ Owner: "team", DataClassification: "phi" });
    expect(db.replica).toEqual([{ region: R2, kms_key_id: "alias/sm-audit/secrets" }]);
    expect(imports(east)).toContainEqual(expect.objectContaining({ id: arn("prod/db") }));
    // The replica region gets its own key for the replica.
    one(west, "aws_kms_key");
  });

  it("enable-key-rotation: the existing key imported by key id with rotation on and replacement-prone fields ignored", () => {
    const [name, key] = one(east, "aws_kms_key", (r) => r.policy === undefined);
    expect(key.enable_key_rotation).toBe(true);
    expect(imports(east)).toContainEqual({ to: `aws_kms_key.${name}`, id: "11111111-1111-1111-1111-111111111111" });
    expect((key.lifecycle as Json).ignore_changes).toEqual(expect.arrayContaining(["policy", "customer_master_key_spec", "multi_region"]));
  });

  it("rotation: Lambda from the tag, from the existing rotation, or a described variable; the existing one adopted", () => {
    const rot = Object.values(res(east, "aws_secretsmanager_secret_rotation"));
    const by = (name: string) => rot.find((r) => r.secret_id === arn(name)) as Json;
    expect(by("prod/payments").rotation_lambda_arn).toBe(`arn:aws:lambda:${R1}:${ACCT}:function:rotate-payments`);
    expect(by("prod/db").rotation_lambda_arn).toBe("${var.rotation_lambda_arn}");
    expect((east.variable as Json).rotation_lambda_arn).toMatchObject({ type: "string", description: expect.stringContaining("rotation Lambda") });
    expect(by("prod/api").rotation_rules).toEqual({ automatically_after_days: 30 });
    const adopted = imports(east).filter((i) => i.to.startsWith("aws_secretsmanager_secret_rotation."));
    expect(adopted).toEqual([expect.objectContaining({ id: arn("prod/api") })]);
  });

  it("replace-resource-policy: trimmed policy with block_public_policy and the VPC-endpoint deny on the planned endpoint", () => {
    const pols = Object.entries(res(east, "aws_secretsmanager_secret_policy"));
    expect(pols).toHaveLength(3);
    for (const [, p] of pols) expect(p.block_public_policy).toBe(true);
    const api = pols.find(([, p]) => p.secret_arn === arn("prod/api"))?.[1] as Json;
    const doc = JSON.parse(api.policy as string) as { Statement: Json[] };
    expect(doc.Statement.map((s) => s.Sid)).toEqual(["OrgRead"]);
    const [epName] = one(east, "aws_vpc_endpoint");
    const db = pols.find(([, p]) => p.secret_arn === arn("prod/db"))?.[1] as Json;
    expect(db.policy).toContain(`aws_vpc_endpoint.${epName}.id`);
    expect(db.policy).not.toContain('"Public"');
    // A secret without a policy gets one created, not imported.
    const payName = pols.find(([, p]) => p.secret_arn === arn("prod/payments"))?.[0];
    expect(imports(east).some((i) => i.to.endsWith(`.${payName}`))).toBe(false);
  });

  it("add-vpc-endpoint: interface endpoint with private DNS, subnets from the inventory; an existing one adopted", () => {
    const [, ep] = one(east, "aws_vpc_endpoint");
    expect(ep).toMatchObject({ vpc_id: "vpc-0aaa", service_name: `com.amazonaws.${R1}.secretsmanager`, vpc_endpoint_type: "Interface", private_dns_enabled: true, subnet_ids: ["subnet-a1", "subnet-a2"] });
    expect(ep.security_group_ids).toBe("${var.endpoint_security_group_ids_vpc_0aaa}");
    const [wName, w] = one(west, "aws_vpc_endpoint");
    expect(w.private_dns_enabled).toBe(true);
    expect(imports(west)).toContainEqual({ to: `aws_vpc_endpoint.${wName}`, id: "vpce-0bbb" });
  });

  it("add-cloudtrail: multi-region validated trail and a locked-down, versioned, encrypted bucket", () => {
    const [, trail] = one(east, "aws_cloudtrail");
    expect(trail).toMatchObject({ is_multi_region_trail: true, enable_log_file_validation: true, enable_logging: true, include_global_service_events: true, event_selector: [{ read_write_type: "All", include_management_events: true }] });
    const [bName, bucket] = one(east, "aws_s3_bucket");
    expect(bucket.bucket).toBe(`sm-audit-cloudtrail-${ACCT}-${R1}`);
    expect(trail.s3_bucket_name).toBe(`\${aws_s3_bucket.${bName}.id}`);
    expect(one(east, "aws_s3_bucket_public_access_block")[1]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(one(east, "aws_s3_bucket_versioning")[1].versioning_configuration).toEqual({ status: "Enabled" });
    expect(JSON.stringify(one(east, "aws_s3_bucket_server_side_encryption_configuration")[1])).toContain("AES256");
    const policy = JSON.parse(one(east, "aws_s3_bucket_policy")[1].policy as string) as { Statement: Json[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "DenyInsecureTransport"]);
    expect((trail.depends_on as string[]).some((d) => d.startsWith("aws_s3_bucket_policy."))).toBe(true);
  });

  it("declares no resource that destroys: no deletion, no force_destroy, no recovery window override", () => {
    const text = JSON.stringify([east, west]);
    expect(text).not.toContain('"force_destroy":true');
    expect(text).not.toContain("recovery_window_in_days\":0");
    expect(text).not.toMatch(/aws_secretsmanager_secret_version|removed/);
  });
});
