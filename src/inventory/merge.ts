/**
 * Merging shard snapshots (`scan --shard i/n`) back into one snapshot. The merge refuses
 * anything that would make the result silently wrong: the same unit collected twice, shards
 * of different splits, schema versions or read windows, a missing shard, a duplicated resource.
 */
import { UserError } from "../util/errors";
import { REPLICAS_IN_OTHER_SHARDS } from "./shard";
import type { Account, Coverage, KmsKey, ReadStat, Secret, Snapshot, Trail } from "./types";

/** Options of mergeSnapshots. */
export interface MergeOptions {
  /** Names of the inputs, in the order of `snaps`, for error messages (default `snapshot #k`). */
  names?: string[];
  /** Largest spread between the shards' `generatedAt`, in hours (default 24). */
  maxSkewHours?: number;
}

/** Combine shard snapshots into one; throws a UserError naming the input and the reason on any conflict. */
export function mergeSnapshots(snaps: Snapshot[], opts: MergeOptions = {}): Snapshot {
  if (snaps.length === 0) throw new UserError("nothing to merge: no snapshots given");
  const name = (k: number): string => opts.names?.[k] ?? `snapshot #${k + 1}`;
  const first = snaps[0];

  snaps.forEach((s, k) => {
    if (s.schemaVersion !== first.schemaVersion) {
      throw new UserError(`schema version ${s.schemaVersion} differs from ${first.schemaVersion} in ${name(0)}`, { file: name(k), field: "schemaVersion" });
    }
    if (s.source.kind !== first.source.kind) {
      throw new UserError(`source kind '${s.source.kind}' differs from '${first.source.kind}' in ${name(0)}`, { file: name(k), field: "source.kind" });
    }
    if (s.source.readsWindowDays !== first.source.readsWindowDays || s.source.readsMethod !== first.source.readsMethod) {
      throw new UserError(
        `read window ${describeWindow(s)} differs from ${describeWindow(first)} in ${name(0)}`,
        { file: name(k), field: "source.readsWindowDays" },
      );
    }
    if (JSON.stringify(s.organization ?? null) !== JSON.stringify(first.organization ?? null)) {
      throw new UserError(`organization differs from the one in ${name(0)}`, { file: name(k), field: "organization" });
    }
  });
  checkSkew(snaps, name, opts.maxSkewHours ?? 24);
  checkShards(snaps, name);

  // Each unit is owned by exactly one input.
  const unitOwner = new Map<string, number>();
  snaps.forEach((s, k) => {
    for (const unit of unitsOf(s)) {
      const prev = unitOwner.get(unit);
      if (prev !== undefined && prev !== k) {
        throw new UserError(`unit ${unit} is also in ${name(prev)}: overlapping shards`, { file: name(k), field: "shard.units" });
      }
      unitOwner.set(unit, k);
    }
  });

  const merged: Snapshot = {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    generatedAt: snaps.map((s) => s.generatedAt).sort().at(-1) ?? first.generatedAt,
    source: {
      ...first.source,
      kind: "merged",
      inputs: [...new Set(snaps.flatMap((s) => s.source.inputs ?? []))],
    },
    accounts: mergeAccounts(snaps),
    secrets: linkReplicas(uniqueById(snaps, (s) => s.secrets, "secrets", name)),
    kmsKeys: mergeKeys(snaps),
    vpcs: uniqueById(snaps, (s) => s.vpcs, "vpcs", name),
    trails: mergeTrails(snaps),
    reads: mergeReads(snaps, name),
    coverage: mergeCoverage(snaps, name),
  };
  if (first.organization) merged.organization = first.organization;
  const regions = [...new Set(snaps.flatMap((s) => s.regions ?? []))].sort();
  if (snaps.some((s) => s.regions)) merged.regions = regions;
  return merged;
}

/** The `accountId/region` units a snapshot speaks for: its shard's list, else what its coverage covers. */
export function unitsOf(s: Snapshot): string[] {
  if (s.shard) return s.shard.units;
  const units = new Set<string>();
  for (const c of s.coverage) if (c.region !== "global") units.add(`${c.accountId}/${c.region}`);
  return [...units];
}

