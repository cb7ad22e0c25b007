/** Value-blind by construction: the guard refuses value reads before sending; the IAM policy covers exactly what is sent. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchGetSecretValueCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningSimulator } from "../../src/simulator/server";
import { ClientFactory } from "../../src/collect/aws/clients";
import { addValueReadGuard, ValueReadRefused } from "../../src/collect/aws/guard";
import { scannerActions, scannerPolicy, scannerPolicyTerraform, VALUE_READ_ACTIONS } from "../../src/collect/aws/actions";
import { MGMT, scanSim, sim, smallEstate } from "./helpers";

describe("value-read guard", () => {
  let s: RunningSimulator;
  beforeAll(async () => { s = await sim(smallEstate()); });
  afterAll(async () => { await s.close(); });

  it("a factory client refuses GetSecretValue and BatchGetSecretValue before they reach the endpoint", async () => {
    s.resetStats();
    const factory = new ClientFactory({ credentialsFor: () => s.credentials, endpoint: s.url, maxAttempts: 1 });
    const sm = factory.get("secretsmanager", MGMT, "us-east-1");
    await expect(sm.send(new GetSecretValueCommand({ SecretId: "prod/db" }))).rejects.toBeInstanceOf(ValueReadRefused);
    await expect(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["prod/db"] }))).rejects.toBeInstanceOf(ValueReadRefused);
    expect(s.stats().requests).toBe(0);
    expect(s.stats().valueReads).toBe(0);
    // The same client still lists secrets: the guard is selective.
    await sm.send(new ListSecretsCommand({}));
    expect(s.stats().requests).toBe(1);
    factory.destroy();
  });

  it("catches a renamed command by its wire operation", async () => {
    class Innocent extends GetSecretValueCommand {}
    const client = new SecretsManagerClient({ region: "us-east-1", endpoint: s.url, credentials: s.credentials, maxAttempts: 1 });
    addValueReadGuard(client);
    s.resetStats();
    await expect(client.send(new Innocent({ SecretId: "prod/db" }))).rejects.toBeInstanceOf(ValueReadRefused);
    expect(s.stats().valueReads).toBe(0);
    client.destroy();
  });

  it("without the guard the simulator would count the read (the check above can fail)", async () => {
    const bare = new SecretsManagerClient({ region: "us-east-1", endpoint: s.url, credentials: s.credentials, maxAttempts: 1 });
    s.resetStats();
    await expect(bare.send(new GetSecretValueCommand({ SecretId: "prod/db" }))).rejects.toBeTruthy();
    expect(s.stats().valueReads).toBe(1);
    bare.destroy();
  });

  it("a full scan sends no value read", async () => {
    s.resetStats();
    await scanSim(s);
    expect(s.stats().valueReads).toBe(0);
  });

  it("no collector module imports a value-read command", () => {
    const dir = join(__dirname, "../../src/collect/aws");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts") && x !== "guard.ts")) {
      expect(readFileSync(join(dir, f), "utf8"), f).not.toMatch(/GetSecretValueCommand|BatchGetSecretValueCommand/);
    }
  });
});

/** The small estate with an organization event data store in the management account's us-east-1. */
function lakeEstate(): ReturnType<typeof smallEstate> {
  const e = smallEstate();
  const region = e.accounts[0]?.regions?.["us-east-1"];
  if (!region) throw new Error("smallEstate() no longer has the management account in us-east-1");
  region.eventDataStores = [{ name: "org-events", organizationEnabled: true }];
  return e;
}

describe("IAM policy", () => {
  let s: RunningSimulator;
  beforeAll(async () => { s = await sim(lakeEstate()); });
  afterAll(async () => { await s.close(); });

  it("covers every command the collectors send, and every declared action is used", async () => {
    const sent = new Set<string>();
    const observer = { onCommand: (i: { action: string }) => { sent.add(i.action); } };
    await scanSim(s, { observer });
    await scanSim(s, { observer, cloudtrailLake: { id: "org-events" } });
    const declared = scannerActions();
    expect([...sent].filter((a) => !declared.includes(a))).toEqual([]);
    expect(declared.filter((a) => !sent.has(a))).toEqual([]);
  });

  it("grants no value-reading or wildcard action", () => {
    const policy = scannerPolicy("Scanner");
    const actions = policy.Statement.flatMap((st) => st.Action);
    for (const a of actions) {
      expect(VALUE_READ_ACTIONS).not.toContain(a);
      expect(a).not.toMatch(/\*/);
    }
    expect(policy.Statement.find((st) => st.Action.includes("sts:AssumeRole"))?.Resource).toBe("arn:aws:iam::*:role/Scanner");
    const tf = scannerPolicyTerraform();
    expect(tf).toContain('data "aws_iam_policy_document" "sm_audit_scanner"');
    expect(tf).not.toContain("GetSecretValue\"");
    for (const a of actions) expect(tf).toContain(`"${a}"`);
  });
});

describe("CloudTrail Lake", () => {
  let s: RunningSimulator;
  beforeAll(async () => { s = await sim(lakeEstate()); });
  afterAll(async () => { await s.close(); });

  it("aggregates the same read statistics as LookupEvents with one query per account", async () => {
    const lookup = await scanSim(s);
    s.resetStats();
    const lake = await scanSim(s, { cloudtrailLake: { id: "org-events" } });
    const norm = (r: typeof lookup.snapshot.reads): string[] =>
      r.map((x) => `${x.secretId} ${x.principal} ${x.count} ${x.deniedCount} ${x.viaVpceCount} ${x.longTermKey} ${x.lastSeen.slice(0, 16)}`).sort();
    expect(norm(lake.snapshot.reads)).toEqual(norm(lookup.snapshot.reads));
    expect(lake.snapshot.reads.length).toBeGreaterThan(0);
    expect(lake.snapshot.source.readsMethod).toBe("cloudtrail-lake");
    expect(lake.stats.commands["cloudtrail:StartQuery"]).toBe(3);
    expect(lake.stats.commands["cloudtrail:LookupEvents"]).toBeUndefined();
  });
});
