/** A small, hand-built estate for the report tests: every number in the cost tests is computed from it by hand. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIO } from "../../src/cli/io";
import type { Finding, FindingsFile, Status } from "../../src/findings/types";
import type { LiveSource, Snapshot } from "../../src/inventory/types";

export const A1 = "111111111111";
export const A2 = "222222222222";
/** An attacker-chosen secret name: markup, script and an attribute break-out. */
export const HOSTILE_NAME = `prod/<script>alert("x")</script>"><img src=x onerror=alert(1)>`;

const live = (accountId: string, region: string, api = "secretsmanager:ListSecrets"): LiveSource => ({ kind: "live", accountId, region, api });
const arn = (a: string, r: string, name: string): string => `arn:aws:secretsmanager:${r}:${a}:secret:${name}-AbCdEf`;
export const KEY_ROT = `arn:aws:kms:us-east-1:${A1}:key/1111aaaa-0000-0000-0000-000000000001`;
export const KEY_NOROT = `arn:aws:kms:us-east-1:${A1}:key/1111aaaa-0000-0000-0000-000000000002`;
export const KEY_UNUSED = `arn:aws:kms:eu-west-1:${A2}:key/2222bbbb-0000-0000-0000-000000000003`;

/**
 * The estate, as of 2026-11-01:
 * - A1 us-east-1: `app/db` (CMK with rotation, replicated to eu-west-1 and us-west-2, 300,000 reads
 *   in 30 days by 2 principals), `app/api` (CMK without rotation), HOSTILE_NAME (default key,
 *   last used 200 days ago), `old/thing` (pending deletion).
 * - A2 eu-west-1: `=cmd|' /C calc'!A0` (default key, tagged CostCenter=cc-2), unused CMK KEY_UNUSED.
 * - A1 us-east-1 VPC with a secretsmanager interface endpoint in 3 subnets.
 */
