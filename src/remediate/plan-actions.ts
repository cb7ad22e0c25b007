/**
 * Builders of the planner's actions, one per remediation kind. Each turns the findings
 * grouped on one resource (or one account-region) into a single action with its
 * parameters, touched resources, variables, cost delta and reason.
 */
import type { Finding, FindingsFile } from "../findings/types";
import type { KmsKey, Secret, Snapshot, Vpc } from "../inventory/types";
import { kmsKeyMonthlyCost, priceFor, type Pricing } from "../report/pricing";
import { cmkKeyPolicy, partitionOf, partitionOfRegion, trailBucketPolicy, trimResourcePolicy } from "./policy";
import type { RuleInfo } from "./plan";
import { findKey, globMatch, isDefaultKeyRef, shortHash, type SnapshotIndex } from "./resolve";
import type {
  ActionKind, ManualAction, PlanVariable, RemediationAction, RemediationConfig, SkippedItem, TouchedResource,
} from "./types";

/** A failing finding routed to a kind, with its rule's resolved remediation params. */
export interface Entry {
  finding: Finding;
  params: Record<string, unknown>;
}

/** Findings grouped by the resource (or account-region) one action will fix. */
export interface Groups {
  rotation: Map<string, Entry[]>;
  cmk: Map<string, Entry[]>;
  keyRotation: Entry[];
  policy: Map<string, Entry[]>;
  endpoint: Map<string, Entry[]>;
  trail: Map<string, Entry[]>;
}

/** Everything the builders read. */
export interface PlanContext {
  snapshot: Snapshot;
  idx: SnapshotIndex;
  findings: FindingsFile;
  rules: Map<string, RuleInfo>;
  roleName: string;
  config: RemediationConfig;
  pricing: Pricing;
  paramsOf(ruleId: string): Record<string, unknown>;
}

/** Default alias of the key each account-region gets for its secrets. */
export const DEFAULT_KEY_ALIAS = "alias/sm-audit/secrets";
const SECRETSMANAGER_ROTATION_DAYS = 30;

/** The interface endpoint service name of Secrets Manager in a region. */
function secretsmanagerService(region: string): string {
  return `com.amazonaws.${region}.secretsmanager`;
}

/** Round a dollar amount to cents. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function numbersOf(ctx: PlanContext, kinds: string[], names: string[]): number[] {
  const out: number[] = [];
  for (const r of ctx.rules.values()) {
    if (!kinds.includes(r.def.remediation.kind)) continue;
    const eff = ctx.paramsOf(r.def.id);
    for (const [k, v] of Object.entries(r.def.remediation.params ?? {})) {
      const val = typeof v === "string" && v.startsWith("$params.") ? eff[v.slice(8)] : v;
      if (names.includes(k) && typeof val === "number" && val > 0) out.push(val);
    }
    for (const n of names) if (typeof eff[n] === "number" && (eff[n] as number) > 0) out.push(eff[n] as number);
  }
  return out;
}

function action(
  kind: ActionKind, accountId: string, region: string, subject: string, entries: Entry[],
  rest: Omit<RemediationAction, "id" | "kind" | "accountId" | "region" | "closes" | "rules" | "controls" | "adopt">,
): RemediationAction {
  const controls: Record<string, Set<string>> = {};
  for (const e of entries) for (const [fw, ids] of Object.entries(e.finding.controls ?? {})) for (const id of ids) (controls[fw] ??= new Set()).add(id);
  return {
    id: `${kind}:${accountId}:${region}:${subject}`,
    kind, accountId, region,
    closes: [...new Set(entries.map((e) => e.finding.id))].sort(),
    rules: [...new Set(entries.map((e) => e.finding.ruleId))].sort(),
    controls: Object.fromEntries(Object.entries(controls).sort().map(([k, v]) => [k, [...v].sort()])),
    adopt: rest.resources.some((r) => r.mode === "adopt"),
    ...rest,
  };
}

/** Build every action; findings no action can take become manual or skipped entries. */
export function buildActions(groups: Groups, ctx: PlanContext): { actions: RemediationAction[]; manual: ManualAction[]; skipped: SkippedItem[] } {
  const out = { actions: [] as RemediationAction[], manual: [] as ManualAction[], skipped: [] as SkippedItem[] };
  const cmk = buildCmk(groups.cmk, ctx);
  out.actions.push(...cmk.values());
  out.actions.push(...buildKeyRotation(groups.keyRotation, ctx, cmk, out));
  for (const [id, entries] of groups.rotation) out.actions.push(buildRotation(ctx.idx.secrets.get(id) as Secret, entries, ctx));
  const endpoints: RemediationAction[] = [];
  for (const [id, entries] of groups.endpoint) endpoints.push(buildEndpoint(ctx.idx.vpcs.get(id) as Vpc, entries, ctx));
  out.actions.push(...endpoints);
  for (const [id, entries] of groups.policy) out.actions.push(buildPolicy(ctx.idx.secrets.get(id) as Secret, entries, ctx, endpoints));
  for (const [acct, entries] of groups.trail) out.actions.push(buildTrail(acct, entries, ctx));
  return out;
}

