/**
 * The planner: failing findings + the snapshot they came from -> a remediation plan.
 * Pure (no I/O, no clock): the same inputs always give the same plan. Findings are
 * routed by their rule's `remediation.kind`; several findings on one resource merge into
 * one action; service-owned, replica, deleted and code-defined resources are skipped with
 * the reason; `manual` kinds become commands for a human, never code.
 */
import { findingsOf } from "../findings/rows";
import type { Finding, FindingsFile } from "../findings/types";
import type { Secret, Snapshot } from "../inventory/types";
import type { Pricing } from "../report/pricing";
import { safeSegment } from "../util/fs";
import { TOOL } from "../version";
import { buildActions, round2, type Groups, type PlanContext } from "./plan-actions";
import { partitionOfRegion } from "./policy";
import { fillPlaceholders, findKey, indexSnapshot, resolveParams, serviceOwner } from "./resolve";
import {
  ACTION_KINDS, PLAN_SCHEMA_VERSION, type ActionKind, type ManualAction, type PlanStack, type PlanVariable,
  type RemediationAction, type RemediationConfig, type RemediationPlan, type SkippedItem,
} from "./types";

/** What the planner needs of a rule: its id, remediation and controls (a LoadedRule fits). */
export interface RuleInfo {
  def: {
    id: string;
    title?: string;
    params?: Record<string, unknown>;
    remediation: { kind: string; params?: Record<string, unknown> };
    controls?: Record<string, string[]>;
  };
}

/** Inputs besides the findings and the snapshot. */
export interface PlanOptions {
  /** Role each stack's provider assumes in its account (default SmAuditRemediation). */
  roleName?: string;
  config?: RemediationConfig;
  /** The rules that produced the findings (their remediation kinds route the findings). */
  rules: ReadonlyArray<RuleInfo>;
  /** Prices for the cost delta; rules/pricing.yaml defaults when absent. */
  pricing?: Pricing;
}

/** The default remediation role name. */
export const DEFAULT_ROLE_NAME = "SmAuditRemediation";

/** Fallback prices when no pricing is passed (the shipped rules/pricing.yaml defaults). */
const FALLBACK_PRICING: Pricing = {
  asOf: "builtin", currency: "USD", regions: {}, files: [],
  secretMonthly: 0.4, secretApiPer10k: 0.05, kmsKeyMonthly: 1, kmsRotationMonthly: 1, kmsRotationsBilledMax: 2,
  kmsKeyMonthlyCap: 3, kmsRequestsPer10k: 0.03, endpointAzHour: 0.01, endpointDataPerGb: 0.01, hoursPerMonth: 730,
};

const CODE_KINDS = new Set<string>(ACTION_KINDS);

/**
 * The resource kind a finding must be about for each action kind to fix it; other findings
 * routed there become manual. Kinds absent here sort the resource out themselves
 * (enable-key-rotation takes a secret's key or the key; add-cloudtrail takes the account).
 */
const RESOURCE_KIND_OF: Partial<Record<ActionKind, Finding["resourceKind"]>> = {
  "enable-rotation": "secret",
  "shorten-rotation": "secret",
  "use-customer-managed-key": "secret",
  "replace-resource-policy": "secret",
  "add-vpc-endpoint": "vpc",
};

