/**
 * CloudTrail: DescribeTrails (shadow and organization trails), GetTrailStatus,
 * GetEventSelectors, LookupEvents (one lookup attribute, 90-day window, ≤ 50 per page)
 * and the CloudTrail Lake operations (see lake.ts).
 */
import { callerAr, nowMs, type Ctx, type JsonHandler } from "./context";
import { SimError } from "./errors";
import { cloudTrailEventJson, eventsOf, type CtEvent } from "./events";
import { lakeHandlers } from "./lake";
import { hex } from "./rand";
import { makeToken, readToken, type Input } from "./protocol-json";
import { DAY, MINUTE, epochSeconds } from "./time";
import type { TrailW } from "./world";

const LOOKUP_KEYS = new Set(["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"]);
const lookupCache = new WeakMap<object, { key: string; events: CtEvent[] }>();

export const cloudTrailHandlers: Record<string, JsonHandler> = {
  DescribeTrails: (ctx, input) => {
    const names = input.list("trailNameList").map(String);
    const shadow = input.bool("includeShadowTrails") ?? true;
    const trails = visibleTrails(ctx).filter((t) => (shadow || (t.homeRegion === ctx.region && t.accountId === ctx.caller.accountId)));
    const chosen = names.length ? trails.filter((t) => names.includes(t.name) || names.includes(t.arn)) : trails;
    return { trailList: chosen.map(trailJson) };
  },
  GetTrailStatus: (ctx, input) => {
    const t = findTrail(ctx, input.requiredStr("Name"));
    const s = t.spec;
    const logging = s.logging ?? true;
    const now = nowMs(ctx);
    const out: Record<string, unknown> = { IsLogging: logging };
    const lastDelivery = logging ? now - 4 * MINUTE : t.startLoggingMs + 200 * DAY;
    out.LatestDeliveryTime = epochSeconds(lastDelivery);
    out.StartLoggingTime = epochSeconds(t.startLoggingMs);
    if (!logging) out.StopLoggingTime = epochSeconds(t.startLoggingMs + 200 * DAY);
    if (s.logFileValidation ?? false) out.LatestDigestDeliveryTime = epochSeconds(now - 40 * MINUTE);
    out.LatestDeliveryAttemptTime = new Date(lastDelivery).toISOString();
    out.LatestDeliveryAttemptSucceeded = new Date(lastDelivery).toISOString();
    out.TimeLoggingStarted = new Date(t.startLoggingMs).toISOString();
    if (!logging) out.TimeLoggingStopped = new Date(t.startLoggingMs + 200 * DAY).toISOString();
    return out;
  },
  GetEventSelectors: (ctx, input) => {
    const t = findTrail(ctx, input.requiredStr("TrailName"));
    const s = t.spec;
    if (s.advancedEventSelectors?.length) {
      return {
        TrailARN: t.arn,
        AdvancedEventSelectors: s.advancedEventSelectors.map((a) => ({
          Name: a.name,
          FieldSelectors: a.fieldSelectors.map((f) => ({
            Field: f.field,
            Equals: f.equals,
            StartsWith: f.startsWith,
            EndsWith: f.endsWith,
            NotEquals: f.notEquals,
            NotStartsWith: f.notStartsWith,
            NotEndsWith: f.notEndsWith,
          })),
        })),
      };
    }
    const selectors = s.eventSelectors ?? [{ readWriteType: "All", includeManagementEvents: true }];
    return {
      TrailARN: t.arn,
      EventSelectors: selectors.map((e) => ({
        ReadWriteType: e.readWriteType ?? "All",
        IncludeManagementEvents: e.includeManagementEvents ?? true,
        DataResources: (e.dataResources ?? []).map((d) => ({ Type: d.type, Values: d.values })),
        ExcludeManagementEventSources: e.excludeManagementEventSources ?? [],
      })),
    };
  },
  LookupEvents: lookupEvents,
  ...lakeHandlers,
};

/** Trails visible from the caller's account-region: its own, shadows of multi-region ones, organization trails. */
function visibleTrails(ctx: Ctx): TrailW[] {
  const world = ctx.sim.world;
  const account = ctx.caller.accountId;
  const inOrg = world.organization !== undefined && world.accountById.has(account);
  return world.trails.filter((t) => {
    const appliesHere = t.homeRegion === ctx.region || (t.spec.multiRegion ?? false);
    if (!appliesHere) return false;
    if (t.accountId === account) return true;
    return inOrg && (t.spec.organizationTrail ?? false) && t.accountId === world.organization?.managementAccountId;
  });
}

function findTrail(ctx: Ctx, nameOrArn: string): TrailW {
  const found = nameOrArn.startsWith("arn:")
    ? visibleTrails(ctx).find((t) => t.arn === nameOrArn)
    : visibleTrails(ctx).find((t) => t.name === nameOrArn && t.homeRegion === ctx.region && t.accountId === ctx.caller.accountId);
  if (!found) throw new SimError("TrailNotFoundException", `Unknown trail: ${nameOrArn} for the user: ${ctx.caller.accountId}`, 400);
  return found;
}

