/**
 * The CloudTrail Lake SQL subset the simulator understands (documented in README.md):
 *
 *   SELECT item [, item]… FROM <event data store id or ARN>
 *   [WHERE cond [AND cond]…] [GROUP BY expr|ordinal, …] [ORDER BY expr|alias|ordinal [ASC|DESC], …] [LIMIT n]
 *
 * item = column | element_at(requestParameters, 'key') | COUNT(*) | COUNT(col) | MIN(col) | MAX(col), with optional AS alias;
 * cond = expr (= | != | <> | < | <= | > | >=) 'literal' | expr IN ('a', 'b') | expr IS [NOT] NULL.
 */
import { userIdentity, type CtEvent } from "./events";
import { lakeTime } from "./time";

export type Expr =
  | { kind: "col"; path: string[] }
  | { kind: "elem"; map: string; key: string }
  | { kind: "agg"; fn: "count" | "min" | "max"; arg?: Expr };

export interface SelectItem {
  expr: Expr;
  name: string;
}

export type Cond =
  | { kind: "cmp"; expr: Expr; op: string; value: string }
  | { kind: "in"; expr: Expr; values: string[] }
  | { kind: "null"; expr: Expr; negate: boolean };

export interface LakeSelect {
  items: SelectItem[];
  from: string;
  where: Cond[];
  groupBy: Expr[];
  orderBy: Array<{ index: number; desc: boolean }>;
  limit?: number;
}

/** A statement outside the supported subset. */
export class LakeSqlError extends Error {}

const TOKEN = /\s*(?:('(?:[^']|'')*')|("(?:[^"]|"")*")|(<=|>=|<>|!=|[=<>(),*])|([A-Za-z0-9_.:/$-]+))/y;

function tokenize(sql: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  const text = sql.trim().replace(/;$/, "");
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m || m.index !== start) throw new LakeSqlError(`unexpected text at character ${start + 1}: ${text.slice(start, start + 20)}`);
    out.push(m[0].trim());
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: string[]) {}

  peek(): string | undefined {
    return this.toks[this.i];
  }
  isKw(kw: string): boolean {
    return this.peek()?.toUpperCase() === kw;
  }
  next(): string {
    const t = this.toks[this.i++];
    if (t === undefined) throw new LakeSqlError("unexpected end of statement");
    return t;
  }
  expect(kw: string): void {
    const t = this.next();
    if (t.toUpperCase() !== kw) throw new LakeSqlError(`expected ${kw}, found ${t}`);
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }

  expr(): Expr {
    const t = this.next();
    const fn = t.toLowerCase();
    if (this.peek() === "(" && (fn === "count" || fn === "min" || fn === "max")) {
      this.next();
      let arg: Expr | undefined;
      if (this.peek() === "*") this.next();
      else arg = this.expr();
      this.expect(")");
      if (fn !== "count" && !arg) throw new LakeSqlError(`${fn.toUpperCase()}(*) is not valid`);
      return { kind: "agg", fn, arg };
    }
    if (this.peek() === "(" && fn === "element_at") {
      this.next();
      const map = this.next();
      this.expect(",");
      const key = literal(this.next());
      this.expect(")");
      return { kind: "elem", map: map.toLowerCase(), key };
    }
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(t)) throw new LakeSqlError(`expected a column, found ${t}`);
    return { kind: "col", path: t.split(".") };
  }
}

function literal(tok: string): string {
  if (/^'.*'$/s.test(tok)) return tok.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(tok)) return tok;
  throw new LakeSqlError(`expected a literal, found ${tok}`);
}

