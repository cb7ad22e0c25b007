/**
 * The cost model: the monthly run-rate of an estate's Secrets Manager, KMS and endpoint
 * usage from the inventory and the prices, its waste, the savings of client-side caching,
 * and the cost delta of a remediation plan, broken down by account, region and a tag.
 *
 * Model (documented in the report's assumptions):
 * - every secret not scheduled for deletion costs secretMonthly; every replica region is a
 *   separate secret, billed at its region's price (AWS does not bill secrets marked for deletion);
 * - API calls: CloudTrail GetSecretValue events over the read window, scaled to a 30-day month;
 * - each read of a secret under a customer managed key is one KMS Decrypt request (reads of
 *   secrets under the AWS managed aws/secretsmanager key are not billed by KMS);
 * - a customer managed key (not pending deletion) costs kmsKeyMonthly, plus kmsRotationMonthly
 *   per billed rotation when rotation is on (`keyRotations` assumed, default 2), capped;
 * - an interface endpoint for secretsmanager or kms costs endpointAzHour × hoursPerMonth per
 *   AZ, one AZ per subnet id;
 * - caching: a client with cache TTL t makes at most 30·86400/t calls a month per secret, and
 *   each distinct principal is counted as one client.
 */
import { findingsOf } from "../findings/rows";
import type { AnalyzedSnapshot, SecretView } from "../analyze/facts";
import { analyzeSnapshot } from "../analyze/index";
import type { FindingsFile } from "../findings/types";
import type { Snapshot } from "../inventory/types";
import type { RemediationPlan } from "../remediate/types";
import { type Pricing, type Prices, kmsKeyMonthlyCost, priceFor } from "./pricing";

/** Cost categories, in display order. */
export const COST_CATEGORIES = ["secrets", "replicas", "secretApi", "kmsKeys", "kmsRotation", "kmsRequests", "endpoints"] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** Human names of the categories. */
export const CATEGORY_LABELS: Record<CostCategory, string> = {
  secrets: "Secrets", replicas: "Replica secrets", secretApi: "Secrets Manager API calls", kmsKeys: "Customer managed KMS keys",
  kmsRotation: "KMS key rotation surcharge", kmsRequests: "KMS requests (Decrypt)", endpoints: "Interface VPC endpoints (AZ-hours)",
};

export interface CostLine {
  category: CostCategory;
  quantity: number;
  unit: string;
  monthly: number;
}

export interface CostGroup {
  key: string;
  monthly: number;
  byCategory: Partial<Record<CostCategory, number>>;
}

export interface WasteItem {
  id: string;
  name: string;
  accountId?: string;
  region?: string;
  monthly: number;
  detail: string;
}

export interface WasteSection {
  count: number;
  monthly: number;
  /** The most expensive items, at most `topN`. */
  items: WasteItem[];
}

export interface CachingItem {
  secretId: string;
  name: string;
  accountId?: string;
  region?: string;
  callsPerMonth: number;
  callsWithCache: number;
  principals: number;
  monthlySavings: number;
}

export interface PlanDelta {
  actions: number;
  monthlyDelta: number;
  byKind: Record<string, { actions: number; monthly: number }>;
  byAccount: Record<string, number>;
  items: Array<{ id: string; kind: string; accountId: string; region: string; monthly: number; note: string }>;
}

export interface CostReport {
  snapshotGeneratedAt: string;
  pricing: { asOf: string; currency: string; files: string[] };
  /** Read window of the CloudTrail statistics, in days. */
  readsWindowDays: number;
  readsAvailable: boolean;
  total: number;
  lines: CostLine[];
  byAccount: CostGroup[];
  byRegion: CostGroup[];
  tag?: { key: string; groups: CostGroup[] };
  waste: { total: number; unusedSecrets: WasteSection & { basis: string }; pendingDeletion: WasteSection; unusedKeys: WasteSection };
  caching: { ttlSeconds: number; maxCallsPerClient: number; callsPerMonth: number; callsWithCache: number; monthlySavings: number; top: CachingItem[] };
  plan?: PlanDelta;
  /** Things that could not be priced (e.g. an endpoint without subnet ids). */
  unpriced: string[];
  assumptions: string[];
}

export interface CostOptions {
  pricing: Pricing;
  findings?: FindingsFile;
  plan?: RemediationPlan;
  /** Cost-allocation tag key to break costs down by (e.g. CostCenter). */
  tagKey?: string;
  /** Client cache TTL in seconds for the caching-savings estimate (default 3600, the AWS caching clients' default). */
  cacheTtlSeconds?: number;
  /** A secret unused this many days is waste (default 90), when no secret-unused findings are given. */
  unusedDays?: number;
  /** Billed rotations assumed for a key with rotation on (default 2: the steady state, where AWS's cap applies). */
  keyRotations?: number;
  /** Items listed per waste / caching section (default 25). */
  topN?: number;
  /** The snapshot already analyzed (by the evaluation that produced the findings): saves analyzing it twice. */
  analyzed?: AnalyzedSnapshot;
}

