/**
 * Checks an estate beyond its JSON Schema: references resolve (keys, aliases, endpoints,
 * regions, accounts), names are unique, dates parse. Each problem names the path of the
 * offending field so the loader can add the file line.
 */
import type { Estate, EstateAccountRegion, EstateSecret } from "./estate";
import { regionNames } from "./estate";
import { expandRepeat, hasPlaceholder, parseKeyRef, parsePrincipal, endpointServiceName, type KeyRef } from "./refs";
import { isDateSpec } from "./time";

export type Path = Array<string | number>;
export interface Problem {
  path: Path;
  message: string;
}

interface KeyIndex {
  ids: Set<string>;
  aliases: Set<string>;
}

/** Every semantic problem in `estate` (empty when it is consistent). */
export function checkEstate(estate: Estate): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string): void => {
    if (problems.length < 200) problems.push({ path, message });
  };
  const regions = regionNames(estate);
  const regionSet = new Set<string>();
  regions.forEach((r, i) => (regionSet.has(r) ? add(["regions", i], `region ${r} is listed twice`) : regionSet.add(r)));

  const accountIds = new Set<string>();
  estate.accounts.forEach((a, i) => (accountIds.has(a.id) ? add(["accounts", i, "id"], `account ${a.id} is listed twice`) : accountIds.add(a.id)));
  const org = estate.organization;
  if (org && !accountIds.has(org.managementAccountId)) {
    add(["organization", "managementAccountId"], `management account ${org.managementAccountId} is not in accounts`);
  }

  // Keys of every account-region first: secrets may refer to keys in other accounts by ARN.
  const keys = new Map<string, KeyIndex>();
  estate.accounts.forEach((account) => {
    for (const [region, ar] of Object.entries(account.regions ?? {})) {
      const index: KeyIndex = { ids: new Set(), aliases: new Set() };
      keys.set(`${account.id}/${region}`, index);
      (ar?.kmsKeys ?? []).forEach((k) => {
        if (k.id) index.ids.add(k.id);
        for (const a of [k.alias ?? []].flat()) index.aliases.add(a.replace(/^alias\//, ""));
      });
    }
  });

  estate.accounts.forEach((account, ai) => {
    if (account.joined !== undefined && !isDateSpec(account.joined)) add(["accounts", ai, "joined"], `not a date: ${account.joined}`);
    for (const [region, ar] of Object.entries(account.regions ?? {})) {
      const base: Path = ["accounts", ai, "regions", region];
      if (!regionSet.has(region)) add(base, `region ${region} is not in the estate's regions`);
      if (ar) checkAccountRegion(estate, account.id, region, ar, base, keys, regionSet, add);
    }
  });
  return problems;
}

function checkAccountRegion(
  estate: Estate,
  accountId: string,
  region: string,
  ar: EstateAccountRegion,
  base: Path,
  keys: Map<string, KeyIndex>,
  regionSet: Set<string>,
  add: (path: Path, message: string) => void,
): void {
  const keyIds = new Set<string>();
  const aliases = new Set<string>();
  (ar.kmsKeys ?? []).forEach((k, i) => {
    const p = [...base, "kmsKeys", i];
    if (k.id && keyIds.has(k.id)) add([...p, "id"], `key id ${k.id} is used twice in ${accountId}/${region}`);
    if (k.id) keyIds.add(k.id);
    for (const a of [k.alias ?? []].flat()) {
      const name = a.replace(/^alias\//, "");
      if (aliases.has(name)) add([...p, "alias"], `alias ${name} is used twice in ${accountId}/${region}`);
      if (name.startsWith("aws/") && k.manager !== "AWS") add([...p, "alias"], `alias names starting with aws/ are reserved for AWS managed keys`);
      aliases.add(name);
    }
    if (!k.id && !k.alias) add(p, "a key needs an id or an alias (the id is generated from the alias)");
    for (const field of ["created", "deletionDate"] as const) {
      const v = k[field];
      if (v !== undefined && !isDateSpec(v)) add([...p, field], `not a date: ${v}`);
    }
  });

  const vpceIds = new Set<string>();
  const smEndpoints: string[] = [];
  (ar.vpcs ?? []).forEach((vpc, vi) => {
    (vpc.endpoints ?? []).forEach((e, ei) => {
      if (e.id && vpceIds.has(e.id)) add([...base, "vpcs", vi, "endpoints", ei, "id"], `endpoint id ${e.id} is used twice`);
      if (e.id) vpceIds.add(e.id);
      const isSm = endpointServiceName(e.service, region) === `com.amazonaws.${region}.secretsmanager`;
      if (isSm && (e.type ?? "Interface") === "Interface" && (e.state ?? "available") === "available") smEndpoints.push(e.id ?? "generated");
    });
  });

  const names = new Set<string>();
  (ar.secrets ?? []).forEach((secret, si) => {
    const p: Path = [...base, "secrets", si];
    if (secret.repeat !== undefined && !hasPlaceholder(secret.name)) add([...p, "name"], "a repeated secret's name must contain {n}");
    for (const s of expandRepeat(secret)) {
      if (names.has(s.name)) add([...p, "name"], `secret ${s.name} is defined twice in ${accountId}/${region}`);
      names.add(s.name);
    }
    checkSecret(estate, accountId, region, secret, p, keys, regionSet, smEndpoints, vpceIds, add);
  });

  const trailNames = new Set<string>();
  (ar.trails ?? []).forEach((t, ti) => {
    if (trailNames.has(t.name)) add([...base, "trails", ti, "name"], `trail ${t.name} is defined twice`);
    trailNames.add(t.name);
    if (t.organizationTrail && estate.organization?.managementAccountId !== accountId) {
      add([...base, "trails", ti, "organizationTrail"], "only the organization's management account can own an organization trail");
    }
  });
  const edsNames = new Set<string>();
  (ar.eventDataStores ?? []).forEach((e, i) => {
    if (edsNames.has(e.name)) add([...base, "eventDataStores", i, "name"], `event data store ${e.name} is defined twice`);
    edsNames.add(e.name);
  });
}

function checkSecret(
  estate: Estate,
  accountId: string,
  region: string,
  secret: EstateSecret,
  p: Path,
  keys: Map<string, KeyIndex>,
  regionSet: Set<string>,
  smEndpoints: string[],
  vpceIds: Set<string>,
  add: (path: Path, message: string) => void,
): void {
  const keyProblem = (ref: string | undefined, inRegion: string): string | null => {
    const parsed = parseKeyRef(ref);
    if (!parsed) return `not a KMS key reference: ${ref} (use a key id, key ARN, alias/name or alias ARN)`;
    return resolveProblem(parsed, accountId, inRegion, keys);
  };
  const kp = keyProblem(secret.kmsKey, region);
  if (kp) add([...p, "kmsKey"], kp);
  for (const field of ["created", "lastChanged", "deleted"] as const) {
    const v = secret[field];
    if (v !== undefined && !isDateSpec(v)) add([...p, field], `not a date: ${v}`);
  }
  if (typeof secret.lastAccessed === "string" && !isDateSpec(secret.lastAccessed)) add([...p, "lastAccessed"], `not a date: ${secret.lastAccessed}`);
  for (const field of ["lastRotated", "nextRotation"] as const) {
    const v = secret.rotation?.[field];
    if (v !== undefined && !isDateSpec(v)) add([...p, "rotation", field], `not a date: ${v}`);
  }
  const replicaRegions = new Set<string>();
  (secret.replicas ?? []).forEach((r, ri) => {
    const rp = [...p, "replicas", ri];
    if (!regionSet.has(r.region)) add([...rp, "region"], `region ${r.region} is not in the estate's regions`);
    if (r.region === region) add([...rp, "region"], "a replica cannot be in the primary's region");
    if (replicaRegions.has(r.region)) add([...rp, "region"], `replica region ${r.region} is listed twice`);
    replicaRegions.add(r.region);
    const rk = keyProblem(r.kmsKey, r.region);
    if (rk) add([...rp, "kmsKey"], rk);
  });
  (secret.reads ?? []).forEach((read, i) => {
    const rp = [...p, "reads", i];
    if (!parsePrincipal(read.principal)) {
      add([...rp, "principal"], `not a principal: ${read.principal} (use role/Name, user/Name, root, 111122223333:role/Name, service/x.amazonaws.com or an ARN)`);
    }
    if (read.last !== undefined && !isDateSpec(read.last)) add([...rp, "last"], `not a date: ${read.last}`);
    if (read.region && read.region !== region && !replicaRegions.has(read.region)) {
      add([...rp, "region"], `reads happen in the secret's region or a replica region, not ${read.region}`);
    }
    const readRegion = read.region ?? region;
    if (read.via === "vpce" && readRegion === region && smEndpoints.length === 0) {
      add([...rp, "via"], `no available secretsmanager interface endpoint in ${accountId}/${region} to read through`);
    }
    if (read.via?.startsWith("vpce-") && readRegion === region && !vpceIds.has(read.via)) {
      add([...rp, "via"], `endpoint ${read.via} is not defined in ${accountId}/${region}`);
    }
    if (read.via === "vpce" && readRegion !== region && !hasSmEndpoint(estate, accountId, readRegion)) {
      add([...rp, "via"], `no available secretsmanager interface endpoint in ${accountId}/${readRegion} to read through`);
    }
  });
}

function hasSmEndpoint(estate: Estate, accountId: string, region: string): boolean {
  const ar = estate.accounts.find((a) => a.id === accountId)?.regions?.[region];
  return (ar?.vpcs ?? []).some((v) =>
    (v.endpoints ?? []).some((e) => endpointServiceName(e.service, region).endsWith(".secretsmanager") && (e.state ?? "available") === "available"),
  );
}

function resolveProblem(ref: KeyRef, accountId: string, region: string, keys: Map<string, KeyIndex>): string | null {
  if (ref.kind === "default") return null;
  const account = ref.account ?? accountId;
  const keyRegion = ref.region ?? region;
  if (keyRegion !== region) return `KMS keys are regional: a secret in ${region} cannot use a key in ${keyRegion}`;
  const index = keys.get(`${account}/${keyRegion}`);
  if (ref.kind === "alias") {
    if (account !== accountId) return "an alias cannot name a key in another account; use the key ARN";
    return index?.aliases.has(ref.alias) ? null : `alias ${ref.alias} is not defined in ${account}/${keyRegion}`;
  }
  if (!index?.ids.has(ref.id)) {
    return `key ${ref.id} is not defined in ${account}/${keyRegion} (give that key an explicit id)`;
  }
  return null;
}
