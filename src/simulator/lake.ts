/**
 * CloudTrail Lake: StartQuery / DescribeQuery / GetQueryResults over the event data stores of
 * the estate, and ListEventDataStores. Queries run at StartQuery; the first poll reports
 * RUNNING and later polls FINISHED, so a client's polling loop is exercised.
 */
import type { Ctx, JsonHandler } from "./context";
import { SimError } from "./errors";
import { eventsOf, type CtEvent } from "./events";
import { LakeSqlError, exprValue, matches, parseLakeSql, type Expr, type LakeSelect } from "./lake-sql";
import { makeToken, readToken } from "./protocol-json";
import { uuid } from "./rand";
import { epochSeconds, lakeTime } from "./time";
import type { EdsW, World } from "./world";

export interface LakeQuery {
  id: string;
  accountId: string;
  statement: string;
  eds: EdsW;
  rows: Array<Array<Record<string, string>>>;
  eventsScanned: number;
  eventsMatched: number;
  createdMs: number;
  polls: number;
}

export const lakeHandlers: Record<string, JsonHandler> = {
  StartQuery: (ctx, input) => {
    const statement = input.str("QueryStatement");
    if (!statement) throw new SimError("InvalidParameterException", "QueryStatement is required; saved queries (QueryAlias) are not supported by the simulator.", 400);
    let select: LakeSelect;
    try {
      select = parseLakeSql(statement);
    } catch (err) {
      throw new SimError("InvalidQueryStatementException", `Query statement is not supported by the sm-audit simulator: ${(err as Error).message}. See src/simulator/README.md for the accepted shape.`, 400);
    }
    const owner = input.str("EventDataStoreOwnerAccountId") ?? ctx.caller.accountId;
    const eds = ctx.sim.world.eventDataStores.find((e) => (e.id === select.from || e.arn === select.from || e.name === select.from) && e.accountId === owner);
    if (!eds || (owner !== ctx.caller.accountId && !eds.organizationEnabled)) {
      throw new SimError("EventDataStoreNotFoundException", `The specified event data store ${select.from} was not found.`, 400);
    }
    if (eds.region !== ctx.region) throw new SimError("EventDataStoreNotFoundException", `The specified event data store ${select.from} was not found in ${ctx.region}.`, 400);
    const events = edsEvents(ctx.sim.world, eds);
    let result: { rows: LakeQuery["rows"]; matched: number };
    try {
      result = runSelect(select, events);
    } catch (err) {
      if (err instanceof LakeSqlError) throw new SimError("InvalidQueryStatementException", err.message, 400);
      throw err;
    }
    const id = uuid(`${ctx.sim.world.seed}/query/${ctx.sim.lakeQueries.size}/${statement}`);
    ctx.sim.lakeQueries.set(id, {
      id,
      accountId: ctx.caller.accountId,
      statement,
      eds,
      rows: result.rows,
      eventsScanned: events.length,
      eventsMatched: result.matched,
      createdMs: ctx.sim.world.clock(),
      polls: 0,
    });
    return { QueryId: id, EventDataStoreOwnerAccountId: eds.accountId };
  },
  DescribeQuery: (ctx, input) => {
    const q = findQuery(ctx, input.str("QueryId"));
    const status = poll(q);
    const out: Record<string, unknown> = { QueryId: q.id, QueryString: q.statement, QueryStatus: status };
    out.QueryStatistics = {
      EventsMatched: status === "FINISHED" ? q.eventsMatched : 0,
      EventsScanned: status === "FINISHED" ? q.eventsScanned : 0,
      BytesScanned: status === "FINISHED" ? q.eventsScanned * 1400 : 0,
      ExecutionTimeInMillis: status === "FINISHED" ? 850 + q.eventsScanned / 100 : 0,
      CreationTime: epochSeconds(q.createdMs),
    };
    out.EventDataStoreOwnerAccountId = q.eds.accountId;
    return out;
  },
  GetQueryResults: (ctx, input) => {
    const q = findQuery(ctx, input.str("QueryId"));
    const status = poll(q);
    if (status !== "FINISHED") return { QueryStatus: status, QueryStatistics: { ResultsCount: 0, TotalResultsCount: 0, BytesScanned: 0 }, QueryResultRows: [] };
    const max = input.num("MaxQueryResults") ?? 1000;
    if (!Number.isInteger(max) || max < 1 || max > 1000) throw new SimError("InvalidMaxResultsException", "MaxQueryResults must be between 1 and 1000.", 400);
    const { offset } = readToken(input.str("NextToken"), q.id, () => new SimError("InvalidNextTokenException", "Invalid NextToken.", 400));
    const page = q.rows.slice(offset, offset + max);
    const out: Record<string, unknown> = {
      QueryStatus: "FINISHED",
      QueryStatistics: { ResultsCount: page.length, TotalResultsCount: q.rows.length, BytesScanned: q.eventsScanned * 1400 },
      QueryResultRows: page,
    };
    if (offset + max < q.rows.length) out.NextToken = makeToken(offset + max, q.id);
    return out;
  },
  ListEventDataStores: (ctx) => ({
    EventDataStores: ctx.sim.world.eventDataStores
      .filter((e) => e.accountId === ctx.caller.accountId && e.region === ctx.region)
      .map((e) => ({
        EventDataStoreArn: e.arn,
        Name: e.name,
        TerminationProtectionEnabled: true,
        Status: e.status,
        MultiRegionEnabled: e.multiRegion,
        OrganizationEnabled: e.organizationEnabled,
        RetentionPeriod: 2557,
        CreatedTimestamp: epochSeconds(e.createdMs),
        UpdatedTimestamp: epochSeconds(e.createdMs),
      })),
  }),
};

