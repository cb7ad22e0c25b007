/**
 * `data "aws_iam_policy_document"` → a policy document value, as the AWS provider
 * renders it: statement blocks with principals and condition blocks. Used when a
 * secret policy says `policy = data.aws_iam_policy_document.x.json`.
 */
import type { PolicyDocument } from "../../inventory/types";
import { type Value, Unknown, isObject, toJsonValue } from "./expr";
import { blocks } from "./model";

/** Build the document value (unresolved parts stay as `${expr}` placeholders). */
export function policyDocumentValue(body: { [key: string]: Value }): Value {
  if ((body.source_policy_documents ?? null) !== null || (body.override_policy_documents ?? null) !== null) {
    return new Unknown("aws_iam_policy_document merges other documents (source/override_policy_documents), which is not evaluated", "source_policy_documents");
  }
  const statements: Value[] = blocks(body.statement).map((s) => {
    const out: { [k: string]: Value } = {};
    if (typeof s.sid === "string" && s.sid !== "") out.Sid = s.sid;
    out.Effect = typeof s.effect === "string" ? s.effect : "Allow";
    const principals = principalValue(s.principals);
    if (principals !== undefined) out.Principal = principals;
    const notPrincipals = principalValue(s.not_principals);
    if (notPrincipals !== undefined) out.NotPrincipal = notPrincipals;
    if (s.actions !== undefined && s.actions !== null) out.Action = s.actions;
    if (s.not_actions !== undefined && s.not_actions !== null) out.NotAction = s.not_actions;
    if (s.resources !== undefined && s.resources !== null) out.Resource = s.resources;
    if (s.not_resources !== undefined && s.not_resources !== null) out.NotResource = s.not_resources;
    const cond = conditionValue(s.condition);
    if (cond !== undefined) out.Condition = cond;
    return out;
  });
  const doc: { [k: string]: Value } = { Version: typeof body.version === "string" ? body.version : "2012-10-17" };
  if (typeof body.policy_id === "string") doc.Id = body.policy_id;
  doc.Statement = statements;
  return doc;
}

/** The `json` attribute of the data source. */
export function policyDocumentJson(body: { [key: string]: Value }): Value {
  const v = policyDocumentValue(body);
  return v instanceof Unknown ? v : JSON.stringify(toJsonValue(v));
}

function principalValue(v: Value | undefined): Value | undefined {
  const list = blocks(v);
  if (list.length === 0) return undefined;
  const out: { [k: string]: Value[] } = {};
  for (const p of list) {
    const type = typeof p.type === "string" ? p.type : "AWS";
    const ids = Array.isArray(p.identifiers) ? p.identifiers : p.identifiers === undefined ? [] : [p.identifiers];
    // `type = "*"` with `identifiers = ["*"]` is the provider's spelling of `"Principal": "*"`.
    if (type === "*") return "*";
    (out[type] ??= []).push(...ids);
  }
  return out;
}

function conditionValue(v: Value | undefined): Value | undefined {
  const list = blocks(v);
  if (list.length === 0) return undefined;
  const out: { [test: string]: { [variable: string]: Value } } = {};
  for (const c of list) {
    const test = typeof c.test === "string" ? c.test : "StringEquals";
    const variable = typeof c.variable === "string" ? c.variable : "unknown";
    (out[test] ??= {})[variable] = c.values ?? [];
  }
  return out;
}

/** Parse a policy JSON string from code into a PolicyDocument, or say why it cannot be read. */
export function parsePolicyJson(text: string): PolicyDocument | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return "the policy is not valid JSON";
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return "the policy is not a JSON object";
  const st = (doc as { Statement?: unknown }).Statement;
  const statements = Array.isArray(st) ? st : st && typeof st === "object" ? [st] : undefined;
  if (!statements) return "the policy has no Statement";
  if (!statements.every((s) => isObject(s as Value) && ((s as { Effect?: unknown }).Effect === "Allow" || (s as { Effect?: unknown }).Effect === "Deny"))) {
    return "a policy statement has no Effect Allow or Deny";
  }
  return { ...(doc as object), Statement: statements } as PolicyDocument;
}