function describeWindow(s: Snapshot): string {
  return `${s.source.readsWindowDays ?? "none"} days (${s.source.readsMethod ?? "unset"})`;
}

function checkSkew(snaps: Snapshot[], name: (k: number) => string, maxSkewHours: number): void {
  const times = snaps.map((s) => Date.parse(s.generatedAt));
  const bad = times.findIndex((t) => Number.isNaN(t));
  if (bad >= 0) throw new UserError(`generatedAt '${snaps[bad].generatedAt}' is not a date`, { file: name(bad), field: "generatedAt" });
  const lo = times.indexOf(Math.min(...times));
  const hi = times.indexOf(Math.max(...times));
  const hours = (times[hi] - times[lo]) / 3_600_000;
  if (hours > maxSkewHours) {
    throw new UserError(
      `collected ${hours.toFixed(1)} hours after ${name(lo)}; shards of one audit must be at most ${maxSkewHours} hours apart`,
      { file: name(hi), field: "generatedAt" },
    );
  }
}

function checkShards(snaps: Snapshot[], name: (k: number) => string): void {
  const sharded = snaps.filter((s) => s.shard);
  if (sharded.length === 0) return;
  if (sharded.length !== snaps.length) {
    const k = snaps.findIndex((s) => !s.shard);
    throw new UserError("is not a shard snapshot, but others are: merge shards of one split only", { file: name(k), field: "shard" });
  }
  const count = snaps[0].shard?.count ?? 0;
  const seen = new Map<number, number>();
  snaps.forEach((s, k) => {
    const shard = s.shard;
    if (!shard) return;
    if (shard.count !== count) {
      throw new UserError(`shard count ${shard.count} differs from ${count} in ${name(0)}`, { file: name(k), field: "shard.count" });
    }
    const prev = seen.get(shard.index);
    if (prev !== undefined) throw new UserError(`shard ${shard.index}/${count} is also ${name(prev)}`, { file: name(k), field: "shard.index" });
    seen.set(shard.index, k);
  });
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!seen.has(i)) missing.push(i);
  if (missing.length) {
    throw new UserError(`missing shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")}: the merged snapshot would be incomplete`, { field: "shard" });
  }
}

