/**
 * Who is calling: the SigV4 Authorization header is parsed (never verified) for the access
 * key, region and service; the access key maps deterministically to an account:
 *
 * - `AKIASIMULATOR0000000`: the estate's management account (IAM user `sm-audit-simulator`).
 * - `AKIASIM` + 12-digit account id + one character: IAM user `simulator` in that account.
 * - `ASIA` + 12-digit account id + 4 characters: a session issued by AssumeRole into that account.
 */
import { iamId, token } from "./rand";
import type { World } from "./world";

export const MANAGEMENT_ACCESS_KEY_ID = "AKIASIMULATOR0000000";
export const MANAGEMENT_SECRET_ACCESS_KEY = "simulator/secret/access/key/not/checked";

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** Credential scope of `AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/sts/aws4_request, …`. */
export function parseAuthorization(header: string | undefined): SigV4Scope | null {
  if (!header) return null;
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)\s*$/.exec(header);
  if (!m) return null;
  return { accessKeyId: m[1] as string, date: m[2] as string, region: m[3] as string, service: m[4] as string };
}

/** The identity behind an access key. */
export interface Caller {
  accountId: string;
  arn: string;
  userId: string;
  accessKeyId: string;
  /** Expiration (simulator clock, ms) of temporary credentials. */
  expiresMs?: number;
  roleName?: string;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresMs: number;
}

/** Maps access keys to callers and issues AssumeRole sessions. */
export class Identities {
  private readonly sessions = new Map<string, Caller>();
  private issued = 0;

  constructor(
    private readonly world: World,
    readonly managementAccountId: string,
  ) {}

  /** The caller for an access key; `null` when the key is unknown. */
  resolve(accessKeyId: string): Caller | null {
    if (accessKeyId === MANAGEMENT_ACCESS_KEY_ID) {
      return {
        accountId: this.managementAccountId,
        arn: `arn:aws:iam::${this.managementAccountId}:user/sm-audit-simulator`,
        userId: iamId("AIDA", `${this.managementAccountId}/sm-audit-simulator`),
        accessKeyId,
      };
    }
    const user = /^AKIASIM(\d{12}).$/.exec(accessKeyId);
    if (user && this.world.accountById.has(user[1] as string)) {
      const accountId = user[1] as string;
      return { accountId, arn: `arn:aws:iam::${accountId}:user/simulator`, userId: iamId("AIDA", `${accountId}/simulator`), accessKeyId };
    }
    return this.sessions.get(accessKeyId) ?? null;
  }

  /** Long-term access key of the IAM user `simulator` in `accountId`. */
  static userAccessKeyId(accountId: string): string {
    return `AKIASIM${accountId}0`;
  }

  /** Issue temporary credentials for `roleName` in `accountId`, valid for `ttlSeconds`. */
  issue(accountId: string, roleName: string, sessionName: string, ttlSeconds: number, nowMs: number): { caller: Caller; credentials: IssuedCredentials } {
    const n = this.issued++;
    const accessKeyId = `ASIA${accountId}${token(`${this.world.seed}/session/${n}`, 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`;
    if (this.sessions.has(accessKeyId)) return this.issue(accountId, roleName, sessionName, ttlSeconds, nowMs);
    const expiresMs = nowMs + ttlSeconds * 1000;
    const roleId = iamId("AROA", `${accountId}/role/${roleName}`);
    const caller: Caller = {
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      accessKeyId,
      expiresMs,
      roleName,
    };
    this.sessions.set(accessKeyId, caller);
    const sessionToken = `IQoJb3JpZ2luX2VjE${Buffer.from(JSON.stringify({ a: accountId, r: roleName, s: sessionName, e: expiresMs })).toString("base64")}`;
    return {
      caller,
      credentials: { accessKeyId, secretAccessKey: token(`${this.world.seed}/secret/${accessKeyId}`, 40), sessionToken, expiresMs },
    };
  }
}

/** False for a region the estate lists as not opted in (AWS refuses the credentials there). */
export function regionEnabled(world: World, region: string): boolean {
  return world.regions.find((x) => x.name === region)?.optInStatus !== "not-opted-in";
}
