/**
 * CloudTrail read statistics per secret: who read it, how, how often denied, and
 * whether the snapshot collected reads for the secret's account-region at all (no
 * data and "no reads" must never look alike).
 */
import type { Coverage, ReadStat, Secret, Snapshot } from "../inventory/types";
import type { ReadFacts, ReadPrincipalFacts } from "./facts";
import { parseIsoMs } from "./time";

/** Reads grouped by secret id, and the reads coverage per account-region. */
export interface ReadIndex {
  /** Index into `reads` of each secret's first read (a Map of numbers: no array per secret). */
  first: Map<string, number>;
  /** `next[i]`: index of the same secret's read after `reads[i]`, or -1. */
  next: Int32Array;
  reads: ReadStat[];
  /**
   * Runs of consecutive reads of one secret: the id and the chain head of each. Reads are
   * usually listed in the order of their secrets, so the next run predicts the next
   * secret's reads without hashing its id (the Map stays the answer when it does not).
   */
  runIds: unknown[];
  runHeads: number[];
  /** The run expected next. */
  cursor: number;
  coverage: Map<string, Coverage>;
  /** Per account-region: whether reads were collected, and why not (computed once per unit). */
  units: Map<string, { collected: boolean; reason?: string }>;
  /** The last unit looked up: secrets come grouped by account-region, so this skips most lookups. */
  last?: { accountId: string | undefined; region: string | undefined; unit: { collected: boolean; reason?: string } };
}

/** Chain snapshot.reads by secret (in snapshot order) and index the `reads` coverage. */
export function buildReadIndex(snapshot: Pick<Snapshot, "reads" | "coverage">): ReadIndex {
  const reads = snapshot.reads ?? [];
  const first = new Map<string, number>();
  const next = new Int32Array(reads.length).fill(-1);
  // tail[i] is only meaningful for a secret's first read: the index of its last read so far.
  const tail = new Int32Array(reads.length);
  const runIds: unknown[] = [];
  const runHeads: number[] = [];
  let prevId: unknown;
  let prevHead = -1;
  for (let i = 0; i < reads.length; i++) {
    const id = reads[i].secretId;
    let head: number;
    // Within a run the id is the previous read's: its chain is known without a lookup.
    if (i > 0 && id === prevId) head = prevHead;
    else {
      const h = first.get(id);
      prevId = id;
      if (h === undefined) {
        first.set(id, i);
        tail[i] = i;
        prevHead = i;
        runIds.push(id);
        runHeads.push(i);
        continue;
      }
      head = prevHead = h;
      runIds.push(id);
      runHeads.push(h);
    }
    next[tail[head]] = i;
    tail[head] = i;
  }
  const coverage = new Map<string, Coverage>();
  for (const c of snapshot.coverage ?? []) {
    if (c.kind !== "reads") continue;
    const key = `${c.accountId}|${c.region}`;
    // Any non-collected entry for the unit wins: partial failure means incomplete data.
    const prev = coverage.get(key);
    if (!prev || prev.status === "collected") coverage.set(key, c);
  }
  return { first, next, reads, runIds, runHeads, cursor: 0, coverage, units: new Map() };
}

/** Whether reads were collected for the secret's account-region, and why not. */
export function readsUnit(index: ReadIndex, secret: Secret): { collected: boolean; reason?: string } {
  const last = index.last;
  if (last && last.accountId === secret.accountId && last.region === secret.region) return last.unit;
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
  // Matched by identity next time: a value equal only after coercion just looks its unit up again.
  index.last = { accountId: secret.accountId, region: secret.region, unit };
  return unit;
}

/** Principals beyond this many are looked up through a Map instead of a scan of the list. */
const LINEAR_PRINCIPALS = 8;

/** Principals of the secret being summarised; copied out at its exact size (one array per secret). */
const scratch: ReadPrincipalFacts[] = [];

