/**
 * Which accounts to scan and how to reach them: the caller's identity (STS), the account
 * list (flags, a file, or Organizations ListAccounts), and one cached AssumeRole session
 * per member account, refreshed before it expires and whenever AWS says it has.
 */
import { DescribeOrganizationCommand, type DescribeOrganizationCommandOutput, ListAccountsCommand, type ListAccountsCommandOutput } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, type AssumeRoleCommandOutput, GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { Account } from "../../inventory/types";
import { UserError } from "../../util/errors";
import { readTextFile } from "../../util/fs";
import type { ScanContext } from "./context";

/** IAM actions this module sends. */
export const ACCOUNT_ACTIONS = [
  "sts:GetCallerIdentity",
  "sts:AssumeRole",
  "organizations:ListAccounts",
  "organizations:DescribeOrganization",
] as const;

/** Refresh a session this long before AWS says it expires. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

/** Parse `--accounts 111,222` values: 12-digit ids only. */
export function parseAccountIds(values: string[], field = "--accounts"): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (!/^\d{12}$/.test(v)) throw new UserError(`expected a 12-digit account id, got '${v}'`, { field });
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** Read an accounts file: one 12-digit id per line; `#` starts a comment; blank lines ignored. */
export function readAccountsFile(file: string): string[] {
  const text = readTextFile(file);
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    if (!/^\d{12}$/.test(line)) throw new UserError(`expected a 12-digit account id, got '${line}'`, { file, line: i + 1, field: "account id" });
    if (!out.includes(line)) out.push(line);
  });
  if (!out.length) throw new UserError("lists no account ids", { file });
  return out;
}

/** The caller's account id (sts:GetCallerIdentity with the base credentials). */
export async function callerAccount(ctx: ScanContext, region: string): Promise<string> {
  const out = await ctx.send<GetCallerIdentityCommandOutput>("sts", SELF, region, new GetCallerIdentityCommand({}));
  if (!out.Account) throw new Error("GetCallerIdentity returned no account");
  return out.Account;
}

/** Pseudo account id under which clients with the base (caller's) credentials are cached. */
export const SELF = "self";

/**
 * Every account of the organization (ListAccounts, paginated; empty pages that carry a
 * NextToken are followed, not taken as the end), plus the organization's id when readable.
 */
export async function organizationAccounts(ctx: ScanContext, region: string): Promise<{ accounts: Account[]; organization?: { id?: string; managementAccountId?: string } }> {
  const accounts: Account[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.send<ListAccountsCommandOutput>("organizations", SELF, region, new ListAccountsCommand({ NextToken: token }));
    for (const a of page.Accounts ?? []) {
      if (!a.Id) continue;
      const state = (a as { State?: string }).State ?? a.Status;
      accounts.push({ id: a.Id, name: a.Name, status: state });
    }
    token = page.NextToken || undefined;
  } while (token);
  let organization: { id?: string; managementAccountId?: string } | undefined;
  try {
    const org = await ctx.send<DescribeOrganizationCommandOutput>("organizations", SELF, region, new DescribeOrganizationCommand({}));
    organization = { id: org.Organization?.Id, managementAccountId: org.Organization?.MasterAccountId };
  } catch {
    // The organization's id only enriches the snapshot; the account list is what matters.
  }
  return { accounts, organization };
}

/** True for an account state that cannot be scanned (suspended, closing, closed). */
export function isInactive(status: string | undefined): boolean {
  return status !== undefined && status !== "ACTIVE";
}

interface Session {
  creds: AwsCredentialIdentity;
  /** Local clock when AssumeRole answered. */
  issuedMs: number;
  /** Re-assume from this time on: 5 minutes before expiry, or a quarter of a short session's life. */
  refreshAtMs: number;
}

/**
 * Credentials per account: the base credentials for the caller's own account, an
 * AssumeRole session into `roleName` for every other one: one per account, shared by all
 * its clients and regions, refreshed once (not once per caller) before expiry or after
 * ExpiredToken.
 */
export class Sessions {
  private readonly sessions = new Map<string, Promise<Session>>();
  /** One provider function per account, so every client of the account shares it. */
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();
  private callerId?: string;

