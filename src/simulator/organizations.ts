/**
 * Organizations: ListAccounts (management account only, ≤ 20 per page, and — as AWS does —
 * sometimes an empty page that still carries a NextToken), DescribeOrganization, DescribeAccount.
 */
import type { Ctx, JsonHandler } from "./context";
import { SimError, accessDenied } from "./errors";
import { makeToken, readToken } from "./protocol-json";
import { epochSeconds } from "./time";
import type { AccountW } from "./world";

function org(ctx: Ctx): NonNullable<Ctx["sim"]["world"]["organization"]> {
  const o = ctx.sim.world.organization;
  if (!o || !ctx.sim.world.accountById.has(ctx.caller.accountId)) {
    throw new SimError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", 400);
  }
  return o;
}

function requireManagement(ctx: Ctx): NonNullable<Ctx["sim"]["world"]["organization"]> {
  const o = org(ctx);
  if (ctx.caller.accountId !== o.managementAccountId) {
    throw accessDenied("organizations", "You don't have permissions to access this resource.");
  }
  return o;
}

function accountJson(ctx: Ctx, a: AccountW): Record<string, unknown> {
  const o = org(ctx);
  return {
    Id: a.id,
    Arn: `arn:aws:organizations::${o.managementAccountId}:account/${o.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: epochSeconds(a.joinedMs),
  };
}

export const organizationsHandlers: Record<string, JsonHandler> = {
  ListAccounts: (ctx, input) => {
    requireManagement(ctx);
    const max = input.num("MaxResults") ?? 20;
    if (!Number.isInteger(max) || max < 1 || max > 20) {
      throw new SimError("InvalidInputException", "You provided a value that does not match the required pattern: MaxResults must be between 1 and 20.", 400);
    }
    const accounts = ctx.sim.world.accounts;
    const { offset, extra } = readToken(input.str("NextToken"), "accounts", () => new SimError("InvalidInputException", "You specified an invalid value for nextToken.", 400));
    if (offset >= accounts.length) return { Accounts: [] };
    // An empty page is served at most once per position, so a client that follows tokens always finishes.
    if (extra !== "served-empty" && ctx.sim.faults.emptyPage(String(offset))) {
      return { Accounts: [], NextToken: makeToken(offset, "accounts", "served-empty") };
    }
    const page = accounts.slice(offset, offset + max).map((a) => accountJson(ctx, a));
    const end = offset + max >= accounts.length;
    // At the end AWS sometimes still hands out a token that leads to one last empty page.
    if (end && !ctx.sim.faults.emptyPage(`end/${offset}`)) return { Accounts: page };
    return { Accounts: page, NextToken: makeToken(Math.min(offset + max, accounts.length), "accounts") };
  },
  DescribeOrganization: (ctx) => {
    const o = org(ctx);
    const mgmt = ctx.sim.world.accountById.get(o.managementAccountId) as AccountW;
    return {
      Organization: {
        Id: o.id,
        Arn: o.arn,
        FeatureSet: o.featureSet,
        MasterAccountArn: `arn:aws:organizations::${o.managementAccountId}:account/${o.id}/${o.managementAccountId}`,
        MasterAccountId: o.managementAccountId,
        MasterAccountEmail: mgmt.email,
        AvailablePolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
      },
    };
  },
  DescribeAccount: (ctx, input) => {
    requireManagement(ctx);
    const id = input.requiredStr("AccountId");
    const a = ctx.sim.world.accountById.get(id);
    if (!a) throw new SimError("AccountNotFoundException", "You specified an account that doesn't exist.", 400);
    return { Account: accountJson(ctx, a) };
  },
};
