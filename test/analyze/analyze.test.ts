import { describe, expect, it } from "vitest";
import { analyzeSnapshot } from "../../src/analyze/index";
import { emptySnapshot } from "../../src/inventory/io";
import type { SecretView } from "../../src/analyze/facts";
import type { Coverage, KmsKey, PolicyDocument, ReadStat, Secret, Snapshot, Trail, Vpc } from "../../src/inventory/types";

const A = "111111111111";
const R = "us-east-1";
const live = (api: string, accountId = A, region = R) => ({ kind: "live" as const, accountId, region, api });
const sarn = (name: string, region = R, acct = A): string => `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-AbC123`;
const karn = (id: string, region = R, acct = A): string => `arn:aws:kms:${region}:${acct}:key/${id}`;

function snap(p: Partial<Snapshot>): Snapshot {
  return { ...emptySnapshot({ kind: "fixture" }, "2025-06-01T00:00:00Z"), ...p };
}
const secret = (name: string, extra: Partial<Secret> = {}): Secret => ({
  id: sarn(name), arn: sarn(name), name, accountId: A, region: R, source: live("secretsmanager:ListSecrets"), kmsKeyId: null, policy: null, tags: {}, ...extra,
});
const key = (id: string, extra: Partial<KmsKey> = {}): KmsKey => ({
  id: karn(id), arn: karn(id), keyId: id, accountId: A, region: R, source: live("kms:DescribeKey"), manager: "CUSTOMER", state: "Enabled", rotationEnabled: true, ...extra,
});
const view = (s: Snapshot, name: string): SecretView => {
  const v = analyzeSnapshot(s).views.secret.find((x) => x.name === name);
  if (!v) throw new Error(`no view ${name}`);
  return v;
};
const cov = (kind: Coverage["kind"], status: Coverage["status"], extra: Partial<Coverage> = {}): Coverage => ({ accountId: A, region: R, kind, status, ...extra });

describe("key facts", () => {
  const keys = [
    key("k-app", { aliases: ["alias/app"] }),
    key("k-aws", { manager: "AWS", aliases: ["alias/aws/secretsmanager"] }),
    key("k-eu", { region: "eu-west-1", id: karn("k-eu", "eu-west-1"), arn: karn("k-eu", "eu-west-1"), aliases: ["alias/app"] }),
  ];
  const s = snap({
    kmsKeys: keys,
    secrets: [
      secret("omitted"),
      secret("alias-literal", { kmsKeyId: "alias/aws/secretsmanager" }),
      secret("alias-arn-default", { kmsKeyId: `arn:aws:kms:${R}:${A}:alias/aws/secretsmanager` }),
      secret("by-arn", { kmsKeyId: karn("k-app") }),
      secret("by-id", { kmsKeyId: "k-app" }),
      secret("by-alias", { kmsKeyId: "alias/app" }),
      secret("by-alias-arn", { kmsKeyId: `arn:aws:kms:${R}:${A}:alias/app` }),
      secret("aws-key-id", { kmsKeyId: "k-aws" }),
      secret("missing-local", { kmsKeyId: "alias/gone" }),
      secret("foreign", { kmsKeyId: karn("k-x", R, "999999999999") }),
      secret("iac-unknown", { kmsKeyId: undefined, unknowns: { kmsKeyId: "var.kms_key_id has no default" } }),
      secret("replicated", { kmsKeyId: "alias/app", replicas: [{ region: "eu-west-1", kmsKeyId: "alias/app" }, { region: "us-west-2", kmsKeyId: null }] }),
    ],
  });
  it("omitted id and alias/aws/secretsmanager (name or ARN, or a key carrying it) are the AWS-managed default key", () => {
    for (const n of ["omitted", "alias-literal", "alias-arn-default"]) {
      expect(view(s, n).facts.key, n).toMatchObject({ isDefaultKey: true, manager: "AWS", state: "Enabled", sameAccount: true });
    }
    expect(view(s, "aws-key-id").facts.key).toMatchObject({ isDefaultKey: true, manager: "AWS", found: true, arn: karn("k-aws") });
    // Messages name the key: an omitted id reads as the default key, a reference as written.
    expect(view(s, "omitted").facts.key.label).toBe("aws/secretsmanager (default key)");
    expect(view(s, "alias-literal").facts.key.label).toBe("alias/aws/secretsmanager");
  });
  it("ARN, key id, alias name and alias ARN resolve to the snapshot key in the secret's account-region", () => {
    for (const n of ["by-arn", "by-id", "by-alias", "by-alias-arn"]) {
      expect(view(s, n).facts.key, n).toMatchObject({ found: true, arn: karn("k-app"), manager: "CUSTOMER", isDefaultKey: false, sameAccount: true, rotationEnabled: true, rotationPeriodDays: 365 });
    }
  });
  it("a key missing from the snapshot: owner from the ARN, manager unknown with a reason (or CUSTOMER when in another account)", () => {
    const m = view(s, "missing-local");
    expect(m.facts.key).toMatchObject({ found: false, ownerAccountId: A, sameAccount: true });
    expect(m.facts.key.manager).toBeUndefined();
    expect(m.unknowns["facts.key.manager"]).toMatch(/alias\/gone is not in the snapshot/);
    const f = view(s, "foreign");
    expect(f.facts.key).toMatchObject({ found: false, ownerAccountId: "999999999999", sameAccount: false, manager: "CUSTOMER" });
    expect(f.unknowns["facts.key.state"]).toMatch(/not in the snapshot/);
  });
  it("an unresolved IaC reference makes every key fact unknown with the reader's reason", () => {
    expect(view(s, "iac-unknown").unknowns["facts.key"]).toBe("var.kms_key_id has no default");
  });
  it("replicas resolve in their own region", () => {
    const r = view(s, "replicated").facts.replicaKeys;
    expect(r[0]).toMatchObject({ region: "eu-west-1", arn: karn("k-eu", "eu-west-1"), manager: "CUSTOMER" });
    expect(r[1]).toMatchObject({ region: "us-west-2", isDefaultKey: true, manager: "AWS" });
  });
  it("a denied kmsKeys coverage is named in the reason; keys count the secrets using them", () => {
    const s2 = snap({ secrets: [secret("x", { kmsKeyId: "alias/app" })], coverage: [cov("kmsKeys", "denied", { errorCode: "AccessDeniedException" })] });
    expect(view(s2, "x").unknowns["facts.key.manager"]).toMatch(/kmsKeys denied: AccessDeniedException/);
    const used = analyzeSnapshot(s).views.kmsKey.find((k) => k.keyId === "k-app");
    expect(used?.facts.usedBySecrets).toBe(5); // by-arn, by-id, by-alias, by-alias-arn, replicated
  });
});

