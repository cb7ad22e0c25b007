/**
 * A hand-built snapshot that fails every remediable rule of the catalogue, plus rule
 * stubs with the catalogue's remediation kinds (for planner tests that must not depend
 * on which rule files exist yet).
 */
import type { FindingsFile, Finding } from "../../src/findings/types";
import type { Secret, Snapshot, Source } from "../../src/inventory/types";
import type { RuleInfo } from "../../src/remediate/plan";

export const ACCT = "111111111111";
export const OTHER = "222222222222";
export const FOREIGN = "999999999999";
export const R1 = "us-east-1";
export const R2 = "eu-west-1";

const live = (region = R1, accountId = ACCT, api = "secretsmanager:ListSecrets"): Source => ({ kind: "live", accountId, region, api });
export const arn = (name: string, region = R1, acct = ACCT): string => `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-AbCdEf`;
export const KEY1 = `arn:aws:kms:${R1}:${ACCT}:key/11111111-1111-1111-1111-111111111111`;
export const KEY_FOREIGN = `arn:aws:kms:${R1}:${FOREIGN}:key/99999999-9999-9999-9999-999999999999`;

function secret(name: string, extra: Partial<Secret>, region = R1, acct = ACCT): Secret {
  return {
    id: arn(name, region, acct), arn: arn(name, region, acct), name, accountId: acct, region,
    source: live(region, acct), kmsKeyId: null, policy: null, tags: { Owner: "team", DataClassification: "internal" },
    created: "2025-01-01T00:00:00Z", lastAccessed: "2025-05-30T00:00:00Z", primaryRegion: region,
    rotation: { enabled: true, lambdaArn: `arn:aws:lambda:${region}:${acct}:function:rotate`, afterDays: 30, lastRotated: "2025-05-20T00:00:00Z", nextRotation: "2025-06-19T00:00:00Z" },
    ...extra,
  };
}