/** Turn the failing findings into a remediation plan (see the module comment). */
export function planRemediation(findings: FindingsFile, snapshot: Snapshot, opts: PlanOptions): RemediationPlan {
  const roleName = opts.roleName ?? DEFAULT_ROLE_NAME;
  const rules = new Map(opts.rules.map((r) => [r.def.id, r]));
  const idx = indexSnapshot(snapshot);
  const manual: ManualAction[] = [];
  const skipped: SkippedItem[] = [];
  const groups: Groups = { rotation: new Map(), cmk: new Map(), keyRotation: [], policy: new Map(), endpoint: new Map(), trail: new Map() };
  const paramsOf = (ruleId: string): Record<string, unknown> => ({ ...(rules.get(ruleId)?.def.params ?? {}), ...(findings.params[ruleId] ?? {}) });

  const failing = [...findingsOf(findings, ["fail"])].sort((a, b) => a.id.localeCompare(b.id));
  for (const f of failing) {
    const rule = rules.get(f.ruleId);
    const base = { findingId: f.id, ruleId: f.ruleId, resourceId: f.resourceId, accountId: f.accountId, region: f.region };
    if (!rule) {
      manual.push({ ...base, action: `Rule ${f.ruleId} is not among the loaded rules; review the finding by hand.` });
      continue;
    }
    const kind = rule.def.remediation.kind;
    const rparams = resolveParams(rule.def.remediation.params, paramsOf(f.ruleId));
    const resource = resourceOf(f, idx);
    if (kind === "manual" || !CODE_KINDS.has(kind)) {
      manual.push(manualAction(base, kind, rparams, placeholderValues(f, resource, snapshot, paramsOf(f.ruleId))));
      continue;
    }
    if (resource === undefined) {
      skipped.push({ ...base, reason: `the ${f.resourceKind} is not in the snapshot` });
      continue;
    }
    if (typeof resource === "object" && resource.source.kind === "iac") {
      const src = resource.source;
      skipped.push({ ...base, reason: `defined in code (${src.file}${src.line ? `:${src.line}` : ""}, ${src.address}): fix the code, not the live resource` });
      continue;
    }
    if (f.resourceKind === "secret") {
      const s = resource as Secret;
      const why = secretSkipReason(s);
      if (why) {
        skipped.push({ ...base, reason: why });
        continue;
      }
    }
    const needs = RESOURCE_KIND_OF[kind as ActionKind];
    if (needs && f.resourceKind !== needs) {
      // A rule (shipped or the user's) routed this kind to a resource it cannot fix: a human must.
      manual.push(manualAction(base, kind, rparams, placeholderValues(f, resource, snapshot, paramsOf(f.ruleId))));
      continue;
    }
    const entry = { finding: f, params: rparams };
    switch (kind as ActionKind) {
      case "enable-rotation":
      case "shorten-rotation":
        pushTo(groups.rotation, f.resourceId, entry);
        break;
      case "use-customer-managed-key":
        pushTo(groups.cmk, f.resourceId, entry);
        break;
      case "enable-key-rotation":
        groups.keyRotation.push(entry);
        break;
      case "replace-resource-policy":
        pushTo(groups.policy, f.resourceId, entry);
        break;
      case "add-vpc-endpoint":
        pushTo(groups.endpoint, f.resourceId, entry);
        break;
      case "add-cloudtrail": {
        const acct = f.resourceKind === "account" ? f.resourceId : f.accountId;
        if (!acct) { skipped.push({ ...base, reason: "the finding names no account" }); break; }
        if (idx.accounts.size && !idx.accounts.has(acct)) { skipped.push({ ...base, reason: `account ${acct} is not among the audited accounts (it only owns a key or is named in a policy)` }); break; }
        pushTo(groups.trail, acct, entry);
        break;
      }
    }
  }

  const ctx: PlanContext = {
    snapshot, idx, findings, rules, roleName, paramsOf,
    config: opts.config ?? {},
    pricing: opts.pricing ?? FALLBACK_PRICING,
  };
  const built = buildActions(groups, ctx);
  manual.push(...built.manual);
  skipped.push(...built.skipped);
  const actions = built.actions.sort((a, b) => a.id.localeCompare(b.id));
  const stacks = stacksOf(actions, roleName);
  const byKind: Record<string, number> = {};
  for (const k of ACTION_KINDS) byKind[k] = 0;
  for (const a of actions) byKind[a.kind]++;
  const cost = round2(actions.reduce((n, a) => n + a.monthlyCostDelta, 0));
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: snapshot.generatedAt,
    snapshot: { generatedAt: snapshot.generatedAt, file: findings.snapshot.file, sha256: findings.snapshot.sha256 },
    roleName,
    pricing: { asOf: ctx.pricing.asOf, currency: ctx.pricing.currency },
    summary: {
      actionsByKind: byKind,
      actions: actions.length,
      stacks: stacks.length,
      findingsClosed: new Set(actions.flatMap((a) => a.closes)).size,
      manual: manual.length,
      skipped: skipped.length,
      monthlyCostDelta: cost,
    },
    stacks,
    actions,
    manual: manual.sort((a, b) => a.findingId.localeCompare(b.findingId)),
    skipped: skipped.sort((a, b) => a.findingId.localeCompare(b.findingId)),
  };
}

function pushTo<V>(m: Map<string, V[]>, key: string, v: V): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

