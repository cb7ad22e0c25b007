/**
 * The live scan: resolve accounts and regions, then collect every account-region (the
 * unit of work) in parallel with bounded concurrency, and assemble one snapshot whose
 * coverage says, for every account × region × kind, what was collected and what was not.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { emptySnapshot } from "../../inventory/io";
import { shardOf, type ShardSpec, unitName } from "../../inventory/shard";
import type { Account, Coverage, CoverageKind, KmsKey, ReadStat, Secret, Snapshot, Trail, Vpc } from "../../inventory/types";
import { UserError } from "../../util/errors";
import { callerAccount, isInactive, organizationAccounts, SELF, Sessions } from "./accounts";
import type { CallObserver } from "./clients";
import { classifyError, errorName, ScanContext, type ScanStats } from "./context";
import { KeyCollector } from "./kms";
import { type LakeTarget, lakeReads } from "./lake";
import { mapPool, Pacer, Semaphore } from "./pacing";
import { lookupReads, type RawReads, resolveReads } from "./reads";
import type { GlobalPart } from "./partial";
import { describeRegions } from "./regions";
import { assembleReplicas, collectSecrets } from "./secrets";
import { REPLICAS_IN_OTHER_SHARDS } from "../../inventory/shard";
import { collectTrails, type TrailDetailCache } from "./trails";
import { collectVpcs } from "./vpc";

/** Options of one live scan. */
export interface AwsScanOptions {
  /** Base credentials; undefined = the SDK's default chain. */
  credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** Explicit account ids; with `organization` false and none given, the caller's account alone. */
  accounts?: string[];
  organization?: boolean;
  roleName?: string;
  regions?: string[];
  endpoint?: string;
  /** Region for STS, Organizations and DescribeRegions. */
  defaultRegion: string;
  readsDays: number;
  readsPageBudget: number;
  cloudtrailLake?: LakeTarget;
  concurrency: number;
  maxAttempts: number;
  /** Per-request timeout in ms (default 20 s); a timed-out call is retried like a 5xx, then a `failed` gap. */
  requestTimeoutMs?: number;
  /** Multiplies every paced quota (the simulator's timeScale); 1 against AWS. */
  quotaScale?: number;
  now?: Date;
  shard?: ShardSpec;
  observer?: CallObserver;
  /** Checkpoints for `scan --resume`: units already collected, and hooks called as parts finish. */
  checkpoint?: ScanCheckpoint;
  /** Called about once a second with a progress line (only wired when stderr is a terminal). */
  progress?: (line: string) => void;
}

/** Resume support: collected parts in, finished parts out. */
export interface ScanCheckpoint {
  /** Account-regions collected by an interrupted run, keyed `accountId/region`: not scanned again. */
  units?: Map<string, UnitResult>;
  /** The account list an interrupted run resolved (then not resolved again). */
  global?: GlobalPart;
  /** Called as each account-region finishes, before replicas are linked across regions. */
  onUnit?(accountId: string, region: string, result: UnitResult): void;
  /** Called once the account list is resolved. */
  onGlobal?(part: GlobalPart): void;
}

/** The snapshot and the scan's call statistics. */
export interface AwsScanResult {
  snapshot: Snapshot;
  stats: ScanStats;
}

/** Kinds collected per account-region. */
const UNIT_KINDS: CoverageKind[] = ["secrets", "resourcePolicies", "kmsKeys", "vpcs", "trails", "reads"];

/** What one account-region yields (also the content of a `scan --resume` checkpoint). */
export interface UnitResult {
  secrets: Secret[];
  keys: KmsKey[];
  vpcs: Vpc[];
  trails: Trail[];
  reads: ReadStat[];
  coverage: Coverage[];
}

