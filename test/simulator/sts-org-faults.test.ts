import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { startSimulator, type Estate, type RunningSimulator } from "../../src/simulator";
import { MGMT, PROD, SHARED, cfg, smallEstate } from "./fixtures";

let sim: RunningSimulator;
let sts: STSClient;

beforeAll(async () => {
  sim = await startSimulator({ estate: smallEstate() });
  sts = new STSClient(cfg(sim));
});
afterAll(async () => {
  sts.destroy();
  await sim.close();
});

async function assume(accountId: string, role = "SmAuditRole", client = sts) {
  const out = await client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${role}`, RoleSessionName: "sm-audit" }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration! };
}

describe("sts", () => {
  it("identifies the management caller and maps AssumeRole credentials to the target account", async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(MGMT);
    const creds = await assume(PROD);
    expect(creds.accessKeyId).toMatch(new RegExp(`^ASIA${PROD}[A-Z2-7]{4}$`));
    expect(creds.expiration.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const asProd = new STSClient(cfg(sim, "us-east-1", creds));
    const who = await asProd.send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: PROD, Arn: `arn:aws:sts::${PROD}:assumed-role/SmAuditRole/sm-audit` });
    asProd.destroy();
    const sm = new SecretsManagerClient(cfg(sim, "us-east-1", creds));
    expect((await sm.send(new ListSecretsCommand({ MaxResults: 1 }))).SecretList?.[0]?.ARN).toContain(`:${PROD}:`);
    sm.destroy();
  });

  it("denies roles the account does not list and accounts outside the estate", async () => {
    await expect(assume(PROD, "Admin")).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    await expect(assume("999999999999")).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("expires credentials after the configured TTL (ExpiredTokenException / ExpiredToken)", async () => {
    sim.setFaults({ credentialTtlSeconds: 1 });
    const creds = await assume(SHARED);
    sim.setFaults({ credentialTtlSeconds: null });
    const kms = new KMSClient(cfg(sim, "us-east-1", creds));
    const asShared = new STSClient(cfg(sim, "us-east-1", creds));
    expect((await asShared.send(new GetCallerIdentityCommand({}))).Account).toBe(SHARED);
    await new Promise((r) => setTimeout(r, 1100));
    await expect(kms.send(new DescribeKeyCommand({ KeyId: "alias/org-secrets" }))).rejects.toMatchObject({ name: "ExpiredTokenException" });
    await expect(asShared.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "ExpiredToken" });
    expect(sim.stats().faults.expiredCredentials).toBe(2);
    kms.destroy();
    asShared.destroy();
  });

  it("rejects unknown access keys", async () => {
    const bad = new STSClient(cfg(sim, "us-east-1", { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" }));
    await expect(bad.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId" });
    bad.destroy();
  });
});

describe("organizations", () => {
  it("lists every account through empty pages that still carry a NextToken", async () => {
    const estate: Estate = { ...smallEstate(), accounts: [...smallEstate().accounts] };
    for (let i = 0; i < 47; i++) estate.accounts.push({ id: String(400000000000 + i), name: `member-${i}` });
    const big = await startSimulator({ estate, faults: { emptyPageRate: 0.5 }, seed: 4 });
    const org = new OrganizationsClient(cfg(big));
    const ids: string[] = [];
    let empty = 0;
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await org.send(new ListAccountsCommand({ NextToken: token }));
      if (!page.Accounts?.length && page.NextToken) empty++;
      expect(page.Accounts!.length).toBeLessThanOrEqual(20);
      ids.push(...(page.Accounts ?? []).map((a) => a.Id!));
      token = page.NextToken;
      pages++;
    } while (token && pages < 100);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    expect(empty).toBeGreaterThan(0);
    const d = await org.send(new DescribeOrganizationCommand({}));
    expect(d.Organization).toMatchObject({ Id: "o-testorg0001", MasterAccountId: MGMT });
    org.destroy();
    await big.close();
  });

  it("refuses ListAccounts to member accounts", async () => {
    const org = new OrganizationsClient(cfg(sim, "us-east-1", sim.credentialsFor(PROD)));
    await expect(org.send(new ListAccountsCommand({}))).rejects.toMatchObject({ name: "AccessDeniedException" });
    org.destroy();
  });
});

describe("faults", () => {
  it("denies one account × operation and leaves the rest alone", async () => {
    sim.resetStats();
    sim.setFaults({ accessDenied: [{ account: PROD, operation: "ListSecrets" }] });
    const prod = new SecretsManagerClient(cfg(sim, "us-east-1", sim.credentialsFor(PROD)));
    const shared = new SecretsManagerClient(cfg(sim, "us-east-1", sim.credentialsFor(SHARED)));
    await expect(prod.send(new ListSecretsCommand({}))).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(shared.send(new ListSecretsCommand({}))).resolves.toHaveProperty("SecretList");
    sim.setFaults({ accessDenied: [] });
    await expect(prod.send(new ListSecretsCommand({ MaxResults: 1 }))).resolves.toHaveProperty("SecretList");
    expect(sim.stats().faults.accessDenied).toBe(1);
    prod.destroy();
    shared.destroy();
  });

  it("injects 5xx, throttles and dropped connections deterministically for a seed", async () => {
    const outcomes = async (): Promise<string[]> => {
      const s = await startSimulator({ estate: smallEstate(), seed: 42, faults: { serverErrorRate: 0.2, throttleRate: 0.2, dropRate: 0.1 } });
      const sm = new SecretsManagerClient(cfg(s, "us-east-1", s.credentialsFor(PROD)));
      const out: string[] = [];
      for (let i = 0; i < 40; i++) {
        out.push(await sm.send(new ListSecretsCommand({ MaxResults: 1 })).then(() => "ok", (e: { name: string; code?: string }) => e.code === "ECONNRESET" ? "drop" : e.name));
      }
      const stats = s.stats();
      expect(stats.faults.serverError + stats.faults.throttle + stats.faults.dropped).toBe(out.filter((o) => o !== "ok").length);
      sm.destroy();
      await s.close();
      return out;
    };
    const a = await outcomes();
    expect(a).toContain("ThrottlingException");
    expect(a.some((o) => o === "InternalFailure" || o === "ServiceUnavailable")).toBe(true);
    expect(a).toContain("drop");
    expect(await outcomes()).toEqual(a);
  });

  it("refuses requests in regions that are not opted in, and serves stats over HTTP", async () => {
    const sm = new SecretsManagerClient(cfg(sim, "ap-east-1", sim.credentialsFor(PROD)));
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    sm.destroy();
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { requests: number; byService: Record<string, number> };
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.byService.secretsmanager).toBeGreaterThan(0);
  });
});
