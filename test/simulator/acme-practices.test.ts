/**
 * The sample estate promises that every live-decidable catalogue rule passes somewhere and
 * fails somewhere. This checks the raw facts behind each rule through the real SDK.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeSecretCommand, GetResourcePolicyCommand, SecretsManagerClient, paginateListSecrets, type SecretListEntry } from "@aws-sdk/client-secrets-manager";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, type KeyMetadata } from "@aws-sdk/client-kms";
import { DescribeVpcEndpointsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CloudTrailClient, DescribeTrailsCommand, GetQueryResultsCommand, GetTrailStatusCommand, StartQueryCommand } from "@aws-sdk/client-cloudtrail";
import { loadEstate, startSimulator, type RunningSimulator } from "../../src/simulator";
import { cfg } from "./fixtures";

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
const DAY = 86_400_000;

interface Secret extends SecretListEntry {
  account: string;
  region: string;
  policy?: { Statement: Array<{ Effect: string; Principal?: unknown; Action?: unknown; Condition?: Record<string, Record<string, unknown>> }> };
  key?: KeyMetadata;
  keyRotates?: boolean;
}

let sim: RunningSimulator;
let now: number;
const secrets: Secret[] = [];
const vpcs: Array<{ account: string; isDefault: boolean; endpoints: Array<{ privateDns: boolean }> }> = [];
const trails = new Map<string, boolean>();
let reads: Array<Record<string, string>> = [];

beforeAll(async () => {
  const estate = loadEstate(join(__dirname, "../../examples/estates/acme-health.yaml"));
  sim = await startSimulator({ estate, timeScale: 10 });
  now = sim.now().getTime();
  for (const account of estate.accounts) {
    const creds = sim.credentialsFor(account.id);
    trails.set(account.id, false);
    for (const region of REGIONS) {
      const sm = new SecretsManagerClient(cfg(sim, region, creds, 3));
      const kms = new KMSClient(cfg(sim, region, creds, 3));
      const ec2 = new EC2Client(cfg(sim, region, creds, 3));
      for await (const page of paginateListSecrets({ client: sm }, { IncludePlannedDeletion: true })) {
        for (const s of page.SecretList ?? []) {
          const secret: Secret = { ...s, account: account.id, region };
          const p = await sm.send(new GetResourcePolicyCommand({ SecretId: s.ARN }));
          if (p.ResourcePolicy) secret.policy = JSON.parse(p.ResourcePolicy);
          if (s.KmsKeyId) {
            secret.key = (await kms.send(new DescribeKeyCommand({ KeyId: s.KmsKeyId }))).KeyMetadata;
            if (secret.key?.KeyState !== "PendingDeletion") {
              secret.keyRotates = (await kms.send(new GetKeyRotationStatusCommand({ KeyId: secret.key?.Arn }))).KeyRotationEnabled;
            }
          }
          secrets.push(secret);
        }
      }
      const endpoints = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "service-name", Values: [`com.amazonaws.${region}.secretsmanager`] }] }))).VpcEndpoints ?? [];
      for (const v of (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []) {
        vpcs.push({ account: account.id, isDefault: v.IsDefault ?? false, endpoints: endpoints.filter((e) => e.VpcId === v.VpcId).map((e) => ({ privateDns: e.PrivateDnsEnabled ?? false })) });
      }
      const ct = new CloudTrailClient(cfg(sim, region, creds, 3));
      for (const t of (await ct.send(new DescribeTrailsCommand({}))).trailList ?? []) {
        const status = await ct.send(new GetTrailStatusCommand({ Name: t.TrailARN }));
        if (t.IsMultiRegionTrail && t.LogFileValidationEnabled && status.IsLogging) trails.set(account.id, true);
      }
      for (const c of [sm, kms, ec2, ct]) c.destroy();
    }
  }
  const ct = new CloudTrailClient(cfg(sim, "us-east-1", sim.credentials, 3));
  const { QueryId } = await ct.send(new StartQueryCommand({
    QueryStatement: `SELECT element_at(requestParameters, 'secretId') AS secretId, recipientAccountId, awsRegion, userIdentity.arn AS principalArn,
      userIdentity.type AS principalType, vpcEndpointId, errorCode, COUNT(*) AS reads, MAX(eventTime) AS lastSeen
      FROM acme-org-lake WHERE eventName = 'GetSecretValue' GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  }));
  let res = await ct.send(new GetQueryResultsCommand({ QueryId }));
  while (res.QueryStatus !== "FINISHED") res = await ct.send(new GetQueryResultsCommand({ QueryId }));
  reads = (res.QueryResultRows ?? []).map((row) => Object.assign({}, ...row));
  ct.destroy();
}, 60_000);

afterAll(async () => {
  await sim.close();
});

/** Secrets (primaries only, not service-owned) matching `pred`. */
const some = (pred: (s: Secret) => boolean): number => secrets.filter((s) => !s.OwningService && (!s.PrimaryRegion || s.PrimaryRegion === s.region) && pred(s)).length;
const classified = (s: Secret): boolean => ["phi", "pci"].includes(s.Tags?.find((t) => t.Key === "DataClassification")?.Value ?? "");
const readsOf = (s: Secret): Array<Record<string, string>> => reads.filter((r) => r.recipientAccountId === s.account && r.awsRegion === s.region && (r.secretId === s.Name || s.ARN?.startsWith(r.secretId ?? "-")));
const denyOutsideVpce = (s: Secret): boolean => (s.policy?.Statement ?? []).some((st) => st.Effect === "Deny" && JSON.stringify(st.Condition ?? {}).includes("aws:SourceVpce"));

