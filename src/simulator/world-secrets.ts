/**
 * Secrets of the world: expands `repeat` templates, builds ARNs with their 6-character
 * suffix, resolves keys, rotation and dates, creates replica secrets in their regions and
 * binds read specs to the secret they read.
 */
import type { Estate, EstateRead, EstateSecret } from "./estate";
import { hash32, hex, secretSuffix, uuid } from "./rand";
import { expandRepeat, parseKeyRef, parsePrincipal, endpointServiceName, type PrincipalRef } from "./refs";
import { DAY, HOUR, midnightUtc, resolveDate } from "./time";
import { defaultKey, policyText, tagList, type AccountRegionW, type KeyW, type RotationW, type SecretW, type World } from "./world";

/** Add every secret of the estate (primaries, replicas) and their read specs to the world. */
export function addSecrets(world: World, estate: Estate): void {
  for (const account of estate.accounts) {
    for (const [region, spec] of Object.entries(account.regions ?? {})) {
      const ar = world.ar(account.id, region);
      for (const template of spec?.secrets ?? []) {
        for (const s of expandRepeat(template)) addSecret(world, ar, s);
      }
    }
  }
  for (const ar of world.accountRegions.values()) {
    ar.secrets.sort((a, b) => b.createdMs - a.createdMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function addSecret(world: World, ar: AccountRegionW, s: EstateSecret): void {
  const { accountId, region } = ar;
  const now = world.startMs;
  const at = (spec: string): number => resolveDate(spec, now);
  const seedName = `${world.seed}/secret/${accountId}/${region}/${s.name}`;
  const deletedMs = s.deleted !== undefined ? at(s.deleted) : undefined;
  // A secret past its recovery window is gone for good.
  if (deletedMs !== undefined && deletedMs + (s.recoveryWindowDays ?? 30) * DAY <= now) return;

  const createdMs = s.created !== undefined ? at(s.created) : now - (60 + (hash32(seedName) % 700)) * DAY;
  const rotation = buildRotation(world, ar, s, createdMs, seedName);
  const suffix = secretSuffix(seedName);
  const { kmsKeyId, key } = resolveSecretKey(world, ar, s.kmsKey);
  const lastChangedMs = s.lastChanged !== undefined ? at(s.lastChanged) : Math.max(createdMs, rotation?.lastRotatedMs ?? 0);
  const replicaSpecs = s.replicas ?? [];
  const tags = tagList(s.tags);
  const policy = policyText(s.policy);
  // One literal with every field in the same order keeps all secrets on one V8 hidden class.
  const make = (inRegion: string, isReplica: boolean, k: { kmsKeyId?: string; key: KeyW }): SecretW => ({
    arn: `arn:aws:secretsmanager:${inRegion}:${accountId}:secret:${s.name}-${suffix}`,
    name: s.name,
    accountId,
    region: inRegion,
    isReplica,
    description: s.description,
    kmsKeyId: k.kmsKeyId,
    key: k.key,
    rotation,
    createdMs,
    lastChangedMs,
    lastAccessedMs: lastAccessed(s, inRegion, region, now),
    deletedMs,
    tags,
    policy,
    owningService: s.owningService,
    replicas: [],
    primaryRegion: isReplica || replicaSpecs.length ? region : undefined,
    versionSeed: seedName,
  });
  const primary = make(region, false, { kmsKeyId, key });
  register(ar, primary);
  for (const r of replicaSpecs) {
    const rar = world.ar(accountId, r.region);
    const replica = make(r.region, true, resolveSecretKey(world, rar, r.kmsKey));
    register(rar, replica);
    primary.replicas.push({
      region: r.region,
      kmsKeyId: replica.kmsKeyId ?? "alias/aws/secretsmanager",
      status: r.status ?? "InSync",
      lastAccessedMs: replica.lastAccessedMs,
    });
  }
  (s.reads ?? []).forEach((spec, index) => {
    const readRegion = spec.region ?? region;
    const rar = world.ar(accountId, readRegion);
    const secret = rar.secretByName.get(s.name) as SecretW;
    const principal = principalOf(spec.principal);
    if (!principal) return;
    rar.reads.push({ secret, spec, index, principal, endpointId: readEndpoint(rar, spec) });
  });
}

const principals = new Map<string, PrincipalRef | null>();
function principalOf(text: string): PrincipalRef | null {
  let p = principals.get(text);
  if (p === undefined) {
    p = parsePrincipal(text);
    if (principals.size > 10_000) principals.clear();
    principals.set(text, p);
  }
  return p;
}

/** Version ids and staging labels of a secret (derived from its seed name, not stored). */
export function secretVersions(s: SecretW): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [[uuid(`${s.versionSeed}/v/current`), ["AWSCURRENT"]]];
  if (s.rotation?.lastRotatedMs !== undefined) out.push([uuid(`${s.versionSeed}/v/previous`), ["AWSPREVIOUS"]]);
  return out;
}

function register(ar: AccountRegionW, secret: SecretW): void {
  ar.secrets.push(secret);
  ar.secretByName.set(secret.name, secret);
  ar.secretByArn.set(secret.arn, secret);
}

/** LastAccessedDate: explicit, else the day of the newest successful read in that region. */
function lastAccessed(s: EstateSecret, region: string, primaryRegion: string, now: number): number | undefined {
  if (s.lastAccessed === null) return undefined;
  if (s.lastAccessed !== undefined) return midnightUtc(resolveDate(s.lastAccessed, now));
  let newest: number | undefined;
  for (const r of s.reads ?? []) {
    if ((r.region ?? primaryRegion) !== region || (r.count ?? 1) === 0) continue;
    const t = resolveDate(r.last ?? "-1h", now);
    if (newest === undefined || t > newest) newest = t;
  }
  return newest === undefined ? undefined : midnightUtc(newest);
}

function readEndpoint(ar: AccountRegionW, spec: EstateRead): string | undefined {
  if (!spec.via || spec.via === "internet") return undefined;
  if (spec.via !== "vpce") return spec.via;
  const sm = endpointServiceName("secretsmanager", ar.region);
  const e = ar.endpoints.find((x) => x.serviceName === sm && x.type === "Interface" && x.state === "available");
  return e?.id;
}

/** The served KmsKeyId and the key it resolves to. */
function resolveSecretKey(world: World, ar: AccountRegionW, ref: string | undefined): { kmsKeyId?: string; key: KeyW } {
  const parsed = parseKeyRef(ref);
  if (!parsed || parsed.kind === "default") return { key: defaultKey(world, ar) };
  const owner = world.ar(parsed.account ?? ar.accountId, parsed.region ?? ar.region);
  if (parsed.kind === "alias") {
    const alias = owner.aliasByName.get(parsed.alias);
    const key = alias ? owner.keyById.get(alias.targetKeyId) : undefined;
    // AWS reports an alias given at creation as the alias ARN.
    return { kmsKeyId: alias?.arn ?? ref, key: key ?? defaultKey(world, ar) };
  }
  return { kmsKeyId: ref, key: owner.keyById.get(parsed.id) ?? defaultKey(world, ar) };
}

function buildRotation(world: World, ar: AccountRegionW, s: EstateSecret, createdMs: number, seedName: string): RotationW | undefined {
  const r = s.rotation;
  if (!r) return undefined;
  const now = world.startMs;
  const enabled = r.enabled ?? true;
  const interval = intervalDays(r.afterDays, r.schedule);
  const afterDays = r.afterDays ?? (r.schedule ? undefined : 30);
  let lastRotatedMs = r.lastRotated !== undefined ? resolveDate(r.lastRotated, now) : undefined;
  if (lastRotatedMs === undefined && enabled) {
    // A healthy rotation happened somewhere inside the current interval.
    const span = Math.max(1, Math.floor((interval ?? 1) * 0.8));
    lastRotatedMs = Math.max(createdMs, now - ((hash32(`${seedName}/rot`) % span) + 1) * DAY + (hash32(`${seedName}/h`) % 20) * HOUR);
  }
  let nextRotationMs: number | undefined;
  if (r.nextRotation !== undefined) nextRotationMs = resolveDate(r.nextRotation, now);
  else if (enabled) nextRotationMs = midnightUtc((lastRotatedMs ?? createdMs) + (interval ?? 1) * DAY) + DAY;
  const lambdaArn = s.owningService && !r.lambda ? undefined : lambdaArnOf(r.lambda, ar, s.name);
  return {
    enabled,
    lambdaArn,
    afterDays,
    schedule: r.schedule,
    duration: r.duration,
    lastRotatedMs,
    nextRotationMs,
  };
}

function lambdaArnOf(given: string | undefined, ar: AccountRegionW, name: string): string {
  if (given?.startsWith("arn:")) return given;
  const fn = given ?? `SecretsManager${name.replace(/[^A-Za-z0-9]/g, "").slice(0, 30)}Rotation${hex(name, 4)}`;
  return `arn:aws:lambda:${ar.region}:${ar.accountId}:function:${fn}`;
}

/** Days between rotations for `afterDays` or a `rate()` schedule; cron schedules count as daily. */
export function intervalDays(afterDays: number | undefined, schedule: string | undefined): number | undefined {
  if (afterDays !== undefined) return afterDays;
  const m = schedule ? /^rate\((\d+) (day|days|hour|hours)\)$/.exec(schedule) : null;
  if (m) return m[2]?.startsWith("hour") ? Number(m[1]) / 24 : Number(m[1]);
  return schedule ? 1 : undefined;
}
