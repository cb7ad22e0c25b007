import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import { DescribeRegionsCommand, DescribeVpcEndpointsCommand, DescribeVpcsCommand, EC2Client, paginateDescribeVpcEndpoints } from "@aws-sdk/client-ec2";
import { isThrottlingError } from "@smithy/core/retry";
import { startSimulator, type RunningSimulator } from "../../src/simulator";
import { PROD, SHARED, SHARED_KEY_ID, cfg, smallEstate } from "./fixtures";

let sim: RunningSimulator;
let kms: KMSClient;
let ec2: EC2Client;

beforeAll(async () => {
  sim = await startSimulator({ estate: smallEstate() });
  kms = new KMSClient(cfg(sim, "us-east-1", sim.credentialsFor(PROD)));
  ec2 = new EC2Client(cfg(sim, "us-east-1", sim.credentialsFor(PROD)));
});
afterAll(async () => {
  kms.destroy();
  ec2.destroy();
  await sim.close();
});

describe("kms", () => {
  it("describes keys by alias, id, ARN and the AWS managed alias", async () => {
    const byAlias = await kms.send(new DescribeKeyCommand({ KeyId: "alias/app" }));
    const m = byAlias.KeyMetadata!;
    expect(m).toMatchObject({ KeyManager: "CUSTOMER", KeyState: "Enabled", Enabled: true, Origin: "AWS_KMS", MultiRegion: false, AWSAccountId: PROD });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: m.KeyId }))).KeyMetadata?.Arn).toBe(m.Arn);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: m.Arn }))).KeyMetadata?.KeyId).toBe(m.KeyId);
    const managed = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }));
    expect(managed.KeyMetadata?.KeyManager).toBe("AWS");
    const doomed = await kms.send(new DescribeKeyCommand({ KeyId: "alias/doomed" }));
    expect(doomed.KeyMetadata).toMatchObject({ KeyState: "PendingDeletion", Enabled: false });
    expect(doomed.KeyMetadata?.DeletionDate).toBeInstanceOf(Date);
  });

  it("reports rotation status, true for AWS managed keys", async () => {
    const app = await kms.send(new DescribeKeyCommand({ KeyId: "alias/app" }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: app.KeyMetadata!.KeyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    const managed = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: managed.KeyMetadata!.Arn }))).KeyRotationEnabled).toBe(true);
    const doomed = await kms.send(new DescribeKeyCommand({ KeyId: "alias/doomed" }));
    await expect(kms.send(new GetKeyRotationStatusCommand({ KeyId: doomed.KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: "KMSInvalidStateException" });
  });

  it("allows cross-account DescribeKey only where the key policy allows the caller, GetKeyPolicy only to the owner", async () => {
    const shared = `arn:aws:kms:us-east-1:${SHARED}:key/${SHARED_KEY_ID}`;
    const d = await kms.send(new DescribeKeyCommand({ KeyId: shared }));
    expect(d.KeyMetadata?.AWSAccountId).toBe(SHARED);
    await expect(kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${SHARED}:key/0b3f5c7e-1111-4a2b-9c3d-00000000bbbb` }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(kms.send(new GetKeyPolicyCommand({ KeyId: shared }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    const owner = new KMSClient(cfg(sim, "us-east-1", sim.credentialsFor(SHARED)));
    const policy = await owner.send(new GetKeyPolicyCommand({ KeyId: SHARED_KEY_ID }));
    expect(policy.PolicyName).toBe("default");
    expect(policy.Policy).toContain(`arn:aws:iam::${PROD}:root`);
    owner.destroy();
  });

  it("lists aliases with paging, AWS managed ones without a target", async () => {
    const first = await kms.send(new ListAliasesCommand({ Limit: 5 }));
    expect(first.Aliases).toHaveLength(5);
    expect(first.Truncated).toBe(true);
    const rest = await kms.send(new ListAliasesCommand({ Limit: 100, Marker: first.NextMarker }));
    const all = [...(first.Aliases ?? []), ...(rest.Aliases ?? [])];
    expect(all.find((a) => a.AliasName === "alias/app")?.TargetKeyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(all.find((a) => a.AliasName === "alias/aws/rds")?.TargetKeyId).toBeUndefined();
    expect(rest.Truncated).toBe(false);
  });
});

describe("ec2", () => {
  it("lists enabled regions, and opt-in ones with AllRegions", async () => {
    const r = await ec2.send(new DescribeRegionsCommand({}));
    expect(r.Regions?.map((x) => x.RegionName)).toEqual(["us-east-1", "us-west-2"]);
    const all = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.find((x) => x.RegionName === "ap-east-1")?.OptInStatus).toBe("not-opted-in");
  });

  it("describes VPCs with filters", async () => {
    const all = await ec2.send(new DescribeVpcsCommand({}));
    expect(all.Vpcs).toHaveLength(3);
    const def = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }));
    expect(def.Vpcs?.map((v) => v.IsDefault)).toEqual([true]);
    expect(all.Vpcs?.find((v) => v.Tags?.some((t) => t.Key === "Name" && t.Value === "app"))?.CidrBlock).toBe("10.1.0.0/16");
  });

  it("describes VPC endpoints with filters and pages", async () => {
    const sm = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "service-name", Values: ["com.amazonaws.us-east-1.secretsmanager"] }] }));
    expect(sm.VpcEndpoints?.map((e) => [e.VpcEndpointType, e.State, e.PrivateDnsEnabled])).toEqual([
      ["Interface", "available", true],
      ["Interface", "available", false],
    ]);
    expect(sm.VpcEndpoints?.[0]?.VpcEndpointId).toBe("vpce-0aaaaaaaaaaaaaaa1");
    expect(sm.VpcEndpoints?.[0]?.SubnetIds).toHaveLength(2);
    expect(JSON.parse(sm.VpcEndpoints?.[0]?.PolicyDocument ?? "")).toHaveProperty("Statement");
    const gw = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-endpoint-type", Values: ["Gateway"] }] }));
    expect(gw.VpcEndpoints?.map((e) => e.ServiceName)).toEqual(["com.amazonaws.us-east-1.s3"]);
    const pages: number[] = [];
    for await (const p of paginateDescribeVpcEndpoints({ client: ec2, pageSize: 2 }, {})) pages.push(p.VpcEndpoints?.length ?? 0);
    expect(pages).toEqual([2, 1]);
    await expect(ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "bogus", Values: ["x"] }] }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("throttles the EC2 Describe bucket with HTTP 503 RequestLimitExceeded, which the SDK sees as throttling", async () => {
    const client = new EC2Client(cfg(sim, "us-west-2", sim.credentialsFor(PROD)));
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.send(new DescribeVpcsCommand({}))));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    // Burst of 100, refilled at 20/s while the 200 requests are in flight.
    expect(rejected.length).toBeGreaterThanOrEqual(50);
    const err = rejected[0]?.reason as { name: string; $metadata: { httpStatusCode: number }; $retryable?: unknown };
    expect(err.name).toBe("RequestLimitExceeded");
    expect(err.$metadata.httpStatusCode).toBe(503);
    expect(isThrottlingError(err as never)).toBe(true);
    expect(sim.stats().throttlesByOperation["ec2:DescribeVpcs"]).toBe(rejected.length);
    client.destroy();
  });
});
