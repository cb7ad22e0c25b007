/**
 * Facts of one secret: key, replicas' keys, rotation timing, policy, usage and reads.
 * Resource-level unknowns (an unresolved `var.x` in code, a denied API) are carried
 * over to the facts derived from them, so a rule reading the fact sees the reason.
 */
import type { Secret, Unknowns, ValueInCode } from "../inventory/types";
import type { KeyFacts, RotationFacts, SecretFacts } from "./facts";
import { resolveKeyInto, type KeyIndex } from "./keys";
import { analyzePolicy, type PolicyContext } from "./policy";
import { readFacts, readsUnit, type ReadIndex } from "./reads";
import { EMPTY_LIST, emptyPolicyFacts, KeyMemos, NO_READ_FACTS, type TagSet } from "./shared-facts";
import { cachedScheduleInterval } from "./schedule";
import { parseIsoMs } from "./time";

const DAY_MS = 86_400_000;

const NO_POLICY_CONTEXT: PolicyContext = {};

/** Terraform's default `recovery_window_in_days` when the attribute is omitted. */
export const TERRAFORM_DEFAULT_RECOVERY_DAYS = 30;

/** Everything secret facts need beyond the secret itself, built once per snapshot. */
export interface SecretContext {
  asOfMs: number;
  asOf: string;
  keys: KeyIndex;
  reads: ReadIndex;
  organizationAccounts?: Set<string>;
  organizationId?: string;
  /** Key facts shared between secrets with the same key reference (made on first use). */
  keyMemos?: KeyMemos;
}

/** Whole days from `date` to `asOf` (negative for future dates); undefined when unparsable. */
export function daysSince(date: string | undefined, asOfMs: number): number | undefined {
  if (date === undefined) return undefined;
  const t = parseIsoMs(date);
  return Number.isNaN(t) ? undefined : Math.floor((asOfMs - t) / DAY_MS);
}

/** The reason recorded for `path` or for any of its prefixes, if any. */
export function unknownAt(unknowns: Unknowns | undefined, path: string): string | undefined {
  if (!unknowns) return undefined;
  let p = path;
  for (;;) {
    if (unknowns[p] !== undefined) return unknowns[p];
    const dot = p.lastIndexOf(".");
    if (dot < 0) return undefined;
    p = p.slice(0, dot);
  }
}

function rotationFacts(secret: Secret, ctx: SecretContext, out: Unknowns, sinceCreated: number | undefined): RotationFacts {
  const r = secret.rotation;
  const facts: RotationFacts = {};
  const scheduleUnknown = unknownAt(secret.unknowns, "rotation.scheduleExpression") ?? unknownAt(secret.unknowns, "rotation.afterDays");
  if (scheduleUnknown) out["facts.rotation.intervalDays"] = scheduleUnknown;
  else if (r?.scheduleExpression) {
    const s = cachedScheduleInterval(r.scheduleExpression, ctx.asOf);
    if (s.ok) {
      facts.intervalDays = s.intervalDays;
      facts.scheduleKind = s.kind;
    } else out["facts.rotation.intervalDays"] = s.reason;
  } else if (r?.afterDays !== undefined) {
    facts.intervalDays = r.afterDays;
    facts.scheduleKind = "days";
  } else if (r?.enabled) {
    out["facts.rotation.intervalDays"] = "rotation is enabled but no schedule (AutomaticallyAfterDays or ScheduleExpression) is recorded";
  }
  const sinceRotation = daysSince(r?.lastRotated, ctx.asOfMs);
  if (sinceRotation !== undefined) facts.daysSinceLastRotation = sinceRotation;
  const sinceRotOrCreated = sinceRotation ?? sinceCreated;
  if (sinceRotOrCreated !== undefined) facts.daysSinceRotatedOrCreated = sinceRotOrCreated;
  else out["facts.rotation.daysSinceRotatedOrCreated"] = "neither the last rotation date nor the creation date is known";

  // Overdue by either measure: the next date has passed, or the last rotation is older
  // than one interval. A failing rotation can leave either one looking fine alone.
  const sinceNext = daysSince(r?.nextRotation, ctx.asOfMs);
  const byInterval = sinceRotation !== undefined && facts.intervalDays !== undefined ? Math.floor(sinceRotation - facts.intervalDays) : undefined;
  if (sinceNext !== undefined && byInterval !== undefined) facts.overdueDays = Math.max(sinceNext, byInterval);
  else if (sinceNext !== undefined) facts.overdueDays = sinceNext;
  else if (byInterval !== undefined) facts.overdueDays = byInterval;
  else if (r?.enabled) {
    out["facts.rotation.overdueDays"] =
      out["facts.rotation.intervalDays"] ?? "the secret has no next rotation date and has never rotated";
  }
  return facts;
}

function literalValue(v: ValueInCode): string {
  return `${v.attribute} (sha256:${v.fingerprint})${v.source.kind === "iac" ? ` at ${v.source.file}${v.source.line ? `:${v.source.line}` : ""}` : ""}`;
}

