/**
 * Facts of one secret: key, replicas' keys, rotation timing, policy, usage and reads.
 * Resource-level unknowns (an unresolved `var.x` in code, a denied API) are carried
 * over to the facts derived from them, so a rule reading the fact sees the reason.
 */
import type { Secret, Unknowns } from "../inventory/types";
import type { KeyFacts, RotationFacts, SecretFacts } from "./facts";
import { resolveKey, type KeyIndex } from "./keys";
import { analyzePolicy } from "./policy";
import { secretReads, type ReadIndex } from "./reads";
import { cachedScheduleInterval } from "./schedule";

const DAY_MS = 86_400_000;

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
}

/** Whole days from `date` to `asOf` (negative for future dates); undefined when unparsable. */
export function daysSince(date: string | undefined, asOfMs: number): number | undefined {
  if (date === undefined) return undefined;
  const t = Date.parse(date);
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

function keyUnknowns(prefix: string, resolved: Record<string, string>, out: Unknowns): void {
  for (const [k, reason] of Object.entries(resolved)) out[k === "" ? prefix : `${prefix}.${k}`] = reason;
}

function rotationFacts(secret: Secret, ctx: SecretContext, out: Unknowns): RotationFacts {
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
  const sinceRotOrCreated = sinceRotation ?? daysSince(secret.created, ctx.asOfMs);
  if (sinceRotOrCreated !== undefined) facts.daysSinceRotatedOrCreated = sinceRotOrCreated;
  else out["facts.rotation.daysSinceRotatedOrCreated"] = "neither the last rotation date nor the creation date is known";

  // Overdue by either measure: the next date has passed, or the last rotation is older
  // than one interval. A failing rotation can leave either one looking fine alone.
  const overdue: number[] = [];
  const sinceNext = daysSince(r?.nextRotation, ctx.asOfMs);
  if (sinceNext !== undefined) overdue.push(sinceNext);
  if (sinceRotation !== undefined && facts.intervalDays !== undefined) overdue.push(Math.floor(sinceRotation - facts.intervalDays));
  if (overdue.length > 0) facts.overdueDays = Math.max(...overdue);
  else if (r?.enabled) {
    out["facts.rotation.overdueDays"] =
      out["facts.rotation.intervalDays"] ?? "the secret has no next rotation date and has never rotated";
  }
  return facts;
}

/** Compute the facts of `secret`, writing fact unknowns (full paths) into `out`; `keyIds` collects the snapshot ids of the keys it uses. */
export function secretFacts(secret: Secret, ctx: SecretContext, out: Unknowns, keyIds: string[] = []): SecretFacts {
  const acct = secret.accountId;
  const key = resolveKey(ctx.keys, secret.kmsKeyId, acct, secret.region, unknownAt(secret.unknowns, "kmsKeyId"));
  keyUnknowns("facts.key", key.unknowns, out);
  if (key.resourceId) keyIds.push(key.resourceId);

  const isReplica = !!secret.primaryRegion && !!secret.region && secret.primaryRegion !== secret.region;
  const replicaKeys: Array<KeyFacts & { region: string }> = [];
  if (!isReplica) {
    (secret.replicas ?? []).forEach((rep, i) => {
      const res = resolveKey(ctx.keys, rep.kmsKeyId, acct, rep.region, unknownAt(secret.unknowns, `replicas.${i}.kmsKeyId`));
      keyUnknowns(`facts.replicaKeys.${i}`, res.unknowns, out);
      if (res.resourceId) keyIds.push(res.resourceId);
      replicaKeys.push({ ...res.facts, region: rep.region });
    });
  }
  const replicasUnknown = unknownAt(secret.unknowns, "replicas");
  if (replicasUnknown) out["facts.replicaKeys"] = replicasUnknown;

  const policyUnknown = unknownAt(secret.unknowns, "policy");
  if (policyUnknown) out["facts.policy"] = policyUnknown;
  else if (secret.policy === undefined) out["facts.policy"] = "the resource policy was not collected";
  const policy = analyzePolicy(secret.policy, { accountId: acct, organizationAccounts: ctx.organizationAccounts, organizationId: ctx.organizationId });

  const reads = secretReads(ctx.reads, secret, ctx.organizationAccounts);
  if (reads.unknownReason) out["facts.reads"] = reads.unknownReason;

  // Last use: the later of LastAccessedDate (day granularity) and the last CloudTrail read.
  let lastUsed: string | undefined;
  let lastUsedFrom: SecretFacts["lastUsedFrom"] = "none";
  if (secret.lastAccessed) {
    lastUsed = secret.lastAccessed;
    lastUsedFrom = "LastAccessedDate";
  }
  if (reads.facts.lastRead && (!lastUsed || Date.parse(reads.facts.lastRead) > Date.parse(lastUsed))) {
    lastUsed = reads.facts.lastRead;
    lastUsedFrom = "CloudTrail";
  }
  const daysSinceLastUse = daysSince(lastUsed, ctx.asOfMs);
  if (daysSinceLastUse === undefined && !reads.collected) {
    out["facts.daysSinceLastUse"] = `LastAccessedDate is absent and ${reads.unknownReason ?? "reads were not collected"}`;
  }

  const tagsUnknown = unknownAt(secret.unknowns, "tags");
  if (tagsUnknown) out["facts.tagKeys"] = tagsUnknown;

  const facts: SecretFacts = {
    serviceOwned: !!secret.owningService || secret.name.startsWith("rds!"),
    isReplica,
    pendingDeletion: !!secret.deleted,
    key: key.facts,
    replicaKeys,
    rotation: rotationFacts(secret, ctx, out),
    policy,
    lastUsedFrom,
    reads: reads.facts,
    readsCollected: reads.collected,
    tagKeys: Object.keys(secret.tags ?? {}).sort(),
    literalValues: (secret.valueInCode ?? []).map((v) => `${v.attribute} (sha256:${v.fingerprint})${v.source.kind === "iac" ? ` at ${v.source.file}${v.source.line ? `:${v.source.line}` : ""}` : ""}`),
  };
  if (daysSinceLastUse !== undefined) facts.daysSinceLastUse = daysSinceLastUse;
  const age = daysSince(secret.created, ctx.asOfMs);
  if (age !== undefined) facts.ageDays = age;

  const recoveryUnknown = unknownAt(secret.unknowns, "recoveryWindowDays");
  if (recoveryUnknown) out["facts.recoveryWindowDays"] = recoveryUnknown;
  else if (secret.recoveryWindowDays !== undefined) facts.recoveryWindowDays = secret.recoveryWindowDays;
  else if (secret.source.kind === "iac") facts.recoveryWindowDays = TERRAFORM_DEFAULT_RECOVERY_DAYS;
  const valueUnknown = unknownAt(secret.unknowns, "valueInCode");
  if (valueUnknown) out["facts.literalValues"] = valueUnknown;
  return facts;
}