function poll(q: LakeQuery): string {
  q.polls++;
  return q.polls === 1 ? "RUNNING" : "FINISHED";
}

function findQuery(ctx: Ctx, id: string | undefined): LakeQuery {
  const q = id ? ctx.sim.lakeQueries.get(id) : undefined;
  if (!q || q.accountId !== ctx.caller.accountId) throw new SimError("QueryIdNotFoundException", `The query ID ${id ?? ""} does not exist or does not map to a query.`, 400);
  return q;
}

/** Every event an event data store holds: its account (or the whole organization), its region (or all). */
export function edsEvents(world: World, eds: EdsW): CtEvent[] {
  const out: CtEvent[] = [];
  for (const ar of world.accountRegions.values()) {
    if (!eds.organizationEnabled && ar.accountId !== eds.accountId) continue;
    if (!eds.multiRegion && ar.region !== eds.region) continue;
    for (const e of eventsOf(world, ar)) out.push(e);
  }
  return out;
}

const isAgg = (e: Expr): boolean => e.kind === "agg";

/** Run a parsed SELECT over events; rows are lists of single-column maps, as Lake returns them. */
export function runSelect(select: LakeSelect, events: CtEvent[]): { rows: LakeQuery["rows"]; matched: number } {
  const matching = events.filter((e) => matches(e, select.where));
  const grouped = select.groupBy.length > 0 || select.items.some((i) => isAgg(i.expr));
  let table: Array<Array<string | null>>;
  if (!grouped) {
    table = matching.map((e) => select.items.map((i) => exprValue(e, i.expr)));
  } else {
    const groups = new Map<string, CtEvent[]>();
    for (const e of matching) {
      const key = JSON.stringify(select.groupBy.map((g) => exprValue(e, g)));
      const list = groups.get(key);
      if (list) list.push(e);
      else groups.set(key, [e]);
    }
    if (!select.groupBy.length && !groups.size) groups.set("[]", []);
    table = [...groups.values()].map((group) => select.items.map((i) => aggregate(i.expr, group)));
  }
  if (select.orderBy.length) {
    table.sort((a, b) => {
      for (const o of select.orderBy) {
        const c = compareCells(a[o.index] ?? null, b[o.index] ?? null);
        if (c) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  if (select.limit !== undefined) table = table.slice(0, select.limit);
  const rows = table.map((cells) => cells.map((v, i) => ({ [select.items[i]?.name as string]: v ?? "" })));
  return { rows, matched: matching.length };
}

function aggregate(expr: Expr, group: CtEvent[]): string | null {
  if (expr.kind !== "agg") return group[0] ? exprValue(group[0], expr) : null;
  if (expr.fn === "count") return String(expr.arg ? group.filter((e) => exprValue(e, expr.arg as Expr) !== null).length : group.length);
  const arg = expr.arg as Expr;
  const timeCol = arg.kind === "col" && arg.path.join(".").toLowerCase() === "eventtime";
  let best: CtEvent | undefined;
  let bestValue: string | null = null;
  for (const e of group) {
    const v = exprValue(e, arg);
    if (v === null) continue;
    const better = timeCol
      ? best === undefined || (expr.fn === "min" ? e.timeMs < best.timeMs : e.timeMs > best.timeMs)
      : bestValue === null || (expr.fn === "min" ? v < bestValue : v > bestValue);
    if (better) {
      best = e;
      bestValue = v;
    }
  }
  return timeCol && best ? lakeTime(best.timeMs) : bestValue;
}

function compareCells(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (/^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : 1;
}
