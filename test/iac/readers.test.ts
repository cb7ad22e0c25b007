import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readIac, readIacPaths } from "../../src/collect/iac/index";
import type { Secret, Snapshot } from "../../src/inventory/types";
import { validateSnapshot } from "../../src/inventory/io";
import { fingerprint } from "../../src/util/redact";

const LITERAL = "acme-demo-password-DO-NOT-USE";
const secret = (s: Snapshot, id: string): Secret => {
  const found = s.secrets.find((x) => x.id === id);
  if (!found) throw new Error(`no secret ${id} in ${s.secrets.map((x) => x.id).join(", ")}`);
  return found;
};

describe("HCL directory with a local module and variables", () => {
  test("resolves references, module inputs, locals and default tags, and keeps lines", async () => {
    const s = await readIac("examples/terraform");
    validateSnapshot(JSON.parse(JSON.stringify(s)), "hcl");
    const db = secret(s, "aws_secretsmanager_secret.patient_db");
    expect(db.name).toBe("acme-health/prod/patient-db");
    expect(db.kmsKeyId).toBe("aws_kms_key.secrets");
    expect(db.source).toMatchObject({ kind: "iac", file: "examples/terraform/secrets.tf", line: 6 });
    expect(db.attributeSources?.kmsKeyId).toMatchObject({ line: 9 });
    expect(db.tags).toEqual({ Owner: "patient-portal-team", Application: "patient-portal", DataClassification: "phi" });
    expect(db.rotation).toMatchObject({ enabled: true, afterDays: 30 });
    expect(db.policy?.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { StringNotEquals: { "aws:SourceVpce": ["${aws_vpc_endpoint.secretsmanager.id}"] } } });
    expect(db.blockPublicPolicy).toBe(true);
    expect(db.valueInCode).toEqual([]); // jsonencode of a random_password result is not a literal

    const mod = secret(s, "module.reporting_secret.aws_secretsmanager_secret.this");
    expect(mod.kmsKeyId).toBe("aws_kms_key.secrets");
    expect(mod.recoveryWindowDays).toBe(7);
    expect(mod.source).toMatchObject({ file: "examples/terraform/modules/app-secret/main.tf", line: 2, module: "module.reporting_secret" });
    expect(mod.rotation).toEqual({ enabled: false });
    expect(mod.policy).toBeNull();

    const oauth = secret(s, "aws_secretsmanager_secret.oauth_client");
    expect(oauth.kmsKeyId).toBeUndefined();
    expect(oauth.unknowns).toEqual({ kmsKeyId: "var.oauth_kms_key_id has no default" });
    expect(oauth.rotation?.afterDays).toBe(180);
    expect(oauth.blockPublicPolicy).toBe(false);

    const api = secret(s, "aws_secretsmanager_secret.partner_api_key");
    expect(api.kmsKeyId).toBeNull();
    expect(api.rotation).toMatchObject({ enabled: true, scheduleExpression: "cron(0 8 1 * ? *)", duration: "2h" });
    expect(api.valueInCode).toEqual([{ attribute: "secret_string", fingerprint: fingerprint(LITERAL), source: expect.objectContaining({ file: "examples/terraform/secrets.tf", line: 76 }) }]);
    expect(JSON.stringify(s)).not.toContain(LITERAL);

    const key = s.kmsKeys.find((k) => k.id === "aws_kms_key.secrets");
    expect(key).toMatchObject({ manager: "CUSTOMER", state: "Enabled", rotationEnabled: true, rotationPeriodDays: 180, aliases: ["alias/acme-health/portal-secrets"], region: "us-east-1" });
    expect(s.vpcs[0].endpoints[0]).toMatchObject({ serviceName: "com.amazonaws.us-east-1.secretsmanager", type: "Interface", privateDns: true });
    expect(s.trails[0]).toMatchObject({ isMultiRegion: true, logging: true, logFileValidation: true, managementEvents: { read: true, write: true } });
  });

  test("tfvars override defaults; an unresolved module input is unknown with its reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iac-hcl-"));
    writeFileSync(join(dir, "main.tf"), `variable "key" {}\nvariable "days" { default = 30 }\nresource "aws_secretsmanager_secret" "a" {\n  name = "a"\n  kms_key_id = var.key\n}\nresource "aws_secretsmanager_secret_rotation" "a" {\n  secret_id = aws_secretsmanager_secret.a.id\n  rotation_rules { automatically_after_days = var.days }\n}\nresource "aws_secretsmanager_secret" "b" {\n  name = "b"\n  kms_key_id = data.aws_kms_alias.sm.target_key_arn\n}\ndata "aws_kms_alias" "sm" { name = "alias/aws/secretsmanager" }\n`);
    writeFileSync(join(dir, "terraform.tfvars"), `key = "arn:aws:kms:us-east-1:111111111111:key/abc"\ndays = 45\n`);
    const s = await readIac(dir);
    expect(secret(s, "aws_secretsmanager_secret.a")).toMatchObject({ kmsKeyId: "arn:aws:kms:us-east-1:111111111111:key/abc", rotation: { enabled: true, afterDays: 45 } });
    expect(secret(s, "aws_secretsmanager_secret.b").kmsKeyId).toBe("alias/aws/secretsmanager");
  });
});

