/**
 * Terraform KMS keys, VPCs with their endpoints, and CloudTrail trails → inventory.
 * Provider defaults are applied where the provider documents them (enable_logging
 * true, vpc_endpoint_type Gateway, private DNS off, key enabled), because Terraform
 * applies them too; anything the code leaves undecided is an unknown, never a default.
 */
import type { KmsKey, Trail, Unknowns, Vpc, VpcEndpoint } from "../../inventory/types";
import { Ref, Unknown } from "./expr";
import { type TfResource, blocks } from "./model";
import { DEFAULT_SM_ALIAS, type ResourceIndex, bool, isDefaultAlias, num, policyOf, str, tagsOf, text } from "./resolve";
import { attrSource } from "./secrets";

/** Keys defined in code (`aws_kms_key`) and keys read by data sources (outside the code). */
export function keysOf(index: ResourceIndex): KmsKey[] {
  const out: KmsKey[] = [];
  const aliases = new Map<string, string[]>();
  for (const r of index.resources) {
    if (r.type !== "aws_kms_alias" || r.mode !== "managed" || typeof r.attrs.name !== "string") continue;
    const t = r.attrs.target_key_id instanceof Ref ? index.target(r, r.attrs.target_key_id) : undefined;
    if (!t) continue;
    const list = aliases.get(t.id);
    if (list) list.push(r.attrs.name); else aliases.set(t.id, [r.attrs.name]);
  }
  for (const r of index.resources) {
    if (r.type === "aws_kms_key" && r.mode === "managed") out.push(codeKey(r, index, aliases.get(r.id) ?? []));
    else if ((r.type === "aws_kms_key" || r.type === "aws_kms_alias") && r.mode === "data") {
      const k = dataKey(r);
      if (k) out.push(k);
    }
  }
  return out;
}

function codeKey(r: TfResource, index: ResourceIndex, aliases: string[]): KmsKey {
  const unknowns: Unknowns = {};
  const k: KmsKey = { id: r.id, source: r.source, manager: "CUSTOMER", aliases };
  if (r.accountId) k.accountId = r.accountId;
  if (r.region) k.region = r.region;
  if (typeof r.attrs.arn === "string") k.arn = r.attrs.arn;
  if (typeof r.attrs.key_id === "string") k.keyId = r.attrs.key_id;
  if (typeof r.attrs.description === "string") k.description = r.attrs.description;
  const enabled = bool(r.attrs.is_enabled);
  if (enabled instanceof Unknown) unknowns.state = enabled.reason;
  else k.state = enabled === false ? "Disabled" : "Enabled";
  const rot = bool(r.attrs.enable_key_rotation);
  if (rot instanceof Unknown) unknowns.rotationEnabled = rot.reason;
  else k.rotationEnabled = rot ?? false;
  const period = num(r.attrs.rotation_period_in_days);
  if (typeof period === "number") k.rotationPeriodDays = period;
  else if (period instanceof Unknown) unknowns.rotationPeriodDays = period.reason;
  const multi = bool(r.attrs.multi_region);
  if (typeof multi === "boolean") k.multiRegion = multi;
  const p = policyOf(r.attrs.policy, index, r);
  if (typeof p === "string") unknowns.policy = p;
  else if (p) k.policy = p;
  k.attributeSources = { rotationEnabled: attrSource(r, "enable_key_rotation"), state: attrSource(r, "is_enabled") };
  if (Object.keys(unknowns).length) k.unknowns = unknowns;
  return k;
}