const MONTH_DAYS = 30;
const UNTAGGED = "(untagged)";
const NONE = "(none)";

/** Compute the cost report of `snapshot`. */
export function buildCost(snapshot: Snapshot, opts: CostOptions): CostReport {
  const { pricing } = opts;
  const ttl = opts.cacheTtlSeconds ?? 3600;
  const topN = opts.topN ?? 25;
  const unusedDays = opts.unusedDays ?? 90;
  const rotations = opts.keyRotations ?? 2;
  const window = snapshot.source.readsWindowDays && snapshot.source.readsWindowDays > 0 ? snapshot.source.readsWindowDays : 30;
  const scale = MONTH_DAYS / window;
  const readsAvailable = (snapshot.reads?.length ?? 0) > 0 || (snapshot.coverage ?? []).some((c) => c.kind === "reads" && c.status === "collected");
  const analyzed = opts.analyzed ?? analyzeSnapshot(snapshot);
  const prices = new Map<string, Prices>();
  const at = (region: string | undefined): Prices => {
    const k = region ?? "";
    let p = prices.get(k);
    if (!p) prices.set(k, (p = priceFor(pricing, region)));
    return p;
  };

  const lines = new Map<CostCategory, CostLine>();
  const byAccount = new Map<string, CostGroup>();
  const byRegion = new Map<string, CostGroup>();
  const byTag = new Map<string, CostGroup>();
  const add = (cat: CostCategory, qty: number, unit: string, monthly: number, account: string | undefined, region: string | undefined, tag: string | undefined): void => {
    let line = lines.get(cat);
    if (!line) lines.set(cat, (line = { category: cat, quantity: 0, unit, monthly: 0 }));
    line.quantity += qty;
    line.monthly += monthly;
    bump(byAccount, account ?? NONE, cat, monthly);
    bump(byRegion, region ?? NONE, cat, monthly);
    if (opts.tagKey) bump(byTag, tag ?? UNTAGGED, cat, monthly);
  };
  const tagOf = (tags: Record<string, string> | undefined): string | undefined => (opts.tagKey ? tags?.[opts.tagKey] ?? UNTAGGED : undefined);

  const secrets = analyzed.views.secret;
  const present = new Set(secrets.map((s) => `${s.accountId}|${s.region}|${s.name}`));
  const keyTags = new Map<string, Set<string>>();
  const unpriced: string[] = [];
  const caching: CachingItem[] = [];
  const maxCalls = (MONTH_DAYS * 86400) / ttl;
  let callsTotal = 0, callsCached = 0, savings = 0;
  const unusedFromFindings = unusedSet(opts.findings);
  const unused: WasteItem[] = [], pending: WasteItem[] = [];

  for (const s of secrets) {
    const tag = tagOf(s.tags);
    const p = at(s.region);
    if (s.facts.pendingDeletion) {
      const restore = secretMonthlyWithReplicas(s, at, present);
      pending.push({ id: s.id, name: s.name, accountId: s.accountId, region: s.region, monthly: 0, detail: `not billed while scheduled for deletion (${s.deleted}); ${money(restore)}/month if restored; ${s.facts.reads.sinceDeletion} reads since deletion` });
      continue;
    }
    add(s.facts.isReplica ? "replicas" : "secrets", 1, "secret-months", p.secretMonthly, s.accountId, s.region, tag);
    for (const r of s.replicas ?? []) {
      if (present.has(`${s.accountId}|${r.region}|${s.name}`)) continue; // its own entry is counted
      add("replicas", 1, "secret-months", at(r.region).secretMonthly, s.accountId, r.region, tag);
    }
    const cmk = s.facts.key.manager === "CUSTOMER";
    if (cmk && s.facts.key.arn && opts.tagKey) {
      let set = keyTags.get(s.facts.key.arn);
      if (!set) keyTags.set(s.facts.key.arn, (set = new Set()));
      set.add(tag ?? UNTAGGED);
    }
    // Reads: billed API calls, KMS Decrypts under a CMK, and what a cache would save.
    let calls = 0, withCache = 0;
    for (const pr of s.facts.reads.principals) {
      const monthly = pr.count * scale;
      calls += monthly;
      withCache += Math.min(monthly, maxCalls);
    }
    if (calls > 0) {
      add("secretApi", calls, "calls", (calls / 10_000) * p.secretApiPer10k, s.accountId, s.region, tag);
      if (cmk) add("kmsRequests", calls, "requests", (calls / 10_000) * p.kmsRequestsPer10k, s.accountId, s.region, tag);
      const saved = calls - withCache;
      const perCall = p.secretApiPer10k / 10_000 + (cmk ? p.kmsRequestsPer10k / 10_000 : 0);
      callsTotal += calls;
      callsCached += withCache;
      if (saved > 0) {
        savings += saved * perCall;
        caching.push({ secretId: s.id, name: s.name, accountId: s.accountId, region: s.region, callsPerMonth: calls, callsWithCache: withCache, principals: s.facts.reads.principals.length, monthlySavings: saved * perCall });
      }
    }
    const isUnused = unusedFromFindings ? unusedFromFindings.has(s.id) : s.facts.daysSinceLastUse !== undefined && s.facts.daysSinceLastUse > unusedDays;
    if (isUnused) {
      const m = secretMonthlyWithReplicas(s, at, present);
      unused.push({ id: s.id, name: s.name, accountId: s.accountId, region: s.region, monthly: m, detail: s.facts.daysSinceLastUse !== undefined ? `last used ${Math.floor(s.facts.daysSinceLastUse)} days ago (${s.facts.lastUsedFrom})` : "reported unused by secret-unused" });
    }
  }

  const unusedKeys: WasteItem[] = [];
  for (const k of analyzed.views.kmsKey) {
    if (k.manager !== "CUSTOMER" || k.facts.pendingDeletion) continue;
    const p = at(k.region);
    const base = p.kmsKeyMonthly;
    const total = kmsKeyMonthlyCost(p, k.rotationEnabled ? rotations : 0);
    const set = keyTags.get(k.arn ?? k.id);
    const tag = opts.tagKey ? (set && set.size === 1 ? [...set][0] : set && set.size > 1 ? "(shared)" : UNTAGGED) : undefined;
    add("kmsKeys", 1, "keys", Math.min(base, total), k.accountId, k.region, tag);
    if (total > base) add("kmsRotation", 1, "rotating keys", total - base, k.accountId, k.region, tag);
    if (k.facts.usedBySecrets === 0) {
      unusedKeys.push({ id: k.id, name: k.aliases?.[0] ?? k.keyId ?? k.id, accountId: k.accountId, region: k.region, monthly: total, detail: "no secret in the snapshot uses this key; it may serve other services: check before scheduling deletion" });
    }
  }

  for (const v of analyzed.views.vpc) {
    for (const e of v.endpoints ?? []) {
      if (e.type !== undefined && e.type !== "Interface") continue;
      if (!/\.(secretsmanager|kms)(-fips)?$/.test(e.serviceName ?? "")) continue;
      if (e.state && /^(deleted|deleting|rejected|failed|expired)$/i.test(e.state)) continue;
      const azs = new Set(e.subnetIds ?? []).size;
      if (azs === 0) {
        unpriced.push(`endpoint ${e.id} (${e.serviceName}) in ${v.vpcId ?? v.id}: subnets unknown, AZ-hours not priced`);
        continue;
      }
      const p = at(v.region);
      add("endpoints", azs * p.hoursPerMonth, "AZ-hours", azs * p.hoursPerMonth * p.endpointAzHour, v.accountId, v.region, tagOf(v.tags));
    }
  }

  const lineList = COST_CATEGORIES.map((c) => lines.get(c)).filter((l): l is CostLine => l !== undefined);
  const total = lineList.reduce((s, l) => s + l.monthly, 0);
  const sortGroups = (m: Map<string, CostGroup>): CostGroup[] => [...m.values()].sort((a, b) => b.monthly - a.monthly || a.key.localeCompare(b.key));
  const section = (items: WasteItem[]): WasteSection => ({
    count: items.length,
    monthly: items.reduce((s, i) => s + i.monthly, 0),
    items: items.sort((a, b) => b.monthly - a.monthly || a.id.localeCompare(b.id)).slice(0, topN),
  });
  const unusedSection = { ...section(unused), basis: unusedFromFindings ? "failing findings of the secret-unused rule" : `last use more than ${unusedDays} days before the snapshot` };
  const pendingSection = section(pending);
  const keysSection = section(unusedKeys);
  caching.sort((a, b) => b.monthlySavings - a.monthlySavings || a.secretId.localeCompare(b.secretId));

  const report: CostReport = {
    snapshotGeneratedAt: snapshot.generatedAt,
    pricing: { asOf: pricing.asOf, currency: pricing.currency, files: pricing.files },
    readsWindowDays: window,
    readsAvailable,
    total,
    lines: lineList,
    byAccount: sortGroups(byAccount),
    byRegion: sortGroups(byRegion),
    tag: opts.tagKey ? { key: opts.tagKey, groups: sortGroups(byTag) } : undefined,
    waste: { total: unusedSection.monthly + keysSection.monthly, unusedSecrets: unusedSection, pendingDeletion: pendingSection, unusedKeys: keysSection },
    caching: { ttlSeconds: ttl, maxCallsPerClient: maxCalls, callsPerMonth: callsTotal, callsWithCache: callsCached, monthlySavings: savings, top: caching.slice(0, topN) },
    plan: opts.plan ? planDelta(opts.plan, topN) : undefined,
    unpriced,
    assumptions: assumptions(pricing, window, ttl, rotations, readsAvailable),
  };
  return report;
}