describe("plan JSON with modules and unknowns", () => {
  test("resolves after_unknown through configuration references, across a module call", async () => {
    const s = await readIac("examples/terraform/plan.json");
    const mod = secret(s, "module.reporting_secret.aws_secretsmanager_secret.this");
    expect(mod.kmsKeyId).toBe("aws_kms_key.secrets");
    expect(mod.source).toEqual({ kind: "iac", file: "examples/terraform/plan.json", address: "module.reporting_secret.aws_secretsmanager_secret.this", module: "module.reporting_secret" });
    expect(secret(s, "aws_secretsmanager_secret.patient_db").policy?.Statement[0]).toMatchObject({ Effect: "Deny", Principal: "*" });
    expect(secret(s, "aws_secretsmanager_secret.partner_api_key").valueInCode?.[0]).toMatchObject({ attribute: "secret_string", fingerprint: fingerprint(LITERAL) });
    expect(secret(s, "aws_secretsmanager_secret.partner_api_key").rotation?.scheduleExpression).toBe("cron(0 8 1 * ? *)");
    expect(JSON.stringify(s)).not.toContain(LITERAL);
  });

  test("an unknown without references is 'known after apply'; delete-only resources are left out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iac-plan-"));
    const plan = {
      format_version: "1.2",
      planned_values: { root_module: { resources: [
        { address: "aws_secretsmanager_secret.x", mode: "managed", type: "aws_secretsmanager_secret", name: "x", values: { name: "x", recovery_window_in_days: 30 } },
      ] } },
      resource_changes: [
        { address: "aws_secretsmanager_secret.x", mode: "managed", type: "aws_secretsmanager_secret", name: "x", change: { actions: ["create"], after: { name: "x" }, after_unknown: { kms_key_id: true, arn: true } } },
        { address: "aws_secretsmanager_secret.gone", mode: "managed", type: "aws_secretsmanager_secret", name: "gone", change: { actions: ["delete"], before: { name: "gone" }, after: null, after_unknown: {} } },
      ],
    };
    writeFileSync(join(dir, "plan.json"), JSON.stringify(plan));
    const s = await readIac(join(dir, "plan.json"));
    expect(s.secrets.map((x) => x.id)).toEqual(["aws_secretsmanager_secret.x"]);
    expect(s.secrets[0].unknowns).toMatchObject({ kmsKeyId: "known after apply" });
  });
});

describe("cdktf synth output with two stacks", () => {
  test("prefixes ids with the stack, keeps construct paths and file lines", async () => {
    const { snapshot: s, literals } = await readIacPaths(["examples/cdktf/cdktf.out"]);
    expect(s.source.kind).toBe("cdktf");
    const oauth = secret(s, "portal-secrets/aws_secretsmanager_secret.oauth_client");
    expect(oauth.source).toMatchObject({ constructPath: "portal-secrets/oauth_client", file: "examples/cdktf/cdktf.out/stacks/portal-secrets/cdk.tf.json" });
    expect(oauth.source.kind === "iac" && oauth.source.line).toBeGreaterThan(1);
    expect(oauth.unknowns?.kmsKeyId).toBe("var.oauth_kms_key_id has no default");
    expect(secret(s, "portal-secrets/aws_secretsmanager_secret.patient_db").kmsKeyId).toBe("portal-secrets/aws_kms_key.secrets_key");
    expect(s.vpcs.map((v) => v.id)).toEqual(["portal-network/aws_vpc.portal"]);
    expect(s.trails[0].id).toBe("portal-network/aws_cloudtrail.audit");
    expect(literals).toEqual([LITERAL]);
    expect(JSON.stringify(s)).not.toContain(LITERAL);
  });
});
