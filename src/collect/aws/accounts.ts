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
  expiresMs: number;
  /** Re-assume from this time on: 5 minutes before expiry, or a quarter of a short session's life. */
  refreshAtMs: number;
}

/**
 * Credentials per account: the base credentials for the caller's own account, an
 * AssumeRole session into `roleName` for every other one (one per account, cached).
 */
export class Sessions {
  private readonly sessions = new Map<string, Promise<Session>>();
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
    return async () => (await this.session(accountId)).creds;
  }

  /** Establish (or reuse) the session of `accountId`; throws the AssumeRole error (a gap). */
  async ensure(accountId: string): Promise<void> {
    if (accountId === this.callerId) return;
    await this.session(accountId);
  }

  /** Drop the cached session of `accountId` (after ExpiredToken). */
  invalidate(accountId: string): void {
    this.sessions.delete(accountId);
  }

  private session(accountId: string): Promise<Session> {
    const cached = this.sessions.get(accountId);
    if (cached) {
      return cached.then((s) => (Date.now() < s.refreshAtMs ? s : this.assume(accountId)));
    }
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
      const out = await ctx.send<AssumeRoleCommandOutput>("sts", SELF, this.stsRegion, new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
        RoleSessionName: `sm-audit-${accountId}`,
        DurationSeconds: SESSION_SECONDS,
      }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${accountId} returned no credentials`);
      const issuedMs = Date.now();
      const expiresMs = c.Expiration ? new Date(c.Expiration).getTime() : issuedMs + SESSION_SECONDS * 1000;
      return {
        refreshAtMs: expiresMs - Math.min(REFRESH_BEFORE_MS, (expiresMs - issuedMs) / 4),
        creds: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(expiresMs) },
        expiresMs,
      };
    })();
    this.sessions.set(accountId, p);
    p.catch(() => this.sessions.delete(accountId));
    return p;
  }
}
