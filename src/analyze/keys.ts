/**
 * KMS key resolution: which key a secret (or one replica) is encrypted with, who
 * manages it and who owns it. This is the one place that answers "is this the
 * AWS-managed key?" — rules only compare the resulting facts.
 */
import type { Coverage, KmsKey, Snapshot } from "../inventory/types";
import type { KeyFacts } from "./facts";

/** The alias of the default key Secrets Manager uses when no key id is given. */
export const DEFAULT_ALIAS = "alias/aws/secretsmanager";

/** A key fact plus the unknowns (path under `facts.key` → reason) found while resolving it. */
export interface KeyResolution {
  facts: KeyFacts;
  /** Relative to the key facts, e.g. `manager` → reason. */
  unknowns: Record<string, string>;
  /** Snapshot id of the key found, if any. */
  resourceId?: string;
}

/** Lookup tables over snapshot.kmsKeys, built once per snapshot. */
export interface KeyIndex {
  byArn: Map<string, KmsKey>;
  /** Snapshot `id` (Terraform address for code keys). */
  byId: Map<string, KmsKey>;
  /** `account|region|keyId` and `account|region|alias/...`. */
  byLocal: Map<string, KmsKey>;
  /** `account|region` → status of the kmsKeys coverage when not collected. */
  gaps: Map<string, Coverage>;
  organizationAccounts?: Set<string>;
}

function local(account: string | undefined, region: string | undefined, ref: string): string {
  return `${account ?? ""}|${region ?? ""}|${ref}`;
}

/** Index the snapshot's keys by ARN, id, key id and alias. */
export function buildKeyIndex(snapshot: Pick<Snapshot, "kmsKeys" | "coverage" | "organization" | "accounts">): KeyIndex {
  const index: KeyIndex = { byArn: new Map(), byId: new Map(), byLocal: new Map(), gaps: new Map() };
  for (const key of snapshot.kmsKeys ?? []) {
    index.byId.set(key.id, key);
    if (key.arn) index.byArn.set(key.arn, key);
    const keyId = key.keyId ?? (key.arn ? key.arn.split("/").pop() : undefined);
    if (keyId) index.byLocal.set(local(key.accountId, key.region, keyId), key);
    for (const alias of key.aliases ?? []) index.byLocal.set(local(key.accountId, key.region, alias), key);
  }
  for (const c of snapshot.coverage ?? []) {
    if (c.kind === "kmsKeys" && c.status !== "collected") index.gaps.set(`${c.accountId}|${c.region}`, c);
  }
  if (snapshot.organization) index.organizationAccounts = new Set((snapshot.accounts ?? []).map((a) => a.id));
  return index;
}

