/**
 * Client-side pacing: one token bucket per account-region and quota group, at or under
 * the published API quotas (DESIGN.md §4), so a scan rarely meets a throttle at all; the
 * SDK's adaptive retry mode handles the ones that still happen.
 */

/** A quota: `rate` requests per second refilling a bucket of `burst` tokens. */
export interface Quota {
  rate: number;
  burst: number;
}

/**
 * Quota group of each operation (operations in one group share a bucket, as EC2's
 * Describe* calls do) and the group's quota per account-region.
 */
export const OPERATION_GROUP: Record<string, string> = {
  "secretsmanager:ListSecrets": "sm-list",
  "secretsmanager:GetResourcePolicy": "sm-policy",
  "kms:DescribeKey": "kms",
  "kms:GetKeyRotationStatus": "kms",
  "kms:GetKeyPolicy": "kms",
  "kms:ListAliases": "kms",
  "ec2:DescribeVpcs": "ec2-describe",
  "ec2:DescribeVpcEndpoints": "ec2-describe",
  "ec2:DescribeRegions": "ec2-describe",
  "cloudtrail:LookupEvents": "ct-lookup",
  "cloudtrail:DescribeTrails": "ct-describe-trails",
  "cloudtrail:GetTrailStatus": "ct-trail-status",
  "cloudtrail:GetEventSelectors": "ct-selectors",
  "cloudtrail:StartQuery": "ct-lake",
  "cloudtrail:GetQueryResults": "ct-lake",
};

/** Per account-region quotas (requests/s, bucket size); AWS's published defaults. */
export const DEFAULT_QUOTAS: Record<string, Quota> = {
  "sm-list": { rate: 100, burst: 100 },
  "sm-policy": { rate: 50, burst: 50 },
  // KMS: one bucket for the four read calls, at ListAliases' 500/s (the lowest of their quotas).
  kms: { rate: 500, burst: 500 },
  "ec2-describe": { rate: 20, burst: 100 },
  "ct-lookup": { rate: 2, burst: 2 },
  "ct-describe-trails": { rate: 10, burst: 10 },
  "ct-trail-status": { rate: 10, burst: 10 },
  "ct-selectors": { rate: 10, burst: 10 },
  "ct-lake": { rate: 5, burst: 5 },
};

/** Pace at this share of each quota: a little headroom for clock drift between us and AWS. */
export const QUOTA_HEADROOM = 0.97;

/** A token bucket handing out reservations in FIFO order; tokens may go negative (queued). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.last = now();
  }

  /** Resolve when one token is available (immediately, or after the queued ones). */
  async take(): Promise<void> {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.rate) * 1000;
    await sleep(waitMs);
  }
}

/**
 * All buckets of one scan. `scale` multiplies every rate and burst (the simulator's
 * timeScale scales its quotas that way; 1 against AWS).
 */
export class Pacer {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas: Record<string, Quota>;

  constructor(private readonly scale = 1, quotas: Record<string, Quota> = DEFAULT_QUOTAS) {
    this.quotas = quotas;
  }

  /** Wait for a token of `action`'s group in `accountId/region`; unpaced actions return at once. */
  async take(accountId: string, region: string, action: string): Promise<void> {
    const group = OPERATION_GROUP[action];
    const quota = group ? this.quotas[group] : undefined;
    if (!group || !quota) return;
    const key = `${accountId}/${region}/${group}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(quota.rate * this.scale * QUOTA_HEADROOM, Math.max(1, Math.floor(quota.burst * this.scale * QUOTA_HEADROOM)));
      this.buckets.set(key, bucket);
    }
    await bucket.take();
  }

  /** The paced rate (requests/s) of `action`, after scale and headroom; undefined if unpaced. */
  rateOf(action: string): number | undefined {
    const group = OPERATION_GROUP[action];
    const quota = group ? this.quotas[group] : undefined;
    return quota ? quota.rate * this.scale * QUOTA_HEADROOM : undefined;
  }
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Run `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/**
 * A bounded set of in-flight tasks: `add` waits while `limit` tasks run, so a producer
 * reading pages never runs far ahead of its consumers (memory stays bounded).
 */
export class TaskWindow {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  /** Start `task` once a slot is free. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const p: Promise<void> = task().finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Number of tasks running now. */
  get size(): number {
    return this.running.size;
  }

  /** Wait for every started task. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
  }
}

/** A counting semaphore: at most `limit` holders at once, served in FIFO order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Run `fn` while holding one slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