function keyRotationDays(ctx: PlanContext): number {
  return Math.min(ctx.config.kms?.rotationPeriodDays ?? 365, ...numbersOf(ctx, ["enable-key-rotation"], ["periodDays", "maxPeriodDays"]));
}

function rotationsIn12Months(periodDays: number): number {
  return Math.floor(365 / periodDays);
}

/** One new key per account-region, shared by the secrets it fixes (and their replicas). */
function buildCmk(groups: Map<string, Entry[]>, ctx: PlanContext): Map<string, RemediationAction> {
  const byRegion = new Map<string, { accountId: string; region: string; secrets: Secret[]; entries: Entry[] }>();
  const slot = (accountId: string, region: string) => {
    const k = `${accountId}:${region}`;
    let s = byRegion.get(k);
    if (!s) byRegion.set(k, (s = { accountId, region, secrets: [], entries: [] }));
    return s;
  };
  for (const [id, entries] of groups) {
    const s = ctx.idx.secrets.get(id) as Secret;
    const g = slot(s.accountId as string, s.region as string);
    g.secrets.push(s);
    g.entries.push(...entries);
    for (const r of s.replicas ?? []) slot(s.accountId as string, r.region);
  }
  const alias = ctx.config.kms?.alias ?? DEFAULT_KEY_ALIAS;
  const period = keyRotationDays(ctx);
  const out = new Map<string, RemediationAction>();
  for (const [k, g] of [...byRegion].sort(([a], [b]) => a.localeCompare(b))) {
    const partition = partitionOf(g.secrets[0]?.arn);
    const prices = priceFor(ctx.pricing, g.region);
    const resources: TouchedResource[] = [
      { type: "aws_kms_key", mode: "create", label: `customer-managed key for Secrets Manager in ${g.region}` },
      { type: "aws_kms_alias", mode: "create", label: alias },
      ...g.secrets.map((s): TouchedResource => ({ type: "aws_secretsmanager_secret", mode: "adopt", id: s.arn ?? s.id, label: s.name })),
    ];
    const replicaNote = g.secrets.some((s) => (s.replicas ?? []).length)
      ? ` Replicas move to the ${alias} key of their region: apply the replica regions' stacks first.` : "";
    const servesReplicas = g.secrets.length === 0;
    out.set(k, action("use-customer-managed-key", g.accountId, g.region, "key", g.entries, {
      resources,
      params: {
        alias,
        description: `sm-audit: customer-managed key for Secrets Manager secrets in ${g.accountId}/${g.region}`,
        rotationPeriodDays: period,
        keyPolicy: cmkKeyPolicy(g.accountId, g.region, partition),
        plannedArn: `arn:${partition}:kms:${g.region}:${g.accountId}:key/sm-audit-planned-${shortHash(k)}`,
        secrets: g.secrets.map((s) => ({
          arn: s.arn ?? s.id, name: s.name, previousKmsKeyId: s.kmsKeyId ?? null,
          ...(s.description !== undefined ? { description: s.description } : {}),
          ...(s.tags ? { tags: s.tags } : {}),
          replicas: (s.replicas ?? []).map((r) => ({ region: r.region, previousKmsKeyId: r.kmsKeyId })),
        })),
      },
      variables: [],
      monthlyCostDelta: round2(kmsKeyMonthlyCost(prices, rotationsIn12Months(period))),
      costNote: `one key ($${prices.kmsKeyMonthly}/month) plus its rotation surcharge after 12 months of ${period}-day rotation`,
      reason: servesReplicas
        ? `Creates the ${alias} key that replicas of secrets from other regions move to.`
        : `Moves ${g.secrets.length} secret(s) from the AWS-managed or untrusted key to a customer-managed key that rotates every ${period} days and can only be used through Secrets Manager in ${g.region}. Secrets Manager re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions under the new key; the old key must stay usable until then.${replicaNote}`,
    }));
  }
  return out;
}