function trailJson(t: TrailW): Record<string, unknown> {
  const s = t.spec;
  const o: Record<string, unknown> = {
    Name: t.name,
    S3BucketName: s.s3Bucket ?? `aws-cloudtrail-logs-${t.accountId}-${hex(t.arn, 8)}`,
    IncludeGlobalServiceEvents: s.includeGlobalServiceEvents ?? true,
    IsMultiRegionTrail: s.multiRegion ?? false,
    HomeRegion: t.homeRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: s.logFileValidation ?? false,
  };
  if (s.cloudWatchLogsGroup) {
    o.CloudWatchLogsLogGroupArn = `arn:aws:logs:${t.homeRegion}:${t.accountId}:log-group:${s.cloudWatchLogsGroup}:*`;
    o.CloudWatchLogsRoleArn = `arn:aws:iam::${t.accountId}:role/CloudTrail_CloudWatchLogs_Role`;
  }
  if (s.kmsKey) o.KmsKeyId = s.kmsKey;
  o.HasCustomEventSelectors = Boolean(s.eventSelectors?.length || s.advancedEventSelectors?.length);
  o.HasInsightSelectors = false;
  o.IsOrganizationTrail = s.organizationTrail ?? false;
  return o;
}

function lookupEvents(ctx: Ctx, input: Input): unknown {
  const attrs = input.list("LookupAttributes") as Array<{ AttributeKey?: unknown; AttributeValue?: unknown }>;
  if (attrs.length > 1) throw new SimError("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.", 400);
  const attr = attrs[0];
  if (attr && (typeof attr.AttributeKey !== "string" || !LOOKUP_KEYS.has(attr.AttributeKey) || typeof attr.AttributeValue !== "string")) {
    throw new SimError("InvalidLookupAttributesException", "The lookup attribute is not valid.", 400);
  }
  const max = input.num("MaxResults") ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 50) throw new SimError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.", 400);
  const category = input.str("EventCategory");
  if (category !== undefined && category !== "insight") throw new SimError("InvalidEventCategoryException", "EventCategory must be insight.", 400);
  const rawStart = input.time("StartTime");
  const rawEnd = input.time("EndTime");
  if (rawStart !== undefined && rawEnd !== undefined && rawStart > rawEnd) throw new SimError("InvalidTimeRangeException", "Start time must be before end time.", 400);
  const queryKey = `${attr?.AttributeKey ?? ""}=${String(attr?.AttributeValue ?? "")}/${rawStart ?? ""}/${rawEnd ?? ""}/${category ?? ""}`;
  const token = readToken(input.str("NextToken"), queryKey, () => new SimError("InvalidNextTokenException", "Invalid NextToken.", 400));
  // The window is fixed by the first page (carried in the token) so paging stays consistent as the clock moves.
  let [start, end] = token.extra.split(",").map(Number) as [number, number];
  if (!token.extra) {
    const now = nowMs(ctx);
    start = Math.max(rawStart ?? 0, now - 90 * DAY);
    end = Math.min(rawEnd ?? now, now);
  }
  const offset = token.offset;
  const ar = callerAr(ctx);
  const cacheKey = `${queryKey}/${start}/${end}`;
  let cached = lookupCache.get(ar);
  if (!cached || cached.key !== cacheKey) {
    const all = category === "insight" ? [] : eventsOf(ctx.sim.world, ar);
    const events = all.filter((e) => e.timeMs >= start && e.timeMs <= end && (!attr || matchAttr(e, attr.AttributeKey as string, attr.AttributeValue as string)));
    cached = { key: cacheKey, events };
    lookupCache.set(ar, cached);
  }
  const page = cached.events.slice(offset, offset + max);
  const out: Record<string, unknown> = { Events: page.map(lookupEventJson) };
  if (offset + max < cached.events.length) out.NextToken = makeToken(offset + max, queryKey, `${start},${end}`);
  return out;
}

function matchAttr(e: CtEvent, key: string, value: string): boolean {
  switch (key) {
    case "EventName":
      return value === "GetSecretValue";
    case "EventSource":
      return value === "secretsmanager.amazonaws.com";
    case "ReadOnly":
      return value === "true";
    case "EventId":
      return e.id === value;
    case "Username":
      return e.principal.userName === value;
    case "AccessKeyId":
      return e.principal.accessKeyId === value;
    case "ResourceType":
      return value === "AWS::SecretsManager::Secret";
    case "ResourceName":
      return e.secret.arn === value || e.secret.name === value;
    default:
      return false;
  }
}

function lookupEventJson(e: CtEvent): Record<string, unknown> {
  const o: Record<string, unknown> = { EventId: e.id, EventName: "GetSecretValue", ReadOnly: "true" };
  if (e.principal.accessKeyId) o.AccessKeyId = e.principal.accessKeyId;
  o.EventTime = epochSeconds(e.timeMs);
  o.EventSource = "secretsmanager.amazonaws.com";
  if (e.principal.userName) o.Username = e.principal.userName;
  o.Resources = [{ ResourceType: "AWS::SecretsManager::Secret", ResourceName: e.secret.arn }];
  o.CloudTrailEvent = cloudTrailEventJson(e);
  return o;
}