/** A key read by `data "aws_kms_key"` / `data "aws_kms_alias"`: it lives outside this code. */
function dataKey(r: TfResource): KmsKey | undefined {
  const name = str(r.type === "aws_kms_key" ? r.attrs.key_id : r.attrs.name);
  if (typeof name === "string" && isDefaultAlias(name)) {
    // The AWS-managed default key is recognised by its alias and analyze/ knows its facts; a plan
    // also shows its real ARN, which a secret's kms_key_id then holds as a plain value.
    const readArn = r.attrs.arn ?? r.attrs.target_key_arn;
    if (typeof readArn !== "string" || !readArn.startsWith("arn:")) return undefined;
    const d: KmsKey = { id: r.id, source: r.source, arn: readArn, aliases: [DEFAULT_SM_ALIAS], manager: "AWS", state: "Enabled", rotationEnabled: true, rotationPeriodDays: 365 };
    if (r.region) d.region = r.region;
    return d;
  }
  const why = `${r.address} reads a key defined outside this configuration`;
  const k: KmsKey = { id: r.id, source: r.source };
  if (r.region) k.region = r.region;
  if (typeof name === "string" && name.startsWith("alias/")) k.aliases = [name];
  // A key id or alias name resolves in the provider's account (the secrets' own); only an ARN can name another account.
  const lookupAccount = typeof name === "string" ? /^arn:aws[a-z-]*:kms:[^:]*:(\d{12}):/.exec(name)?.[1] : undefined;
  if (lookupAccount ?? r.accountId) k.accountId = lookupAccount ?? r.accountId;
  const arn = r.attrs.arn ?? r.attrs.target_key_arn;
  if (typeof arn === "string") k.arn = arn;
  // Plans carry what the data source read: use it when present.
  const manager = r.attrs.key_manager;
  if (manager === "AWS" || manager === "CUSTOMER") k.manager = manager;
  else if (typeof name === "string" && name.startsWith("alias/aws/")) k.manager = "AWS";
  const state = r.attrs.key_state;
  if (typeof state === "string") k.state = state;
  const unknowns: Unknowns = {};
  if (k.manager === undefined) unknowns.manager = why;
  if (k.state === undefined) unknowns.state = why;
  unknowns.rotationEnabled = `${why}; its rotation is not visible to Terraform`;
  k.unknowns = unknowns;
  return k;
}

/** VPCs defined in code with the endpoints that attach to them. */
export function vpcsOf(index: ResourceIndex): Vpc[] {
  const vpcs = new Map<string, Vpc>();
  for (const r of index.resources) {
    if (r.mode !== "managed" || (r.type !== "aws_vpc" && r.type !== "aws_default_vpc")) continue;
    const unknowns: Unknowns = {};
    const v: Vpc = { id: r.id, source: r.source, endpoints: [], isDefault: r.type === "aws_default_vpc" };
    if (r.accountId) v.accountId = r.accountId;
    if (r.region) v.region = r.region;
    if (typeof r.attrs.id === "string") v.vpcId = r.attrs.id;
    if (typeof r.attrs.cidr_block === "string") v.cidr = r.attrs.cidr_block;
    v.tags = tagsOf(r, unknowns);
    if (Object.keys(unknowns).length) v.unknowns = unknowns;
    vpcs.set(r.id, v);
  }
  for (const r of index.resources) {
    if (r.mode !== "managed" || r.type !== "aws_vpc_endpoint") continue;
    const target = index.find(r, r.attrs.vpc_id, ["aws_vpc", "aws_default_vpc"]);
    let vpc = target && typeof target !== "string" ? vpcs.get(target.id) : undefined;
    if (!vpc) {
      // An endpoint in a VPC defined elsewhere: keep it on a VPC named by its expression.
      const name = text(r.attrs.vpc_id) ?? "unknown";
      const id = `${r.scope ? `${r.scope}.` : ""}${name}`;
      vpc = vpcs.get(id);
      if (!vpc) {
        vpc = { id, source: r.source, endpoints: [], unknowns: { isDefault: `VPC '${name}' is defined outside this configuration` } };
        if (r.accountId) vpc.accountId = r.accountId;
        if (r.region) vpc.region = r.region;
        vpcs.set(id, vpc);
      }
    }
    if (r.existence) {
      // An endpoint that may not be created must not count as present.
      vpc.unknowns = { ...(vpc.unknowns ?? {}), endpoints: r.existence };
      continue;
    }
    vpc.endpoints.push(endpointOf(r, index));
  }
  return [...vpcs.values()];
}