function buildKeyRotation(
  entries: Entry[], ctx: PlanContext, cmk: Map<string, RemediationAction>, out: { manual: ManualAction[]; skipped: SkippedItem[] },
): RemediationAction[] {
  const period = keyRotationDays(ctx);
  const byKey = new Map<string, { key: KmsKey; entries: Entry[] }>();
  for (const e of entries) {
    const f = e.finding;
    const base = { findingId: f.id, ruleId: f.ruleId, resourceId: f.resourceId, accountId: f.accountId, region: f.region };
    let key: KmsKey | undefined;
    let ref = f.resourceId;
    if (f.resourceKind === "secret") {
      const s = ctx.idx.secrets.get(f.resourceId) as Secret;
      // The secret moves to a new, rotating key: that action closes the finding too.
      const moving = cmk.get(`${s.accountId}:${s.region}`);
      if (moving && moving.resources.some((r) => r.id === (s.arn ?? s.id))) {
        moving.closes = [...new Set([...moving.closes, f.id])].sort();
        moving.rules = [...new Set([...moving.rules, f.ruleId])].sort();
        continue;
      }
      ref = s.kmsKeyId ?? "";
      key = isDefaultKeyRef(s.kmsKeyId) ? undefined : findKey(ctx.snapshot, ref, s.accountId, s.region);
    } else if (f.resourceKind === "kmsKey") {
      key = ctx.idx.keys.get(f.resourceId);
    }
    const command = `aws kms enable-key-rotation --key-id ${key?.arn ?? ref} --rotation-period-in-days ${period}`;
    if (!key) { out.manual.push({ ...base, action: `The key ${ref || "(default)"} is not in the snapshot; enable its rotation in the account that owns it.`, command }); continue; }
    if (key.manager === "AWS") { out.skipped.push({ ...base, reason: "AWS-managed keys are rotated by AWS every year and cannot be changed" }); continue; }
    if (key.source.kind === "iac") { out.skipped.push({ ...base, reason: `the key is defined in code (${key.source.file}): set enable_key_rotation there` }); continue; }
    if (key.state !== undefined && key.state !== "Enabled") {
      out.manual.push({ ...base, action: `The key is ${key.state}; rotation can only be enabled on an Enabled key. Decide whether to re-enable it first.`, command });
      continue;
    }
    if (!key.accountId || !key.region || !(key.keyId || key.arn)) { out.manual.push({ ...base, action: "The key's account, region or id is unknown; enable rotation by hand.", command }); continue; }
    const k = key.arn ?? key.id;
    const g = byKey.get(k) ?? { key, entries: [] };
    g.entries.push(e);
    byKey.set(k, g);
  }
  return [...byKey.values()].map(({ key, entries: es }) => {
    const prices = priceFor(ctx.pricing, key.region);
    const keyId = key.keyId ?? (key.arn as string).split("/").pop() as string;
    return action("enable-key-rotation", key.accountId as string, key.region as string, keyId, es, {
      resources: [{ type: "aws_kms_key", mode: "adopt", id: keyId, label: key.aliases?.[0] ?? keyId }],
      params: { keyArn: key.arn ?? key.id, keyId, rotationPeriodDays: period, multiRegion: key.multiRegion ?? false, ...(key.description ? { description: key.description } : {}) },
      variables: [],
      monthlyCostDelta: round2(kmsKeyMonthlyCost(prices, rotationsIn12Months(period)) - kmsKeyMonthlyCost(prices, 0)),
      costNote: `rotation surcharge after 12 months of ${period}-day rotation`,
      reason: `Turns on automatic rotation of key ${key.aliases?.[0] ?? keyId} every ${period} days; the key is adopted by import, its policy and other settings are left as they are.`,
    });
  });
}