/** Compute the facts of `secret` (whose tag set, from TagSets, is `tags`), writing fact unknowns (full paths) into `out`; `keyIds` collects the snapshot ids of the keys it uses. */
export function secretFacts(secret: Secret, ctx: SecretContext, tags: TagSet, out: Unknowns, keyIds: string[] = []): SecretFacts {
  const acct = secret.accountId;
  const refUnknown = unknownAt(secret.unknowns, "kmsKeyId");
  const ref = secret.kmsKeyId;
  // Only plain references are memoised: an unknown one carries a per-secret reason.
  const key =
    refUnknown === undefined && (ref === null || typeof ref === "string")
      ? (ctx.keyMemos ??= new KeyMemos(ctx.keys)).secretKey(ref, acct, secret.region, out, keyIds)
      : resolveKeyInto(ctx.keys, ref, acct, secret.region, refUnknown, out, "facts.key", keyIds);

  const isReplica = !!secret.primaryRegion && !!secret.region && secret.primaryRegion !== secret.region;
  let replicaKeys: Array<KeyFacts & { region: string }> = EMPTY_LIST;
  if (!isReplica && secret.replicas && secret.replicas.length > 0) {
    replicaKeys = [];
    const replicas = secret.replicas;
    for (let i = 0; i < replicas.length; i++) {
      // forEach skipped holes; parsed JSON has none, but keep the same walk.
      if (!(i in replicas)) continue;
      const rep = replicas[i];
      const refUnknown = secret.unknowns ? unknownAt(secret.unknowns, `replicas.${i}.kmsKeyId`) : undefined;
      const facts = resolveKeyInto(ctx.keys, rep.kmsKeyId, acct, rep.region, refUnknown, out, `facts.replicaKeys.${i}`, keyIds);
      replicaKeys.push({ ...facts, region: rep.region });
    }
  }
  const replicasUnknown = unknownAt(secret.unknowns, "replicas");
  if (replicasUnknown) out["facts.replicaKeys"] = replicasUnknown;

  const policyUnknown = unknownAt(secret.unknowns, "policy");
  if (policyUnknown) out["facts.policy"] = policyUnknown;
  else if (secret.policy === undefined) out["facts.policy"] = "the resource policy was not collected";
  // Most secrets have no policy, and then the analysis reads no context: skip building one.
  const policyCtx: PolicyContext = secret.policy ? { accountId: acct, organizationAccounts: ctx.organizationAccounts, organizationId: ctx.organizationId } : NO_POLICY_CONTEXT;
  const policy = secret.policy ? analyzePolicy(secret.policy, policyCtx) : emptyPolicyFacts(secret.policy !== null && secret.policy !== undefined);

  const unit = readsUnit(ctx.reads, secret);
  const reads = readFacts(ctx.reads, secret, ctx.organizationAccounts) ?? NO_READ_FACTS;
  if (unit.reason) out["facts.reads"] = unit.reason;

  // Last use: the later of LastAccessedDate (day granularity) and the last CloudTrail read.
  let lastUsed: string | undefined;
  let lastUsedFrom: SecretFacts["lastUsedFrom"] = "none";
  if (secret.lastAccessed) {
    lastUsed = secret.lastAccessed;
    lastUsedFrom = "LastAccessedDate";
  }
  if (reads.lastRead && (!lastUsed || parseIsoMs(reads.lastRead) > parseIsoMs(lastUsed))) {
    lastUsed = reads.lastRead;
    lastUsedFrom = "CloudTrail";
  }
  const daysSinceLastUse = daysSince(lastUsed, ctx.asOfMs);
  if (daysSinceLastUse === undefined && !unit.collected) {
    out["facts.daysSinceLastUse"] = `LastAccessedDate is absent and ${unit.reason ?? "reads were not collected"}`;
  }

  const tagsUnknown = unknownAt(secret.unknowns, "tags");
  if (tagsUnknown) out["facts.tagKeys"] = tagsUnknown;

  const sinceCreated = daysSince(secret.created, ctx.asOfMs);
  const facts: SecretFacts = {
    serviceOwned: !!secret.owningService || secret.name.startsWith("rds!"),
    isReplica,
    pendingDeletion: !!secret.deleted,
    key,
    replicaKeys,
    rotation: rotationFacts(secret, ctx, out, sinceCreated),
    policy,
    lastUsedFrom,
    reads,
    readsCollected: unit.collected,
    tagKeys: tags.keys,
    literalValues: secret.valueInCode && secret.valueInCode.length > 0 ? secret.valueInCode.map(literalValue) : EMPTY_LIST,
  };
  if (daysSinceLastUse !== undefined) facts.daysSinceLastUse = daysSinceLastUse;
  if (sinceCreated !== undefined) facts.ageDays = sinceCreated;

  const recoveryUnknown = unknownAt(secret.unknowns, "recoveryWindowDays");
  if (recoveryUnknown) out["facts.recoveryWindowDays"] = recoveryUnknown;
  else if (secret.recoveryWindowDays !== undefined) facts.recoveryWindowDays = secret.recoveryWindowDays;
  else if (secret.source.kind === "iac") facts.recoveryWindowDays = TERRAFORM_DEFAULT_RECOVERY_DAYS;
  const valueUnknown = unknownAt(secret.unknowns, "valueInCode");
  if (valueUnknown) out["facts.literalValues"] = valueUnknown;
  return facts;
}