function endpointOf(r: TfResource, index: ResourceIndex): VpcEndpoint {
  const unknowns: Unknowns = {};
  const e: VpcEndpoint = { id: r.id, source: r.source };
  const svc = str(r.attrs.service_name);
  if (typeof svc === "string") e.serviceName = svc;
  else if (svc instanceof Unknown) unknowns.serviceName = svc.reason;
  const type = str(r.attrs.vpc_endpoint_type);
  if (type instanceof Unknown) unknowns.type = type.reason;
  else e.type = type ?? "Gateway"; // the provider's default
  const dns = bool(r.attrs.private_dns_enabled);
  if (dns instanceof Unknown) unknowns.privateDns = dns.reason;
  else e.privateDns = dns ?? false;
  const subnets = r.attrs.subnet_ids;
  if (Array.isArray(subnets)) e.subnetIds = subnets.map((s) => text(s) ?? "?");
  if (typeof r.attrs.state === "string") e.state = r.attrs.state;
  const p = policyOf(r.attrs.policy, index, r);
  if (typeof p === "string") unknowns.policy = p;
  else e.policy = p;
  if (Object.keys(unknowns).length) e.unknowns = unknowns;
  return e;
}

/** CloudTrail trails defined in code. */
export function trailsOf(index: ResourceIndex): Trail[] {
  const out: Trail[] = [];
  for (const r of index.resources) {
    if (r.mode !== "managed" || r.type !== "aws_cloudtrail") continue;
    const unknowns: Unknowns = {};
    const name = str(r.attrs.name);
    const t: Trail = { id: r.id, name: typeof name === "string" ? name : r.address, source: r.source };
    if (r.accountId) t.accountId = r.accountId;
    if (r.region) { t.region = r.region; t.homeRegion = r.region; }
    if (typeof r.attrs.arn === "string") t.arn = r.attrs.arn;
    const set = (field: "isMultiRegion" | "isOrganizationTrail" | "logging" | "logFileValidation", attr: string, dflt: boolean) => {
      const b = bool(r.attrs[attr]);
      if (b instanceof Unknown) unknowns[field] = b.reason;
      else t[field] = b ?? dflt;
    };
    set("isMultiRegion", "is_multi_region_trail", false);
    set("isOrganizationTrail", "is_organization_trail", false);
    set("logging", "enable_logging", true);
    // A trail that may not be created may not log: it must not count as a compliant trail.
    if (r.existence) { delete t.logging; unknowns.logging = r.existence; }
    set("logFileValidation", "enable_log_file_validation", false);
    const me = managementEvents(r);
    if (typeof me === "string") unknowns.managementEvents = me;
    else t.managementEvents = me;
    const kms = r.attrs.kms_key_id;
    t.kmsKeyId = kms === undefined || kms === null ? null : text(kms) ?? null;
    const bucket = text(r.attrs.s3_bucket_name);
    if (bucket) t.s3Bucket = bucket;
    t.attributeSources = {
      isMultiRegion: attrSource(r, "is_multi_region_trail"),
      logFileValidation: attrSource(r, "enable_log_file_validation"),
      logging: attrSource(r, "enable_logging"),
    };
    if (Object.keys(unknowns).length) t.unknowns = unknowns;
    out.push(t);
  }
  return out;
}

/** Management events recorded, from event selectors; no selector at all records every management event. */
function managementEvents(r: TfResource): { read: boolean; write: boolean } | string {
  const basic = blocks(r.attrs.event_selector);
  const advanced = blocks(r.attrs.advanced_event_selector);
  if (r.attrs.event_selector instanceof Unknown || r.attrs.advanced_event_selector instanceof Unknown) return "event selectors are not known from the code";
  if (basic.length === 0 && advanced.length === 0) return { read: true, write: true };
  const out = { read: false, write: false };
  for (const s of basic) {
    const include = bool(s.include_management_events);
    const rw = str(s.read_write_type);
    if (include instanceof Unknown || rw instanceof Unknown) return "an event selector is not known from the code";
    if (include === false) continue;
    const kind = rw ?? "All";
    if (kind === "All" || kind === "ReadOnly") out.read = true;
    if (kind === "All" || kind === "WriteOnly") out.write = true;
  }
  for (const s of advanced) {
    const fields = blocks(s.field_selector);
    const eq = (field: string): unknown[] | undefined => {
      const f = fields.find((x) => x.field === field);
      return f && Array.isArray(f.equals) ? f.equals : undefined;
    };
    if (!(eq("eventCategory") ?? []).includes("Management")) continue;
    const ro = eq("readOnly");
    if (!ro || ro.includes("true")) out.read = true;
    if (!ro || ro.includes("false")) out.write = true;
  }
  return out;
}