describe("rotation facts", () => {
  const s = snap({
    secrets: [
      secret("cron", { created: "2024-01-01T00:00:00Z", rotation: { enabled: true, scheduleExpression: "cron(0 0 1 1/3 ? *)", lastRotated: "2025-04-01T00:00:00Z", nextRotation: "2025-07-01T00:00:00Z" } }),
      secret("overdue", { created: "2024-01-01T00:00:00Z", rotation: { enabled: true, afterDays: 30, lastRotated: "2025-03-01T00:00:00Z", nextRotation: "2025-03-31T00:00:00Z" } }),
      secret("never", { created: "2025-01-01T00:00:00Z", rotation: { enabled: false } }),
      secret("badcron", { rotation: { enabled: true, scheduleExpression: "cron(0 0 1 * MON *)" } }),
      secret("rds!db-1", { owningService: undefined }),
    ],
  });
  it("interval, days since rotation and overdue days", () => {
    expect(view(s, "cron").facts.rotation).toMatchObject({ intervalDays: 92, scheduleKind: "cron", daysSinceLastRotation: 61, daysSinceRotatedOrCreated: 61 });
    expect(view(s, "cron").facts.rotation.overdueDays).toBeLessThanOrEqual(0);
    expect(view(s, "overdue").facts.rotation).toMatchObject({ intervalDays: 30, overdueDays: 62 });
    expect(view(s, "never").facts.rotation).toMatchObject({ daysSinceRotatedOrCreated: 151 });
    expect(view(s, "never").facts.rotation.daysSinceLastRotation).toBeUndefined();
  });
  it("an unparsable cron is an unknown interval with the reason", () => {
    expect(view(s, "badcron").unknowns["facts.rotation.intervalDays"]).toBe(
      "cannot parse cron(0 0 1 * MON *): day-of-month and day-of-week both set (one of them must be ?)",
    );
  });
  it("rds! names are service-owned", () => {
    expect(view(s, "rds!db-1").facts.serviceOwned).toBe(true);
    expect(view(s, "cron").facts.serviceOwned).toBe(false);
  });
});

