/**
 * Resource-policy analysis: who does a secret's policy let in, is it public, does it
 * grant every action, and does it force reads through a VPC endpoint. The document is
 * taken as parsed JSON, so every shape IAM accepts (a single statement object, a
 * principal string or map of strings or lists, mixed-case keys) is normalised here.
 */
import type { PolicyDocument, PolicyStatement, StringOrList } from "../inventory/types";
import type { PolicyFacts, PrincipalFacts } from "./facts";
import { matchGlob } from "../policy/patterns";
import { parseArn } from "./keys";
import { EMPTY_LIST } from "./shared-facts";

/** What the analysis needs to know about the secret and its organization. */
export interface PolicyContext {
  accountId?: string;
  /** Accounts of the organization, when the snapshot knows it. */
  organizationAccounts?: Set<string>;
  organizationId?: string;
}

const GET_SECRET_VALUE = "secretsmanager:getsecretvalue";
/** A made-up action name: a pattern that matches it matches every secretsmanager action. */
const ANY_ACTION_PROBE = "secretsmanager:zz-any-action";

/** Condition keys that narrow who (or from where) can use an Allow statement. */
const RESTRICTING_KEYS = new Set([
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourcevpce",
  "aws:sourcevpc",
  "aws:sourcearn",
  "aws:principalaccount",
  "aws:principalarn",
]);
/** Operators whose match narrows the statement (negations and IfExists let other requests through). */
const POSITIVE_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"]);
const DENY_NOT_OPERATORS = new Set(["stringnotequals", "stringnotequalsifexists", "stringnotlike", "stringnotlikeifexists"]);
/** Conditions that only exempt AWS services from a VPC-endpoint deny (their calls never come through an endpoint). */
const SERVICE_EXEMPTIONS = new Set(["aws:principalisawsservice", "aws:viaawsservice", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast"]);

function list(v: StringOrList | boolean | number | undefined | null): string[] {
  if (v === undefined || v === null) return [];
  // Documents come from files and APIs: a non-scalar entry (or one with a `toString` key) must not throw.
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? String(x) : JSON.stringify(x) ?? ""));
}

/** Glob match with `*` and `?`, case-insensitive (IAM action names are). */
export function globMatch(pattern: string, value: string): boolean {
  return matchGlob(pattern.toLowerCase(), value.toLowerCase());
}

function onlyWildcards(value: string): boolean {
  return /^[*?]*$/.test(value);
}

/** Normalise `Statement` (an object or a list) to a list. */
export function statementsOf(doc: PolicyDocument | null | undefined): PolicyStatement[] {
  if (!doc) return [];
  const raw = (doc as { Statement?: unknown }).Statement;
  if (Array.isArray(raw)) return raw.filter((s): s is PolicyStatement => typeof s === "object" && s !== null);
  return typeof raw === "object" && raw !== null ? [raw as PolicyStatement] : [];
}

/** Condition entries as `{operator, key, values}` with lower-cased operator and key. */
function conditionsOf(st: PolicyStatement): Array<{ op: string; key: string; values: string[] }> {
  const out: Array<{ op: string; key: string; values: string[] }> = [];
  for (const [op, block] of Object.entries(st.Condition ?? {})) {
    if (typeof block !== "object" || block === null) continue;
    for (const [key, value] of Object.entries(block)) out.push({ op: op.toLowerCase(), key: key.toLowerCase(), values: list(value) });
  }
  return out;
}

interface Restriction {
  restricted: boolean;
  /** Account the condition pins the principal (or the service's source) to. */
  principalAccount?: string;
  sourceAccount?: string;
  orgIds: string[];
}