/** Scan live AWS (or an AWS-compatible endpoint) into a snapshot. Never reads a secret value. */
export async function scanAws(opts: AwsScanOptions): Promise<AwsScanResult> {
  const now = opts.now ?? new Date();
  const start = new Date(now.getTime() - opts.readsDays * 86_400_000);
  const sessions = new Sessions(opts.credentials, opts.roleName, opts.defaultRegion);
  const ctx = new ScanContext(
    { credentialsFor: (id) => sessions.credentialsFor(id), endpoint: opts.endpoint, maxAttempts: opts.maxAttempts, requestTimeoutMs: opts.requestTimeoutMs, observer: opts.observer },
    new Pacer(opts.quotaScale ?? 1),
    (id, sentAtMs) => sessions.invalidate(id, sentAtMs),
  );
  const progress = { accounts: 0, accountsDone: 0, units: 0, unitsDone: 0, secrets: 0 };
  const timer = opts.progress ? setInterval(() => opts.progress?.(
    `accounts ${progress.accountsDone}/${progress.accounts} · regions ${progress.unitsDone}/${progress.units} · secrets ${progress.secrets} · API calls ${ctx.totalCommands()} · throttles ${ctx.stats.throttles}`,
  ), 1000) : undefined;
  try {
    let caller: string;
    try {
      caller = await callerAccount(ctx, opts.defaultRegion);
    } catch (err) {
      throw new UserError(`cannot establish AWS credentials (sts:GetCallerIdentity): ${errorName(err)}: ${(err as Error).message}`);
    }
    sessions.attach(ctx, caller);
    const coverage: Coverage[] = [];
    let accounts: Account[];
    let organization: Snapshot["organization"];
    const known = opts.checkpoint?.global;
    if (known) {
      accounts = known.accounts;
      organization = known.organization;
      coverage.push(...known.coverage);
    } else {
      const accountCoverage: Coverage[] = [];
      if (opts.accounts?.length) {
        accounts = opts.accounts.map((id) => ({ id }));
      } else if (opts.organization) {
        try {
          const org = await organizationAccounts(ctx, opts.defaultRegion);
          accounts = org.accounts;
          organization = org.organization;
          accountCoverage.push({ accountId: caller, region: "global", kind: "accounts", status: "collected", count: accounts.length });
        } catch (err) {
          accountCoverage.push({ accountId: caller, region: "global", kind: "accounts", ...classifyError(err) });
          accounts = [{ id: caller }];
        }
      } else {
        accounts = [{ id: caller }];
      }
      coverage.push(...accountCoverage);
      opts.checkpoint?.onGlobal?.({ accounts, ...(organization ? { organization } : {}), coverage: accountCoverage });
    }
    progress.accounts = accounts.length;

    const lakeByAccount = new Map<string, Promise<Map<string, { raw: RawReads; events: number }>>>();
    const lakeFor = (accountId: string): Promise<Map<string, { raw: RawReads; events: number }>> | undefined => {
      const lake = opts.cloudtrailLake;
      if (!lake) return undefined;
      let p = lakeByAccount.get(accountId);
      if (!p) {
        const owner = lake.ownerAccountId && lake.ownerAccountId !== caller ? lake.ownerAccountId : SELF;
        p = lakeReads(ctx, lake, owner, opts.defaultRegion, accountId, start, now);
        p.catch(() => undefined);
        lakeByAccount.set(accountId, p);
      }
      return p;
    };
    // Each account is planned (AssumeRole, DescribeRegions as that account: opt-in status differs
    // per account) and its account-regions start as soon as it is; one semaphore bounds them all.
    const slots = new Semaphore(opts.concurrency);
    const selected: Array<{ accountId: string; region: string }> = [];
    const plans = await mapPool(accounts, opts.concurrency, async (acct) => {
      const plan = await slots.run(() => planAccount(ctx, sessions, acct, opts));
      const mine = plan.regions.filter((region) => !opts.shard || shardOf(unitName(acct.id, region), opts.shard.count) === opts.shard.index);
      selected.push(...mine.map((region) => ({ accountId: acct.id, region })));
      progress.units += mine.length;
      const cache: TrailDetailCache = new Map();
      const results = await Promise.all(mine.map((region) => {
        const done = opts.checkpoint?.units?.get(unitName(acct.id, region));
        if (done) {
          progress.unitsDone++;
          return done;
        }
        return slots.run(async () => {
          const r = await scanUnit(ctx, acct.id, region, { start, end: now, pageBudget: opts.readsPageBudget, trails: cache, lake: lakeFor(acct.id) });
          opts.checkpoint?.onUnit?.(acct.id, region, r);
          progress.unitsDone++;
          progress.secrets += r.secrets.length;
          return r;
        });
      }));
      progress.accountsDone++;
      return { plan, results, mine };
    });
    const results = plans.flatMap((p) => p.results);
    for (const p of plans) coverage.push(...p.plan.coverage);

    const snapshot = emptySnapshot({
      kind: "live", inputs: [opts.endpoint ?? "aws"], readsWindowDays: opts.readsDays,
      readsMethod: opts.cloudtrailLake ? "cloudtrail-lake" : "lookup-events",
    }, now.toISOString());
    snapshot.accounts = accounts;
    if (organization) snapshot.organization = organization;
    snapshot.regions = [...new Set(selected.map((u) => u.region))].sort();
    for (const r of results) {
      snapshot.secrets.push(...r.secrets);
      snapshot.vpcs.push(...r.vpcs);
      snapshot.reads.push(...r.reads);
      coverage.push(...r.coverage);
    }
    for (const p of plans) {
      // A shard scans only some of an account's regions: replicas in the others come with the merge.
      const shardPartial = p.plan.allRegions && p.mine.length < p.plan.regions.length;
      assembleReplicas(p.results.flatMap((r) => r.secrets), p.plan.allRegions && !shardPartial, p.mine, shardPartial ? REPLICAS_IN_OTHER_SHARDS : undefined);
    }
    snapshot.kmsKeys = dedupe(results.flatMap((r) => r.keys), (k) => (k.policy !== undefined ? 0 : 1));
    snapshot.trails = dedupe(results.flatMap((r) => r.trails), (t) => Object.keys(t.unknowns ?? {}).length);
    snapshot.coverage = coverage;
    if (opts.shard) snapshot.shard = { index: opts.shard.index, count: opts.shard.count, units: selected.map((u) => unitName(u.accountId, u.region)).sort() };
    return { snapshot, stats: ctx.stats };
  } finally {
    if (timer) clearInterval(timer);
    ctx.factory.destroy();
  }
}

