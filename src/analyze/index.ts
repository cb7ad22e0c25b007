/**
 * `analyzeSnapshot`: turns a snapshot into the views rules evaluate — each resource
 * with its derived facts and all unknowns merged. Pure and linear in the snapshot's
 * size: every cross-reference (keys by ARN / id / alias, reads by secret, secrets by
 * account-region) goes through a Map built once.
 */
import type { Snapshot, Unknowns } from "../inventory/types";
import type { AnalyzedSnapshot, KmsKeyView, SecretView, TrailView, VpcView } from "./facts";
import { accountViews, trailFacts, unitKey, vpcFacts } from "./infra";
import { buildKeyIndex } from "./keys";
import { buildReadIndex } from "./reads";
import { secretFacts, type SecretContext } from "./secret";
import { TagSets } from "./shared-facts";

export { analyzePolicy, globMatch } from "./policy";
export { resolveKey, buildKeyIndex, DEFAULT_ALIAS } from "./keys";
export { scheduleInterval } from "./schedule";

/** Options of `analyzeSnapshot`. */
export interface AnalyzeOptions {
  /** Reference time for ages (ISO-8601); defaults to the snapshot's generatedAt. */
  asOf?: string;
}

/** Compute the views and facts of every resource of `snapshot`, once. */
export function analyzeSnapshot(snapshot: Snapshot, opts: AnalyzeOptions = {}): AnalyzedSnapshot {
  const asOf = opts.asOf ?? snapshot.generatedAt;
  const asOfMs = Date.parse(asOf);
  const keys = buildKeyIndex(snapshot);
  const ctx: SecretContext = {
    asOf,
    asOfMs: Number.isNaN(asOfMs) ? Date.now() : asOfMs,
    keys,
    reads: buildReadIndex(snapshot),
    organizationAccounts: keys.organizationAccounts,
    organizationId: snapshot.organization?.id,
  };

  const secrets: SecretView[] = [];
  const unitsWithSecrets = new Set<string>();
  const secretCounts = new Map<string, number>();
  const keyUse = new Map<string, number>();
  // Secrets come grouped by account-region: the unit key is only rebuilt when it changes.
  let lastAccount: string | undefined;
  let lastRegion: string | undefined;
  let first = true;
  const keyIds: string[] = [];
  const tagSets = new TagSets();
  for (const secret of snapshot.secrets ?? []) {
    const factUnknowns: Unknowns = {};
    keyIds.length = 0;
    // Secrets tagged alike share one tags object and one sorted key list (see TagSets).
    const tags = tagSets.of(secret.tags);
    const facts = secretFacts(secret, ctx, tags, factUnknowns, keyIds);
    const unknowns = secret.unknowns ? Object.assign({}, secret.unknowns, factUnknowns) : factUnknowns;
    // Object.assign({}, secret, { kind, facts, unknowns }) without the middle object.
    const view = Object.assign({}, secret) as SecretView;
    if (tags.tags) view.tags = tags.tags;
    view.kind = "secret";
    view.facts = facts;
    view.unknowns = unknowns;
    secrets.push(view);
    const account = secret.accountId;
    const region = secret.region;
    // The set keeps each key once; skipping identical inputs only saves building the key.
    if (first || account !== lastAccount || region !== lastRegion) {
      unitsWithSecrets.add(unitKey(account, region));
      first = false;
      lastAccount = account;
      lastRegion = region;
    }
    if (account) secretCounts.set(account, (secretCounts.get(account) ?? 0) + 1);
    for (let i = 0; i < keyIds.length; i++) keyUse.set(keyIds[i], (keyUse.get(keyIds[i]) ?? 0) + 1);
  }

  const kmsKeys: KmsKeyView[] = (snapshot.kmsKeys ?? []).map((key) => ({
    ...key,
    kind: "kmsKey",
    facts: { usedBySecrets: keyUse.get(key.id) ?? 0, pendingDeletion: key.state === "PendingDeletion" },
    unknowns: { ...(key.unknowns ?? {}) },
  }));

  const vpcs: VpcView[] = (snapshot.vpcs ?? []).map((vpc) => {
    const unknowns: Unknowns = { ...(vpc.unknowns ?? {}) };
    return { ...vpc, kind: "vpc", facts: vpcFacts(vpc, unitsWithSecrets, unknowns), unknowns };
  });

  const trails: TrailView[] = [];
  const trailIds = new Set<string>();
  for (const trail of snapshot.trails ?? []) {
    // A multi-region trail is listed in every region; one view per trail.
    if (trailIds.has(trail.id)) continue;
    trailIds.add(trail.id);
    const unknowns: Unknowns = { ...(trail.unknowns ?? {}) };
    trails.push({ ...trail, kind: "trail", facts: trailFacts(trail, unknowns), unknowns });
  }

  return {
    asOf,
    views: { secret: secrets, kmsKey: kmsKeys, vpc: vpcs, trail: trails, account: accountViews(snapshot, trails, secretCounts) },
  };
}