function buildRotation(s: Secret, entries: Entry[], ctx: PlanContext): RemediationAction {
  const days = Math.min(ctx.config.rotation?.days ?? SECRETSMANAGER_ROTATION_DAYS, ...numbersOf(ctx, ["enable-rotation", "shorten-rotation"], ["days", "maxDays"]));
  const enabled = s.rotation?.enabled === true;
  const arn = s.arn ?? s.id;
  const configured = ctx.config.rotation?.lambdas?.find((l) => globMatch(l.match, s.name) || globMatch(l.match, arn));
  const tag = s.tags?.RotationLambdaArn;
  let lambdaArn: string | undefined;
  let lambdaFrom: "config" | "tag" | "existing" | "managed" | "variable";
  const variables: PlanVariable[] = [];
  if (configured) { lambdaArn = configured.lambdaArn; lambdaFrom = "config"; }
  else if (tag) { lambdaArn = tag; lambdaFrom = "tag"; }
  else if (s.rotation?.lambdaArn) { lambdaArn = s.rotation.lambdaArn; lambdaFrom = "existing"; }
  else if (enabled) { lambdaArn = undefined; lambdaFrom = "managed"; }
  else {
    lambdaArn = "<var:rotation_lambda_arn>";
    lambdaFrom = "variable";
    variables.push({
      name: "rotation_lambda_arn", type: "string",
      description: "ARN of the rotation Lambda for secrets of this stack that neither the remediation config nor a RotationLambdaArn tag names (for RDS / Aurora / Redshift / DocumentDB credentials, deploy the AWS-published rotation template from the Serverless Application Repository, e.g. SecretsManagerRDSPostgreSQLRotationSingleUser)",
    });
  }
  const kind: ActionKind = enabled ? "shorten-rotation" : "enable-rotation";
  const rotateImmediately = ctx.config.rotation?.rotateImmediately ?? true;
  return action(kind, s.accountId as string, s.region as string, s.name, entries, {
    resources: [{ type: "aws_secretsmanager_secret_rotation", mode: enabled ? "adopt" : "create", id: arn, label: s.name }],
    params: { secretArn: arn, secretName: s.name, ...(lambdaArn !== undefined ? { lambdaArn } : {}), lambdaFrom, afterDays: days, adoptExisting: enabled, rotateImmediately },
    variables,
    monthlyCostDelta: 0,
    costNote: "rotation has no Secrets Manager fee; the Lambda invocations and API calls it makes are negligible",
    reason: enabled
      ? `Shortens the rotation of ${s.name} to every ${days} days (the existing rotation is adopted by import)${rotateImmediately ? " and rotates it once on apply" : ""}.`
      : `Enables automatic rotation of ${s.name} every ${days} days using ${lambdaFrom === "variable" ? "the Lambda given in var.rotation_lambda_arn" : lambdaArn}${rotateImmediately ? "; it rotates once on apply, so the application must read the secret at use, not at start-up only" : ""}.`,
  });
}

