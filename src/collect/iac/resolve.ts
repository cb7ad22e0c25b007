/**
 * Resolution helpers shared by the normalisers: find the resource a value refers to
 * (by reference, or by a literal id/ARN/name matching a resource in the same
 * configuration), and canonicalise KMS key references once, here.
 */
import type { PolicyDocument, Unknowns } from "../../inventory/types";
import { type Value, Ref, Unknown, isObject } from "./expr";
import type { TfResource } from "./model";
import { parsePolicyJson, policyDocumentJson } from "./policy-doc";

/** The AWS-managed key Secrets Manager uses by default. */
export const DEFAULT_SM_ALIAS = "alias/aws/secretsmanager";

/** Index of one configuration's resources. */
export class ResourceIndex {
  readonly byId = new Map<string, TfResource>();
  /** Literal arn/id/name value -> resources carrying it, in resource order (built on first use). */
  private byLiteral: Map<string, TfResource[]> | undefined;
  /** Literal name of a managed `aws_kms_alias` -> those aliases, in resource order (built on first use). */
  private aliases: Map<string, TfResource[]> | undefined;

  constructor(readonly resources: TfResource[]) {
    for (const r of resources) this.byId.set(r.id, r);
  }

  /** The first managed `aws_kms_alias` named `name` in `scope`, looked up instead of scanned (keeps reading linear). */
  aliasNamed(name: string, scope: string): TfResource | undefined {
    if (!this.aliases) {
      this.aliases = new Map();
      for (const r of this.resources) {
        if (r.type !== "aws_kms_alias" || r.mode !== "managed" || typeof r.attrs.name !== "string") continue;
        const list = this.aliases.get(r.attrs.name);
        if (list) list.push(r); else this.aliases.set(r.attrs.name, [r]);
      }
    }
    return this.aliases.get(name)?.find((r) => r.scope === scope);
  }

  /** Resources whose literal arn, id or name equals `v`, in resource order. */
  private withLiteral(v: string): TfResource[] {
    if (!this.byLiteral) {
      const m = new Map<string, TfResource[]>();
      for (const r of this.resources) {
        const { arn, id, name } = r.attrs;
        for (const x of [arn, id, name]) {
          if (typeof x !== "string") continue;
          const list = m.get(x);
          if (!list) m.set(x, [r]);
          else if (list[list.length - 1] !== r) list.push(r);
        }
      }
      this.byLiteral = m;
    }
    return this.byLiteral.get(v) ?? [];
  }

  /** The resource a Ref made inside `from` points at. */
  target(from: TfResource, ref: Ref): TfResource | undefined {
    const prefix = from.id.slice(0, from.id.length - from.address.length);
    return this.byId.get(prefix + ref.address);
  }

  /**
   * The resource of `type` that `v` designates: a reference, or a literal equal to its
   * id/arn/name (plans show existing ARNs). A string result is why it is unknown.
   */
  find(from: TfResource, v: Value | undefined, types: string[]): TfResource | string | undefined {
    if (v instanceof Ref) {
      const t = this.target(from, v);
      return t && types.includes(t.type) ? t : undefined;
    }
    if (v instanceof Unknown) return v.reason;
    if (typeof v !== "string") return undefined;
    const prefix = from.id.slice(0, from.id.length - from.address.length);
    return this.withLiteral(v).find((r) => types.includes(r.type) && r.id.startsWith(prefix));
  }
}

/** Keep strings; turn references into their expression text (used for ARNs shown to people). */
export function text(v: Value | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (v instanceof Ref || v instanceof Unknown) return v.text;
  return undefined;
}

/** A literal number, a reason when unknown, or undefined when absent. */
export function num(v: Value | undefined): number | Unknown | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v instanceof Unknown) return v;
  if (v instanceof Ref) return new Unknown(`'${v.text}' is known only after apply`, v.text);
  return undefined;
}

/** A literal boolean, a reason when unknown, or undefined when absent. */
export function bool(v: Value | undefined): boolean | Unknown | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  if (v instanceof Unknown) return v;
  if (v instanceof Ref) return new Unknown(`'${v.text}' is known only after apply`, v.text);
  return undefined;
}

