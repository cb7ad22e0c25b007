/**
 * STS (query protocol, XML): GetCallerIdentity and AssumeRole. AssumeRole succeeds only
 * into an estate account that lists the role name; the credentials it returns map to that
 * account (`ASIA` + account id + 4 characters) and expire (capped by the fault config).
 */
import { nowMs, type QueryHandler } from "./context";
import { SimError, accessDenied } from "./errors";
import { leaf, node } from "./protocol-query";
import { isoSeconds } from "./time";

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export const stsHandlers: Record<string, QueryHandler> = {
  GetCallerIdentity: (ctx) => leaf("Arn", ctx.caller.arn) + leaf("UserId", ctx.caller.userId) + leaf("Account", ctx.caller.accountId),

  AssumeRole: (ctx, form) => {
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new SimError("ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400);
    }
    const duration = Number(form.get("DurationSeconds") ?? 3600);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new SimError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400);
    }
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw new SimError("ValidationError", `${roleArn} is invalid`, 400);
    const [, accountId, roleName] = m as unknown as [string, string, string];
    const account = ctx.sim.world.accountById.get(accountId);
    const denied = (): SimError =>
      accessDenied("sts", `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    if (!account || account.status !== "ACTIVE" || !account.roles.has(roleName)) throw denied();
    // Role chaining caps the session at one hour, as AWS does.
    const chained = ctx.caller.roleName !== undefined;
    if (chained && duration > 3600) {
      throw new SimError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400);
    }
    const cap = ctx.sim.faults.config.credentialTtlSeconds;
    const ttl = cap === null ? duration : Math.min(duration, cap);
    const { caller, credentials } = ctx.sim.identities.issue(accountId, roleName, sessionName, ttl, nowMs(ctx));
    return (
      node(
        "Credentials",
        leaf("AccessKeyId", credentials.accessKeyId) +
          leaf("SecretAccessKey", credentials.secretAccessKey) +
          leaf("SessionToken", credentials.sessionToken) +
          leaf("Expiration", isoSeconds(credentials.expiresMs)),
      ) +
      node("AssumedRoleUser", leaf("AssumedRoleId", caller.userId) + leaf("Arn", caller.arn)) +
      leaf("PackedPolicySize", 6)
    );
  },
};