function buildEndpoint(vpc: Vpc, entries: Entry[], ctx: PlanContext): RemediationAction {
  const accountId = vpc.accountId as string;
  const region = vpc.region as string;
  const vpcId = vpc.vpcId ?? vpc.id;
  const service = secretsmanagerService(region);
  const existing = vpc.endpoints.find((e) => e.serviceName === service && e.type !== "Gateway");
  const safe = vpcId.replace(/[^A-Za-z0-9]/g, "_");
  const variables: PlanVariable[] = [];
  const subnets = ctx.config.endpoints?.subnets?.[vpcId] ?? (existing?.subnetIds?.length ? existing.subnetIds : vpc.subnetIds);
  let subnetIds: string[];
  if (subnets && subnets.length) subnetIds = subnets;
  else {
    subnetIds = [`<var:endpoint_subnet_ids_${safe}>`];
    variables.push({ name: `endpoint_subnet_ids_${safe}`, type: "list(string)", description: `Subnet ids (one per Availability Zone) of ${vpcId} for the Secrets Manager interface endpoint; the inventory does not list the VPC's subnets` });
  }
  const sgs = ctx.config.endpoints?.securityGroups?.[vpcId] ?? existing?.securityGroupIds;
  let securityGroupIds: string[];
  if (sgs && sgs.length) securityGroupIds = sgs;
  else {
    securityGroupIds = [`<var:endpoint_security_group_ids_${safe}>`];
    variables.push({ name: `endpoint_security_group_ids_${safe}`, type: "list(string)", default: [], description: `Security groups of the Secrets Manager endpoint in ${vpcId}: they must allow HTTPS (443) from the workloads that read secrets; empty = the VPC's default security group` });
  }
  const azCount = subnets && subnets.length ? subnets.length : 2;
  const prices = priceFor(ctx.pricing, region);
  const cost = existing ? 0 : round2(azCount * prices.endpointAzHour * prices.hoursPerMonth);
  return action("add-vpc-endpoint", accountId, region, vpcId, entries, {
    resources: [{ type: "aws_vpc_endpoint", mode: existing ? "adopt" : "create", id: existing?.id ?? vpcId, label: `${service} in ${vpcId}` }],
    params: {
      vpcId, serviceName: service, ...(existing ? { existingEndpointId: existing.id } : {}),
      subnetIds, securityGroupIds, privateDns: true, azCount,
      plannedId: existing?.id ?? `vpce-smaudit${shortHash(`${accountId}:${region}:${vpcId}`)}`,
    },
    variables,
    monthlyCostDelta: cost,
    costNote: existing ? "the endpoint exists already; only private DNS changes" : `${azCount} AZ(s) × $${prices.endpointAzHour}/hour × ${prices.hoursPerMonth} hours (data processed not included)${subnets && subnets.length ? "" : "; 2 AZs assumed until the subnets are given"}`,
    reason: existing
      ? `Adopts the existing Secrets Manager endpoint ${existing.id} of ${vpcId} and turns private DNS on, so SDK calls resolve to it.`
      : `Adds an interface endpoint for Secrets Manager to ${vpcId} with private DNS, so secret reads stay on the AWS network.`,
  });
}

