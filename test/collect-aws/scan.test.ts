/** The live collectors against the simulator through the real SDK: plan, pagination, sessions, replicas, reads. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/simulator/server";
import type { Estate, EstateSecret } from "../../src/simulator/estate";
import { resolveReads, addEvent, type RawReads } from "../../src/collect/aws/reads";
import type { Secret } from "../../src/inventory/types";
import { DEV, MGMT, PROD, scanSim, sim, smallEstate } from "./helpers";
import { REPLICAS_IN_OTHER_SHARDS, shardOf, unitName } from "../../src/inventory/shard";
import { mergeSnapshots } from "../../src/inventory/merge";

describe("a clean scan of a small organization", () => {
  let s: RunningSimulator;
  beforeAll(async () => { s = await sim(smallEstate()); });
  afterAll(async () => { await s.close(); });

  it("collects every account-region with the minimal call plan and no gaps", async () => {
    s.resetStats();
    const { snapshot, stats } = await scanSim(s);
    expect(snapshot.coverage.filter((c) => c.status !== "collected")).toEqual([]);
    expect(snapshot.accounts.map((a) => a.id).sort()).toEqual([MGMT, PROD, DEV]);
    expect(snapshot.organization).toEqual({ id: "o-test123456", managementAccountId: MGMT });
    // 3 accounts × 2 regions, each kind recorded.
    for (const kind of ["secrets", "resourcePolicies", "kmsKeys", "vpcs", "trails", "reads"]) {
      expect(snapshot.coverage.filter((c) => c.kind === kind)).toHaveLength(6);
    }
    const served = s.stats().byOperation;
    expect(served["secretsmanager:DescribeSecret"]).toBeUndefined();
    expect(served["secretsmanager:GetSecretValue"]).toBeUndefined();
    expect(s.stats().valueReads).toBe(0);
    expect(stats.commands["secretsmanager:GetResourcePolicy"]).toBe(snapshot.secrets.length);
    expect(stats.commands["secretsmanager:ListSecrets"]).toBe(6);
    // One AssumeRole per member account; the caller (management) uses its own credentials.
    expect(stats.commands["sts:AssumeRole"]).toBe(2);
    // Two customer keys, each described once (alias refs resolved through ListAliases).
    expect(stats.commands["kms:DescribeKey"]).toBe(2);
    expect(stats.commands["kms:GetKeyPolicy"]).toBe(2);
    expect(stats.commands["kms:ListAliases"]).toBe(6);
  });

  it("assembles a primary's replicas from the other regions, each with its own key", async () => {
    const { snapshot } = await scanSim(s);
    const primary = snapshot.secrets.find((x) => x.name === "prod/db" && x.region === "us-east-1") as Secret;
    const replica = snapshot.secrets.find((x) => x.name === "prod/db" && x.region === "eu-west-1") as Secret;
    expect(primary.primaryRegion).toBe("us-east-1");
    expect(replica.primaryRegion).toBe("us-east-1");
    expect(primary.replicas).toEqual([{ region: "eu-west-1", kmsKeyId: replica.kmsKeyId }]);
    expect(replica.kmsKeyId).toMatch(/eu-west-1:222222222222:alias\/eu-app$/);
    const euKey = snapshot.kmsKeys.find((k) => k.region === "eu-west-1");
    expect(euKey?.aliases).toEqual(["alias/eu-app"]);
    expect(euKey?.rotationEnabled).toBe(false);
    expect(snapshot.kmsKeys.find((k) => k.region === "us-east-1")?.rotationEnabled).toBe(true);
    expect(primary.unknowns?.replicas).toBeUndefined();
  });

  it("marks replica lists unknown when only some regions are scanned", async () => {
    const { snapshot } = await scanSim(s, { regions: ["us-east-1"] });
    const primary = snapshot.secrets.find((x) => x.name === "prod/db") as Secret;
    expect(primary.unknowns?.replicas).toMatch(/only regions us-east-1/);
  });

  it("a shard that scans only some of an account's regions leaves replicas to the merge, which restores them", async () => {
    // Find a shard count that puts prod's us-east-1 and eu-west-1 in different shards.
    const count = [2, 3, 4, 5, 6, 7, 8].find((n) => shardOf(unitName(PROD, "us-east-1"), n) !== shardOf(unitName(PROD, "eu-west-1"), n)) as number;
    const shards = await Promise.all(Array.from({ length: count }, (_, i) => scanSim(s, { shard: { index: i + 1, count } })));
    const primaryShard = shards[shardOf(unitName(PROD, "us-east-1"), count) - 1].snapshot;
    const inShard = primaryShard.secrets.find((x) => x.name === "prod/db" && x.region === "us-east-1") as Secret;
    expect(inShard.unknowns?.replicas).toBe(REPLICAS_IN_OTHER_SHARDS); // not "no replicas"
    const merged = mergeSnapshots(shards.map((r) => r.snapshot));
    const primary = merged.secrets.find((x) => x.name === "prod/db" && x.region === "us-east-1") as Secret;
    expect(primary.unknowns?.replicas).toBeUndefined();
    expect(primary.replicas).toEqual([{ region: "eu-west-1", kmsKeyId: expect.stringMatching(/alias\/eu-app$/) }]);
    // A secret without replicas in a partially scanned account is known to have none after the merge.
    expect(merged.secrets.find((x) => x.name === "prod/api")?.replicas).toEqual([]);
  });

  it("resolves reads named by name, partial ARN and full ARN to one secret and principal", async () => {
    const { snapshot } = await scanSim(s);
    const primary = snapshot.secrets.find((x) => x.name === "prod/db" && x.region === "us-east-1") as Secret;
    const app = snapshot.reads.find((r) => r.principal === "arn:aws:iam::222222222222:role/app");
    expect(app).toMatchObject({ secretId: primary.id, principalType: "AssumedRole", count: 10, viaVpceCount: 5, deniedCount: 0, longTermKey: false });
    const alice = snapshot.reads.find((r) => r.principal.endsWith(":user/alice"));
    expect(alice).toMatchObject({ secretId: primary.id, principalType: "IAMUser", count: 3, deniedCount: 2, longTermKey: true });
  });
});

describe("secretId normalisation", () => {
  it("maps name, partial ARN and full ARN; ignores other accounts' ARNs", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:222222222222:secret:app/db-AbC123";
    const secret: Secret = { id: arn, arn, name: "app/db", accountId: "222222222222", region: "us-east-1", source: { kind: "live", accountId: "222222222222", region: "us-east-1", api: "x" } };
    const raw: RawReads = new Map();
    const who = { type: "AssumedRole", sessionContext: { sessionIssuer: { arn: "arn:aws:iam::222222222222:role/r" } } };
    for (const ref of ["app/db", "arn:aws:secretsmanager:us-east-1:222222222222:secret:app/db", arn, "arn:aws:secretsmanager:us-east-1:999999999999:secret:app/db-AbC123"]) {
      addEvent(raw, { eventTime: "2026-01-01T00:00:00Z", requestParameters: { secretId: ref }, userIdentity: who });
    }
    const { reads, unresolved } = resolveReads(raw, [secret], "222222222222", "us-east-1");
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ secretId: arn, count: 3, principal: "arn:aws:iam::222222222222:role/r" });
    expect(unresolved).toBe(1);
  });
});

describe("pagination", () => {
  let s: RunningSimulator;
  const many: EstateSecret = { name: "bulk/s-{n:3}", repeat: 250 };
  beforeAll(async () => {
    const e: Estate = smallEstate();
    const dev = e.accounts.find((a) => a.id === DEV);
    if (dev?.regions) dev.regions["us-east-1"] = { secrets: [many] };
    s = await sim(e, { faults: { emptyPageRate: 0.6 } });
  });
  afterAll(async () => { await s.close(); });

  it("follows ListAccounts pages that are empty but carry a NextToken, and ListSecrets beyond 100", async () => {
    s.resetStats();
    const { snapshot, stats } = await scanSim(s, { regions: ["us-east-1"] });
    expect(snapshot.accounts).toHaveLength(3);
    expect(stats.commands["organizations:ListAccounts"]).toBeGreaterThan(1);
    expect(snapshot.secrets.filter((x) => x.accountId === DEV)).toHaveLength(250);
    expect(s.stats().detail.find((d) => d.accountId === DEV && d.operation === "ListSecrets")?.count).toBe(3);
  });
});
