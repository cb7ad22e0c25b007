/**
 * Terraform secret resources → inventory secrets: `aws_secretsmanager_secret` with
 * its rotation, policy and version resources folded in. Absent resources mean known
 * absence (no rotation resource → rotation off; no policy → null); arguments the code
 * cannot decide are recorded in `unknowns` with the reason.
 */
import type { IacSource, Replica, Rotation, Secret, Source, Unknowns, ValueInCode } from "../../inventory/types";
import { fingerprint } from "../../util/redact";
import { Ref, Unknown } from "./expr";
import { type TfResource, blocks, firstBlock } from "./model";
import { type ResourceIndex, bool, keyRef, num, policyOf, str, tagsOf, text } from "./resolve";

const SECRET = ["aws_secretsmanager_secret"];

/** Source of one argument: the resource's source with the argument's line. */
export function attrSource(r: TfResource, attr: string): IacSource {
  const line = r.attrLines[attr] ?? r.source.line;
  const s: IacSource = { ...r.source };
  if (line !== undefined) s.line = line;
  else delete s.line;
  return s;
}

interface Attached {
  rotations: Map<string, TfResource>;
  policies: Map<string, TfResource>;
  versions: Map<string, TfResource[]>;
  /** Scope -> why some rotation/policy/version in it targets an unknown secret. */
  unresolved: Map<string, { rotation?: string; policy?: string }>;
  orphanVersions: TfResource[];
}

function attach(index: ResourceIndex): Attached {
  const a: Attached = { rotations: new Map(), policies: new Map(), versions: new Map(), unresolved: new Map(), orphanVersions: [] };
  for (const r of index.resources) {
    if (r.mode !== "managed") continue;
    const kind = r.type === "aws_secretsmanager_secret_rotation" ? "rotation" : r.type === "aws_secretsmanager_secret_policy" ? "policy" : r.type === "aws_secretsmanager_secret_version" ? "version" : undefined;
    if (!kind) continue;
    const target = index.find(r, kind === "policy" ? r.attrs.secret_arn : r.attrs.secret_id, SECRET);
    if (target && typeof target !== "string") {
      if (kind === "rotation") a.rotations.set(target.id, r);
      else if (kind === "policy") a.policies.set(target.id, r);
      else {
        const list = a.versions.get(target.id);
        if (list) list.push(r); else a.versions.set(target.id, [r]);
      }
      continue;
    }
    const why = `${r.address} targets '${text(kind === "policy" ? r.attrs.secret_arn : r.attrs.secret_id) ?? "?"}', which may be this secret${typeof target === "string" ? ` (${target})` : ""}`;
    if (kind === "version") { a.orphanVersions.push(r); continue; }
    const u = a.unresolved.get(r.scope) ?? {};
    u[kind] ??= why;
    a.unresolved.set(r.scope, u);
  }
  return a;
}

/** Build the inventory secrets of one configuration. */
export function secretsOf(index: ResourceIndex): Secret[] {
  const a = attach(index);
  const out: Secret[] = [];
  for (const r of index.resources) {
    if (r.mode !== "managed" || r.type !== "aws_secretsmanager_secret") continue;
    out.push(secretOf(r, index, a));
  }
  for (const v of a.orphanVersions) {
    const values = valuesInCode(v, {});
    if (values.length === 0) continue;
    // A literal secret is a finding even when we cannot tell which secret it belongs to.
    const target = text(v.attrs.secret_id) ?? "?";
    const reason = `${v.address} stores a value into '${target}', a secret not defined in this configuration`;
    out.push({
      id: v.id, name: target, source: v.source, valueInCode: values,
      unknowns: { kmsKeyId: reason, rotation: reason, policy: reason, tags: reason, recoveryWindowDays: reason, replicas: reason },
    });
  }
  return out;
}

