/**
 * Secrets Manager: ListSecrets (filters, paging, planned deletion), DescribeSecret,
 * GetResourcePolicy. Secret values are never served: GetSecretValue and
 * BatchGetSecretValue are refused and counted.
 */
import { callerAr, type Ctx, type JsonHandler } from "./context";
import { SimError, accessDenied, validation } from "./errors";
import { hash32 } from "./rand";
import { makeToken, readToken, type Input } from "./protocol-json";
import { epochSeconds } from "./time";
import { policyAccounts, type SecretW } from "./world";
import { secretVersions } from "./world-secrets";

const FILTER_KEYS = new Set(["description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"]);
const SORT_BY = new Set(["created-date", "last-accessed-date", "last-changed-date", "name"]);
const listCache = new WeakMap<object, Map<string, SecretW[]>>();

/** The message of every refused value read. */
export const VALUE_READ_REFUSED = "The sm-audit simulator never serves secret values: GetSecretValue and BatchGetSecretValue are always refused (and counted).";

function refuseValue(): never {
  throw new SimError("AccessDeniedException", VALUE_READ_REFUSED, 400);
}

const invalidToken = (): SimError => new SimError("InvalidNextTokenException", "The NextToken value is invalid.", 400);

export const secretsManagerHandlers: Record<string, JsonHandler> = {
  ListSecrets: listSecrets,
  DescribeSecret: (ctx, input) => secretJson(findSecret(ctx, input.requiredStr("SecretId")), true),
  GetResourcePolicy: (ctx, input) => {
    const s = findSecret(ctx, input.requiredStr("SecretId"));
    return s.policy === undefined ? { ARN: s.arn, Name: s.name } : { ARN: s.arn, Name: s.name, ResourcePolicy: s.policy };
  },
  GetSecretValue: refuseValue,
  BatchGetSecretValue: refuseValue,
};

function listSecrets(ctx: Ctx, input: Input): unknown {
  const max = input.num("MaxResults") ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw validation("secretsmanager", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  }
  const includeDeleted = input.bool("IncludePlannedDeletion") ?? false;
  const filters = input.list("Filters").map((f) => parseFilter(f));
  const sortOrder = input.str("SortOrder") ?? "desc";
  const sortBy = input.str("SortBy") ?? "created-date";
  if (sortOrder !== "asc" && sortOrder !== "desc") throw validation("secretsmanager", "SortOrder must be asc or desc");
  if (!SORT_BY.has(sortBy)) throw validation("secretsmanager", `SortBy must be one of ${[...SORT_BY].join(", ")}`);
  const ar = callerAr(ctx);
  const queryKey = `${ar.accountId}/${ar.region}/${includeDeleted}/${sortOrder}/${sortBy}/${JSON.stringify(filters)}`;
  const { offset } = readToken(input.str("NextToken"), String(hash32(queryKey)), invalidToken);
  let cache = listCache.get(ar);
  if (!cache) listCache.set(ar, (cache = new Map()));
  let matching = cache.get(queryKey);
  if (!matching) {
    matching = ar.secrets.filter((s) => (includeDeleted || s.deletedMs === undefined) && filters.every((f) => matchFilter(s, f)));
    if (sortBy !== "created-date" || sortOrder !== "desc") matching = sortSecrets(matching, sortBy, sortOrder);
    if (cache.size > 32) cache.clear();
    cache.set(queryKey, matching);
  }
  const page = matching.slice(offset, offset + max);
  const out: Record<string, unknown> = { SecretList: page.map((s) => secretJson(s, false)) };
  if (offset + max < matching.length) out.NextToken = makeToken(offset + max, String(hash32(queryKey)));
  return out;
}

interface Filter {
  key: string;
  values: string[];
}

function parseFilter(raw: unknown): Filter {
  const f = raw as { Key?: unknown; Values?: unknown };
  if (typeof f?.Key !== "string" || !FILTER_KEYS.has(f.Key)) {
    throw validation("secretsmanager", `1 validation error detected: Value '${String(f?.Key)}' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${[...FILTER_KEYS].join(", ")}]`);
  }
  const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === "string") : [];
  if (!values.length) throw validation("secretsmanager", "A filter needs at least one value.");
  return { key: f.Key, values };
}

/** Prefix matching as Secrets Manager documents it; a value starting with `!` negates. */
function matchFilter(s: SecretW, f: Filter): boolean {
  const positives = f.values.filter((v) => !v.startsWith("!"));
  const negatives = f.values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
  const test = (value: string): boolean => fieldValues(s, f.key).some((candidate) => prefixMatch(candidate, value, f.key));
  if (negatives.some(test)) return false;
  return positives.length === 0 || positives.some(test);
}

function prefixMatch(candidate: string, value: string, key: string): boolean {
  if (key === "name" || key === "description") return candidate.toLowerCase().startsWith(value.toLowerCase());
  if (key === "all") return value.toLowerCase().split(/\s+/).every((w) => candidate.toLowerCase().includes(w));
  return candidate.startsWith(value);
}