  constructor(
    private readonly base: AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined,
    private readonly roleName: string | undefined,
    private readonly stsRegion: string,
    /** Set after construction: the context whose STS client (base credentials) assumes roles. */
    private ctx?: ScanContext,
  ) {}

  /** Wire the context (the context needs `credentialsFor`, the sessions need the context). */
  attach(ctx: ScanContext, callerId: string): void {
    this.ctx = ctx;
    this.callerId = callerId;
  }

  /** The credentials clients of `accountId` are built with. */
  credentialsFor(accountId: string): AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined {
    if (accountId === SELF || accountId === this.callerId) return this.base;
    let provider = this.providers.get(accountId);
    if (!provider) {
      // The expiration given to the SDK is always inside its 5-minute refresh margin, so it
      // asks this cache on every request (cheap) and never keeps a session this cache dropped;
      // the cache alone decides when to re-assume.
      provider = async () => {
        const { creds } = await this.session(accountId);
        return { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, expiration: new Date(Date.now() + 60_000) };
      };
      this.providers.set(accountId, provider);
    }
    return provider;
  }

  /** Establish (or reuse) the session of `accountId`; throws the AssumeRole error (a gap). */
  async ensure(accountId: string): Promise<void> {
    if (accountId === this.callerId) return;
    await this.session(accountId);
  }

  /**
   * Drop the cached session of `accountId` after ExpiredToken on a request sent at
   * `sentAtMs`; a session issued after that request (already refreshed by a concurrent
   * caller) is kept, so a burst of ExpiredToken answers costs one AssumeRole.
   */
  invalidate(accountId: string, sentAtMs = Number.POSITIVE_INFINITY): void {
    const cached = this.sessions.get(accountId);
    if (!cached) return;
    void cached.then((s) => {
      if (s.issuedMs <= sentAtMs && this.sessions.get(accountId) === cached) this.sessions.delete(accountId);
    }, () => undefined);
  }

  private async session(accountId: string): Promise<Session> {
    const cached = this.sessions.get(accountId);
    if (!cached) return this.assume(accountId);
    const s = await cached;
    if (Date.now() < s.refreshAtMs) return s;
    // Stale: the first caller to notice re-assumes; the others await the same new session.
    const current = this.sessions.get(accountId);
    if (current && current !== cached) return current;
    return this.assume(accountId);
  }

  private assume(accountId: string): Promise<Session> {
    const ctx = this.ctx;
    const roleName = this.roleName;
    if (!ctx) return Promise.reject(new Error("sessions used before the scan context was attached"));
    if (!roleName) {
      const err = new Error(`account ${accountId} is not the caller's account and no --role-name was given to reach it`);
      err.name = "NoRoleName";
      return Promise.reject(err);
    }
    const p = (async (): Promise<Session> => {
      const sentMs = Date.now();
      const out = await ctx.send<AssumeRoleCommandOutput>("sts", SELF, this.stsRegion, new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
        RoleSessionName: `sm-audit-${accountId}`,
        DurationSeconds: SESSION_SECONDS,
      }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${accountId} returned no credentials`);
      const issuedMs = Date.now();
      // The lifetime is measured on AWS's clock (Expiration minus the request's time is
      // unknowable locally when clocks differ), so take the shorter of the requested duration
      // and Expiration as seen locally; when Expiration is already past locally the local
      // clock is the odd one out: use the requested duration and rely on ExpiredToken.
      const localLeft = c.Expiration ? new Date(c.Expiration).getTime() - sentMs : Number.NaN;
      const lifeMs = Number.isFinite(localLeft) && localLeft > 0 ? Math.min(localLeft, SESSION_SECONDS * 1000) : SESSION_SECONDS * 1000;
      return {
        issuedMs,
        refreshAtMs: sentMs + lifeMs - Math.min(REFRESH_BEFORE_MS, lifeMs / 4),
        creds: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
      };
    })();
    this.sessions.set(accountId, p);
    p.catch(() => {
      if (this.sessions.get(accountId) === p) this.sessions.delete(accountId);
    });
    return p;
  }
}