/** A literal string, a reason when unknown, or undefined when absent. */
export function str(v: Value | undefined): string | Unknown | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Unknown) return v;
  if (v instanceof Ref) return new Unknown(`'${v.text}' is known only after apply`, v.text);
  return undefined;
}

/** Tags from `tags_all` (provider default tags merged) or `tags`; unknown values recorded. */
export function tagsOf(r: TfResource, unknowns: Unknowns): Record<string, string> {
  const all = r.attrs.tags_all;
  const v = isObject(all) ? all : r.attrs.tags;
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    unknowns.tags = v instanceof Unknown ? v.reason : `tags '${text(v) ?? "?"}' are known only after apply`;
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string" || typeof x === "number" || typeof x === "boolean") out[k] = String(x);
    else unknowns[`tags.${k}`] = x instanceof Unknown ? x.reason : `tag ${k} is known only after apply`;
  }
  return out;
}

/** Parse a policy argument: a document, null when absent, or a reason when unknown. */
export function policyOf(v: Value | undefined, index: ResourceIndex, from: TfResource): PolicyDocument | null | string {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v === "string") return parsePolicyJson(v);
  if (v instanceof Ref) {
    const t = index.target(from, v);
    if (t && t.type === "aws_iam_policy_document") {
      if (typeof t.attrs.json === "string") return parsePolicyJson(t.attrs.json);
      // A plan defers the document when a statement refers to a resource created later; its statements are still there.
      const built = t.attrs.statement !== undefined ? policyDocumentJson(t.attrs) : undefined;
      if (typeof built === "string") return parsePolicyJson(built);
    }
    return `policy '${v.text}' is known only after apply`;
  }
  if (v instanceof Unknown) return v.reason;
  return "the policy is not a JSON string";
}

/** How a key reference in code resolves: the reference to store, or why it is unknown. */
export type KeyRef = { ref: string | null } | { unknown: string; text: string };

/**
 * Canonicalise a `kms_key_id` value: omitted → null (default key); a reference to an
 * `aws_kms_key` → that key's id; an alias or data source naming `alias/aws/secretsmanager`
 * → that alias (the AWS-managed key); other data sources → their id (key outside the code).
 */
export function keyRef(v: Value | undefined, from: TfResource, index: ResourceIndex): KeyRef {
  if (v === undefined || v === null || v === "") return { ref: null };
  if (typeof v === "string") {
    const alias = index.aliasNamed(v, from.scope);
    if (alias) return aliasTarget(alias, index, v);
    return { ref: v };
  }
  if (v instanceof Unknown) return { unknown: v.reason, text: v.text };
  if (!(v instanceof Ref)) return { unknown: "kms_key_id is not a string", text: "kms_key_id" };
  const t = index.target(from, v);
  if (!t) return { unknown: `'${v.text}' refers to a resource this reader does not model`, text: v.text };
  if (t.type === "aws_kms_key" && t.mode === "managed") return { ref: t.id };
  if (t.type === "aws_kms_alias" && t.mode === "managed") return aliasTarget(t, index, typeof t.attrs.name === "string" ? t.attrs.name : undefined);
  if (t.mode === "data" && (t.type === "aws_kms_key" || t.type === "aws_kms_alias")) {
    const name = t.type === "aws_kms_key" ? t.attrs.key_id : t.attrs.name;
    if (typeof name === "string" && isDefaultAlias(name)) return { ref: DEFAULT_SM_ALIAS };
    if (typeof name === "string" && /^alias\/aws\//.test(name)) return { ref: name };
    return { ref: t.id };
  }
  return { unknown: `'${v.text}' does not name a KMS key`, text: v.text };
}

function aliasTarget(alias: TfResource, index: ResourceIndex, name: string | undefined): KeyRef {
  const target = alias.attrs.target_key_id;
  if (target instanceof Ref) {
    const key = index.target(alias, target);
    if (key && key.type === "aws_kms_key") return { ref: key.id };
  }
  if (name) return { ref: name };
  return { unknown: `alias ${alias.address} has no literal name or target`, text: alias.address };
}

/** `alias/aws/secretsmanager` or its ARN form. */
export function isDefaultAlias(s: string): boolean {
  return s === DEFAULT_SM_ALIAS || /^arn:aws[a-z-]*:kms:[^:]*:\d*:alias\/aws\/secretsmanager$/.test(s);
}
