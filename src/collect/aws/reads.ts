/**
 * CloudTrail read statistics: LookupEvents on EventName=GetSecretValue over a bounded
 * window and page budget (2 requests/s per account-region is the slow part of a scan),
 * aggregated per secret × principal. Events name the secret as a name, a partial ARN or a
 * full ARN; all three resolve to the secret's id in the account-region.
 */
import { LookupEventsCommand, type LookupEventsCommandOutput } from "@aws-sdk/client-cloudtrail";
import type { Coverage, PrincipalType, ReadStat, Secret } from "../../inventory/types";
import { classifyError, type ScanContext } from "./context";

/** IAM actions this module sends. */
export const READ_ACTIONS = ["cloudtrail:LookupEvents"] as const;

/** One secret × principal aggregate before the secret reference is resolved. */
export interface RawRead {
  secretRef: string;
  principal: string;
  principalType: PrincipalType;
  principalAccountId?: string;
  longTermKey: boolean;
  count: number;
  deniedCount: number;
  errorCount: number;
  viaVpceCount: number;
  awsServiceCount: number;
  vpcEndpointIds: Set<string>;
  firstSeen: string;
  lastSeen: string;
}

/** Aggregates keyed by `secretRef|principal`. */
export type RawReads = Map<string, RawRead>;

const DENIED_CODES = new Set(["AccessDenied", "AccessDeniedException"]);

interface TrailEvent {
  eventTime?: string;
  eventName?: string;
  errorCode?: string;
  vpcEndpointId?: string;
  requestParameters?: { secretId?: string } | null;
  userIdentity?: {
    type?: string;
    arn?: string;
    accountId?: string;
    accessKeyId?: string;
    invokedBy?: string;
    principalId?: string;
    sessionContext?: { sessionIssuer?: { arn?: string; accountId?: string } };
  };
}

const PRINCIPAL_TYPES = new Set<PrincipalType>(["AssumedRole", "IAMUser", "Root", "AWSService", "FederatedUser", "AWSAccount"]);

/** Add one CloudTrail event record (the `CloudTrailEvent` JSON, parsed) to `into`. */
export function addEvent(into: RawReads, ev: TrailEvent, fallbackTime?: string): void {
  const ref = ev.requestParameters?.secretId;
  if (!ref) return;
  const u = ev.userIdentity ?? {};
  const type: PrincipalType = PRINCIPAL_TYPES.has(u.type as PrincipalType) ? (u.type as PrincipalType) : "Unknown";
  let principal: string;
  let principalAccountId = u.accountId;
  if (type === "AssumedRole") {
    // The role, not the session: sessions are per invocation and would split one principal into many.
    principal = u.sessionContext?.sessionIssuer?.arn ?? u.arn?.replace(/^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.*$/, "arn:$1:iam::$2:role/$3") ?? "unknown";
    principalAccountId = u.sessionContext?.sessionIssuer?.accountId ?? principalAccountId;
  } else if (type === "AWSService") {
    principal = u.invokedBy ?? "unknown-service";
  } else if (type === "AWSAccount") {
    principal = u.accountId ? `arn:aws:iam::${u.accountId}:root` : (u.principalId ?? "unknown");
  } else {
    principal = u.arn ?? u.principalId ?? "unknown";
  }
  const parsedTime = Date.parse(ev.eventTime ?? fallbackTime ?? "");
  const time = new Date(Number.isNaN(parsedTime) ? 0 : parsedTime).toISOString();
  const key = `${ref}|${principal}`;
  let agg = into.get(key);
  if (!agg) {
    agg = {
      secretRef: ref, principal, principalType: type, principalAccountId, longTermKey: false,
      count: 0, deniedCount: 0, errorCount: 0, viaVpceCount: 0, awsServiceCount: 0, vpcEndpointIds: new Set(), firstSeen: time, lastSeen: time,
    };
    into.set(key, agg);
  }
  agg.count++;
  if (ev.errorCode) {
    if (DENIED_CODES.has(ev.errorCode)) agg.deniedCount++;
    else agg.errorCount++;
  }
  if (u.accessKeyId?.startsWith("AKIA")) agg.longTermKey = true;
  if (ev.vpcEndpointId) {
    agg.viaVpceCount++;
    agg.vpcEndpointIds.add(ev.vpcEndpointId);
  }
  if (u.invokedBy || type === "AWSService") agg.awsServiceCount++;
  if (time < agg.firstSeen) agg.firstSeen = time;
  if (time > agg.lastSeen) agg.lastSeen = time;
}