function secretMonthlyWithReplicas(s: SecretView, at: (r: string | undefined) => Prices, present: Set<string>): number {
  let m = at(s.region).secretMonthly;
  for (const r of s.replicas ?? []) if (!present.has(`${s.accountId}|${r.region}|${s.name}`)) m += at(r.region).secretMonthly;
  return m;
}

function unusedSet(findings: FindingsFile | undefined): Set<string> | undefined {
  if (!findings) return undefined;
  // One pass, no intermediate arrays: the findings of a large estate number in the millions.
  let any = false;
  const out = new Set<string>();
  for (const f of findingsOf(findings)) {
    if (f.ruleId !== "secret-unused") continue;
    any = true;
    if (f.status === "fail" || (f.status === "suppressed" && f.suppressedStatus === "fail")) out.add(f.resourceId);
  }
  return any ? out : undefined;
}

function bump(map: Map<string, CostGroup>, key: string, cat: CostCategory, monthly: number): void {
  let g = map.get(key);
  if (!g) map.set(key, (g = { key, monthly: 0, byCategory: {} }));
  g.monthly += monthly;
  g.byCategory[cat] = (g.byCategory[cat] ?? 0) + monthly;
}

function planDelta(plan: RemediationPlan, topN: number): PlanDelta {
  const byKind: PlanDelta["byKind"] = {};
  const byAccount: Record<string, number> = {};
  let sum = 0;
  for (const a of plan.actions ?? []) {
    const d = Number.isFinite(a.monthlyCostDelta) ? a.monthlyCostDelta : 0;
    sum += d;
    const k = (byKind[a.kind] ??= { actions: 0, monthly: 0 });
    k.actions++;
    k.monthly += d;
    byAccount[a.accountId] = (byAccount[a.accountId] ?? 0) + d;
  }
  const items = [...(plan.actions ?? [])]
    .sort((a, b) => Math.abs(b.monthlyCostDelta) - Math.abs(a.monthlyCostDelta) || a.id.localeCompare(b.id))
    .slice(0, topN)
    .map((a) => ({ id: a.id, kind: a.kind, accountId: a.accountId, region: a.region, monthly: a.monthlyCostDelta, note: a.costNote }));
  return { actions: plan.actions?.length ?? 0, monthlyDelta: sum, byKind, byAccount, items };
}

