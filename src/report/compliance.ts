/**
 * The compliance model every compliance renderer reads: framework → requirement → rules
 * → resources, with status counts, failing resources (capped per rule, the rest counted),
 * coverage gaps and expired suppressions first, and account and severity breakdowns.
 * Built in one pass over the findings, so it scales with the findings, not rules × findings.
 */
import { findingsOf } from "../findings/rows";
import type { Evidence, ExpiredSuppression, Finding, FindingsFile, Severity, Status, SuppressionRef } from "../findings/types";
import { SEVERITIES } from "../findings/types";
import type { Coverage, Source } from "../inventory/types";
import type { Framework, RequirementKind } from "../policy/types";

/** Statuses in the order reports show them. */
export const STATUSES: readonly Status[] = ["fail", "unknown", "pass", "suppressed", "not_applicable"];

/** Findings per status plus their total. */
export type Counts = Record<Status, number> & { total: number };

/** A requirement's overall state: the worst of its rules', or `manual` when no rule covers it. */
export type RequirementStatus = "fail" | "unknown" | "pass" | "suppressed" | "not_applicable" | "no_resources" | "manual";

/** One listed (non-passing) finding, flattened for rendering. */
export interface FindingRow {
  id: string;
  ruleId: string;
  severity: Severity;
  status: Status;
  suppressedStatus?: Status;
  resourceKind: string;
  resourceId: string;
  resourceName?: string;
  accountId?: string;
  region?: string;
  message: string;
  reason?: string;
  /** `file:line (address)` for code, `account/region (api)` for live. */
  location: string;
  evidence: Array<{ path: string; value: string; at?: string }>;
  suppression?: SuppressionRef;
  baseline?: string;
}

export interface RuleSummary {
  id: string;
  title: string;
  severity: Severity;
  counts: Counts;
  /** pass / (pass + fail + unknown); null when nothing was decided. */
  passRate: number | null;
  controls: Record<string, string[]>;
  /** Failing, unknown and suppressed findings, in that order, at most `cap`. */
  listed: FindingRow[];
  /** Non-passing findings not listed because of the cap. */
  omitted: number;
}

export interface RequirementSummary {
  id: string;
  title: string;
  text: string;
  kind: RequirementKind | string;
  rules: string[];
  manual: boolean;
  status: RequirementStatus;
  counts: Counts;
  passRate: number | null;
}

export interface FrameworkSummary {
  id: string;
  title: string;
  version?: string;
  requirements: RequirementSummary[];
  /** Findings of every rule mapped to the framework (each finding once). */
  counts: Counts;
  passRate: number | null;
  requirementsByStatus: Record<RequirementStatus, number>;
}

export interface AccountSummary {
  accountId: string;
  counts: Counts;
  passRate: number | null;
  failBySeverity: Record<Severity, number>;
}

export interface ComplianceModel {
  tool: { name: string; version: string };
  findingsGeneratedAt: string;
  snapshot: FindingsFile["snapshot"];
  rulesDigest: string;
  totals: Counts;
  passRate: number | null;
  bySeverity: Record<Severity, Counts>;
  coverageGaps: Coverage[];
  expiredSuppressions: ExpiredSuppression[];
  frameworks: FrameworkSummary[];
  rules: RuleSummary[];
  accounts: AccountSummary[];
  /** Findings listed per rule at most. */
  cap: number;
  /** Where every finding can be found (said under each capped list). */
  everyFindingIn: string;
}

export interface ComplianceOptions {
  /** Framework ids to report (`hipaa`, `pci-dss-4.0`, `fsbp`); all when empty. */
  frameworks?: string[];
  /** Non-passing findings listed per rule (default 200); the rest are counted. */
  capPerRule?: number;
}

/** Label used for findings without an account (infrastructure code). */
export const NO_ACCOUNT = "(code)";

/** Empty counts. */
export function emptyCounts(): Counts {
  return { pass: 0, fail: 0, unknown: 0, not_applicable: 0, suppressed: 0, total: 0 };
}

/** pass / (pass + fail + unknown): unknown counts against, suppressed and n/a are left out. */
export function passRate(c: Counts): number | null {
  const d = c.pass + c.fail + c.unknown;
  return d === 0 ? null : c.pass / d;
}

const STATUS_ORDER: Record<Status, number> = { fail: 0, unknown: 1, suppressed: 2, pass: 3, not_applicable: 4 };

