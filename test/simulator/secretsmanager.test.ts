import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
  paginateListSecrets,
  type SecretListEntry,
} from "@aws-sdk/client-secrets-manager";
import { startSimulator, type RunningSimulator } from "../../src/simulator";
import { PROD, cfg, smallEstate } from "./fixtures";

let sim: RunningSimulator;
let sm: SecretsManagerClient;

beforeAll(async () => {
  sim = await startSimulator({ estate: smallEstate() });
  sm = new SecretsManagerClient(cfg(sim, "us-east-1", sim.credentialsFor(PROD)));
});
afterAll(async () => {
  sm.destroy();
  await sim.close();
});

describe("secretsmanager", () => {
  it("pages ListSecrets at 100 per page and hides planned deletions by default", async () => {
    const pages: SecretListEntry[][] = [];
    for await (const page of paginateListSecrets({ client: sm }, {})) pages.push(page.SecretList ?? []);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 34]);
    const names = pages.flat().map((s) => s.Name);
    expect(new Set(names).size).toBe(234);
    expect(names).not.toContain("old/deleted");
    const withDeleted = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: "name", Values: ["old/"] }] }));
    expect(withDeleted.SecretList?.map((s) => s.Name)).toEqual(["old/deleted"]);
    expect(withDeleted.SecretList?.[0]?.DeletedDate).toBeInstanceOf(Date);
  });
});

describe("secret fields as AWS returns them", () => {
  it("omits KmsKeyId for the default key and reports CMKs as given", async () => {
    const list = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["default-key-secret", "cross-account", "bulk/app-001"] }] }));
    const byName = new Map(list.SecretList?.map((s) => [s.Name, s]));
    expect(byName.get("default-key-secret")).toBeDefined();
    expect(byName.get("default-key-secret")).not.toHaveProperty("KmsKeyId");
    expect(byName.get("cross-account")?.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:222222222222:key\//);
    expect(byName.get("bulk/app-001")?.KmsKeyId).toBe(`arn:aws:kms:us-east-1:${PROD}:alias/app`);
    expect(byName.get("bulk/app-001")?.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:333333333333:secret:bulk\/app-001-[A-Za-z0-9]{6}$/);
  });

  it("filters by tag, negation and owning service", async () => {
    const phi = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "tag-value", Values: ["phi"] }] }));
    expect(phi.SecretList?.map((s) => s.Name)).toEqual(["patients/db"]);
    const rds = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "owning-service", Values: ["rds"] }] }));
    expect(rds.SecretList?.[0]?.Name).toBe("rds!db-1234");
    expect(rds.SecretList?.[0]?.RotationEnabled).toBe(true);
    expect(rds.SecretList?.[0]?.RotationLambdaARN).toBeUndefined();
    const notBulk = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["!bulk/"] }] }));
    expect(notBulk.SecretList?.length).toBe(4);
  });

  it("describes rotation, dates, replicas and LastAccessedDate at midnight UTC", async () => {
    const d = await sm.send(new DescribeSecretCommand({ SecretId: "patients/db" }));
    expect(d.RotationEnabled).toBe(true);
    expect(d.RotationRules?.AutomaticallyAfterDays).toBe(30);
    expect(d.LastRotatedDate).toBeInstanceOf(Date);
    expect(d.NextRotationDate!.getTime()).toBeGreaterThan(d.LastRotatedDate!.getTime());
    expect(d.LastAccessedDate!.getTime() % 86_400_000).toBe(0);
    expect(d.PrimaryRegion).toBe("us-east-1");
    expect(d.ReplicationStatus).toEqual([
      expect.objectContaining({ Region: "us-west-2", KmsKeyId: "alias/aws/secretsmanager", Status: "InSync" }),
    ]);
    expect(d.VersionIdsToStages && Object.values(d.VersionIdsToStages).flat().sort()).toEqual(["AWSCURRENT", "AWSPREVIOUS"]);
    // By full and partial ARN too.
    const byArn = await sm.send(new DescribeSecretCommand({ SecretId: d.ARN }));
    const byPartial = await sm.send(new DescribeSecretCommand({ SecretId: d.ARN!.slice(0, -7) }));
    expect(byArn.Name).toBe("patients/db");
    expect(byPartial.Name).toBe("patients/db");
  });

  it("serves a replica as its own secret in the replica region only", async () => {
    const west = new SecretsManagerClient(cfg(sim, "us-west-2", sim.credentialsFor(PROD)));
    const list = await west.send(new ListSecretsCommand({}));
    expect(list.SecretList?.map((s) => [s.Name, s.PrimaryRegion, s.KmsKeyId])).toEqual([["patients/db", "us-east-1", undefined]]);
    expect(list.SecretList?.[0]?.ARN).toContain(":us-west-2:");
    const d = await west.send(new DescribeSecretCommand({ SecretId: "patients/db" }));
    expect(d.ReplicationStatus).toBeUndefined();
    west.destroy();
    const east = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "primary-region", Values: ["us-west-2"] }] }));
    expect(east.SecretList).toEqual([]);
  });

  it("returns the resource policy as JSON text, and none when there is none", async () => {
    const p = await sm.send(new GetResourcePolicyCommand({ SecretId: "patients/db" }));
    expect(JSON.parse(p.ResourcePolicy ?? "")).toMatchObject({ Statement: [{ Principal: { AWS: "arn:aws:iam::999988887777:root" } }] });
    const none = await sm.send(new GetResourcePolicyCommand({ SecretId: "default-key-secret" }));
    expect(none.ResourcePolicy).toBeUndefined();
    expect(none.Name).toBe("default-key-secret");
  });

  it("refuses every secret-value read and counts it", async () => {
    sim.resetStats();
    await expect(sm.send(new GetSecretValueCommand({ SecretId: "patients/db" }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["patients/db"] }))).rejects.toThrow(/never serves secret values/);
    expect(sim.stats().valueReads).toBe(2);
  });

  it("rejects a NextToken from another query and unknown secrets", async () => {
    const first = await sm.send(new ListSecretsCommand({ MaxResults: 10 }));
    await expect(sm.send(new ListSecretsCommand({ MaxResults: 10, NextToken: first.NextToken, Filters: [{ Key: "name", Values: ["x"] }] }))).rejects.toMatchObject({ name: "InvalidNextTokenException" });
    await expect(sm.send(new DescribeSecretCommand({ SecretId: "nope" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
