/**
 * CloudTrail read statistics per secret: who read it, how, how often denied, and
 * whether the snapshot collected reads for the secret's account-region at all (no
 * data and "no reads" must never look alike).
 */
import type { Coverage, ReadStat, Secret, Snapshot } from "../inventory/types";
import type { ReadFacts, ReadPrincipalFacts } from "./facts";

/** Reads grouped by secret id, and the reads coverage per account-region. */
export interface ReadIndex {
  bySecret: Map<string, ReadStat[]>;
  coverage: Map<string, Coverage>;
  /** Per account-region: whether reads were collected, and why not (computed once per unit). */
  units: Map<string, { collected: boolean; reason?: string }>;
}

const NO_READS: ReadStat[] = [];

/** Group snapshot.reads by secret and index the `reads` coverage. */
export function buildReadIndex(snapshot: Pick<Snapshot, "reads" | "coverage">): ReadIndex {
  const bySecret = new Map<string, ReadStat[]>();
  for (const r of snapshot.reads ?? []) {
    const rows = bySecret.get(r.secretId);
    if (rows) rows.push(r);
    else bySecret.set(r.secretId, [r]);
  }
  const coverage = new Map<string, Coverage>();
  for (const c of snapshot.coverage ?? []) {
    if (c.kind !== "reads") continue;
    const key = `${c.accountId}|${c.region}`;
    // Any non-collected entry for the unit wins: partial failure means incomplete data.
    const prev = coverage.get(key);
    if (!prev || prev.status === "collected") coverage.set(key, c);
  }
  return { bySecret, coverage, units: new Map() };
}

/** Read facts of one secret, plus the reason reads are unknown when they were not collected. */
export interface SecretReads {
  facts: ReadFacts;
  collected: boolean;
  /** Why read data is missing for this secret (undefined when collected). */
  unknownReason?: string;
}

/** Summarise the reads of `secret`; `organizationAccounts` set when the snapshot knows the organization. */
export function secretReads(index: ReadIndex, secret: Secret, organizationAccounts: Set<string> | undefined): SecretReads {
  const unitKey = `${secret.accountId ?? ""}|${secret.region ?? ""}`;
  let unit = index.units.get(unitKey);
  if (!unit) {
    const cov = index.coverage.get(unitKey);
    const ok = cov?.status === "collected";
    unit = {
      collected: ok,
      reason: ok
        ? undefined
        : cov
          ? `CloudTrail reads for ${cov.accountId}/${cov.region} were ${cov.status}${cov.errorCode ? ` (${cov.errorCode})` : ""}`
          : `CloudTrail reads were not collected for ${secret.accountId ?? "this account"}/${secret.region ?? "this region"}`,
    };
    index.units.set(unitKey, unit);
  }
  const collected = unit.collected;
  const unknownReason = unit.reason;
  const byPrincipal = new Map<string, ReadPrincipalFacts>();
  const deletedAt = secret.deleted ? Date.parse(secret.deleted) : undefined;
  const facts: ReadFacts = { total: 0, denied: 0, viaVpce: 0, awsService: 0, outsideVpce: 0, maxDeniedByPrincipal: 0, principals: [], sinceDeletion: 0 };
  for (const r of index.bySecret.get(secret.id) ?? NO_READS) {
    facts.total += r.count;
    facts.denied += r.deniedCount;
    facts.viaVpce += r.viaVpceCount;
    facts.awsService += r.awsServiceCount;
    const outside = Math.max(0, r.count - r.viaVpceCount - r.awsServiceCount);
    facts.outsideVpce += outside;
    if (!facts.lastRead || r.lastSeen > facts.lastRead) facts.lastRead = r.lastSeen;
    // Statistics are aggregated per principal, so a principal seen after the deletion
    // date counts with all its events: enough to show the secret is still wanted.
    if (deletedAt !== undefined && Date.parse(r.lastSeen) > deletedAt) facts.sinceDeletion += r.count;
    let p = byPrincipal.get(r.principal);
    if (!p) {
      p = {
        principal: r.principal,
        principalType: r.principalType,
        sameAccount: r.principalAccountId !== undefined && r.principalAccountId === secret.accountId,
        longTermKey: false,
        count: 0,
        deniedCount: 0,
        viaVpceCount: 0,
        awsServiceCount: 0,
        outsideVpceCount: 0,
        lastSeen: r.lastSeen,
      };
      if (r.principalAccountId !== undefined) {
        p.accountId = r.principalAccountId;
        if (organizationAccounts) p.inOrganization = organizationAccounts.has(r.principalAccountId);
      }
      byPrincipal.set(r.principal, p);
      facts.principals.push(p);
    }
    p.longTermKey = p.longTermKey || r.longTermKey === true;
    p.count += r.count;
    p.deniedCount += r.deniedCount;
    p.viaVpceCount += r.viaVpceCount;
    p.awsServiceCount += r.awsServiceCount;
    p.outsideVpceCount += outside;
    if (r.lastSeen > p.lastSeen) p.lastSeen = r.lastSeen;
  }
  for (const p of facts.principals) facts.maxDeniedByPrincipal = Math.max(facts.maxDeniedByPrincipal, p.deniedCount);
  return { facts, collected, unknownReason };
}