/** Build the compliance model from a findings file and the frameworks of the rule set. */
export function buildCompliance(file: FindingsFile, frameworks: Framework[] = [], opts: ComplianceOptions = {}): ComplianceModel {
  const cap = opts.capPerRule ?? 200;
  const rules = new Map<string, RuleSummary & { buckets: Finding[][]; merged?: Finding["controls"] }>();
  const accounts = new Map<string, AccountSummary>();
  const totals = emptyCounts();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, emptyCounts()])) as Record<Severity, Counts>;

  // Findings come rule by rule and account by account, and a rule's findings share one controls
  // object: remembering the last ones makes the per-finding work a few counter increments.
  let rule: (RuleSummary & { buckets: Finding[][]; merged?: Finding["controls"] }) | undefined;
  let a: AccountSummary | undefined;
  for (const f of findingsOf(file)) {
    if (rule?.id !== f.ruleId) rule = rules.get(f.ruleId);
    if (!rule) {
      rule = {
        id: f.ruleId, title: f.title, severity: f.severity, counts: emptyCounts(), passRate: null,
        controls: {}, listed: [], omitted: 0, buckets: [[], [], []],
      };
      rules.set(f.ruleId, rule);
    }
    if (f.controls !== rule.merged) {
      rule.merged = f.controls;
      for (const [fw, ids] of Object.entries(f.controls ?? {})) {
        const have = (rule.controls[fw] ??= []);
        for (const id of ids) if (!have.includes(id)) have.push(id);
      }
    }
    rule.counts[f.status]++;
    rule.counts.total++;
    totals[f.status]++;
    totals.total++;
    bySeverity[f.severity][f.status]++;
    bySeverity[f.severity].total++;
    const acct = f.accountId ?? NO_ACCOUNT;
    if (a?.accountId !== acct) a = accounts.get(acct);
    if (!a) {
      a = { accountId: acct, counts: emptyCounts(), passRate: null, failBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number> };
      accounts.set(acct, a);
    }
    a.counts[f.status]++;
    a.counts.total++;
    if (f.status === "fail") a.failBySeverity[f.severity]++;
    const order = STATUS_ORDER[f.status];
    if (order <= 2) {
      const bucket = rule.buckets[order];
      if (bucket.length < cap) bucket.push(f);
    }
  }

  const ruleList = [...rules.values()].map(({ buckets, merged: _merged, ...r }) => {
    const listed: FindingRow[] = [];
    for (const b of buckets) for (const f of b) if (listed.length < cap) listed.push(toRow(f));
    const nonPass = r.counts.fail + r.counts.unknown + r.counts.suppressed;
    return { ...r, listed, omitted: nonPass - listed.length, passRate: passRate(r.counts) };
  });
  ruleList.sort((x, y) => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) || y.counts.fail - x.counts.fail || x.id.localeCompare(y.id));
  const byRule = new Map(ruleList.map((r) => [r.id, r]));

  const fws = frameworks.length ? frameworks : frameworksFromFindings(ruleList);
  const wanted = opts.frameworks && opts.frameworks.length ? new Set(opts.frameworks) : undefined;
  const frameworkList = fws.filter((fw) => !wanted || wanted.has(fw.id)).map((fw) => summariseFramework(fw, byRule));

  const accountList = [...accounts.values()].map((a) => ({ ...a, passRate: passRate(a.counts) }));
  accountList.sort((x, y) => y.counts.fail - x.counts.fail || x.accountId.localeCompare(y.accountId));

  return {
    tool: file.tool,
    findingsGeneratedAt: file.generatedAt,
    snapshot: file.snapshot,
    rulesDigest: file.rulesDigest,
    totals,
    passRate: passRate(totals),
    bySeverity,
    coverageGaps: file.coverageGaps ?? [],
    expiredSuppressions: file.expiredSuppressions ?? [],
    frameworks: frameworkList,
    rules: ruleList,
    accounts: accountList,
    cap,
    everyFindingIn: "findings.csv and findings.json",
  };
}