function buildPolicy(s: Secret, entries: Entry[], ctx: PlanContext, endpoints: RemediationAction[]): RemediationAction {
  const accountId = s.accountId as string;
  const region = s.region as string;
  const trusted = new Set<string>();
  for (const r of ctx.rules.values()) {
    if (r.def.remediation.kind !== "replace-resource-policy") continue;
    const t = ctx.paramsOf(r.def.id).trustedAccounts;
    if (Array.isArray(t)) for (const a of t) trusted.add(String(a));
  }
  const orgAccounts = ctx.snapshot.organization ? new Set(ctx.snapshot.accounts.map((a) => a.id)) : new Set<string>();
  const needVpce = entries.some((e) => e.finding.ruleId === "secret-policy-requires-vpc-endpoint" || e.params.denyOutsideVpce === true);
  const variables: PlanVariable[] = [];
  let vpces: string[] | undefined;
  if (needVpce) {
    const service = secretsmanagerService(region);
    const known = ctx.snapshot.vpcs.filter((v) => v.accountId === accountId && v.region === region)
      .flatMap((v) => v.endpoints.filter((e) => e.serviceName === service && e.type !== "Gateway").map((e) => e.id));
    const planned = endpoints.filter((a) => a.accountId === accountId && a.region === region && !a.adopt).map((a) => `<planned:${a.id}>`);
    vpces = [...new Set(known)].sort().concat(planned);
    if (!vpces.length) {
      vpces = ["<var:allowed_vpce_ids>"];
      variables.push({ name: "allowed_vpce_ids", type: "list(string)", description: `Secrets Manager VPC endpoint ids that may read classified secrets in ${accountId}/${region}; the inventory has none and no endpoint is planned here. Reads from anywhere else are denied, so list every endpoint your workloads use.` });
    }
  }
  const trimmed = trimResourcePolicy(s.policy, { accountId, orgAccounts, organizationId: ctx.snapshot.organization?.id, trustedAccounts: trusted }, vpces);
  const arn = s.arn ?? s.id;
  const adoptExisting = s.policy !== null && s.policy !== undefined;
  const parts: string[] = [];
  if (trimmed.dropped.length) parts.push(`drops ${trimmed.dropped.map((d) => `${d.statement} (${d.reasons.join("; ")})`).join(", ")}`);
  if (trimmed.kept.length) parts.push(`keeps ${trimmed.kept.join(", ")}`);
  if (vpces) parts.push("adds a Deny of GetSecretValue from outside the allowed VPC endpoints (rotation Lambdas must run in those VPCs)");
  parts.push("sets block_public_policy");
  return action("replace-resource-policy", accountId, region, s.name, entries, {
    resources: [{ type: "aws_secretsmanager_secret_policy", mode: adoptExisting ? "adopt" : "create", id: arn, label: s.name }],
    params: { secretArn: arn, secretName: s.name, document: trimmed.document, kept: trimmed.kept, dropped: trimmed.dropped, addedVpceDeny: Boolean(vpces), blockPublicPolicy: true, adoptExisting },
    variables,
    monthlyCostDelta: 0,
    costNote: "resource policies are free",
    reason: `Replaces the resource policy of ${s.name}: ${parts.join("; ")}.`,
  });
}

function buildTrail(accountId: string, entries: Entry[], ctx: PlanContext): RemediationAction {
  // Home region: where the account keeps most of its secrets (ties: alphabetical).
  const counts = new Map<string, number>();
  for (const s of ctx.snapshot.secrets) if (s.accountId === accountId && s.region) counts.set(s.region, (counts.get(s.region) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const region = ctx.config.cloudtrail?.region ?? busiest ?? ctx.snapshot.regions?.[0] ?? "us-east-1";
  const name = ctx.config.cloudtrail?.trailName ?? "sm-audit-management-events";
  const bucketName = `${ctx.config.cloudtrail?.bucketPrefix ?? "sm-audit-cloudtrail"}-${accountId}-${region}`.toLowerCase().slice(0, 63);
  const partition = partitionOfRegion(region);
  const trailArn = `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${name}`;
  const other = ctx.snapshot.trails.some((t) => t.accountId === accountId && t.logging);
  return action("add-cloudtrail", accountId, region, name, entries, {
    resources: [
      { type: "aws_s3_bucket", mode: "create", label: bucketName },
      { type: "aws_s3_bucket_public_access_block", mode: "create", label: bucketName },
      { type: "aws_s3_bucket_versioning", mode: "create", label: bucketName },
      { type: "aws_s3_bucket_server_side_encryption_configuration", mode: "create", label: bucketName },
      { type: "aws_s3_bucket_policy", mode: "create", label: bucketName },
      { type: "aws_cloudtrail", mode: "create", label: name },
    ],
    params: { trailName: name, bucketName, homeRegion: region, plannedArn: trailArn, bucketPolicy: trailBucketPolicy(bucketName, trailArn, accountId, partition) },
    variables: [],
    monthlyCostDelta: 0,
    costNote: other
      ? "the account already has a logging trail: this second copy of management events is billed by CloudTrail ($2.00 per 100,000 events, not priced here), plus S3 storage"
      : "the first copy of management events is free; S3 storage of the log files is billed by S3 (not priced here)",
    reason: `Adds a multi-region trail ${name} in ${region} with log-file validation and read + write management events, delivering to a new versioned, encrypted, non-public S3 bucket ${bucketName}.`,
  });
}