function secretOf(r: TfResource, index: ResourceIndex, a: Attached): Secret {
  const unknowns: Unknowns = {};
  const attributeSources: Record<string, Source> = {};
  const name = str(r.attrs.name);
  const prefix = str(r.attrs.name_prefix);
  const s: Secret = {
    id: r.id,
    name: typeof name === "string" ? name : typeof prefix === "string" ? `${prefix}*` : r.address,
    source: r.source,
  };
  if (r.accountId) s.accountId = r.accountId;
  if (typeof r.attrs.arn === "string") s.arn = r.attrs.arn;
  // An existing secret's ARN (plans) names its region even when the provider's region is not literal.
  const arnRegion = s.arn ? /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(s.arn)?.[1] : undefined;
  if (r.region ?? arnRegion) s.region = r.region ?? arnRegion;
  if (typeof r.attrs.description === "string") s.description = r.attrs.description;
  if (name instanceof Unknown && !(typeof prefix === "string")) unknowns.name = name.reason;

  const k = keyRef(r.attrs.kms_key_id, r, index);
  if ("ref" in k) s.kmsKeyId = k.ref;
  else unknowns.kmsKeyId = k.unknown;
  attributeSources.kmsKeyId = attrSource(r, "kms_key_id");

  const replicas: Replica[] = [];
  blocks(r.attrs.replica).forEach((b, i) => {
    const region = str(b.region);
    const rk = keyRef(b.kms_key_id, r, index);
    const rep: Replica = { region: typeof region === "string" ? region : region?.text ?? "unknown", kmsKeyId: "ref" in rk ? rk.ref : rk.text };
    if (region instanceof Unknown) unknowns[`replicas.${i}.region`] = region.reason;
    if (!("ref" in rk)) unknowns[`replicas.${i}.kmsKeyId`] = rk.unknown;
    replicas.push(rep);
  });
  if (r.attrs.replica instanceof Unknown || r.attrs.replica instanceof Ref) unknowns.replicas = `replicas '${text(r.attrs.replica)}' are known only after apply`;
  if (replicas.length) { s.replicas = replicas; attributeSources.replicas = attrSource(r, "replica"); }
  if (s.region && replicas.length) s.primaryRegion = s.region;

  s.tags = tagsOf(r, unknowns);
  attributeSources.tags = attrSource(r, "tags");

  const rw = num(r.attrs.recovery_window_in_days);
  if (typeof rw === "number") s.recoveryWindowDays = rw;
  else if (rw instanceof Unknown) unknowns.recoveryWindowDays = rw.reason;
  attributeSources.recoveryWindowDays = attrSource(r, "recovery_window_in_days");

  const unresolved = a.unresolved.get(r.scope);
  const rot = a.rotations.get(r.id);
  if (rot?.existence) {
    // A rotation that may not be created: rotation is neither on nor off.
    unknowns.rotation = rot.existence;
    attributeSources.rotation = attrSource(rot, "count" in rot.attrLines ? "count" : "for_each");
  } else if (rot) {
    s.rotation = rotationOf(rot, unknowns);
    attributeSources.rotation = rot.source;
  } else if (unresolved?.rotation) {
    unknowns.rotation = unresolved.rotation;
  } else {
    s.rotation = { enabled: false };
  }

  const pol = a.policies.get(r.id);
  const inline = r.attrs.policy;
  if (pol) {
    const p = policyOf(pol.attrs.policy, index, pol);
    if (typeof p === "string") unknowns.policy = `${pol.address}: ${p}`;
    else s.policy = p;
    const bp = bool(pol.attrs.block_public_policy);
    // The provider sends no BlockPublicPolicy when the argument is omitted, and the API then does not block.
    if (bp instanceof Unknown) unknowns.blockPublicPolicy = bp.reason;
    else s.blockPublicPolicy = bp ?? false;
    if (pol.existence) {
      // A policy that may not be attached: the secret may have no policy at all.
      unknowns.policy = pol.existence;
      unknowns.blockPublicPolicy = pol.existence;
      delete s.policy;
      delete s.blockPublicPolicy;
    }
    attributeSources.policy = attrSource(pol, "policy");
    attributeSources.blockPublicPolicy = attrSource(pol, "block_public_policy");
  } else if (inline !== undefined && inline !== null && inline !== "") {
    const p = policyOf(inline, index, r);
    if (typeof p === "string") unknowns.policy = p;
    else s.policy = p;
    attributeSources.policy = attrSource(r, "policy");
  } else if (unresolved?.policy) {
    unknowns.policy = unresolved.policy;
  } else {
    s.policy = null;
  }

  const values: ValueInCode[] = [];
  for (const v of a.versions.get(r.id) ?? []) values.push(...valuesInCode(v, unknowns));
  s.valueInCode = values;

  s.attributeSources = attributeSources;
  if (Object.keys(unknowns).length) s.unknowns = unknowns;
  return s;
}

function rotationOf(rot: TfResource, unknowns: Unknowns): Rotation {
  const out: Rotation = { enabled: true };
  const lambda = text(rot.attrs.rotation_lambda_arn);
  if (lambda) out.lambdaArn = lambda;
  const rules = firstBlock(rot.attrs.rotation_rules);
  if (!rules) {
    unknowns["rotation.afterDays"] = rot.attrs.rotation_rules instanceof Unknown ? rot.attrs.rotation_rules.reason : `${rot.address} has no rotation_rules`;
    return out;
  }
  const days = num(rules.automatically_after_days);
  const sched = str(rules.schedule_expression);
  // The provider computes the argument that was not set (a plan shows it "known after apply"):
  // one known schedule decides the interval.
  if (typeof days === "number") out.afterDays = days;
  if (typeof sched === "string") out.scheduleExpression = sched;
  if (typeof days !== "number" && typeof sched !== "string") {
    if (days instanceof Unknown) unknowns["rotation.afterDays"] = days.reason;
    if (sched instanceof Unknown) unknowns["rotation.scheduleExpression"] = sched.reason;
    if (days === undefined && sched === undefined) unknowns["rotation.afterDays"] = `${rot.address} sets neither automatically_after_days nor schedule_expression`;
  }
  const duration = str(rules.duration);
  if (typeof duration === "string") out.duration = duration;
  return out;
}

/** Literal secret values of a version resource, fingerprinted; the values themselves are dropped here. */
function valuesInCode(v: TfResource, unknowns: Unknowns): ValueInCode[] {
  const out: ValueInCode[] = [];
  for (const [attr, literal] of Object.entries(v.literal ?? {})) {
    if (literal === true) {
      const value = v.attrs[attr];
      const textValue = typeof value === "string" ? value : JSON.stringify(value);
      out.push({ attribute: attr, fingerprint: fingerprint(textValue), source: attrSource(v, attr) });
    } else if (typeof literal === "string") {
      unknowns.valueInCode = `${v.address}.${attr}: ${literal}`;
    }
  }
  return out;
}

/** The literal secret strings of a model, for the output scrubber (never stored in the snapshot). */
export function literalSecrets(resources: TfResource[]): string[] {
  const out: string[] = [];
  for (const r of resources) {
    for (const [attr, literal] of Object.entries(r.literal ?? {})) {
      const v = r.attrs[attr];
      if (literal !== false && typeof v === "string") out.push(v);
    }
  }
  return out;
}
