/**
 * Deterministic sharding of the unit of work (one `accountId/region`) across `n` workers.
 *
 * Shard numbers are 1-based everywhere (`--shard 1/4` … `--shard 4/4`, `snapshot.shard.index`),
 * the convention of test runners' `--shard` flags and of a GitHub Actions matrix written by hand.
 *
 * A unit's shard depends only on the unit's name and `n` (rendezvous hashing), never on its
 * position in the list: adding an account moves no existing unit, and going from `n` to
 * `n + 1` shards moves only about `1/(n + 1)` of the units.
 */
import { UserError } from "../util/errors";
import { hash32 } from "../util/hash";

/** The most shards accepted: far above any account × region count a scan would split. */
export const MAX_SHARDS = 10_000;

/** A parsed `--shard i/n`: `index` is 1-based. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Parse `i/n` (1 ≤ i ≤ n ≤ MAX_SHARDS) into a ShardSpec, or throw a UserError naming `field`. */
export function parseShard(text: string, field = "--shard"): ShardSpec {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  if (!m) throw new UserError(`expected i/n with 1 ≤ i ≤ n (e.g. 1/4), got '${text}'`, { field });
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UserError(`shard count must be between 1 and ${MAX_SHARDS}, got ${count}`, { field });
  if (index < 1 || index > count) {
    throw new UserError(`shard index must be between 1 and ${count} (shards are numbered from 1), got ${index}`, { field });
  }
  return { index, count };
}

/** The unit name of an account and region: `accountId/region`. */
export function unitName(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** The 1-based shard (of `count`) that owns `unit`. */
export function shardOf(unit: string, count: number): number {
  let best = 1;
  let bestScore = -1;
  for (let j = 1; j <= count; j++) {
    const score = hash32(`${unit}#${j}`);
    if (score > bestScore) {
      bestScore = score;
      best = j;
    }
  }
  return best;
}

/**
 * The units (`accountId/region`) of `units` that shard `index` of `count` collects,
 * in their original order; every unit lands in exactly one shard.
 */
export function shardUnits(units: string[], index: number, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new UserError(`shard count must be between 1 and ${MAX_SHARDS}, got ${count}`);
  if (!Number.isInteger(index) || index < 1 || index > count) throw new UserError(`shard index must be between 1 and ${count}, got ${index}`);
  if (count === 1) return [...new Set(units)];
  return [...new Set(units)].filter((u) => shardOf(u, count) === index);
}

/**
 * The unknown reason a shard scan gives a primary secret's replicas when other shards scan
 * some of its account's regions; `merge` resolves it, since it only merges complete shard sets.
 */
export const REPLICAS_IN_OTHER_SHARDS = "replicas in regions scanned by other shards are listed when the shards are merged";