function assumptions(p: Pricing, window: number, ttl: number, rotations: number, reads: boolean): string[] {
  return [
    `Prices as of ${p.asOf} (${p.files.join(", ")}); per-region prices where the pricing file has them, us-east-1 otherwise.`,
    "Each secret costs the per-secret monthly price; every replica region is billed as a separate secret. Secrets scheduled for deletion are not billed (AWS documentation).",
    reads
      ? `API calls are the CloudTrail GetSecretValue events of the ${window}-day read window scaled to a 30-day month; other API calls (ListSecrets, DescribeSecret, rotation) are not counted.`
      : "No CloudTrail read statistics in the snapshot: API calls, KMS requests and caching savings are not estimated (shown as 0).",
    "Each read of a secret under a customer managed key is one KMS Decrypt request; the AWS managed key aws/secretsmanager adds no KMS charge.",
    `A customer managed key with rotation on is assumed to have had ${rotations} billed rotation(s): $1 per rotation for the first and second only, capped per key per month. Keys pending deletion are not counted.`,
    "Interface endpoints for secretsmanager and kms: one AZ per subnet id, AZ-hours × hours per month; data processing is not estimated.",
    `Caching: a client with cache TTL ${ttl}s reads a secret at most 30·86400/${ttl} = ${Math.floor((30 * 86400) / ttl)} times a month; each distinct principal counts as one client (several tasks sharing a role are counted once, so real savings can be larger).`,
  ];
}

/** `$1,234.56` (cents shown; sub-cent amounts keep 4 decimals so they never read as $0.00). */
export function money(n: number): string {
  const abs = Math.abs(n);
  const digits = abs > 0 && abs < 0.01 ? 4 : 2;
  return `${n < 0 ? "-" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