describe("Acme Health shows both sides of every live-decidable rule", () => {
  it("has a few hundred secrets in four or more accounts", () => {
    expect(secrets.length).toBeGreaterThanOrEqual(250);
    expect(new Set(secrets.map((s) => s.account)).size).toBeGreaterThanOrEqual(4);
  });

  it("rotation: enabled and not; interval ≤ 90 and > 90 (rate and cron); on time and overdue; recent and stale", () => {
    expect(some((s) => s.RotationEnabled === true)).toBeGreaterThan(0);
    expect(some((s) => s.RotationEnabled !== true)).toBeGreaterThan(0);
    expect(some((s) => (s.RotationRules?.AutomaticallyAfterDays ?? 0) > 90)).toBeGreaterThan(0);
    expect(some((s) => (s.RotationRules?.AutomaticallyAfterDays ?? 999) <= 90)).toBeGreaterThan(0);
    expect(some((s) => /^cron\(0 4 \? \* SUN \*\)$/.test(s.RotationRules?.ScheduleExpression ?? ""))).toBeGreaterThan(0);
    expect(some((s) => (s.RotationRules?.ScheduleExpression ?? "").includes("1/6"))).toBeGreaterThan(0);
    expect(some((s) => s.RotationEnabled === true && s.NextRotationDate!.getTime() < now)).toBeGreaterThan(0);
    expect(some((s) => s.RotationEnabled === true && s.NextRotationDate!.getTime() > now)).toBeGreaterThan(0);
    const last = (s: Secret): number => (s.LastRotatedDate ?? s.CreatedDate)!.getTime();
    expect(some((s) => last(s) < now - 90 * DAY)).toBeGreaterThan(0);
    expect(some((s) => last(s) > now - 90 * DAY)).toBeGreaterThan(0);
  });

  it("usage: recently used and unused secrets; deleted secrets read and not read during their window", () => {
    expect(some((s) => (s.LastAccessedDate?.getTime() ?? 0) > now - 90 * DAY)).toBeGreaterThan(0);
    expect(some((s) => (s.LastAccessedDate?.getTime() ?? 0) < now - 90 * DAY)).toBeGreaterThan(0);
    const deleted = secrets.filter((s) => s.DeletedDate);
    const readAfter = (s: Secret): boolean => readsOf(s).some((r) => r.errorCode === "" && Date.parse(`${r.lastSeen?.replace(" ", "T")}Z`) > s.DeletedDate!.getTime());
    expect(deleted.filter(readAfter).length).toBeGreaterThan(0);
    expect(deleted.filter((s) => !readAfter(s)).length).toBeGreaterThan(0);
  });

  it("encryption: default key and CMKs; rotating and non-rotating, usable and unusable, own and foreign keys", () => {
    expect(some((s) => !s.KmsKeyId)).toBeGreaterThan(0);
    expect(some((s) => s.key?.KeyManager === "CUSTOMER")).toBeGreaterThan(0);
    expect(some((s) => s.key?.KeyManager === "CUSTOMER" && s.keyRotates === false)).toBeGreaterThan(0);
    expect(some((s) => s.key?.KeyManager === "CUSTOMER" && s.keyRotates === true)).toBeGreaterThan(0);
    expect(new Set(secrets.map((s) => s.key?.KeyState).filter(Boolean))).toEqual(new Set(["Enabled", "Disabled", "PendingDeletion"]));
    expect(some((s) => s.key !== undefined && s.key.AWSAccountId !== s.account)).toBeGreaterThan(0);
    expect(some((s) => s.key !== undefined && s.key.AWSAccountId === s.account)).toBeGreaterThan(0);
  });

  it("replicas: a secret with every replica on a CMK, and one with a replica on the default key", async () => {
    const sm = new SecretsManagerClient(cfg(sim, "us-east-1", sim.credentialsFor("434567890123")));
    const mixed = await sm.send(new DescribeSecretCommand({ SecretId: "phi/ehr-api/replicated-master" }));
    expect(mixed.ReplicationStatus?.map((r) => r.KmsKeyId?.includes("aws/secretsmanager"))).toEqual([false, true]);
    const good = await sm.send(new DescribeSecretCommand({ SecretId: "phi/ehr-api/session-signing-key" }));
    expect(good.ReplicationStatus?.map((r) => r.KmsKeyId?.includes("aws/secretsmanager"))).toEqual([false]);
    sm.destroy();
  });

  it("policies: public and restricted-public, foreign principals, wildcard actions, VPC-endpoint deny on some classified secrets only", () => {
    const allows = (s: Secret) => (s.policy?.Statement ?? []).filter((st) => st.Effect === "Allow");
    expect(some((s) => allows(s).some((st) => st.Principal === "*" && !st.Condition))).toBeGreaterThan(0);
    expect(some((s) => allows(s).some((st) => st.Principal === "*" && JSON.stringify(st.Condition ?? {}).includes("aws:PrincipalOrgID")))).toBeGreaterThan(0);
    expect(some((s) => allows(s).some((st) => JSON.stringify(st.Principal ?? "").includes("999988887777")))).toBeGreaterThan(0);
    expect(some((s) => allows(s).some((st) => st.Action === "secretsmanager:*"))).toBeGreaterThan(0);
    expect(some((s) => !s.policy)).toBeGreaterThan(0);
    expect(some((s) => classified(s) && denyOutsideVpce(s))).toBeGreaterThan(0);
    expect(some((s) => classified(s) && !denyOutsideVpce(s))).toBeGreaterThan(0);
  });

  it("tags: complete and missing DataClassification", () => {
    const hasAll = (s: Secret): boolean => ["Owner", "DataClassification"].every((k) => s.Tags?.some((t) => t.Key === k));
    expect(some(hasAll)).toBeGreaterThan(0);
    expect(some((s) => !hasAll(s))).toBeGreaterThan(0);
  });

  it("network: VPCs with a private-DNS endpoint, without one, with private DNS off, and default VPCs", () => {
    const custom = vpcs.filter((v) => !v.isDefault);
    expect(custom.filter((v) => v.endpoints.some((e) => e.privateDns)).length).toBeGreaterThan(0);
    expect(custom.filter((v) => v.endpoints.length === 0).length).toBeGreaterThan(0);
    expect(custom.filter((v) => v.endpoints.length > 0 && v.endpoints.every((e) => !e.privateDns)).length).toBeGreaterThan(0);
    expect(vpcs.filter((v) => v.isDefault).length).toBeGreaterThan(0);
  });

  it("reads: classified secrets read through the endpoint and over the internet; expected and unexpected principals; denied bursts", () => {
    const cls = secrets.filter(classified);
    expect(cls.filter((s) => readsOf(s).length > 0 && readsOf(s).every((r) => r.vpcEndpointId !== "")).length).toBeGreaterThan(0);
    expect(cls.filter((s) => readsOf(s).some((r) => r.vpcEndpointId === "" && r.principalType !== "AWSService")).length).toBeGreaterThan(0);
    const types = new Set(reads.map((r) => r.principalType));
    expect([...types].sort()).toEqual(["AWSService", "AssumedRole", "IAMUser", "Root"]);
    expect(reads.some((r) => r.errorCode === "AccessDenied" && Number(r.reads) > 10)).toBe(true);
    expect(reads.some((r) => r.errorCode === "")).toBe(true);
  });

  it("trails: some accounts have a logging multi-region validated trail, others do not", () => {
    expect([...trails.values()]).toContain(true);
    expect([...trails.values()]).toContain(false);
  });
});