/**
 * Read GetSecretValue events of `accountId`/`region` between `start` and `end`, at most
 * `pageBudget` pages; coverage says `truncated` when the budget ran out first.
 */
export async function lookupReads(
  ctx: ScanContext, accountId: string, region: string, opts: { start: Date; end: Date; pageBudget: number },
): Promise<{ raw: RawReads; coverage: Coverage }> {
  const raw: RawReads = new Map();
  let events = 0;
  let pages = 0;
  let token: string | undefined;
  try {
    do {
      const page = await ctx.send<LookupEventsCommandOutput>("cloudtrail", accountId, region, new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetSecretValue" }],
        StartTime: opts.start, EndTime: opts.end, MaxResults: 50, NextToken: token,
      }));
      pages++;
      for (const e of page.Events ?? []) {
        events++;
        let parsed: TrailEvent = {};
        try {
          parsed = e.CloudTrailEvent ? (JSON.parse(e.CloudTrailEvent) as TrailEvent) : {};
        } catch {
          continue;
        }
        addEvent(raw, parsed, e.EventTime ? new Date(e.EventTime).toISOString() : undefined);
      }
      token = page.NextToken || undefined;
    } while (token && pages < opts.pageBudget);
  } catch (err) {
    return { raw, coverage: { accountId, region, kind: "reads", ...classifyError(err), count: events } };
  }
  const coverage: Coverage = { accountId, region, kind: "reads", status: "collected", count: events };
  if (token) {
    coverage.truncated = true;
    coverage.message = `page budget of ${opts.pageBudget} LookupEvents pages reached; older reads not counted`;
  }
  return { raw, coverage };
}

/** Index of a region's secrets by name, full ARN and partial ARN (the ARN without its 6-character suffix). */
export function secretIndex(secrets: Secret[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const s of secrets) {
    index.set(s.name, s.id);
    if (s.arn) {
      index.set(s.arn, s.id);
      index.set(s.arn.replace(/-[A-Za-z0-9]{6}$/, ""), s.id);
    }
  }
  return index;
}

/** Turn raw aggregates into ReadStats of this account-region's secrets; returns how many events named no known secret. */
export function resolveReads(raw: RawReads, secrets: Secret[], accountId: string, region: string): { reads: ReadStat[]; unresolved: number } {
  const index = secretIndex(secrets);
  const merged = new Map<string, ReadStat>();
  let unresolved = 0;
  for (const r of raw.values()) {
    const secretId = index.get(r.secretRef);
    if (!secretId) {
      unresolved += r.count;
      continue;
    }
    const key = `${secretId}|${r.principal}`;
    const prev = merged.get(key);
    if (!prev) {
      const stat: ReadStat = {
        secretId, accountId, region, principal: r.principal, principalType: r.principalType, principalAccountId: r.principalAccountId,
        longTermKey: r.longTermKey, count: r.count, deniedCount: r.deniedCount, errorCount: r.errorCount,
        viaVpceCount: r.viaVpceCount, awsServiceCount: r.awsServiceCount, vpcEndpointIds: [...r.vpcEndpointIds].sort(),
        firstSeen: r.firstSeen, lastSeen: r.lastSeen,
      };
      if (stat.principalAccountId === undefined) delete stat.principalAccountId;
      merged.set(key, stat);
      continue;
    }
    prev.count += r.count;
    prev.deniedCount += r.deniedCount;
    prev.errorCount = (prev.errorCount ?? 0) + r.errorCount;
    prev.viaVpceCount += r.viaVpceCount;
    prev.awsServiceCount += r.awsServiceCount;
    prev.longTermKey = prev.longTermKey || r.longTermKey;
    prev.vpcEndpointIds = [...new Set([...(prev.vpcEndpointIds ?? []), ...r.vpcEndpointIds])].sort();
    if (r.firstSeen < prev.firstSeen) prev.firstSeen = r.firstSeen;
    if (r.lastSeen > prev.lastSeen) prev.lastSeen = r.lastSeen;
  }
  return { reads: [...merged.values()], unresolved };
}
