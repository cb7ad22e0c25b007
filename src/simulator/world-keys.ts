/**
 * KMS keys of the world: customer keys from the estate, the AWS managed aws/secretsmanager key
 * (created on first use, as AWS does), their aliases and key policies.
 */
import type { EstateKmsKey, PolicySpec } from "./estate";
import { uuid } from "./rand";
import { DEFAULT_SM_ALIAS } from "./refs";
import { DAY, resolveDate } from "./time";
import type { AccountRegionW, AliasW, KeyW, World } from "./world";

/** JSON text of a policy given as a YAML object or as text. */
export function policyText(p: PolicySpec | undefined): string | undefined {
  if (p === undefined) return undefined;
  return typeof p === "string" ? p : JSON.stringify(p);
}

/** Add a key (and its aliases) to an account-region. */
export function addKey(world: World, ar: AccountRegionW, k: EstateKmsKey, at: (s: string | undefined, f: number) => number): KeyW {
  const { accountId, region } = ar;
  const aliases = [k.alias ?? []].flat().map((a) => a.replace(/^alias\//, ""));
  const id = k.id ?? uuid(`${world.seed}/key/${accountId}/${region}/${aliases[0] ?? ar.keys.length}`);
  const manager = k.manager ?? "CUSTOMER";
  const state = k.state ?? "Enabled";
  const allow = new Set(k.allowAccounts ?? []);
  const policy = policyText(k.policy) ?? keyPolicy(accountId, [...allow]);
  if (k.policy !== undefined) for (const a of policyAccounts(policy)) if (a !== accountId) allow.add(a);
  const createdMs = at(k.created, world.startMs - 500 * DAY);
  const key: KeyW = {
    id,
    arn: `arn:aws:kms:${region}:${accountId}:key/${id}`,
    accountId,
    region,
    aliases,
    description: k.description ?? "",
    manager,
    state,
    deletionMs: state === "PendingDeletion" ? at(k.deletionDate, world.startMs + 7 * DAY) : undefined,
    rotation: manager === "AWS" ? true : (k.rotation ?? false),
    rotationPeriodDays: k.rotationPeriodDays ?? 365,
    origin: k.origin ?? "AWS_KMS",
    multiRegion: k.multiRegion ?? id.startsWith("mrk-"),
    keySpec: k.keySpec ?? "SYMMETRIC_DEFAULT",
    keyUsage: k.keyUsage ?? "ENCRYPT_DECRYPT",
    createdMs,
    policy,
    allowAccounts: allow,
  };
  ar.keys.push(key);
  ar.keyById.set(id, key);
  world.keyByArn.set(key.arn, key);
  for (const a of aliases) {
    const alias: AliasW = { name: `alias/${a}`, arn: `arn:aws:kms:${region}:${accountId}:alias/${a}`, targetKeyId: id, createdMs };
    ar.aliases.push(alias);
    ar.aliasByName.set(a, alias);
  }
  return key;
}

/** The AWS managed aws/secretsmanager key of an account-region, created on first use as AWS does. */
export function defaultKey(world: World, ar: AccountRegionW): KeyW {
  const existing = ar.aliasByName.get(DEFAULT_SM_ALIAS);
  if (existing) return ar.keyById.get(existing.targetKeyId) as KeyW;
  const id = uuid(`${world.seed}/awskey/${ar.accountId}/${ar.region}`);
  const key = addKey(
    world,
    ar,
    {
      id,
      alias: DEFAULT_SM_ALIAS,
      manager: "AWS",
      description: "Default key that protects my Secrets Manager data when no other key is defined",
      created: "-1000d",
    },
    (spec, fallback) => (spec === undefined ? fallback : resolveDate(spec, world.startMs)),
  );
  key.policy = awsManagedKeyPolicy(ar.accountId, ar.region);
  return key;
}

function keyPolicy(owner: string, others: string[]): string {
  const statements: unknown[] = [
    { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${owner}:root` }, Action: "kms:*", Resource: "*" },
  ];
  if (others.length) {
    statements.push({
      Sid: "Allow use of the key by other accounts",
      Effect: "Allow",
      Principal: { AWS: others.map((a) => `arn:aws:iam::${a}:root`) },
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:GetKeyRotationStatus"],
      Resource: "*",
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Id: "key-default-1", Statement: statements });
}

function awsManagedKeyPolicy(account: string, region: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "auto-secretsmanager-2",
    Statement: [
      {
        Sid: "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": account, "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
      },
      {
        Sid: "Allow direct access to key metadata to the account",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
        Resource: "*",
      },
    ],
  });
}

/** Account ids named by Allow statements' AWS principals of a policy (`*` yields `*`). */
export function policyAccounts(policy: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return [];
  }
  const out: string[] = [];
  const statements = (doc as { Statement?: unknown }).Statement;
  for (const s of Array.isArray(statements) ? statements : [statements]) {
    if (!s || typeof s !== "object" || (s as { Effect?: string }).Effect !== "Allow") continue;
    const principal = (s as { Principal?: unknown }).Principal;
    const aws = principal === "*" ? "*" : (principal as { AWS?: unknown } | undefined)?.AWS;
    for (const p of [aws ?? []].flat()) {
      if (p === "*") out.push("*");
      const m = /^(?:arn:aws[a-z-]*:iam::)?(\d{12})/.exec(String(p));
      if (m) out.push(m[1] as string);
    }
  }
  return out;
}
