/**
 * KMS: DescribeKey (id, ARN, alias name or alias ARN; other accounts' keys by ARN when their
 * policy allows the caller), GetKeyRotationStatus, GetKeyPolicy (owner only), ListAliases.
 */
import { callerAr, type Ctx, type JsonHandler } from "./context";
import { SimError, accessDenied, validation } from "./errors";
import { makeToken, readToken } from "./protocol-json";
import { DEFAULT_SM_ALIAS, parseKeyRef } from "./refs";
import { DAY, epochSeconds } from "./time";
import { defaultKey, type KeyW } from "./world";

/** AWS managed aliases that exist in every account-region, most without a key until first used. */
const AWS_ALIASES = ["aws/acm", "aws/dynamodb", "aws/ebs", "aws/elasticfilesystem", "aws/lambda", "aws/rds", "aws/s3", "aws/secretsmanager", "aws/sns", "aws/sqs"];

const notFound = (message: string): SimError => new SimError("NotFoundException", message, 400);

export const kmsHandlers: Record<string, JsonHandler> = {
  DescribeKey: (ctx, input) => ({ KeyMetadata: keyMetadata(resolveKey(ctx, input.requiredStr("KeyId"), true)) }),
  GetKeyRotationStatus: (ctx, input) => {
    const keyId = input.requiredStr("KeyId");
    if (keyId.startsWith("alias/") || keyId.includes(":alias/")) throw notFound(`Invalid keyId ${keyId}`);
    const key = resolveKey(ctx, keyId, true);
    if (key.state === "PendingDeletion") throw new SimError("KMSInvalidStateException", `${key.arn} is pending deletion.`, 400);
    const out: Record<string, unknown> = { KeyRotationEnabled: key.rotation, KeyId: key.arn };
    if (key.rotation) {
      out.RotationPeriodInDays = key.rotationPeriodDays;
      const period = key.rotationPeriodDays * DAY;
      const now = ctx.sim.world.clock();
      out.NextRotationDate = epochSeconds(key.createdMs + Math.ceil((now - key.createdMs) / period) * period);
    }
    return out;
  },
  GetKeyPolicy: (ctx, input) => {
    const keyId = input.requiredStr("KeyId");
    const key = resolveKey(ctx, keyId, false);
    const name = input.str("PolicyName") ?? "default";
    if (name !== "default") throw notFound(`No such policy exists: ${name}`);
    return { Policy: key.policy, PolicyName: "default" };
  },
  ListAliases: (ctx, input) => {
    const limit = input.num("Limit") ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validation("kms", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
    const ar = callerAr(ctx);
    const keyFilter = input.str("KeyId");
    const target = keyFilter === undefined ? undefined : resolveKey(ctx, keyFilter, false).id;
    const rows: Array<Record<string, unknown>> = [];
    for (const a of ar.aliases) {
      rows.push({ AliasName: a.name, AliasArn: a.arn, TargetKeyId: a.targetKeyId, CreationDate: epochSeconds(a.createdMs), LastUpdatedDate: epochSeconds(a.createdMs) });
    }
    for (const name of AWS_ALIASES) {
      if (ar.aliasByName.has(name)) continue;
      rows.push({ AliasName: `alias/${name}`, AliasArn: `arn:aws:kms:${ar.region}:${ar.accountId}:alias/${name}` });
    }
    rows.sort((a, b) => (String(a.AliasName) < String(b.AliasName) ? -1 : 1));
    const matching = target === undefined ? rows : rows.filter((r) => r.TargetKeyId === target);
    const queryKey = `${ar.accountId}/${ar.region}/${target ?? ""}`;
    const { offset } = readToken(input.str("Marker"), queryKey, () => new SimError("InvalidMarkerException", "Invalid marker", 400));
    const page = matching.slice(offset, offset + limit);
    const truncated = offset + limit < matching.length;
    return truncated ? { Aliases: page, NextMarker: makeToken(offset + limit, queryKey), Truncated: true } : { Aliases: page, Truncated: false };
  },
};

/** Resolve a KeyId parameter; other accounts' keys only by ARN, and only when `crossAccount` and their policy allow it. */
export function resolveKey(ctx: Ctx, keyId: string, crossAccount: boolean): KeyW {
  const world = ctx.sim.world;
  const ref = parseKeyRef(keyId);
  if (!ref) throw notFound(`Invalid keyId ${keyId}`);
  const own = callerAr(ctx);
  if (ref.kind === "default") return defaultKey(world, own);
  const account = ref.account ?? ctx.caller.accountId;
  if (ref.region !== undefined && ref.region !== ctx.region) throw notFound(`Invalid arn ${keyId}`);
  if (ref.kind === "alias") {
    if (account !== ctx.caller.accountId) throw notFound(`Alias ${keyId} is not found.`);
    if (ref.alias === DEFAULT_SM_ALIAS) return defaultKey(world, own);
    const alias = own.aliasByName.get(ref.alias);
    const key = alias ? own.keyById.get(alias.targetKeyId) : undefined;
    if (!key) throw notFound(`Alias arn:aws:kms:${ctx.region}:${account}:alias/${ref.alias} is not found.`);
    return key;
  }
  const key = world.ar(account, ctx.region).keyById.get(ref.id);
  if (!key) throw notFound(`Key 'arn:aws:kms:${ctx.region}:${account}:key/${ref.id}' does not exist`);
  if (key.accountId !== ctx.caller.accountId) {
    const allowed = crossAccount && (key.allowAccounts.has(ctx.caller.accountId) || key.allowAccounts.has("*"));
    if (!allowed) {
      throw accessDenied(
        "kms",
        `User: ${ctx.caller.arn} is not authorized to perform: kms:${ctx.operation} on resource: ${key.arn} because no resource-based policy allows the kms:${ctx.operation} action`,
      );
    }
  }
  return key;
}

/** KeyMetadata as DescribeKey returns it. */
export function keyMetadata(key: KeyW): Record<string, unknown> {
  const m: Record<string, unknown> = {
    AWSAccountId: key.accountId,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: epochSeconds(key.createdMs),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
  };
  if (key.deletionMs !== undefined) m.DeletionDate = epochSeconds(key.deletionMs);
  m.Origin = key.origin;
  m.KeyManager = key.manager;
  m.CustomerMasterKeySpec = key.keySpec;
  m.KeySpec = key.keySpec;
  m.EncryptionAlgorithms = ["SYMMETRIC_DEFAULT"];
  m.MultiRegion = key.multiRegion;
  if (key.multiRegion) m.MultiRegionConfiguration = { MultiRegionKeyType: "PRIMARY", PrimaryKey: { Arn: key.arn, Region: key.region }, ReplicaKeys: [] };
  if (key.state === "PendingDeletion") m.PendingDeletionWindowInDays = 7;
  return m;
}