/** Keep one resource per id, the one with the lowest `rank` (the most complete). */
function dedupe<T extends { id: string }>(items: T[], rank: (t: T) => number): T[] {
  const best = new Map<string, T>();
  for (const it of items) {
    const prev = best.get(it.id);
    if (!prev || rank(it) < rank(prev)) best.set(it.id, it);
  }
  return [...best.values()];
}

interface AccountPlan {
  accountId: string;
  regions: string[];
  /** Every enabled region of the account is scanned (replica lists are then complete). */
  allRegions: boolean;
  coverage: Coverage[];
}

/** Reach the account (AssumeRole) and decide its regions; failures become coverage, never exceptions. */
async function planAccount(ctx: ScanContext, sessions: Sessions, acct: Account, opts: AwsScanOptions): Promise<AccountPlan> {
  const coverage: Coverage[] = [];
  const gapAll = (regions: string[], status: Coverage["status"], errorCode: string | undefined, message: string): void => {
    for (const region of regions) for (const kind of UNIT_KINDS) coverage.push({ accountId: acct.id, region, kind, status, errorCode, message });
  };
  if (isInactive(acct.status)) {
    coverage.push({ accountId: acct.id, region: "global", kind: "accounts", status: "skipped", message: `account is ${acct.status}` });
    return { accountId: acct.id, regions: [], allRegions: false, coverage };
  }
  const fallbackRegions = opts.regions ?? [];
  try {
    await sessions.ensure(acct.id);
  } catch (err) {
    const c = classifyError(err);
    coverage.push({ accountId: acct.id, region: "global", kind: "accounts", ...c, message: `cannot assume ${opts.roleName ?? "a role"}: ${c.message}` });
    gapAll(fallbackRegions, c.status, c.errorCode, "account not reachable");
    return { accountId: acct.id, regions: [], allRegions: false, coverage };
  }
  const probeRegion = opts.regions?.[0] ?? opts.defaultRegion;
  try {
    const r = await describeRegions(ctx, acct.id, probeRegion);
    coverage.push({ accountId: acct.id, region: "global", kind: "regions", status: "collected", count: r.enabled.length });
    if (!opts.regions) return { accountId: acct.id, regions: r.enabled, allRegions: true, coverage };
    const regions = opts.regions.filter((x) => r.enabled.includes(x));
    for (const x of opts.regions) {
      if (!regions.includes(x)) gapAll([x], "skipped", r.notEnabled.includes(x) ? "OptInRequired" : "UnknownRegion", `region ${x} is not enabled for account ${acct.id}`);
    }
    return { accountId: acct.id, regions, allRegions: r.enabled.every((x) => regions.includes(x)), coverage };
  } catch (err) {
    if (opts.regions) return { accountId: acct.id, regions: opts.regions, allRegions: false, coverage };
    coverage.push({ accountId: acct.id, region: "global", kind: "regions", ...classifyError(err) });
    return { accountId: acct.id, regions: [], allRegions: false, coverage };
  }
}

interface UnitOptions {
  start: Date;
  end: Date;
  pageBudget: number;
  trails: TrailDetailCache;
  lake?: Promise<Map<string, { raw: RawReads; events: number }>>;
}

/** Collect one account-region: secrets (+ policies), keys, VPCs, trails and reads, side by side. */
async function scanUnit(ctx: ScanContext, accountId: string, region: string, o: UnitOptions): Promise<UnitResult> {
  const keys = new KeyCollector(ctx, accountId, region);
  keys.start();
  const secretsP = collectSecrets(ctx, accountId, region, (ref) => keys.want(ref));
  const vpcsP = collectVpcs(ctx, accountId, region);
  const trailsP = collectTrails(ctx, accountId, region, o.trails);
  const readsP: Promise<{ raw: RawReads; coverage: Coverage }> = o.lake
    ? o.lake.then(
      (m) => ({ raw: m.get(region)?.raw ?? new Map(), coverage: { accountId, region, kind: "reads" as const, status: "collected" as const, count: m.get(region)?.events ?? 0 } }),
      (err: unknown) => ({ raw: new Map(), coverage: { accountId, region, kind: "reads" as const, ...classifyError(err) } }),
    )
    : lookupReads(ctx, accountId, region, { start: o.start, end: o.end, pageBudget: o.pageBudget });
  const secrets = await secretsP;
  const [k, v, t, r] = await Promise.all([keys.finish(), vpcsP, trailsP, readsP]);
  const resolved = resolveReads(r.raw, secrets.secrets, accountId, region);
  if (resolved.unresolved && r.coverage.status === "collected") {
    r.coverage.message = `${resolved.unresolved} read events name secrets not listed here (deleted, or in another account)`;
  }
  return {
    secrets: secrets.secrets, keys: k.keys, vpcs: v.vpcs, trails: t.trails, reads: resolved.reads,
    coverage: [...secrets.coverage, k.coverage, v.coverage, t.coverage, r.coverage],
  };
}