function mergeAccounts(snaps: Snapshot[]): Account[] {
  const byId = new Map<string, Account>();
  for (const s of snaps) {
    for (const a of s.accounts) byId.set(a.id, { ...byId.get(a.id), ...a });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function uniqueById<T extends { id: string }>(
  snaps: Snapshot[], pick: (s: Snapshot) => T[], kind: string, name: (k: number) => string,
): T[] {
  const owner = new Map<string, number>();
  const out: T[] = [];
  snaps.forEach((s, k) => {
    for (const r of pick(s)) {
      const prev = owner.get(r.id);
      if (prev !== undefined) throw new UserError(`duplicate resource ${r.id} (also in ${name(prev)})`, { file: name(k), field: kind });
      owner.set(r.id, k);
      out.push(r);
    }
  });
  return out;
}

/**
 * KMS keys are described where secrets use them, so a key owned by one account can be seen
 * from another account's unit: identical copies collapse, and the copy collected in the key's
 * own account and region (which can read the key policy) wins over a foreign view.
 */
function mergeKeys(snaps: Snapshot[]): KmsKey[] {
  const byId = new Map<string, KmsKey>();
  for (const s of snaps) {
    for (const key of s.kmsKeys) {
      const prev = byId.get(key.id);
      if (!prev || keyRank(key) > keyRank(prev)) byId.set(key.id, key);
    }
  }
  return [...byId.values()];
}

/**
 * A multi-region or organization trail is listed by every region and member account that it
 * covers, so each shard may hold a copy: keep the one with the fewest unknowns (as the scanner does).
 */
function mergeTrails(snaps: Snapshot[]): Trail[] {
  const byId = new Map<string, Trail>();
  for (const s of snaps) {
    for (const t of s.trails) {
      const prev = byId.get(t.id);
      if (!prev || Object.keys(t.unknowns ?? {}).length < Object.keys(prev.unknowns ?? {}).length) byId.set(t.id, t);
    }
  }
  return [...byId.values()];
}

/**
 * A shard holding a primary secret does not see replicas collected by other shards: add every
 * replica secret of the merged set to its primary's `replicas` (entries already there are kept).
 */
function linkReplicas(secrets: Secret[]): Secret[] {
  const primaries = new Map<string, Secret>();
  for (const s of secrets) if (s.region && s.region === s.primaryRegion) primaries.set(s.id, s);
  const out = secrets.map((s) => (primaries.has(s.id) ? withShardReplicasKnown({ ...s, replicas: s.replicas ? [...s.replicas] : undefined }) : s));
  const byId = new Map(out.map((s) => [s.id, s]));
  for (const s of out) {
    if (!s.region || !s.primaryRegion || s.region === s.primaryRegion) continue;
    const primary = byId.get(s.id.replace(`:secretsmanager:${s.region}:`, `:secretsmanager:${s.primaryRegion}:`));
    if (!primary || primary.region !== primary.primaryRegion) continue;
    if (primary.replicas?.some((r) => r.region === s.region)) continue;
    (primary.replicas ??= []).push({ region: s.region, kmsKeyId: s.kmsKeyId ?? null });
    primary.replicas.sort((a, b) => a.region.localeCompare(b.region));
  }
  return out;
}

/** Every shard is present in a merge, so replicas a shard left to the others are now all known. */
function withShardReplicasKnown(s: Secret): Secret {
  if (s.unknowns?.replicas !== REPLICAS_IN_OTHER_SHARDS) return s;
  const { replicas: _resolved, ...rest } = s.unknowns;
  return { ...s, replicas: s.replicas ?? [], unknowns: Object.keys(rest).length ? rest : undefined };
}

function keyRank(k: KmsKey): number {
  const native = k.source.kind === "live" && k.source.accountId === k.accountId && k.source.region === k.region ? 1000 : 0;
  return native + Object.keys(k).length - Object.keys(k.unknowns ?? {}).length;
}

function mergeReads(snaps: Snapshot[], name: (k: number) => string): ReadStat[] {
  const seen = new Map<string, number>();
  const out: ReadStat[] = [];
  snaps.forEach((s, k) => {
    for (const r of s.reads) {
      const key = `${r.accountId}/${r.region}/${r.secretId}/${r.principal}`;
      const prev = seen.get(key);
      if (prev !== undefined) throw new UserError(`duplicate read statistics for ${r.secretId} by ${r.principal} (also in ${name(prev)})`, { file: name(k), field: "reads" });
      seen.set(key, k);
      out.push(r);
    }
  });
  return out;
}

/**
 * Per-unit coverage must come from one input; `global` coverage (accounts, organization) is
 * collected by every shard, so equal entries collapse and a successful collection wins.
 */
function mergeCoverage(snaps: Snapshot[], name: (k: number) => string): Coverage[] {
  const out: Coverage[] = [];
  const global = new Map<string, Coverage>();
  const seen = new Map<string, number>();
  snaps.forEach((s, k) => {
    for (const c of s.coverage) {
      const key = `${c.accountId}/${c.region}/${c.kind}`;
      if (c.region === "global") {
        const prev = global.get(key);
        if (!prev || (prev.status !== "collected" && c.status === "collected")) global.set(key, c);
        continue;
      }
      const prev = seen.get(key);
      if (prev !== undefined && prev !== k) {
        throw new UserError(`coverage of ${c.kind} in ${c.accountId}/${c.region} is also in ${name(prev)}: overlapping shards`, { file: name(k), field: "coverage" });
      }
      seen.set(key, k);
      out.push(c);
    }
  });
  return [...global.values(), ...out];
}
