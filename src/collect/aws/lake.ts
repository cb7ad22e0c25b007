/**
 * CloudTrail Lake instead of LookupEvents: one SQL query per account over an event data
 * store aggregates every GetSecretValue event of the window by region, secret and
 * principal, so read statistics cost a handful of calls instead of thousands of pages.
 */
import { GetQueryResultsCommand, type GetQueryResultsCommandOutput, StartQueryCommand, type StartQueryCommandOutput } from "@aws-sdk/client-cloudtrail";
import { UserError } from "../../util/errors";
import type { ScanContext } from "./context";
import { sleep } from "./pacing";
import { addEvent, type RawReads } from "./reads";

/** IAM actions this module sends. */
export const LAKE_ACTIONS = ["cloudtrail:StartQuery", "cloudtrail:GetQueryResults"] as const;

/** Where the event data store is: its id (for FROM), region, and owner account when given as an ARN. */
export interface LakeTarget {
  id: string;
  region?: string;
  ownerAccountId?: string;
}

/** Parse `--cloudtrail-lake`: an event data store ARN or its id. */
export function parseLakeTarget(value: string): LakeTarget {
  const arn = /^arn:aws[\w-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore\/([A-Za-z0-9-]+)$/.exec(value);
  if (arn) return { id: arn[3] as string, region: arn[1], ownerAccountId: arn[2] };
  if (!/^[A-Za-z0-9-]{3,128}$/.test(value)) throw new UserError(`expected an event data store ARN or id, got '${value}'`, { field: "--cloudtrail-lake" });
  return { id: value };
}

/** `YYYY-MM-DD HH:MM:SS` (UTC), the timestamp literal CloudTrail Lake compares eventTime with. */
function lakeTimestamp(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

/** The aggregation query for one account (documented in src/simulator/README.md, which the simulator serves). */
export function lakeQuery(edsId: string, accountId: string, start: Date, end: Date): string {
  return [
    "SELECT awsRegion, element_at(requestParameters, 'secretId') AS secretId,",
    "userIdentity.type AS principalType, userIdentity.arn AS principalArn, userIdentity.accountId AS principalAccountId,",
    "userIdentity.sessionContext.sessionIssuer.arn AS issuerArn, userIdentity.invokedBy AS invokedBy,",
    "errorCode, vpcEndpointId,",
    // 'AKIA…' sorts before 'ASIA…': the group's smallest key id tells whether a long-term key was used.
    "MIN(userIdentity.accessKeyId) AS minAccessKeyId,",
    "COUNT(*) AS eventCount, MIN(eventTime) AS firstSeen, MAX(eventTime) AS lastSeen",
    `FROM ${edsId}`,
    `WHERE eventName = 'GetSecretValue' AND recipientAccountId = '${accountId}'`,
    `AND eventTime >= '${lakeTimestamp(start)}' AND eventTime <= '${lakeTimestamp(end)}'`,
    "GROUP BY awsRegion, element_at(requestParameters, 'secretId'), userIdentity.type, userIdentity.arn, userIdentity.accountId,",
    "userIdentity.sessionContext.sessionIssuer.arn, userIdentity.invokedBy, errorCode, vpcEndpointId",
  ].join("\n");
}

/** A Lake time (`YYYY-MM-DD HH:MM:SS.mmm`, UTC) as ISO-8601. */
function isoOfLake(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t.replace(" ", "T") : `${t.replace(" ", "T")}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Run the query for `accountId` as `queryAccount` (the store's owner) and return raw read
 * aggregates per region plus the number of events per region.
 */
export async function lakeReads(
  ctx: ScanContext, target: LakeTarget, queryAccount: string, defaultRegion: string, accountId: string, start: Date, end: Date,
): Promise<Map<string, { raw: RawReads; events: number }>> {
  const region = target.region ?? defaultRegion;
  const started = await ctx.send<StartQueryCommandOutput>("cloudtrail", queryAccount, region,
    new StartQueryCommand({ QueryStatement: lakeQuery(target.id, accountId, start, end) }));
  const queryId = started.QueryId;
  if (!queryId) throw new Error("StartQuery returned no QueryId");
  const byRegion = new Map<string, { raw: RawReads; events: number }>();
  let token: string | undefined;
  let waitMs = 100;
  for (;;) {
    const page = await ctx.send<GetQueryResultsCommandOutput>("cloudtrail", queryAccount, region, new GetQueryResultsCommand({ QueryId: queryId, NextToken: token }));
    const status = page.QueryStatus;
    if (status === "QUEUED" || status === "RUNNING") {
      await sleep(waitMs);
      waitMs = Math.min(2000, waitMs * 2);
      continue;
    }
    if (status !== "FINISHED") {
      const err = new Error(`CloudTrail Lake query ${queryId} ended ${status ?? "without a status"}: ${page.ErrorMessage ?? ""}`);
      err.name = `LakeQuery${status ?? "Unknown"}`;
      throw err;
    }
    for (const row of page.QueryResultRows ?? []) {
      const r: Record<string, string> = Object.assign({}, ...row);
      const where = r.awsRegion ?? region;
      let slot = byRegion.get(where);
      if (!slot) {
        slot = { raw: new Map(), events: 0 };
        byRegion.set(where, slot);
      }
      const n = Number(r.eventCount ?? "1") || 1;
      slot.events += n;
      const ev = {
        eventTime: isoOfLake(r.firstSeen),
        errorCode: r.errorCode || undefined,
        vpcEndpointId: r.vpcEndpointId || undefined,
        requestParameters: { secretId: r.secretId },
        userIdentity: {
          type: r.principalType, arn: r.principalArn || undefined, accountId: r.principalAccountId || undefined,
          invokedBy: r.invokedBy || undefined, accessKeyId: r.minAccessKeyId || undefined,
          sessionContext: r.issuerArn ? { sessionIssuer: { arn: r.issuerArn } } : undefined,
        },
      };
      // One row stands for `n` events: the first and last carry the row's first/last seen times.
      for (let i = 0; i < n; i++) addEvent(slot.raw, { ...ev, eventTime: i === n - 1 ? isoOfLake(r.lastSeen) : ev.eventTime });
    }
    token = page.NextToken || undefined;
    if (!token) break;
  }
  return byRegion;
}