/** The snapshot: every secret fails something, each in its own way. */
export function failingSnapshot(): Snapshot {
  return {
    schemaVersion: "1.0",
    tool: { name: "sm-audit", version: "test" },
    generatedAt: "2025-06-01T00:00:00Z",
    source: { kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" },
    organization: { id: "o-abc", managementAccountId: ACCT },
    accounts: [{ id: ACCT, name: "prod" }, { id: OTHER, name: "shared" }],
    regions: [R1, R2],
    secrets: [
      // No rotation, default key, public policy, PHI without the VPC-endpoint deny, a replica on the default key.
      secret("prod/db", {
        rotation: { enabled: false },
        tags: { Owner: "team", DataClassification: "phi" },
        replicas: [{ region: R2, kmsKeyId: null, status: "InSync" }],
        policy: { Version: "2012-10-17", Statement: [
          { Sid: "Public", Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" },
          { Sid: "AppRole", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: "secretsmanager:GetSecretValue", Resource: "*" },
        ] },
      }),
      // Rotates every 180 days with a non-rotating CMK; foreign and wildcard grants.
      secret("prod/api", {
        kmsKeyId: KEY1,
        rotation: { enabled: true, lambdaArn: `arn:aws:lambda:${R1}:${ACCT}:function:rotate-api`, afterDays: 180, lastRotated: "2025-05-01T00:00:00Z", nextRotation: "2025-10-28T00:00:00Z" },
        policy: { Version: "2012-10-17", Statement: [
          { Sid: "Partner", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "secretsmanager:GetSecretValue", Resource: "*" },
          { Sid: "Everything", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:role/ops` }, Action: "secretsmanager:*", Resource: "*" },
          { Sid: "OrgRead", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OTHER}:role/reader` }, Action: "secretsmanager:DescribeSecret", Resource: "*" },
        ] },
      }),
      // Encrypted with a key of a foreign account; rotation tag names its Lambda.
      secret("prod/payments", {
        kmsKeyId: KEY_FOREIGN,
        rotation: { enabled: false },
        tags: { Owner: "pay", DataClassification: "pci", RotationLambdaArn: `arn:aws:lambda:${R1}:${ACCT}:function:rotate-payments` },
      }),
      // Service-owned: left to RDS.
      secret("rds!db-1234", { owningService: "rds", rotation: { enabled: false }, kmsKeyId: null }),
      // Unused for 200 days: manual.
      secret("legacy/token", { lastAccessed: "2024-11-13T00:00:00Z", kmsKeyId: KEY1 }),
      // The replica of prod/db in eu-west-1.
      secret("prod/db", { primaryRegion: R1, rotation: { enabled: false }, tags: { Owner: "team", DataClassification: "phi" } }, R2),
    ],
    kmsKeys: [
      { id: KEY1, arn: KEY1, keyId: KEY1.split("/")[1], accountId: ACCT, region: R1, manager: "CUSTOMER", state: "Enabled", rotationEnabled: false, origin: "AWS_KMS", multiRegion: false, aliases: ["alias/app"], policy: null, source: live(R1, ACCT, "kms:DescribeKey") },
      { id: KEY_FOREIGN, arn: KEY_FOREIGN, keyId: KEY_FOREIGN.split("/")[1], accountId: FOREIGN, region: R1, manager: "CUSTOMER", state: "Enabled", rotationEnabled: true, rotationPeriodDays: 365, source: live(R1, FOREIGN, "kms:DescribeKey") },
    ],
    vpcs: [
      { id: `arn:aws:ec2:${R1}:${ACCT}:vpc/vpc-0aaa`, vpcId: "vpc-0aaa", accountId: ACCT, region: R1, isDefault: false, cidr: "10.0.0.0/16", subnetIds: ["subnet-a1", "subnet-a2"], endpoints: [], source: live(R1, ACCT, "ec2:DescribeVpcs") },
      { id: `arn:aws:ec2:${R2}:${ACCT}:vpc/vpc-0bbb`, vpcId: "vpc-0bbb", accountId: ACCT, region: R2, isDefault: false, cidr: "10.1.0.0/16",
        endpoints: [{ id: "vpce-0bbb", serviceName: `com.amazonaws.${R2}.secretsmanager`, type: "Interface", state: "available", privateDns: false, subnetIds: ["subnet-b1"], securityGroupIds: ["sg-b1"], source: live(R2, ACCT, "ec2:DescribeVpcEndpoints") }],
        source: live(R2, ACCT, "ec2:DescribeVpcs") },
    ],
    trails: [
      { id: `arn:aws:cloudtrail:${R1}:${ACCT}:trail/local`, arn: `arn:aws:cloudtrail:${R1}:${ACCT}:trail/local`, name: "local", accountId: ACCT, region: R1, homeRegion: R1, isMultiRegion: false, logging: true, logFileValidation: false, managementEvents: { read: false, write: true }, kmsKeyId: null, s3Bucket: "logs", source: live(R1, ACCT, "cloudtrail:DescribeTrails") },
    ],
    reads: [],
    coverage: [],
  };
}

/** Rule stubs with the catalogue's remediation kinds (what the planner routes on). */
export const STUB_RULES: RuleInfo[] = [
  ["secret-rotation-enabled", "enable-rotation", { days: 30 }],
  ["secret-rotation-interval", "shorten-rotation", { days: "$params.maxDays" }, { maxDays: 90 }],
  ["secret-unused", "manual", { action: "Delete it if nobody needs it: aws secretsmanager delete-secret --secret-id {arn} --recovery-window-in-days 30" }, { maxDays: 90 }],
  ["secret-encrypted-with-cmk", "use-customer-managed-key", {}],
  ["secret-kms-key-owned-by-trusted-account", "use-customer-managed-key", {}],
  ["secret-replicas-encrypted-with-cmk", "use-customer-managed-key", {}],
  ["secret-kms-key-rotation-enabled", "enable-key-rotation", { periodDays: "$params.maxPeriodDays" }, { maxPeriodDays: 365 }],
  ["secret-policy-not-public", "replace-resource-policy", {}],
  ["secret-policy-trusted-principals-only", "replace-resource-policy", {}, { trustedAccounts: [] }],
  ["secret-policy-no-wildcard-actions", "replace-resource-policy", {}],
  ["secret-policy-requires-vpc-endpoint", "replace-resource-policy", { denyOutsideVpce: true }],
  ["vpc-has-secretsmanager-endpoint", "add-vpc-endpoint", {}],
  ["account-trail-multi-region-validated", "add-cloudtrail", {}],
].map(([id, kind, params, defaults]) => ({
  def: { id: id as string, params: (defaults ?? {}) as Record<string, unknown>, remediation: { kind: kind as string, params: params as Record<string, unknown> }, controls: { hipaa: ["164.312(a)(1)"] } },
}));

/** A failing finding as the evaluator would write it. */
export function fail(ruleId: string, resourceKind: Finding["resourceKind"], resourceId: string, accountId = ACCT, region = R1): Finding {
  return {
    id: `${ruleId}/${resourceId}`, ruleId, title: ruleId, severity: "high", resourceKind, resourceId, accountId, region,
    status: "fail", message: "fails", evidence: [], source: live(region, accountId), controls: { hipaa: ["164.312(a)(1)"], "pci-dss-4.0": ["3.5.1"] },
  };
}

/** A findings file around `findings`. */
export function findingsFile(findings: Finding[]): FindingsFile {
  return {
    schemaVersion: "1.0", tool: { name: "sm-audit", version: "test" }, generatedAt: "2025-06-01T00:00:00Z",
    snapshot: { generatedAt: "2025-06-01T00:00:00Z", source: { kind: "live" } }, rulesDigest: "x",
    params: { "secret-rotation-interval": { maxDays: 90 }, "secret-kms-key-rotation-enabled": { maxPeriodDays: 365 }, "secret-policy-trusted-principals-only": { trustedAccounts: [] } },
    summary: { byStatus: { pass: 0, fail: findings.length, unknown: 0, not_applicable: 0, suppressed: 0 }, failBySeverity: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 }, rules: 0, resources: 0 },
    coverageGaps: [], expiredSuppressions: [], findings,
  };
}

