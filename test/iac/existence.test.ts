/**
 * count / for_each, data keys read by ARN, and plan accounts and locals: what the code
 * cannot decide must be unknown with a reason, never a default.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readIac } from "../../src/collect/iac/index";
import type { Secret, Snapshot } from "../../src/inventory/types";

const secret = (s: Snapshot, id: string): Secret => {
  const found = s.secrets.find((x) => x.id === id);
  if (!found) throw new Error(`no secret ${id} in ${s.secrets.map((x) => x.id).join(", ")}`);
  return found;
};

function hclDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "sm-iac-count-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const ROTATION = (name: string, count: string) => `
resource "aws_secretsmanager_secret" "${name}" { name = "${name}" }
resource "aws_secretsmanager_secret_rotation" "${name}" {
  count               = ${count}
  secret_id           = aws_secretsmanager_secret.${name}.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:111111111111:function:rotator"
  rotation_rules { automatically_after_days = 30 }
}
`;

describe("count and for_each decide whether a resource exists", () => {
  test("a false condition removes the rotation, an unknown one makes rotation unknown with the variable named", async () => {
    const dir = hclDir({
      "main.tf": `
variable "off" { default = false }
variable "on" { default = true }
variable "unset" { type = bool }
variable "n" { default = 2 }
locals { flag = var.unset }
${ROTATION("off", "var.off ? 1 : 0")}
${ROTATION("on", "var.on ? 1 : 0")}
${ROTATION("unset", "var.unset ? 1 : 0")}
${ROTATION("via_local", "local.flag ? 1 : 0")}
${ROTATION("many", "var.n")}
${ROTATION("zero_len", "length([])")}
${ROTATION("not_number", "var.on")}
`,
    });
    const s = await readIac(dir);
    expect(secret(s, "aws_secretsmanager_secret.off").rotation).toEqual({ enabled: false });
    expect(secret(s, "aws_secretsmanager_secret.on").rotation).toMatchObject({ enabled: true, afterDays: 30 });
    expect(secret(s, "aws_secretsmanager_secret.many").rotation).toMatchObject({ enabled: true });
    expect(secret(s, "aws_secretsmanager_secret.zero_len").rotation).toEqual({ enabled: false });
    const unset = secret(s, "aws_secretsmanager_secret.unset");
    expect(unset.rotation).toBeUndefined();
    expect(unset.unknowns?.rotation).toBe("count of aws_secretsmanager_secret_rotation.unset depends on var.unset (var.unset has no default)");
    expect(unset.attributeSources?.rotation).toMatchObject({ line: expect.any(Number) });
    expect(secret(s, "aws_secretsmanager_secret.via_local").unknowns?.rotation).toMatch(/^count of aws_secretsmanager_secret_rotation\.via_local depends on local\.flag .*var\.unset has no default/);
    expect(secret(s, "aws_secretsmanager_secret.not_number").unknowns?.rotation).toBe("count of aws_secretsmanager_secret_rotation.not_number is not a number");
  });

  test("policies, endpoints and trails of unknown count contribute unknowns; for_each binds each.* for one instance", async () => {
    const dir = hclDir({
      "main.tf": `
provider "aws" { region = "us-east-1" }
variable "unset" { type = bool }
variable "none" { default = {} }
resource "aws_secretsmanager_secret" "p" { name = "p" }
resource "aws_secretsmanager_secret_policy" "p" {
  count               = var.unset ? 1 : 0
  secret_arn          = aws_secretsmanager_secret.p.arn
  policy              = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[]}"
  block_public_policy = true
}
resource "aws_secretsmanager_secret" "q" { name = "q" }
resource "aws_secretsmanager_secret_policy" "q" {
  for_each   = var.none
  secret_arn = aws_secretsmanager_secret.q.arn
  policy     = "{}"
}
resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc_endpoint" "a" {
  count               = var.unset ? 1 : 0
  vpc_id              = aws_vpc.a.id
  service_name        = "com.amazonaws.us-east-1.secretsmanager"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
}
resource "aws_vpc" "b" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc_endpoint" "b" {
  for_each            = { sm = "com.amazonaws.us-east-1.secretsmanager" }
  vpc_id              = aws_vpc.b.id
  service_name        = each.value
  vpc_endpoint_type   = "Interface"
}
resource "aws_cloudtrail" "t" {
  count                 = var.unset ? 1 : 0
  name                  = "t"
  s3_bucket_name        = "logs"
  is_multi_region_trail = true
}
`,
    });
    const s = await readIac(dir);
    const p = secret(s, "aws_secretsmanager_secret.p");
    expect(p.policy).toBeUndefined();
    expect(p.blockPublicPolicy).toBeUndefined();
    expect(p.unknowns).toMatchObject({ policy: expect.stringContaining("count of aws_secretsmanager_secret_policy.p depends on var.unset"), blockPublicPolicy: expect.stringContaining("var.unset") });
    expect(secret(s, "aws_secretsmanager_secret.q").policy).toBeNull();
    const a = s.vpcs.find((v) => v.id === "aws_vpc.a");
    expect(a?.endpoints).toEqual([]);
    expect(a?.unknowns?.endpoints).toContain("count of aws_vpc_endpoint.a depends on var.unset");
    const b = s.vpcs.find((v) => v.id === "aws_vpc.b");
    expect(b?.endpoints[0]).toMatchObject({ serviceName: "com.amazonaws.us-east-1.secretsmanager", type: "Interface" });
    const t = s.trails.find((x) => x.id === "aws_cloudtrail.t");
    expect(t?.logging).toBeUndefined();
    expect(t?.unknowns?.logging).toContain("count of aws_cloudtrail.t depends on var.unset");
  });

  test("count = 0 in a module call input removes the module's rotation", async () => {
    const dir = hclDir({
      "main.tf": `module "legacy" {
  source = "./mod"
  rotate = false
}`,
    });
    const mod = join(dir, "mod");
    (await import("node:fs")).mkdirSync(mod);
    writeFileSync(join(mod, "main.tf"), `variable "rotate" { type = bool }\n${ROTATION("this", "var.rotate ? 1 : 0")}`);
    const s = await readIac(dir);
    expect(secret(s, "module.legacy.aws_secretsmanager_secret.this").rotation).toEqual({ enabled: false });
  });
});

describe("key accounts", () => {
  test("a data key read by ARN is in that ARN's account; by alias name it stays the provider's", async () => {
    const s = await readIac("rules/secret-kms-key-owned-by-trusted-account/fixtures/hcl/data-key-lookups");
    expect(s.kmsKeys.find((k) => k.id === "data.aws_kms_key.foreign")?.accountId).toBe("999999999999");
    expect(s.kmsKeys.find((k) => k.id === "data.aws_kms_key.by_alias")?.accountId).toBeUndefined();
  });
});

describe("plans", () => {
  test("existing secrets take their account and region from the ARN; the provider's account reaches new resources", async () => {
    const s = await readIac("rules/secret-kms-key-owned-by-trusted-account/fixtures/plan/existing-secrets.json");
    expect(secret(s, "aws_secretsmanager_secret.existing_foreign")).toMatchObject({ accountId: "111111111111", region: "us-east-1" });
    expect(secret(s, "aws_secretsmanager_secret.new_foreign_data").accountId).toBe("111111111111");
    expect(s.kmsKeys.find((k) => k.id === "data.aws_kms_key.foreign")?.accountId).toBe("999999999999");
  });

  test("a plan of only new resources shows no account", async () => {
    const s = await readIac("rules/secret-value-not-in-code/fixtures/plan/locals.json");
    expect(s.secrets.every((x) => x.accountId === undefined)).toBe(true);
  });

  test("a data key on the default alias keeps its ARN as the AWS-managed key", async () => {
    const s = await readIac("rules/secret-encrypted-with-cmk/fixtures/plan/data-keys.json");
    expect(s.kmsKeys.find((k) => k.id === "data.aws_kms_key.default")).toMatchObject({ manager: "AWS", aliases: ["alias/aws/secretsmanager"], arn: expect.stringMatching(/^arn:aws:kms:/) });
  });

  test("secret_string from a local is unclear, from a variable or resource it is not a literal", async () => {
    const s = await readIac("rules/secret-value-not-in-code/fixtures/plan/locals.json");
    expect(secret(s, "aws_secretsmanager_secret.smtp").unknowns?.valueInCode).toBe("aws_secretsmanager_secret_version.smtp.secret_string: refers to local.smtp_password, whose expression a plan does not show");
    expect(secret(s, "aws_secretsmanager_secret.mixed").unknowns?.valueInCode).toBeUndefined();
    expect(secret(s, "aws_secretsmanager_secret.mixed").valueInCode).toEqual([]);
  });
});

describe("provider regions", () => {
  test("a provider region read from data.aws_region is not literal: the secret has no region, and reading does not recurse", async () => {
    const dir = hclDir({
      "main.tf": `
provider "aws" { region = data.aws_region.current.name }
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
data "aws_region" "current" {}
data "aws_region" "west" { provider = aws.west }
resource "aws_secretsmanager_secret" "s" { name = "s-\${data.aws_region.west.name}" }
`,
    });
    const s = await readIac(dir, { generatedAt: "2026-01-01T00:00:00Z" });
    const sec = secret(s, "aws_secretsmanager_secret.s");
    expect(sec.region).toBeUndefined();
    expect(sec.name).toBe("s-us-west-2");
  });
});
