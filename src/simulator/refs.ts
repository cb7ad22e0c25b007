/**
 * The small reference languages inside an estate: KMS key references, read principals and
 * the `repeat` template expansion. Shared by the estate checker and the world builder so
 * both read a reference the same way.
 */
import type { EstateSecret } from "./estate";

/** A KMS key reference as written in an estate or sent in a request. */
export type KeyRef =
  | { kind: "default" }
  | { kind: "alias"; alias: string; account?: string; region?: string }
  | { kind: "id"; id: string; account?: string; region?: string };

export const DEFAULT_SM_ALIAS = "aws/secretsmanager";
const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

/** Parse a key reference; undefined means "no key given" (the AWS managed key); null = not a reference. */
export function parseKeyRef(ref: string | undefined): KeyRef | null {
  if (ref === undefined || ref === "") return { kind: "default" };
  if (ref.startsWith("alias/")) {
    const alias = ref.slice("alias/".length);
    return alias === DEFAULT_SM_ALIAS ? { kind: "default" } : alias ? { kind: "alias", alias } : null;
  }
  const arn = KMS_ARN.exec(ref);
  if (arn) {
    const [, region, account, type, rest] = arn as unknown as [string, string, string, string, string];
    if (type === "alias") return { kind: "alias", alias: rest, account, region };
    return KEY_ID.test(rest) ? { kind: "id", id: rest, account, region } : null;
  }
  return KEY_ID.test(ref) ? { kind: "id", id: ref } : null;
}

/** Who made a read, as parsed from an estate `principal`. */
export type PrincipalRef =
  | { type: "AssumedRole"; account?: string; role: string; session?: string }
  | { type: "IAMUser"; account?: string; user: string }
  | { type: "Root"; account?: string }
  | { type: "AWSService"; service: string };

/** Parse a read principal (`role/App`, `111122223333:user/bob`, `root`, `service/x.amazonaws.com`, or an ARN). */
export function parsePrincipal(text: string): PrincipalRef | null {
  let m = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(text);
  if (m) return { type: "AssumedRole", account: m[1], role: m[2] as string, session: m[3] };
  m = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(text);
  if (m) return m[2] === "role" ? { type: "AssumedRole", account: m[1], role: m[3] as string } : { type: "IAMUser", account: m[1], user: m[3] as string };
  m = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(text);
  if (m) return { type: "Root", account: m[1] };
  m = /^service\/([a-z0-9.-]+\.amazonaws\.com)$/.exec(text);
  if (m) return { type: "AWSService", service: m[1] as string };
  m = /^(?:(\d{12}):)?(role|user)\/([\w+=,.@-]{1,64})$/.exec(text);
  if (m) {
    const account = m[1];
    return m[2] === "role" ? { type: "AssumedRole", account, role: m[3] as string } : { type: "IAMUser", account, user: m[3] as string };
  }
  m = /^(?:(\d{12}):)?root$/.exec(text);
  if (m) return { type: "Root", account: m[1] };
  return null;
}

const PLACEHOLDER = /\{n(?::(\d+))?\}/g;

/** Expand a `repeat` template into its secrets (a plain entry expands to itself). */
export function expandRepeat(secret: EstateSecret): EstateSecret[] {
  if (secret.repeat === undefined) return [secret];
  const { repeat, ...template } = secret;
  const out: EstateSecret[] = [];
  for (let n = 1; n <= repeat; n++) out.push(substitute(template, n) as EstateSecret);
  return out;
}

function substitute(value: unknown, n: number): unknown {
  if (typeof value === "string") {
    return value.includes("{n") ? value.replace(PLACEHOLDER, (_, width?: string) => String(n).padStart(Number(width ?? 0), "0")) : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, n));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[substitute(k, n) as string] = substitute(v, n);
    return out;
  }
  return value;
}

/** True when a template name varies with `{n}` (a repeat without it would collide). */
export function hasPlaceholder(name: string): boolean {
  return /\{n(?::\d+)?\}/.test(name);
}

/** Short service name → full VPC endpoint service name for a region. */
export function endpointServiceName(service: string, region: string): string {
  return service.includes(".") ? service : `com.amazonaws.${region}.${service}`;
}