/** Findings for the failing snapshot, one or more per remediable rule. */
export function failingFindings(): FindingsFile {
  const db = arn("prod/db"), api = arn("prod/api"), pay = arn("prod/payments");
  return findingsFile([
    fail("secret-rotation-enabled", "secret", db),
    fail("secret-rotation-enabled", "secret", pay),
    fail("secret-rotation-interval", "secret", api),
    fail("secret-rotation-enabled", "secret", arn("rds!db-1234")),
    fail("secret-rotation-enabled", "secret", arn("prod/db", R2), ACCT, R2),
    fail("secret-unused", "secret", arn("legacy/token")),
    fail("secret-encrypted-with-cmk", "secret", db),
    fail("secret-replicas-encrypted-with-cmk", "secret", db),
    fail("secret-kms-key-owned-by-trusted-account", "secret", pay),
    fail("secret-kms-key-rotation-enabled", "secret", api),
    fail("secret-kms-key-rotation-enabled", "secret", arn("legacy/token")),
    fail("secret-policy-not-public", "secret", db),
    fail("secret-policy-requires-vpc-endpoint", "secret", db),
    fail("secret-policy-requires-vpc-endpoint", "secret", pay),
    fail("secret-policy-trusted-principals-only", "secret", api),
    fail("secret-policy-no-wildcard-actions", "secret", api),
    fail("vpc-has-secretsmanager-endpoint", "vpc", `arn:aws:ec2:${R1}:${ACCT}:vpc/vpc-0aaa`),
    fail("vpc-has-secretsmanager-endpoint", "vpc", `arn:aws:ec2:${R2}:${ACCT}:vpc/vpc-0bbb`, ACCT, R2),
    fail("account-trail-multi-region-validated", "account", ACCT),
  ]);
}