export function estate(): Snapshot {
  const s1 = live(A1, "us-east-1");
  return {
    schemaVersion: "1.0",
    tool: { name: "sm-audit", version: "0.1.0" },
    generatedAt: "2026-11-01T00:00:00.000Z",
    source: { kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" },
    accounts: [{ id: A1, name: "prod" }, { id: A2, name: "payments" }],
    regions: ["us-east-1", "eu-west-1"],
    secrets: [
      {
        id: arn(A1, "us-east-1", "app/db"), arn: arn(A1, "us-east-1", "app/db"), name: "app/db", accountId: A1, region: "us-east-1", source: s1,
        kmsKeyId: KEY_ROT, rotation: { enabled: true, afterDays: 30, lastRotated: "2026-10-20T00:00:00.000Z" },
        lastAccessed: "2026-10-31T00:00:00.000Z", created: "2025-01-01T00:00:00.000Z", primaryRegion: "us-east-1",
        replicas: [{ region: "eu-west-1", kmsKeyId: null }, { region: "us-west-2", kmsKeyId: null }],
        tags: { CostCenter: "cc-1", Owner: "team-a", DataClassification: "phi" }, policy: null,
      },
      {
        id: arn(A1, "us-east-1", "app/api"), arn: arn(A1, "us-east-1", "app/api"), name: "app/api", accountId: A1, region: "us-east-1", source: s1,
        kmsKeyId: KEY_NOROT, rotation: { enabled: false }, lastAccessed: "2026-10-30T00:00:00.000Z", created: "2025-06-01T00:00:00.000Z",
        tags: { CostCenter: "cc-1" }, policy: null,
      },
      {
        id: arn(A1, "us-east-1", "hostile"), arn: arn(A1, "us-east-1", "hostile"), name: HOSTILE_NAME, accountId: A1, region: "us-east-1", source: s1,
        kmsKeyId: null, rotation: { enabled: false }, lastAccessed: "2026-04-15T00:00:00.000Z", created: "2025-01-01T00:00:00.000Z", tags: {}, policy: null,
      },
      {
        id: arn(A1, "us-east-1", "old/thing"), arn: arn(A1, "us-east-1", "old/thing"), name: "old/thing", accountId: A1, region: "us-east-1", source: s1,
        kmsKeyId: null, rotation: { enabled: false }, created: "2024-01-01T00:00:00.000Z", deleted: "2026-10-25T00:00:00.000Z", tags: {}, policy: null,
      },
      {
        id: arn(A2, "eu-west-1", "calc"), arn: arn(A2, "eu-west-1", "calc"), name: "=cmd|' /C calc'!A0", accountId: A2, region: "eu-west-1", source: live(A2, "eu-west-1"),
        kmsKeyId: null, rotation: { enabled: false }, lastAccessed: "2026-10-01T00:00:00.000Z", created: "2025-01-01T00:00:00.000Z", tags: { CostCenter: "cc-2" }, policy: null,
      },
    ],
    kmsKeys: [
      { id: KEY_ROT, arn: KEY_ROT, keyId: "1111aaaa-0000-0000-0000-000000000001", accountId: A1, region: "us-east-1", source: live(A1, "us-east-1", "kms:DescribeKey"), manager: "CUSTOMER", state: "Enabled", rotationEnabled: true, rotationPeriodDays: 365, aliases: ["alias/app"] },
      { id: KEY_NOROT, arn: KEY_NOROT, keyId: "1111aaaa-0000-0000-0000-000000000002", accountId: A1, region: "us-east-1", source: live(A1, "us-east-1", "kms:DescribeKey"), manager: "CUSTOMER", state: "Enabled", rotationEnabled: false },
      { id: KEY_UNUSED, arn: KEY_UNUSED, keyId: "2222bbbb-0000-0000-0000-000000000003", accountId: A2, region: "eu-west-1", source: live(A2, "eu-west-1", "kms:DescribeKey"), manager: "CUSTOMER", state: "Enabled", rotationEnabled: false, aliases: ["alias/forgotten"] },
    ],
    vpcs: [
      {
        id: `arn:aws:ec2:us-east-1:${A1}:vpc/vpc-1`, vpcId: "vpc-1", accountId: A1, region: "us-east-1", source: live(A1, "us-east-1", "ec2:DescribeVpcs"), isDefault: false,
        tags: { CostCenter: "net" }, subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
        endpoints: [{ id: "vpce-1", serviceName: "com.amazonaws.us-east-1.secretsmanager", type: "Interface", state: "available", privateDns: true, subnetIds: ["subnet-a", "subnet-b", "subnet-c"], source: live(A1, "us-east-1", "ec2:DescribeVpcEndpoints") }],
      },
    ],
    trails: [],
    reads: [
      { secretId: arn(A1, "us-east-1", "app/db"), accountId: A1, region: "us-east-1", principal: `arn:aws:iam::${A1}:role/app`, principalType: "AssumedRole", count: 200_000, deniedCount: 0, viaVpceCount: 200_000, awsServiceCount: 0, firstSeen: "2026-10-02T00:00:00.000Z", lastSeen: "2026-10-31T00:00:00.000Z" },
      { secretId: arn(A1, "us-east-1", "app/db"), accountId: A1, region: "us-east-1", principal: `arn:aws:iam::${A1}:role/batch`, principalType: "AssumedRole", count: 100_000, deniedCount: 0, viaVpceCount: 0, awsServiceCount: 0, firstSeen: "2026-10-02T00:00:00.000Z", lastSeen: "2026-10-31T00:00:00.000Z" },
      { secretId: arn(A1, "us-east-1", "app/api"), accountId: A1, region: "us-east-1", principal: `arn:aws:iam::${A1}:role/api`, principalType: "AssumedRole", count: 500, deniedCount: 0, viaVpceCount: 500, awsServiceCount: 0, firstSeen: "2026-10-02T00:00:00.000Z", lastSeen: "2026-10-30T00:00:00.000Z" },
    ],
    coverage: [
      { accountId: A1, region: "us-east-1", kind: "secrets", status: "collected", count: 4 },
      { accountId: A1, region: "us-east-1", kind: "reads", status: "collected", count: 3 },
      { accountId: A2, region: "eu-west-1", kind: "secrets", status: "collected", count: 1 },
      { accountId: A2, region: "eu-west-1", kind: "reads", status: "denied", errorCode: "AccessDeniedException", message: "cloudtrail:LookupEvents denied" },
    ],
  };
}

/** A findings file built by hand (independent of the policy engine) with every status. */
export function findingsFixture(): FindingsFile {
  const s = estate();
  const mk = (ruleId: string, idx: number, status: Status, extra: Partial<Finding> = {}): Finding => {
    const sec = s.secrets[idx];
    return {
      id: `${ruleId}/${sec.id}`, ruleId, title: `${ruleId} title`, severity: ruleId === "secret-policy-not-public" ? "critical" : "medium",
      resourceKind: "secret", resourceId: sec.id, resourceName: sec.name, accountId: sec.accountId, region: sec.region, status,
      message: `${sec.name} is ${status}`, evidence: [{ path: "name", value: sec.name, source: sec.source }], source: sec.source,
      controls: ruleId === "secret-unused" ? { hipaa: ["164.308(a)(4)(ii)(C)"], "pci-dss-4.0": ["8.2.6"], fsbp: ["SecretsManager.3"] } : { hipaa: ["164.312(a)(1)"], "pci-dss-4.0": ["7.2.1"] },
      ...extra,
    };
  };
  const findings: Finding[] = [
    mk("secret-unused", 0, "pass"), mk("secret-unused", 1, "pass"), mk("secret-unused", 2, "fail"), mk("secret-unused", 4, "unknown", { reason: "reads not collected" }),
    mk("secret-policy-not-public", 0, "pass"), mk("secret-policy-not-public", 2, "fail"),
    mk("secret-policy-not-public", 4, "suppressed", { suppressedStatus: "fail", suppression: { rule: "secret-policy-not-public", resource: "x", reason: "=HYPERLINK(\"http://evil\")", owner: "sec@example.com", expires: "2027-01-01" } }),
    mk("secret-policy-not-public", 3, "not_applicable", { reason: "pending deletion" }),
  ];
  return {
    schemaVersion: "1.0", tool: { name: "sm-audit", version: "0.1.0" }, generatedAt: "2026-11-01T01:00:00.000Z",
    snapshot: { generatedAt: s.generatedAt, source: s.source }, rulesDigest: "f".repeat(64), params: {},
    summary: { byStatus: { pass: 3, fail: 2, unknown: 1, suppressed: 1, not_applicable: 1 }, failBySeverity: { critical: 1, high: 0, medium: 1, low: 0, info: 0 }, rules: 2, resources: 5 },
    coverageGaps: s.coverage.filter((c) => c.status !== "collected"),
    expiredSuppressions: [{ rule: "secret-unused", resource: "arn:x", reason: "<b>old</b>", owner: "bob", expires: "2026-01-01", matched: 1 }],
    findings,
  };
}

/** A fresh temp directory. */
export function tempDir(prefix = "smr-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A capturing CLI io rooted at `cwd`. */
export function captureIO(cwd: string): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY: false, cwd, env: {} };
}