const KEYWORDS = new Set(["FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "AS", "AND"]);

/** Parse a statement of the supported subset. */
export function parseLakeSql(sql: string): LakeSelect {
  const p = new Parser(tokenize(sql));
  p.expect("SELECT");
  const items: SelectItem[] = [];
  do {
    if (items.length) p.next();
    const expr = p.expr();
    let name = expr.kind === "col" ? (expr.path[expr.path.length - 1] as string) : `_col${items.length}`;
    if (p.isKw("AS")) {
      p.next();
      name = p.next().replace(/^"|"$/g, "");
    } else if (p.peek() && !KEYWORDS.has((p.peek() as string).toUpperCase()) && p.peek() !== ",") {
      name = p.next().replace(/^"|"$/g, "");
    }
    items.push({ expr, name });
  } while (p.peek() === ",");
  p.expect("FROM");
  const from = p.next().replace(/^"|"$/g, "");
  const where: Cond[] = [];
  if (p.isKw("WHERE")) {
    p.next();
    do {
      if (where.length) p.next();
      where.push(condition(p));
    } while (p.isKw("AND"));
    if (p.isKw("OR")) throw new LakeSqlError("OR is not supported; use IN (...)");
  }
  const groupBy: Expr[] = [];
  if (p.isKw("GROUP")) {
    p.next();
    p.expect("BY");
    do {
      if (groupBy.length) p.next();
      const t = p.peek() as string;
      if (/^\d+$/.test(t)) {
        p.next();
        const item = items[Number(t) - 1];
        if (!item) throw new LakeSqlError(`GROUP BY position ${t} is not in the select list`);
        groupBy.push(item.expr);
      } else {
        const byAlias = items.find((it) => it.name === t);
        if (byAlias) p.next();
        groupBy.push(byAlias ? byAlias.expr : p.expr());
      }
    } while (p.peek() === ",");
  }
  const orderBy: Array<{ index: number; desc: boolean }> = [];
  if (p.isKw("ORDER")) {
    p.next();
    p.expect("BY");
    do {
      if (orderBy.length) p.next();
      const index = orderIndex(p, items);
      let desc = false;
      if (p.isKw("ASC") || p.isKw("DESC")) desc = p.next().toUpperCase() === "DESC";
      orderBy.push({ index, desc });
    } while (p.peek() === ",");
  }
  let limit: number | undefined;
  if (p.isKw("LIMIT")) {
    p.next();
    limit = Number(p.next());
    if (!Number.isInteger(limit) || limit < 0) throw new LakeSqlError("LIMIT needs a whole number");
  }
  if (!p.done()) throw new LakeSqlError(`unexpected ${p.peek()}`);
  return { items, from, where, groupBy, orderBy, limit };
}

function orderIndex(p: Parser, items: SelectItem[]): number {
  const t = p.peek() as string;
  if (/^\d+$/.test(t)) {
    p.next();
    if (!items[Number(t) - 1]) throw new LakeSqlError(`ORDER BY position ${t} is not in the select list`);
    return Number(t) - 1;
  }
  const alias = items.findIndex((it) => it.name === t);
  if (alias >= 0 && !/[.(]/.test(t)) {
    p.next();
    return alias;
  }
  const text = JSON.stringify(p.expr());
  const index = items.findIndex((it) => JSON.stringify(it.expr) === text);
  if (index < 0) throw new LakeSqlError("ORDER BY must name a selected column, alias or position");
  return index;
}

function condition(p: Parser): Cond {
  const expr = p.expr();
  if (p.isKw("IS")) {
    p.next();
    const negate = p.isKw("NOT");
    if (negate) p.next();
    p.expect("NULL");
    return { kind: "null", expr, negate };
  }
  if (p.isKw("IN")) {
    p.next();
    p.expect("(");
    const values: string[] = [];
    do {
      if (values.length) p.next();
      values.push(literal(p.next()));
    } while (p.peek() === ",");
    p.expect(")");
    return { kind: "in", expr, values };
  }
  const op = p.next();
  if (!["=", "!=", "<>", "<", "<=", ">", ">="].includes(op)) throw new LakeSqlError(`unsupported operator ${op}`);
  return { kind: "cmp", expr, op, value: literal(p.next()) };
}

/** A column's value for an event (null when the record has no such field). */
export function columnValue(e: CtEvent, path: string[]): string | null {
  const key = path.join(".").toLowerCase();
  switch (key) {
    case "eventtime":
      return lakeTime(e.timeMs);
    case "eventid":
      return e.id;
    case "eventname":
      return "GetSecretValue";
    case "eventsource":
      return "secretsmanager.amazonaws.com";
    case "eventversion":
      return "1.09";
    case "eventtype":
      return "AwsApiCall";
    case "eventcategory":
      return "Management";
    case "readonly":
    case "managementevent":
      return "true";
    case "awsregion":
      return e.region;
    case "recipientaccountid":
      return e.accountId;
    case "sourceipaddress":
      return e.sourceIp;
    case "useragent":
      return e.userAgent;
    case "errorcode":
      return e.denied ? "AccessDenied" : null;
    case "vpcendpointid":
      return e.vpceId ?? null;
    case "vpcendpointaccountid":
      return e.vpceId ? e.accountId : null;
    case "requestid":
      return e.requestId;
    case "requestparameters":
      return `{secretId=${e.secretId}}`;
  }
  if (path[0]?.toLowerCase() === "useridentity") {
    let v: unknown = userIdentity(e);
    for (const seg of path.slice(1)) {
      const obj = v as Record<string, unknown> | undefined;
      const k = obj && Object.keys(obj).find((x) => x.toLowerCase() === seg.toLowerCase());
      v = k === undefined ? undefined : obj?.[k];
    }
    return v === undefined || v === null || typeof v === "object" ? null : String(v);
  }
  throw new LakeSqlError(`unknown column ${path.join(".")}`);
}

/** Value of a non-aggregate expression for an event. */
export function exprValue(e: CtEvent, expr: Expr): string | null {
  if (expr.kind === "col") return columnValue(e, expr.path);
  if (expr.kind === "elem") {
    if (expr.map !== "requestparameters") throw new LakeSqlError(`element_at supports requestParameters only, not ${expr.map}`);
    return expr.key === "secretId" ? e.secretId : null;
  }
  throw new LakeSqlError("aggregate functions are not allowed here");
}

const isTime = (expr: Expr): boolean => expr.kind === "col" && expr.path.join(".").toLowerCase() === "eventtime";
const timeMs = (s: string): number => Date.parse(`${s.trim().replace(" ", "T")}${/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? "" : "Z"}`);

/** True when the event satisfies every condition. */
export function matches(e: CtEvent, where: Cond[]): boolean {
  return where.every((c) => {
    const v = exprValue(e, c.expr);
    if (c.kind === "null") return (v === null) !== c.negate;
    if (v === null) return false;
    if (c.kind === "in") return c.values.includes(v);
    const [a, b] = isTime(c.expr) ? [e.timeMs, timeMs(c.value)] : [v, c.value];
    if (typeof b === "number" && Number.isNaN(b)) throw new LakeSqlError(`not a timestamp: '${c.value}'`);
    switch (c.op) {
      case "=":
        return a === b;
      case "!=":
      case "<>":
        return a !== b;
      case "<":
        return a < b;
      case "<=":
        return a <= b;
      case ">":
        return a > b;
      default:
        return a >= b;
    }
  });
}