interface ParsedArn {
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Split an ARN; undefined when `text` is not one. */
export function parseArn(text: string): ParsedArn | undefined {
  // Same result as splitting on every ":" (the resource keeps its own colons), without the arrays.
  if (!text.startsWith("arn:")) return undefined;
  const c2 = text.indexOf(":", 4);
  if (c2 < 0) return undefined;
  const c3 = text.indexOf(":", c2 + 1);
  if (c3 < 0) return undefined;
  const c4 = text.indexOf(":", c3 + 1);
  if (c4 < 0) return undefined;
  const c5 = text.indexOf(":", c4 + 1);
  if (c5 < 0) return undefined;
  return { service: text.slice(c2 + 1, c3), region: text.slice(c3 + 1, c4), account: text.slice(c4 + 1, c5), resource: text.slice(c5 + 1) };
}

function isDefaultRef(ref: string): boolean {
  if (ref === DEFAULT_ALIAS) return true;
  // The resource of an ARN is its end, so only a ref ending with the alias can name it.
  if (!ref.endsWith(DEFAULT_ALIAS)) return false;
  const arn = parseArn(ref);
  return arn !== undefined && arn.service === "kms" && arn.resource === DEFAULT_ALIAS;
}

/** Find the snapshot key a reference points at, looking in the secret's account-region for local forms. */
function lookup(index: KeyIndex, ref: string, account: string | undefined, region: string | undefined): KmsKey | undefined {
  const byArn = index.byArn.get(ref) ?? index.byId.get(ref);
  if (byArn) return byArn;
  const arn = parseArn(ref);
  if (arn) {
    // An alias ARN resolves through the alias table of its own account-region.
    if (arn.resource.startsWith("alias/")) return index.byLocal.get(local(arn.account, arn.region, arn.resource));
    if (arn.resource.startsWith("key/")) return index.byLocal.get(local(arn.account, arn.region, arn.resource.slice(4)));
    return undefined;
  }
  // IaC references such as `aws_kms_key.app.arn` name the key resource by address.
  const address = /^(.*\.aws_kms_key\.[^.]+|aws_kms_key\.[^.]+|data\.aws_kms_key\.[^.]+|.*\.data\.aws_kms_key\.[^.]+)\.(arn|id|key_id)$/.exec(ref);
  if (address) return index.byId.get(address[1]);
  return index.byLocal.get(local(account, region, ref));
}

/** A key created by an `aws_kms_key` resource in code: always customer managed. */
function codeDefinedKey(key: KmsKey): boolean {
  return key.source.kind === "iac" && /(^|\.)aws_kms_key\.[^.]+$/.test(key.source.address) && !/(^|\.)data\./.test(key.source.address);
}

/** Key facts every described key should record. */
const DESCRIBED = ["manager", "state", "rotationEnabled"] as const;

/** The label of an omitted key id: built once, not per secret. */
const DEFAULT_LABEL = `${DEFAULT_ALIAS.replace(/^alias\//, "")} (default key)`;

/** How a key reference reads in a message: an omitted key id means the default key. */
function keyLabel(ref: string | null): string {
  return ref === null ? DEFAULT_LABEL : ref;
}

/** Where `resolveKeyInto` writes an unknown: `prefix.k` (or `prefix` for the reference itself); `k` alone without a prefix. */
function put(out: Record<string, string>, prefix: string, k: string, reason: string): void {
  out[prefix === "" ? k : k === "" ? prefix : `${prefix}.${k}`] = reason;
}

/**
 * `resolveKey` without the per-call result objects: writes the unknowns into `out` under
 * `prefix` (e.g. `facts.key`; "" for paths relative to the key facts), pushes the id of the
 * key found onto `keyIds` when it has one, and returns the key facts.
 */
export function resolveKeyInto(
  index: KeyIndex,
  ref: string | null | undefined,
  account: string | undefined,
  region: string | undefined,
  refUnknown: string | undefined,
  out: Record<string, string>,
  prefix: string,
  keyIds: string[],
): KeyFacts {
  if (refUnknown !== undefined || ref === undefined) {
    put(out, prefix, "", refUnknown ?? "the secret's KMS key reference was not collected");
    return { ref: ref ?? null, label: keyLabel(ref ?? null), isDefaultKey: false, found: false };
  }
  const found = ref === null ? undefined : lookup(index, ref, account, region);
  const isDefault = ref === null || isDefaultRef(ref) || (found?.aliases ?? []).includes(DEFAULT_ALIAS);
  // Each branch builds its facts in one literal, in the order the fields were always added.
  let facts: KeyFacts;
  if (found) {
    if (found.id) keyIds.push(found.id);
    facts = {
      ref,
      label: keyLabel(ref),
      isDefaultKey: isDefault,
      found: true,
      arn: found.arn,
      manager: found.manager ?? (isDefault ? "AWS" : codeDefinedKey(found) ? "CUSTOMER" : undefined),
      ownerAccountId: found.accountId ?? (found.arn ? parseArn(found.arn)?.account : undefined),
      state: found.state,
      rotationEnabled: found.rotationEnabled,
      // KMS's default rotation period is 365 days; keys rotated before periods existed report none.
      rotationPeriodDays: found.rotationPeriodDays ?? (found.rotationEnabled === true ? 365 : undefined),
    };
    for (const f of DESCRIBED) {
      if (facts[f] === undefined) put(out, prefix, f, found.unknowns?.[f] ?? `key ${ref} has no recorded ${f}`);
    }
  } else if (isDefault) {
    // The AWS-managed default key exists in every account-region; AWS rotates it
    // yearly and it can be neither disabled nor scheduled for deletion.
    facts = {
      ref,
      label: keyLabel(ref),
      isDefaultKey: isDefault,
      found: false,
      manager: "AWS",
      ownerAccountId: account,
      state: "Enabled",
      rotationEnabled: true,
      rotationPeriodDays: 365,
    };
  } else {
    const arn = parseArn(ref);
    // Key ids and alias names without an ARN always resolve in the caller's own account.
    facts = { ref, label: keyLabel(ref), isDefaultKey: isDefault, found: false, ownerAccountId: arn ? arn.account : account };
    if (arn && arn.resource.startsWith("key/")) facts.arn = ref;
    const gap = index.gaps.get(`${facts.ownerAccountId ?? ""}|${arn?.region ?? region ?? ""}`);
    const why = gap
      ? `key ${ref} is not in the snapshot (kmsKeys ${gap.status}${gap.errorCode ? `: ${gap.errorCode}` : ""} in ${gap.accountId}/${gap.region})`
      : `key ${ref} is not in the snapshot (DescribeKey denied or key in another account)`;
    if (arn && account && arn.account !== account) {
      // AWS-managed keys serve only their own account, so a key of another account is customer managed.
      facts.manager = "CUSTOMER";
    } else {
      put(out, prefix, "manager", why);
    }
    put(out, prefix, "state", why);
    put(out, prefix, "rotationEnabled", why);
    put(out, prefix, "rotationPeriodDays", why);
  }
  if (facts.ownerAccountId !== undefined && account !== undefined) facts.sameAccount = facts.ownerAccountId === account;
  else if (found && found.accountId === undefined && account === undefined) facts.sameAccount = true; // both from the same code
  if (facts.ownerAccountId !== undefined && index.organizationAccounts) {
    facts.inOrganization = index.organizationAccounts.has(facts.ownerAccountId);
  }
  return facts;
}

/**
 * Resolve a key reference of a secret in `account`/`region`. `refUnknown` is the reason
 * the reference itself is unknown (an unresolved IaC value), which makes every key fact unknown.
 */
export function resolveKey(
  index: KeyIndex,
  ref: string | null | undefined,
  account: string | undefined,
  region: string | undefined,
  refUnknown?: string,
): KeyResolution {
  const unknowns: Record<string, string> = {};
  const ids: string[] = [];
  const facts = resolveKeyInto(index, ref, account, region, refUnknown, unknowns, "", ids);
  // resolveKeyInto pushes the id of the key it found, when that key has one.
  return ids.length ? { facts, unknowns, resourceId: ids[0] } : { facts, unknowns };
}