describe("read facts and last use", () => {
  const stat = (secretId: string, p: Partial<ReadStat>): ReadStat => ({
    secretId, accountId: A, region: R, principal: `arn:aws:iam::${A}:role/app`, principalType: "AssumedRole", principalAccountId: A,
    count: 10, deniedCount: 0, viaVpceCount: 0, awsServiceCount: 0, firstSeen: "2025-05-01T00:00:00Z", lastSeen: "2025-05-20T00:00:00Z", ...p,
  });
  const s = snap({
    secrets: [
      secret("used", { lastAccessed: "2025-05-10T00:00:00Z", created: "2024-01-01T00:00:00Z" }),
      secret("silent", { created: "2024-01-01T00:00:00Z" }),
      secret("deleted", { deleted: "2025-05-15T00:00:00Z" }),
    ],
    reads: [
      stat(sarn("used"), { viaVpceCount: 4, deniedCount: 3 }),
      stat(sarn("used"), { principal: "arn:aws:iam::222222222222:user/ci", principalType: "IAMUser", principalAccountId: "222222222222", longTermKey: true, count: 5, deniedCount: 5 }),
      stat(sarn("used"), { viaVpceCount: 6, lastSeen: "2025-05-25T00:00:00Z" }),
      stat(sarn("deleted"), { count: 2 }),
    ],
    coverage: [cov("reads", "collected")],
  });
  it("aggregates per principal", () => {
    const f = view(s, "used").facts;
    expect(f.reads).toMatchObject({ total: 25, denied: 8, viaVpce: 10, outsideVpce: 15, maxDeniedByPrincipal: 5, lastRead: "2025-05-25T00:00:00Z" });
    expect(f.reads.principals).toHaveLength(2);
    expect(f.reads.principals[0]).toMatchObject({ count: 20, sameAccount: true, outsideVpceCount: 10 });
    expect(f.reads.principals[1]).toMatchObject({ longTermKey: true, sameAccount: false });
    expect(f.readsCollected).toBe(true);
  });
  it("last use is the later of LastAccessedDate and the last read", () => {
    expect(view(s, "used").facts).toMatchObject({ daysSinceLastUse: 7, lastUsedFrom: "CloudTrail" });
    expect(view(s, "silent").facts.lastUsedFrom).toBe("none");
    expect(view(s, "silent").unknowns["facts.daysSinceLastUse"]).toBeUndefined();
  });
  it("reads after the deletion date count", () => {
    expect(view(s, "deleted").facts).toMatchObject({ pendingDeletion: true, reads: { sinceDeletion: 2 } });
  });
  it("missing or denied reads coverage makes read facts unknown", () => {
    const s2 = snap({ secrets: [secret("a")], coverage: [cov("reads", "denied", { errorCode: "AccessDenied" })] });
    const v = view(s2, "a");
    expect(v.facts.readsCollected).toBe(false);
    expect(v.unknowns["facts.reads"]).toMatch(/were denied \(AccessDenied\)/);
    expect(v.unknowns["facts.daysSinceLastUse"]).toMatch(/LastAccessedDate is absent/);
    expect(view(snap({ secrets: [secret("b")] }), "b").unknowns["facts.reads"]).toMatch(/not collected/);
  });
});

