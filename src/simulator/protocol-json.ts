/**
 * The AWS JSON 1.1 protocol: `X-Amz-Target: <prefix>.<Operation>`, a JSON body, timestamps as
 * epoch seconds, errors as `{"__type": code, "message": …}`.
 */
import type { ServerResponse } from "node:http";
import { SimError, validation, type ServiceName } from "./errors";

/** X-Amz-Target prefixes the SDK v3 clients send (and the long CloudTrail form older clients send). */
export const JSON_TARGETS: ReadonlyArray<[string, ServiceName]> = [
  ["secretsmanager.", "secretsmanager"],
  ["TrentService.", "kms"],
  ["com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.", "cloudtrail"],
  ["CloudTrail_20131101.", "cloudtrail"],
  ["AWSOrganizationsV20161128.", "organizations"],
];

/** Service and operation named by an X-Amz-Target header, or null. */
export function parseTarget(target: string | undefined): { service: ServiceName; operation: string } | null {
  if (!target) return null;
  for (const [prefix, service] of JSON_TARGETS) {
    if (target.startsWith(prefix)) return { service, operation: target.slice(prefix.length) };
  }
  return null;
}

/** A JSON request body as an object (an empty body is `{}`). */
export function parseJsonBody(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new SimError("SerializationException", "Could not parse the request body as JSON", 400);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new SimError("SerializationException", "The request body must be a JSON object", 400);
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": requestId,
  });
  res.end(text);
}

export function sendJsonError(res: ServerResponse, err: SimError, requestId: string): void {
  sendJson(res, err.status, { __type: err.code, message: err.message }, requestId);
}

/** Typed readers for request members; a wrong type is the service's validation error. */
export class Input {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly service: ServiceName,
  ) {}

  str(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw validation(this.service, `${name} must be a string`);
    return v;
  }

  requiredStr(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === "") throw validation(this.service, `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must not be null`);
    return v;
  }

  num(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw validation(this.service, `${name} must be a number`);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw validation(this.service, `${name} must be a boolean`);
    return v;
  }

  list(name: string): unknown[] {
    const v = this.raw[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw validation(this.service, `${name} must be a list`);
    return v;
  }

  /** A timestamp member (epoch seconds in JSON 1.1) as ms. */
  time(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v * 1000;
    if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return Date.parse(v);
    throw validation(this.service, `${name} must be a timestamp`);
  }
}

function lower(name: string): string {
  return name[0]?.toLowerCase() + name.slice(1);
}

/** Opaque, tamper-evident pagination token carrying an offset and the query it belongs to. */
export function makeToken(offset: number, query: string, extra = ""): string {
  return Buffer.from(JSON.stringify({ o: offset, q: query, x: extra })).toString("base64url");
}

/** Decode a token made by `makeToken` for the same query, or throw `error`. */
export function readToken(token: string | undefined, query: string, error: () => SimError): { offset: number; extra: string } {
  if (token === undefined || token === "") return { offset: 0, extra: "" };
  try {
    const t = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; q?: unknown; x?: unknown };
    if (typeof t.o === "number" && t.o >= 0 && t.q === query) return { offset: t.o, extra: typeof t.x === "string" ? t.x : "" };
  } catch {
    // fall through
  }
  throw error();
}