type Resolved = Secret | import("../inventory/types").Vpc | import("../inventory/types").Trail | import("../inventory/types").KmsKey | { id: string; accountId: string; source: import("../inventory/types").Source } | undefined;

function resourceOf(f: Finding, idx: ReturnType<typeof indexSnapshot>): Resolved {
  switch (f.resourceKind) {
    case "secret": return idx.secrets.get(f.resourceId);
    case "vpc": return idx.vpcs.get(f.resourceId);
    case "trail": return idx.trails.get(f.resourceId);
    case "kmsKey": return idx.keys.get(f.resourceId);
    case "account":
      return { id: f.resourceId, accountId: f.resourceId, source: f.source };
  }
}

function secretSkipReason(s: Secret): string | undefined {
  const owner = serviceOwner(s);
  if (owner) return `managed by ${owner}: its owner rotates and configures it; change it through ${owner}, not Secrets Manager`;
  if (s.primaryRegion && s.region && s.primaryRegion !== s.region) {
    return `replica of the primary in ${s.primaryRegion}: rotation, key and policy are set on the primary`;
  }
  if (s.deleted) return `scheduled for deletion on ${s.deleted}: restore it (aws secretsmanager restore-secret) before changing it`;
  return undefined;
}

/**
 * Values for `{placeholders}` of a manual action: the resource's fields, the rule's params,
 * the evidence the evaluator recorded, and the secret's resolved key under `facts.key`.
 */
function placeholderValues(f: Finding, resource: Resolved, snapshot: Snapshot, params: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...(resource ?? {}), resourceId: f.resourceId, accountId: f.accountId, region: f.region, params };
  for (const e of f.evidence) {
    if (e.value === undefined || !/^[A-Za-z][\w.]*$/.test(e.path)) continue;
    let at = values;
    const parts = e.path.split(".");
    parts.slice(0, -1).forEach((p) => {
      const next = at[p];
      at = (at[p] = next && typeof next === "object" && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {}) as Record<string, unknown>;
    });
    at[parts[parts.length - 1]] = e.value;
  }
  if (f.resourceKind === "secret" && resource && "name" in resource) {
    const s = resource as Secret;
    const key = s.kmsKeyId ? findKey(snapshot, s.kmsKeyId, s.accountId, s.region) : undefined;
    const facts = (values.facts ?? {}) as Record<string, unknown>;
    values.facts = { ...facts, key: { arn: key?.arn ?? s.kmsKeyId, ...((facts.key as object | undefined) ?? {}) } };
  }
  return values;
}

function manualAction(
  base: Omit<ManualAction, "action" | "command">, kind: string, rparams: Record<string, unknown>, values: Record<string, unknown>,
): ManualAction {
  const sentence = typeof rparams.action === "string" ? rparams.action
    : kind === "manual" ? "Review the finding and fix it by hand."
    : `The ${kind} fix does not apply to this resource; fix it by hand.`;
  const action = fillPlaceholders(sentence, values);
  let command = typeof rparams.command === "string" ? fillPlaceholders(rparams.command, values) : undefined;
  // Rules put the command in backticks or after a colon at the end of the sentence.
  if (!command) command = /`([^`]+)`/.exec(action)?.[1] ?? /(?:^|:\s+)((?:aws|terraform|tofu) \S.*)$/.exec(action)?.[1] ?? /\(((?:aws|terraform|tofu) [^)]+)\)/.exec(action)?.[1];
  return command ? { ...base, action, command } : { ...base, action };
}

function stacksOf(actions: RemediationAction[], roleName: string): PlanStack[] {
  const m = new Map<string, PlanStack>();
  for (const a of actions) {
    const id = safeSegment(`${a.accountId}-${a.region}`).replace(/[^A-Za-z0-9_.-]/g, "_");
    let st = m.get(id);
    if (!st) {
      st = { id, accountId: a.accountId, region: a.region, roleArn: `arn:${partitionOfRegion(a.region)}:iam::${a.accountId}:role/${roleName}`, actions: [], variables: [], monthlyCostDelta: 0 };
      m.set(id, st);
    }
    st.actions.push(a.id);
    st.monthlyCostDelta = round2(st.monthlyCostDelta + a.monthlyCostDelta);
    for (const v of a.variables) if (!st.variables.some((x: PlanVariable) => x.name === v.name)) st.variables.push(v);
  }
  return [...m.values()].sort((a, b) => a.id.localeCompare(b.id));
}