describe("vpc, trail and account facts", () => {
  const ep = (id: string, extra: Partial<Vpc["endpoints"][number]> = {}) => ({
    id, serviceName: `com.amazonaws.${R}.secretsmanager`, type: "Interface", state: "available", privateDns: true, source: live("ec2:DescribeVpcEndpoints"), ...extra,
  });
  const vpc = (id: string, endpoints: Vpc["endpoints"], extra: Partial<Vpc> = {}): Vpc => ({ id, vpcId: id, accountId: A, region: R, isDefault: false, source: live("ec2:DescribeVpcs"), endpoints, ...extra });
  const trail = (name: string, extra: Partial<Trail> = {}): Trail => ({
    id: `arn:aws:cloudtrail:${R}:${A}:trail/${name}`, arn: `arn:aws:cloudtrail:${R}:${A}:trail/${name}`, name, accountId: A, region: R, source: live("cloudtrail:DescribeTrails"),
    isMultiRegion: true, logging: true, logFileValidation: true, managementEvents: { read: true, write: true }, ...extra,
  });
  it("secretsmanager endpoint presence, availability and private DNS", () => {
    const s = snap({
      secrets: [secret("x")],
      vpcs: [vpc("vpc-ok", [ep("vpce-1")]), vpc("vpc-nodns", [ep("vpce-2", { privateDns: false })]), vpc("vpc-none", [ep("vpce-3", { serviceName: `com.amazonaws.${R}.s3`, type: "Gateway" })]), vpc("vpc-other", [], { region: "eu-west-1" })],
    });
    const v = Object.fromEntries(analyzeSnapshot(s).views.vpc.map((x) => [x.id, x.facts]));
    expect(v["vpc-ok"]).toMatchObject({ regionHasSecrets: true, secretsmanagerEndpoint: { present: true, available: true, privateDns: true, endpointIds: ["vpce-1"] } });
    expect(v["vpc-nodns"].secretsmanagerEndpoint).toMatchObject({ present: true, privateDns: false });
    expect(v["vpc-none"].secretsmanagerEndpoint.present).toBe(false);
    expect(v["vpc-other"].regionHasSecrets).toBe(false);
  });
  it("trails: compliant needs all five settings; unknown settings leave it undecided with a reason", () => {
    const s = snap({ trails: [trail("good"), trail("novalid", { logFileValidation: false }), trail("partial", { logging: undefined })] });
    const t = Object.fromEntries(analyzeSnapshot(s).views.trail.map((x) => [x.name, x]));
    expect(t.good.facts.compliant).toBe(true);
    expect(t.novalid.facts.compliant).toBe(false);
    expect(t.partial.facts.compliant).toBeUndefined();
    expect(t.partial.unknowns["facts.compliant"]).toMatch(/logging is unknown/);
  });
  it("accounts: own trails de-duplicated by ARN, organization trails from the management account", () => {
    const org = trail("org", { accountId: "999999999999", id: "arn:aws:cloudtrail:us-east-1:999999999999:trail/org", arn: "arn:aws:cloudtrail:us-east-1:999999999999:trail/org", isOrganizationTrail: true });
    const s = snap({
      organization: { id: "o-abc", managementAccountId: "999999999999" },
      accounts: [{ id: A }, { id: "999999999999" }, { id: "222222222222" }],
      trails: [trail("own"), { ...trail("own"), region: "eu-west-1" }, org],
      secrets: [secret("x")],
    });
    const acc = Object.fromEntries(analyzeSnapshot(s).views.account.map((x) => [x.id, x]));
    expect(acc[A].facts.trails.map((t) => t.name)).toEqual(["own", "org"]);
    expect(acc[A].facts.secretCount).toBe(1);
    expect(acc["222222222222"].facts.trails.map((t) => t.name)).toEqual(["org"]);
    expect(acc[A].source).toMatchObject({ kind: "live", region: "global" });
  });
  it("an account without trails whose trail coverage was denied is unknown, not failing", () => {
    const s = snap({ accounts: [{ id: A }], coverage: [cov("trails", "denied", { errorCode: "AccessDenied" })] });
    expect(analyzeSnapshot(s).views.account[0].unknowns["facts.trails"]).toMatch(/denied \(AccessDenied\)/);
  });
  it("IaC trails without account ids form one `code` account", () => {
    const iac = { kind: "iac" as const, file: "main.tf", line: 3, address: "aws_cloudtrail.main" };
    const s = snap({ source: { kind: "hcl" }, trails: [{ id: "aws_cloudtrail.main", name: "main", source: iac, isMultiRegion: true, logging: true, logFileValidation: false, managementEvents: { read: true, write: true } }] });
    const accounts = analyzeSnapshot(s).views.account;
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ id: "code", source: iac });
    expect(analyzeSnapshot(snap({ source: { kind: "hcl" } })).views.account).toHaveLength(0);
  });
});

describe("shared tag sets", () => {
  it("secrets tagged alike share one tags object and one key list; order, case and odd values keep them apart", () => {
    const tags: Array<Record<string, string>> = [
      { Owner: "a", Env: "prod" },
      { Owner: "a", Env: "prod" },
      { Env: "prod", Owner: "a" },
      { Owner: "A", Env: "prod" },
      // Lengths are part of the content: "ab"+"c" is not "a"+"bc".
      { ab: "c" },
      { a: "bc" },
      { Owner: 7 as unknown as string },
      { Owner: 7 as unknown as string },
    ];
    const views = analyzeSnapshot(snap({ secrets: [...tags.map((t, i) => secret(`s${i}`, { tags: t })), secret("none", { tags: undefined })] })).views.secret;
    // Content is kept exactly: each view's tags equal its secret's, and its keys are sorted.
    views.forEach((v, i) => {
      expect(v.tags).toStrictEqual(i < tags.length ? tags[i] : undefined);
      expect(v.facts.tagKeys).toStrictEqual(Object.keys(v.tags ?? {}).sort());
    });
    const same = (i: number, j: number): boolean => views[i].tags === views[j].tags && views[i].facts.tagKeys === views[j].facts.tagKeys;
    expect(same(0, 1)).toBe(true);
    expect(views[0].tags).toBe(tags[0]);
    for (const [i, j] of [[0, 2], [0, 3], [4, 5], [6, 7]]) expect(same(i, j), `${i} vs ${j}`).toBe(false);
    expect(views[8].tags).toBeUndefined();
    expect(views[8].facts.tagKeys).toStrictEqual([]);
    expect(Object.isFrozen(views[0].facts.tagKeys)).toBe(true);
  });

  it("policies granting nothing foreign share the empty lists of secrets without a policy", () => {
    const own: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:role/app` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] };
    const [withPolicy, without] = analyzeSnapshot(snap({ secrets: [secret("p", { policy: own }), secret("n")] })).views.secret;
    expect(withPolicy.facts.policy.principals).toHaveLength(1);
    for (const k of ["foreignPrincipals", "wildcardActionGrants", "publicStatements", "allowedVpces"] as const) {
      expect(withPolicy.facts.policy[k], k).toBe(without.facts.policy[k]);
    }
  });
});