function restrictionOf(st: PolicyStatement): Restriction {
  const r: Restriction = { restricted: false, orgIds: [] };
  for (const c of conditionsOf(st)) {
    const op = c.op.startsWith("foranyvalue:") ? c.op.slice("foranyvalue:".length) : c.op;
    if (!POSITIVE_OPERATORS.has(op) || !RESTRICTING_KEYS.has(c.key)) continue;
    if (c.values.length === 0 || c.values.some(onlyWildcards)) continue;
    r.restricted = true;
    const single = c.values.length === 1 ? c.values[0] : undefined;
    if (c.key === "aws:principalorgid" || c.key === "aws:principalorgpaths") {
      r.orgIds.push(...c.values.map((v) => v.split("/")[0]));
    } else if (single && c.key === "aws:principalaccount" && /^\d{12}$/.test(single)) {
      r.principalAccount = single;
    } else if (single && c.key === "aws:principalarn") {
      const account = parseArn(single)?.account;
      if (account && /^\d{12}$/.test(account)) r.principalAccount = account;
    } else if (single && (c.key === "aws:sourceaccount" || c.key === "aws:sourceowner") && /^\d{12}$/.test(single)) {
      r.sourceAccount = single;
    } else if (single && c.key === "aws:sourcearn") {
      const account = parseArn(single)?.account;
      if (account && /^\d{12}$/.test(account)) r.sourceAccount = account;
    }
  }
  return r;
}

function classify(type: string, value: string): { kind: PrincipalFacts["kind"]; accountId?: string } {
  if (value === "*") return { kind: "wildcard" };
  if (type === "service") return { kind: "service" };
  if (type === "canonicaluser") return { kind: "canonical" };
  if (type === "federated") return { kind: "federated", accountId: parseArn(value)?.account || undefined };
  if (/^\d{12}$/.test(value)) return { kind: "account", accountId: value };
  const arn = parseArn(value);
  if (!arn) return { kind: "unknown" };
  const accountId = /^\d{12}$/.test(arn.account) ? arn.account : undefined;
  if (arn.service === "iam" && arn.resource === "root") return { kind: "root", accountId };
  if (arn.service === "iam" && arn.resource.startsWith("role/")) return { kind: "role", accountId };
  if (arn.service === "sts" && arn.resource.startsWith("assumed-role/")) return { kind: "role", accountId };
  if (arn.service === "iam" && arn.resource.startsWith("user/")) return { kind: "user", accountId };
  if (arn.service === "sts" && arn.resource.startsWith("federated-user/")) return { kind: "federated", accountId };
  return { kind: "unknown", accountId };
}

/** Principals of a Principal / NotPrincipal element as `[type, value]` (type lower-cased; `*` alone is `aws`). */
function principalEntries(p: unknown): Array<[string, string]> {
  if (p === "*") return [["aws", "*"]];
  if (typeof p !== "object" || p === null) return [];
  const out: Array<[string, string]> = [];
  for (const [type, v] of Object.entries(p as Record<string, StringOrList>)) for (const value of list(v)) out.push([type.toLowerCase(), value]);
  return out;
}

function actionsCover(st: PolicyStatement, action: string): boolean {
  if (st.NotAction !== undefined) return !list(st.NotAction).some((a) => globMatch(a, action));
  return list(st.Action).some((a) => globMatch(a, action));
}

function statementId(st: PolicyStatement, i: number): string {
  // A parsed document may hold any JSON value here: only a non-empty string is a Sid.
  const sid: unknown = st.Sid;
  return typeof sid === "string" && sid.length > 0 ? sid : `#${i}`;
}

/** The Deny-unless-VPC-endpoint pattern: returns the allowed endpoint/VPC ids, or undefined. */
function vpceDeny(st: PolicyStatement): string[] | undefined {
  // Called for Deny statements only (any case of "deny"): no copy with a normalised Effect needed.
  const everyone = principalEntries(st.Principal).some(([type, v]) => type === "aws" && v === "*");
  if (!everyone || st.NotPrincipal !== undefined || !actionsCover(st, GET_SECRET_VALUE)) return undefined;
  const allowed: string[] = [];
  for (const c of conditionsOf(st)) {
    if ((c.key === "aws:sourcevpce" || c.key === "aws:sourcevpc") && DENY_NOT_OPERATORS.has(c.op)) allowed.push(...c.values);
    // Any other condition narrows the deny (e.g. exempts some principals), so the
    // requirement no longer holds for everyone — except AWS-service exemptions.
    else if (!SERVICE_EXEMPTIONS.has(c.key)) return undefined;
  }
  return allowed.length > 0 ? allowed : undefined;
}

/** The list facts of a policy: shared empty when empty (see the end of analyzePolicy). */
const LIST_FACTS = ["publicStatements", "principals", "foreignPrincipals", "wildcardActionGrants", "allowedVpces"] as const;