function summariseFramework(fw: Framework, byRule: Map<string, RuleSummary>): FrameworkSummary {
  // Rules come from the rule set's derived index and from the findings' own controls.
  const mapped = new Map<string, Set<string>>();
  for (const [req, ids] of fw.rulesByRequirement) mapped.set(req, new Set(ids));
  for (const r of byRule.values()) {
    for (const req of r.controls[fw.id] ?? []) {
      let set = mapped.get(req);
      if (!set) mapped.set(req, (set = new Set()));
      set.add(r.id);
    }
  }
  const counts = emptyCounts();
  const seenRules = new Set<string>();
  const requirementsByStatus = { fail: 0, unknown: 0, pass: 0, suppressed: 0, not_applicable: 0, no_resources: 0, manual: 0 } as Record<RequirementStatus, number>;
  const requirements: RequirementSummary[] = fw.requirements.map((req) => {
    const ruleIds = [...(mapped.get(req.id) ?? [])].sort();
    const c = emptyCounts();
    for (const id of ruleIds) {
      const r = byRule.get(id);
      if (!r) continue;
      for (const s of STATUSES) c[s] += r.counts[s];
      c.total += r.counts.total;
      if (!seenRules.has(id)) {
        seenRules.add(id);
        for (const s of STATUSES) counts[s] += r.counts[s];
        counts.total += r.counts.total;
      }
    }
    const status = requirementStatus(ruleIds.length, c);
    requirementsByStatus[status]++;
    return { id: req.id, title: req.title, text: req.text, kind: req.kind, rules: ruleIds, manual: ruleIds.length === 0, status, counts: c, passRate: passRate(c) };
  });
  return { id: fw.id, title: fw.title, version: fw.version, requirements, counts, passRate: passRate(counts), requirementsByStatus };
}

function requirementStatus(rules: number, c: Counts): RequirementStatus {
  if (rules === 0) return "manual";
  if (c.fail) return "fail";
  if (c.unknown) return "unknown";
  if (c.pass) return "pass";
  if (c.suppressed) return "suppressed";
  if (c.not_applicable) return "not_applicable";
  return "no_resources";
}

/** Without framework files, requirements are the control ids the findings name (titles unknown). */
function frameworksFromFindings(rules: RuleSummary[]): Framework[] {
  const byFw = new Map<string, Set<string>>();
  for (const r of rules) for (const [fw, ids] of Object.entries(r.controls)) {
    let set = byFw.get(fw);
    if (!set) byFw.set(fw, (set = new Set()));
    for (const id of ids) set.add(id);
  }
  return [...byFw.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, reqs]) => ({
    id, title: FRAMEWORK_TITLES[id] ?? id, file: "", rulesByRequirement: new Map(),
    requirements: [...reqs].sort(compareControlIds).map((r) => ({ id: r, title: "", text: "", kind: "requirement" as RequirementKind })),
  }));
}

const FRAMEWORK_TITLES: Record<string, string> = {
  hipaa: "HIPAA Security Rule",
  "pci-dss-4.0": "PCI DSS v4.0",
  fsbp: "AWS Foundational Security Best Practices",
};

/** Order control ids naturally (8.3.9 before 8.3.10, 164.308 before 164.312). */
export function compareControlIds(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** `file:line (address)` for code, `account/region (api)` for live. */
export function formatSource(src: Source | undefined): string {
  if (!src) return "";
  if (src.kind === "iac") return `${src.file}${src.line ? `:${src.line}` : ""}${src.address ? ` (${src.address})` : ""}`;
  return `${src.accountId}/${src.region} (${src.api})`;
}

/** A value for display: strings as-is, others as JSON, cut at 300 characters. */
export function formatValue(e: Evidence): string {
  if (e.unknown !== undefined) return `unknown: ${e.unknown}`;
  const v = e.value;
  const s = typeof v === "string" ? v : v === undefined ? "(absent)" : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

function toRow(f: Finding): FindingRow {
  return {
    id: f.id, ruleId: f.ruleId, severity: f.severity, status: f.status, suppressedStatus: f.suppressedStatus,
    resourceKind: f.resourceKind, resourceId: f.resourceId, resourceName: f.resourceName,
    accountId: f.accountId, region: f.region, message: f.message, reason: f.reason,
    location: formatSource(f.source),
    evidence: (f.evidence ?? []).slice(0, 8).map((e) => ({ path: e.path, value: formatValue(e), at: e.source ? formatSource(e.source) : undefined })),
    suppression: f.suppression, baseline: f.baseline,
  };
}

/** A percentage for display: `87.5%`, or `n/a`. */
export function pct(rate: number | null): string {
  return rate === null ? "n/a" : `${(Math.floor(rate * 1000) / 10).toFixed(1)}%`;
}
