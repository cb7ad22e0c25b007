/**
 * Policy documents the remediation plan writes: the trimmed secret resource policy, the
 * customer-managed key policy and the CloudTrail bucket policy. Pure functions, shared by
 * the planner (which stores the documents in the plan) and, through the plan, by both
 * the stacks and the projection.
 */
import type { PolicyDocument, PolicyStatement, Principal, StringOrList } from "../inventory/types";
import { analyzePolicy, statementsOf } from "../analyze/policy";
import type { PolicyStatementChange } from "./types";

/** Sid of the statement the plan adds to force reads through VPC endpoints. */
const VPCE_DENY_SID = "SmAuditDenyReadsOutsideVpce";

/** Condition keys that restrict who can use an Allow granted to a wildcard principal. */
const RESTRICTING_KEYS = [
  "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:sourceaccount",
  "aws:sourcevpce", "aws:sourcevpc", "aws:sourcearn", "aws:principalarn", "aws:sourceorgid",
];

/** Condition keys that keep a wildcard grant inside the organization or the own account. */
const ORG_KEYS = ["aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid"];

function list(v: StringOrList | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The partition of an ARN (`aws`, `aws-us-gov`, `aws-cn`), `aws` when not an ARN. */
export function partitionOf(arn: string | undefined): string {
  const m = arn ? /^arn:([a-z-]+):/.exec(arn) : null;
  return m ? m[1] : "aws";
}

/** The partition a region belongs to (`aws-us-gov`, `aws-cn`, else `aws`). */
export function partitionOfRegion(region: string): string {
  return region.startsWith("us-gov-") ? "aws-us-gov" : region.startsWith("cn-") ? "aws-cn" : "aws";
}

/** The statement id the analysis uses: the Sid, else `#<index>`. */
export function statementId(st: PolicyStatement, index: number): string {
  return st.Sid ?? `#${index}`;
}

function conditionKeys(st: PolicyStatement): string[] {
  const keys: string[] = [];
  for (const byKey of Object.values(st.Condition ?? {})) keys.push(...Object.keys(byKey).map((k) => k.toLowerCase()));
  return keys;
}

function principalValues(p: Principal | undefined): Array<{ type: string; value: string }> {
  if (p === undefined) return [];
  if (p === "*") return [{ type: "AWS", value: "*" }];
  const out: Array<{ type: string; value: string }> = [];
  for (const [type, v] of Object.entries(p)) for (const value of list(v)) out.push({ type, value });
  return out;
}

/** The account of an AWS principal (`123456789012`, `arn:aws:iam::123456789012:role/x`). */
function principalAccount(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value;
  const m = /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(value);
  return m ? m[1] : undefined;
}

/** Who counts as trusted when a resource policy is trimmed. */
export interface TrustContext {
  accountId: string;
  /** Accounts of the organization (when the snapshot knows it). */
  orgAccounts: ReadonlySet<string>;
  organizationId?: string;
  trustedAccounts: ReadonlySet<string>;
}

/**
 * Statements the shared policy analysis (analyze/policy.ts, which the rules read) finds
 * public, foreign (outside the account, the organization and the trusted accounts) or
 * granting wildcard actions, with the reasons.
 */
function analysisProblems(doc: PolicyDocument | null | undefined, ctx: TrustContext): Map<string, string[]> {
  const facts = analyzePolicy(doc, { accountId: ctx.accountId, organizationAccounts: new Set(ctx.orgAccounts), organizationId: ctx.organizationId });
  const out = new Map<string, string[]>();
  const add = (id: string, reason: string): void => {
    const list = out.get(id) ?? [];
    if (!list.includes(reason)) list.push(reason);
    out.set(id, list);
  };
  for (const id of facts.publicStatements) add(id, "public: a wildcard principal without a restricting condition");
  for (const p of facts.foreignPrincipals) {
    if (p.sameAccount || p.inOrganization || (p.accountId && ctx.trustedAccounts.has(p.accountId))) continue;
    add(p.statement, `grants ${p.principal} outside the account, organization and trusted accounts`);
  }
  for (const p of facts.wildcardActionGrants) add(p.statement, `grants ${p.actions.join(", ")} to ${p.principal}`);
  return out;
}

/** Reasons an Allow statement must go: public, foreign principals, wildcard actions. */
function statementProblems(st: PolicyStatement, ctx: TrustContext): string[] {
  if (st.Effect !== "Allow") return [];
  const reasons: string[] = [];
  const keys = conditionKeys(st);
  const restricted = keys.some((k) => RESTRICTING_KEYS.includes(k));
  const orgBound = keys.some((k) => ORG_KEYS.includes(k));
  if (st.NotPrincipal !== undefined) reasons.push("grants everyone except the NotPrincipal (public)");
  const principals = principalValues(st.Principal);
  const ownRoot = (v: string): boolean => v === ctx.accountId || /^arn:[a-z-]+:iam::(\d{12}):root$/.exec(v)?.[1] === ctx.accountId;
  let onlyOwnRoot = principals.length > 0;
  for (const { type, value } of principals) {
    if (!ownRoot(value)) onlyOwnRoot = false;
    if (type !== "AWS") continue;
    if (value === "*") {
      if (!restricted) reasons.push("grants a wildcard principal without a restricting condition (public)");
      else if (!orgBound) reasons.push("grants a wildcard principal not bound to the organization (foreign)");
      continue;
    }
    const acct = principalAccount(value);
    if (acct === undefined) {
      reasons.push(`grants ${value}, whose account cannot be determined (foreign)`);
    } else if (acct !== ctx.accountId && !ctx.trustedAccounts.has(acct) && !ctx.orgAccounts.has(acct) && !orgBound) {
      reasons.push(`grants ${value} of foreign account ${acct}`);
    }
  }
  const actions = list(st.Action).map((a) => a.toLowerCase());
  const wildcard = st.NotAction !== undefined || actions.includes("*") || actions.includes("secretsmanager:*");
  if (wildcard && !onlyOwnRoot) reasons.push("grants secretsmanager:* (or *, or NotAction)");
  return reasons;
}

/** The VPC-endpoint Deny: secret reads from anywhere but the allowed endpoints are refused. */
function vpceDenyStatement(allowedVpces: string[]): PolicyStatement {
  return {
    Sid: VPCE_DENY_SID,
    Effect: "Deny",
    Principal: "*",
    Action: ["secretsmanager:GetSecretValue"],
    Resource: "*",
    Condition: { StringNotEquals: { "aws:SourceVpce": allowedVpces } },
  };
}

/**
 * The secret's new resource policy: keep the statements that pass, drop the ones that
 * make it public, foreign or wildcard, and add the VPC-endpoint Deny when asked to.
 */
export function trimResourcePolicy(
  current: PolicyDocument | null | undefined,
  ctx: TrustContext,
  vpceDeny: string[] | undefined,
): { document: PolicyDocument; kept: string[]; dropped: PolicyStatementChange[] } {
  const kept: string[] = [];
  const dropped: PolicyStatementChange[] = [];
  const statements: PolicyStatement[] = [];
  const analysed = analysisProblems(current, ctx);
  statementsOf(current).forEach((st, i) => {
    const id = statementId(st, i);
    // An older sm-audit Deny is replaced by the new one rather than duplicated.
    if (vpceDeny && st.Sid === VPCE_DENY_SID) {
      dropped.push({ statement: id, reasons: ["replaced by the new VPC-endpoint Deny"] });
      return;
    }
    const reasons = [...new Set([...(analysed.get(id) ?? []), ...statementProblems(st, ctx)])];
    if (reasons.length) dropped.push({ statement: id, reasons });
    else { kept.push(id); statements.push(st); }
  });
  if (vpceDeny) statements.push(vpceDenyStatement(vpceDeny));
  return { document: { Version: current?.Version ?? "2012-10-17", Statement: statements }, kept, dropped };
}

/**
 * Key policy of the new customer-managed key: the account administers it, and it can be
 * used for cryptography only through Secrets Manager in its region by that account.
 */
export function cmkKeyPolicy(accountId: string, region: string, partition: string): PolicyDocument {
  const root = `arn:${partition}:iam::${accountId}:root`;
  return {
    Version: "2012-10-17",
    Id: "sm-audit-secrets-key",
    Statement: [
      {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
          "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
          "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
        ],
        Resource: "*",
      },
      {
        Sid: "UseOnlyThroughSecretsManager",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:ViaService": `secretsmanager.${region}.amazonaws.com`,
            "kms:CallerAccount": accountId,
          },
        },
      },
    ],
  };
}

/** The S3 bucket policy CloudTrail needs to deliver logs, plus TLS-only access. */
export function trailBucketPolicy(bucket: string, trailArn: string, accountId: string, partition: string): PolicyDocument {
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AWSCloudTrailAclCheck",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: bucketArn,
        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
      },
      {
        Sid: "AWSCloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${bucketArn}/AWSLogs/${accountId}/*`,
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