/** A new principal entry; the optional fields are written in the literal so no property store is grown later. */
function principalOf(r: ReadStat, secret: Secret, organizationAccounts: Set<string> | undefined): ReadPrincipalFacts {
  const sameAccount = r.principalAccountId !== undefined && r.principalAccountId === secret.accountId;
  if (r.principalAccountId === undefined) {
    return { principal: r.principal, principalType: r.principalType, sameAccount, longTermKey: false, count: 0, deniedCount: 0, viaVpceCount: 0, awsServiceCount: 0, outsideVpceCount: 0, lastSeen: r.lastSeen };
  }
  if (!organizationAccounts) {
    return {
      principal: r.principal, principalType: r.principalType, sameAccount, longTermKey: false, count: 0, deniedCount: 0, viaVpceCount: 0, awsServiceCount: 0, outsideVpceCount: 0, lastSeen: r.lastSeen,
      accountId: r.principalAccountId,
    };
  }
  return {
    principal: r.principal, principalType: r.principalType, sameAccount, longTermKey: false, count: 0, deniedCount: 0, viaVpceCount: 0, awsServiceCount: 0, outsideVpceCount: 0, lastSeen: r.lastSeen,
    accountId: r.principalAccountId,
    inOrganization: organizationAccounts.has(r.principalAccountId),
  };
}

/** The read statistics of `secret` (collected or not), or undefined when no read of it is recorded. */
export function readFacts(index: ReadIndex, secret: Secret, organizationAccounts: Set<string> | undefined): ReadFacts | undefined {
  let i: number;
  const c = index.cursor;
  if (c < index.runIds.length && index.runIds[c] === secret.id) {
    // The predicted run's head is what the Map holds for this id (a run starts no new chain).
    i = index.runHeads[c];
    index.cursor = c + 1;
  } else i = index.first.size === 0 ? -1 : (index.first.get(secret.id) ?? -1);
  if (i < 0) return undefined;
  const deletedAt = secret.deleted ? parseIsoMs(secret.deleted) : undefined;
  let total = 0;
  let denied = 0;
  let viaVpce = 0;
  let awsService = 0;
  let outsideVpce = 0;
  let sinceDeletion = 0;
  let lastRead: string | undefined;
  const principals = scratch;
  principals.length = 0;
  let byPrincipal: Map<string, ReadPrincipalFacts> | undefined;
  for (; i >= 0; i = index.next[i]) {
    const r = index.reads[i];
    total += r.count;
    denied += r.deniedCount;
    viaVpce += r.viaVpceCount;
    awsService += r.awsServiceCount;
    const outside = Math.max(0, r.count - r.viaVpceCount - r.awsServiceCount);
    outsideVpce += outside;
    if (!lastRead || r.lastSeen > lastRead) lastRead = r.lastSeen;
    // Statistics are aggregated per principal, so a principal seen after the deletion
    // date counts with all its events: enough to show the secret is still wanted.
    if (deletedAt !== undefined && parseIsoMs(r.lastSeen) > deletedAt) sinceDeletion += r.count;
    let p: ReadPrincipalFacts | undefined;
    if (byPrincipal) p = byPrincipal.get(r.principal);
    else {
      // SameValueZero, as the Map this replaces for the usual handful of principals.
      const key = r.principal;
      for (let k = 0; k < principals.length; k++) {
        const q = principals[k].principal;
        if (q === key || (q !== q && key !== key)) {
          p = principals[k];
          break;
        }
      }
    }
    if (!p) {
      p = principalOf(r, secret, organizationAccounts);
      principals.push(p);
      if (byPrincipal) byPrincipal.set(r.principal, p);
      else if (principals.length > LINEAR_PRINCIPALS) {
        byPrincipal = new Map();
        for (const q of principals) if (!byPrincipal.has(q.principal)) byPrincipal.set(q.principal, q);
      }
    }
    p.longTermKey = p.longTermKey || r.longTermKey === true;
    p.count += r.count;
    p.deniedCount += r.deniedCount;
    p.viaVpceCount += r.viaVpceCount;
    p.awsServiceCount += r.awsServiceCount;
    p.outsideVpceCount += outside;
    if (r.lastSeen > p.lastSeen) p.lastSeen = r.lastSeen;
  }
  let maxDeniedByPrincipal = 0;
  for (const p of principals) maxDeniedByPrincipal = Math.max(maxDeniedByPrincipal, p.deniedCount);
  const list = principals.slice();
  principals.length = 0;
  // The first read always set `lastRead` (even to an undefined lastSeen): it is the last key, and present.
  return { total, denied, viaVpce, awsService, outsideVpce, maxDeniedByPrincipal, principals: list, sinceDeletion, lastRead };
}
