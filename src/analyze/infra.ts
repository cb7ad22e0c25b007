/**
 * Facts of the resources around secrets: VPCs (is there a usable Secrets Manager
 * endpoint?), trails (does this trail meet the logging baseline?) and accounts (which
 * trails cover the account, including the organization's).
 */
import type { Coverage, Snapshot, Source, Trail, Unknowns, Vpc } from "../inventory/types";
import type { AccountView, TrailFacts, TrailView, VpcFacts } from "./facts";
import { unknownAt } from "./secret";

const SECRETSMANAGER_SERVICE = /^com\.amazonaws\.[a-z0-9-]+\.secretsmanager(-fips)?$/i;

/** Key of an account-region; IaC resources without either share the empty key. */
export function unitKey(accountId: string | undefined, region: string | undefined): string {
  return `${accountId ?? ""}|${region ?? ""}`;
}

/** Facts of one VPC given the account-regions that hold secrets. */
export function vpcFacts(vpc: Vpc, unitsWithSecrets: Set<string>, out: Unknowns): VpcFacts {
  const candidates = (vpc.endpoints ?? []).filter(
    (e) => typeof e.serviceName === "string" && SECRETSMANAGER_SERVICE.test(e.serviceName) && (e.type === undefined || e.type.toLowerCase() === "interface"),
  );
  const liveState = (state: string | undefined, source: Source): boolean | undefined =>
    state !== undefined ? state.toLowerCase() === "available" : source.kind === "iac" ? true : undefined; // code: available once applied
  const available = candidates.filter((e) => liveState(e.state, e.source) === true);
  const facts: VpcFacts = {
    regionHasSecrets: unitsWithSecrets.has(unitKey(vpc.accountId, vpc.region)),
    secretsmanagerEndpoint: {
      present: candidates.length > 0,
      available: available.length > 0,
      privateDns: available.some((e) => e.privateDns === true),
      endpointIds: candidates.map((e) => e.id),
    },
  };
  if (candidates.length > 0 && available.length === 0 && candidates.some((e) => liveState(e.state, e.source) === undefined)) {
    out["facts.secretsmanagerEndpoint.available"] = "the endpoint's state was not collected";
  }
  if (!facts.secretsmanagerEndpoint.privateDns && available.some((e) => e.privateDns === undefined)) {
    out["facts.secretsmanagerEndpoint.privateDns"] = `private DNS of ${available.filter((e) => e.privateDns === undefined).map((e) => e.id).join(", ")} is unknown`;
  }
  const endpointsUnknown = unknownAt(vpc.unknowns, "endpoints");
  if (endpointsUnknown && !(facts.secretsmanagerEndpoint.available && facts.secretsmanagerEndpoint.privateDns)) {
    out["facts.secretsmanagerEndpoint"] = endpointsUnknown;
  }
  return facts;
}

/** Facts of one trail: compliant, or why that is unknown. */
export function trailFacts(trail: Trail, out: Unknowns, prefix = "facts"): TrailFacts {
  const checks: Array<[string, boolean | undefined]> = [
    ["isMultiRegion", trail.isMultiRegion],
    ["logging", trail.logging],
    ["logFileValidation", trail.logFileValidation],
    ["managementEvents.read", trail.managementEvents?.read],
    ["managementEvents.write", trail.managementEvents?.write],
  ];
  if (checks.some(([path, v]) => v === false && !unknownAt(trail.unknowns, path))) return { compliant: false };
  const missing = checks.filter(([path, v]) => v === undefined || unknownAt(trail.unknowns, path) !== undefined);
  if (missing.length > 0) {
    out[`${prefix}.compliant`] = `trail ${trail.name}: ${missing.map(([path]) => unknownAt(trail.unknowns, path) ?? `${path} is unknown`).join("; ")}`;
    return {};
  }
  return { compliant: true };
}

function trailsCoverageGap(coverage: Coverage[] | undefined, accountId: string): Coverage | undefined {
  return (coverage ?? []).find((c) => c.kind === "trails" && c.accountId === accountId && c.status !== "collected");
}

/** Account views: listed accounts, accounts seen on resources, or one `code` account for IaC trails. */
export function accountViews(snapshot: Snapshot, trailViews: TrailView[], secretCounts: Map<string, number>): AccountView[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  const add = (id: string | undefined): void => {
    if (id !== undefined && id !== "" && !seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  };
  for (const a of snapshot.accounts ?? []) add(a.id);
  for (const list of [snapshot.secrets, snapshot.kmsKeys, snapshot.vpcs, snapshot.trails] as Array<Array<{ accountId?: string }> | undefined>) {
    // Resources come grouped by account: a repeat of the previous id adds nothing.
    let previous: string | undefined;
    let first = true;
    for (const r of list ?? []) {
      const id = r.accountId;
      if (first || id !== previous) add(id);
      first = false;
      previous = id;
    }
  }
  const codeTrails = trailViews.filter((t) => t.accountId === undefined);
  const byAccount = new Map<string, TrailView[]>();
  for (const t of trailViews) {
    if (t.accountId === undefined) continue;
    const rows = byAccount.get(t.accountId);
    if (rows) rows.push(t);
    else byAccount.set(t.accountId, [t]);
  }
  // Organization trails live in the management account and log every member account.
  const mgmt = snapshot.organization?.managementAccountId;
  const orgTrails = snapshot.organization
    ? trailViews.filter((t) => t.isOrganizationTrail === true && (mgmt === undefined || t.accountId === mgmt))
    : [];
  const named = new Map((snapshot.accounts ?? []).map((a) => [a.id, a]));
  const views: AccountView[] = [];
  const build = (id: string, trails: TrailView[], source: Source): AccountView => {
    const unique = new Map<string, TrailView>();
    for (const t of trails) if (!unique.has(t.arn ?? t.id)) unique.set(t.arn ?? t.id, t);
    const list = [...unique.values()];
    const unknowns: Unknowns = {};
    if (!list.some((t) => t.facts.compliant === true)) {
      const undecided = list.filter((t) => t.facts.compliant === undefined).map((t) => t.unknowns["facts.compliant"]);
      const gap = trailsCoverageGap(snapshot.coverage, id);
      if (gap) undecided.push(`trails of ${gap.accountId}/${gap.region} were ${gap.status}${gap.errorCode ? ` (${gap.errorCode})` : ""}`);
      if (undecided.length > 0) unknowns["facts.trails"] = undecided.join("; ");
    }
    const account = named.get(id);
    const view: AccountView = {
      ...(account ?? {}),
      id,
      accountId: id,
      kind: "account",
      source,
      facts: { trails: list.map((t) => ({ ...stripView(t), facts: t.facts })), secretCount: secretCounts.get(id) ?? 0 },
      unknowns,
    };
    return view;
  };
  for (const id of ids) {
    const source: Source = { kind: "live", accountId: id, region: "global", api: "organizations:ListAccounts" };
    views.push(build(id, [...(byAccount.get(id) ?? []), ...orgTrails], source));
  }
  if (codeTrails.length > 0 && !seen.has("code")) {
    views.push(build("code", codeTrails, codeTrails[0].source));
  }
  return views;
}

function stripView(t: TrailView): Trail {
  const { kind: _kind, facts: _facts, ...trail } = t;
  return trail;
}