function fieldValues(s: SecretW, key: string): string[] {
  switch (key) {
    case "name":
      return [s.name];
    case "description":
      return s.description ? [s.description] : [];
    case "tag-key":
      return s.tags.map((t) => t.Key);
    case "tag-value":
      return s.tags.map((t) => t.Value);
    case "primary-region":
      return [s.primaryRegion ?? s.region];
    case "owning-service":
      return s.owningService ? [s.owningService] : [];
    default:
      return [s.name, s.description ?? "", s.owningService ?? "", ...s.tags.flatMap((t) => [t.Key, t.Value])];
  }
}

function sortSecrets(list: SecretW[], by: string, order: string): SecretW[] {
  const value = (s: SecretW): string | number =>
    by === "name" ? s.name : by === "last-accessed-date" ? (s.lastAccessedMs ?? 0) : by === "last-changed-date" ? s.lastChangedMs : s.createdMs;
  const dir = order === "asc" ? 1 : -1;
  return [...list].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    return (va < vb ? -1 : va > vb ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0) * dir;
  });
}

/** Find a secret by name, full ARN or partial ARN; other accounts' secrets need their policy to allow the caller. */
export function findSecret(ctx: Ctx, secretId: string): SecretW {
  const notFound = (): SimError => new SimError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 400);
  let ar = callerAr(ctx);
  let name = secretId;
  const arn = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/.exec(secretId);
  if (arn) {
    if (arn[1] !== ctx.region) throw notFound();
    ar = ctx.sim.world.ar(arn[2] as string, ctx.region);
    name = arn[3] as string;
  }
  const secret = ar.secretByArn.get(secretId) ?? ar.secretByName.get(name);
  if (!secret) throw notFound();
  if (secret.accountId !== ctx.caller.accountId) {
    const allowed = secret.policy ? policyAccounts(secret.policy) : [];
    if (!allowed.includes(ctx.caller.accountId) && !allowed.includes("*")) {
      throw accessDenied(
        "secretsmanager",
        `User: ${ctx.caller.arn} is not authorized to perform: secretsmanager:${ctx.operation} on resource: ${secretId} because no resource-based policy allows the secretsmanager:${ctx.operation} action`,
      );
    }
  }
  return secret;
}

/** A secret as ListSecrets (SecretListEntry) or DescribeSecret returns it. */
export function secretJson(s: SecretW, describe: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { ARN: s.arn, Name: s.name };
  if (s.description !== undefined) o.Description = s.description;
  if (s.kmsKeyId !== undefined) o.KmsKeyId = s.kmsKeyId;
  const r = s.rotation;
  if (r) {
    o.RotationEnabled = r.enabled;
    if (r.lambdaArn) o.RotationLambdaARN = r.lambdaArn;
    const rules: Record<string, unknown> = {};
    if (r.afterDays !== undefined) rules.AutomaticallyAfterDays = r.afterDays;
    if (r.duration !== undefined) rules.Duration = r.duration;
    if (r.schedule !== undefined) rules.ScheduleExpression = r.schedule;
    o.RotationRules = rules;
    if (r.lastRotatedMs !== undefined) o.LastRotatedDate = epochSeconds(r.lastRotatedMs);
  }
  o.LastChangedDate = epochSeconds(s.lastChangedMs);
  if (s.lastAccessedMs !== undefined) o.LastAccessedDate = epochSeconds(s.lastAccessedMs);
  if (s.deletedMs !== undefined) o.DeletedDate = epochSeconds(s.deletedMs);
  if (r?.enabled && r.nextRotationMs !== undefined) o.NextRotationDate = epochSeconds(r.nextRotationMs);
  if (s.tags.length) o.Tags = s.tags;
  // Object.create(null) starts in dictionary mode: no hidden class per distinct version id.
  const versions = Object.create(null) as Record<string, string[]>;
  for (const [id, stages] of secretVersions(s)) versions[id] = stages;
  o[describe ? "VersionIdsToStages" : "SecretVersionsToStages"] = versions;
  if (s.owningService !== undefined) o.OwningService = s.owningService;
  o.CreatedDate = epochSeconds(s.createdMs);
  if (s.primaryRegion !== undefined) o.PrimaryRegion = s.primaryRegion;
  if (describe && s.replicas.length) {
    o.ReplicationStatus = s.replicas.map((rep) => {
      const entry: Record<string, unknown> = {
        Region: rep.region,
        KmsKeyId: rep.kmsKeyId,
        Status: rep.status,
        StatusMessage: rep.status === "Failed" ? "Replication failed: the KMS key is not accessible." : "Replication succeeded",
      };
      if (rep.lastAccessedMs !== undefined) entry.LastAccessedDate = epochSeconds(rep.lastAccessedMs);
      return entry;
    });
  }
  return o;
}
