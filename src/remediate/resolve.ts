/**
 * Small lookups the planner needs over a snapshot: resources by finding id, KMS keys by
 * any reference form, param references in rule remediation params, globs.
 */
import type { KmsKey, Secret, Snapshot, Trail, Vpc } from "../inventory/types";

/** The snapshot indexed for the planner. */
export interface SnapshotIndex {
  secrets: Map<string, Secret>;
  vpcs: Map<string, Vpc>;
  trails: Map<string, Trail>;
  keys: Map<string, KmsKey>;
  accounts: Set<string>;
}

/** Index every resource by its id (and secrets and keys by their ARN too). */
export function indexSnapshot(snap: Snapshot): SnapshotIndex {
  const secrets = new Map<string, Secret>();
  for (const s of snap.secrets) {
    secrets.set(s.id, s);
    if (s.arn) secrets.set(s.arn, s);
  }
  const keys = new Map<string, KmsKey>();
  for (const k of snap.kmsKeys) {
    keys.set(k.id, k);
    if (k.arn) keys.set(k.arn, k);
  }
  return {
    secrets,
    vpcs: new Map(snap.vpcs.map((v) => [v.id, v])),
    trails: new Map(snap.trails.map((t) => [t.id, t])),
    keys,
    accounts: new Set(snap.accounts.map((a) => a.id)),
  };
}

/**
 * The key a reference points at, as seen from `accountId`/`region`: a key ARN, a key id,
 * an alias name or an alias ARN. Undefined when the snapshot does not hold it.
 */
export function findKey(snap: Snapshot, ref: string, accountId: string | undefined, region: string | undefined): KmsKey | undefined {
  const aliasArn = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(ref);
  const keyArn = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(ref);
  for (const k of snap.kmsKeys) {
    if (k.arn === ref || k.id === ref) return k;
    if (keyArn && k.keyId === keyArn[3] && k.accountId === keyArn[2] && k.region === keyArn[1]) return k;
    const local = k.accountId === accountId && k.region === region;
    if (aliasArn && k.accountId === aliasArn[2] && k.region === aliasArn[1] && k.aliases?.includes(aliasArn[3])) return k;
    if (local && ref.startsWith("alias/") && k.aliases?.includes(ref)) return k;
    if (local && k.keyId === ref) return k;
  }
  return undefined;
}

/** The default `aws/secretsmanager` key reference (omitted, alias name, or alias ARN). */
export function isDefaultKeyRef(ref: string | null | undefined): boolean {
  return ref === null || ref === undefined || ref === "" || ref === "alias/aws/secretsmanager" || /:alias\/aws\/secretsmanager$/.test(ref);
}

/** Whether a secret is managed by another service (OwningService or an `rds!` name). */
export function serviceOwner(s: Secret): string | undefined {
  if (s.owningService) return s.owningService;
  if (s.name.startsWith("rds!")) return "rds";
  return undefined;
}

/** Resolve `$params.X` operands in rule remediation params against the effective params. */
export function resolveParams(raw: Record<string, unknown> | undefined, params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v === "string" && v.startsWith("$params.")) out[k] = params[v.slice("$params.".length)];
    else if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as { param?: unknown }).param === "string") {
      out[k] = params[(v as { param: string }).param];
    } else out[k] = v;
  }
  return out;
}

/** Whether `text` matches a glob (`*` any run, `?` one char). */
export function globMatch(glob: string, text: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(text);
}

/** A short, stable hash of a string (FNV-1a, 8 hex chars) for planned ids and names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Fill `{field}` placeholders of a manual action from the resource's string fields. */
export function fillPlaceholders(text: string, values: Record<string, unknown>): string {
  return text.replace(/\{([A-Za-z][A-Za-z0-9.]*)\}/g, (whole, key: string) => {
    let v: unknown = values;
    for (const part of key.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
    return typeof v === "string" || typeof v === "number" ? String(v) : whole;
  });
}