/** Analyse one secret's resource policy (null/undefined = no policy). */
export function analyzePolicy(doc: PolicyDocument | null | undefined, ctx: PolicyContext): PolicyFacts {
  const facts: PolicyFacts = {
    present: doc !== null && doc !== undefined,
    public: false,
    publicStatements: [],
    principals: [],
    foreignPrincipals: [],
    wildcardActionGrants: [],
    usesNotPrincipal: false,
    usesNotAction: false,
    requiresSourceVpce: false,
    allowedVpces: [],
  };
  if (!doc) return facts;
  statementsOf(doc).forEach((st, i) => {
    const sid = statementId(st, i);
    // `String()` throws on an object with a `toString` key (fuzz seed 0x5eed0004 #854): any non-string Effect is neither Allow nor Deny.
    const rawEffect: unknown = st.Effect;
    const effect = typeof rawEffect === "string" ? rawEffect.toLowerCase() : "";
    if (effect === "deny") {
      const allowed = vpceDeny(st);
      if (allowed) {
        facts.requiresSourceVpce = true;
        for (const v of allowed) if (!facts.allowedVpces.includes(v)) facts.allowedVpces.push(v);
      }
      return;
    }
    if (effect !== "allow") return;
    const restriction = restrictionOf(st);
    const actions = st.NotAction !== undefined ? list(st.NotAction).map((a) => `NotAction:${a}`) : list(st.Action);
    if (st.NotAction !== undefined) facts.usesNotAction = true;
    // Without NotAction, `actions` is list(st.Action): read it rather than list it again.
    const wildcardAction = st.NotAction !== undefined || actions.some((a) => globMatch(a, ANY_ACTION_PROBE));
    let entries = principalEntries(st.Principal);
    if (st.NotPrincipal !== undefined) {
      // Allow + NotPrincipal grants everyone except the listed principals: as open as `*`.
      facts.usesNotPrincipal = true;
      entries = [["aws", "*"]];
    }
    for (const [type, value] of entries) {
      const c = classify(type, value);
      let accountId = c.accountId;
      if (c.kind === "wildcard") accountId = restriction.principalAccount;
      if (c.kind === "service") accountId = restriction.sourceAccount ?? restriction.principalAccount;
      const pf: PrincipalFacts = {
        principal: st.NotPrincipal !== undefined ? `NotPrincipal(${principalEntries(st.NotPrincipal).map((e) => e[1]).join(", ")})` : value,
        kind: c.kind,
        sameAccount: accountId !== undefined && accountId === ctx.accountId,
        statement: sid,
        restricted: restriction.restricted,
        actions,
        wildcardAction,
      };
      if (accountId !== undefined) pf.accountId = accountId;
      const inOrg = organizationMembership(accountId, restriction, ctx, c.kind);
      if (inOrg !== undefined) pf.inOrganization = inOrg;
      facts.principals.push(pf);
      if (!pf.sameAccount) facts.foreignPrincipals.push(pf);
      if (c.kind === "wildcard" && !restriction.restricted && !facts.publicStatements.includes(sid)) {
        facts.public = true;
        facts.publicStatements.push(sid);
      }
      const ownRoot = pf.sameAccount && (c.kind === "root" || c.kind === "account");
      if (wildcardAction && !ownRoot) facts.wildcardActionGrants.push(pf);
    }
  });
  // Empty lists are the shared one, as for secrets without a policy: the memo of
  // decisions keys lists by identity, and most policies grant nothing foreign.
  for (const list of LIST_FACTS) if (facts[list].length === 0) facts[list] = EMPTY_LIST;
  return facts;
}

/**
 * Whether the principal is inside the organization: an org-id condition decides it;
 * otherwise the snapshot's account list when it knows the organization. A principal
 * that can be anyone (an unpinned wildcard, a service without a source account, a
 * web-identity or canonical user) is not known to be inside, so it counts as outside.
 */
function organizationMembership(accountId: string | undefined, r: Restriction, ctx: PolicyContext, kind: PrincipalFacts["kind"]): boolean | undefined {
  if (r.orgIds.length > 0) {
    if (ctx.organizationId) return r.orgIds.every((o) => o.toLowerCase() === ctx.organizationId?.toLowerCase());
    return true;
  }
  if (accountId !== undefined) return ctx.organizationAccounts ? ctx.organizationAccounts.has(accountId) : undefined;
  return kind === "unknown" ? undefined : false;
}
