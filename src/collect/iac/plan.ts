/**
 * `terraform show -json` plan → Terraform resources. Values come from `planned_values`
 * (root and child modules), data sources from `prior_state`; `resource_changes`
 * supplies `after_unknown`, and an unknown argument is resolved through
 * `configuration` (`expressions.*.references`, followed across module calls) to the
 * resource it refers to, or recorded as "known after apply". A plan has no line
 * numbers: sources name the plan file and the address.
 */
import { UserError } from "../../util/errors";
import { type Value, Ref, Unknown } from "./expr";
import type { TfModel, TfResource } from "./model";
import { LITERAL_ATTRS } from "./config";

type Json = Record<string, unknown>;

interface PlanResource {
  address: string;
  mode?: string;
  type?: string;
  name?: string;
  index?: unknown;
  values?: Json;
}

interface ConfigResource {
  expressions?: Json;
  provider_config_key?: string;
}

interface ModuleCall {
  /** Module prefix of the caller (`""` for root). */
  parent: string;
  expressions: Json;
  outputs: Json;
}

/** Plan `format_version`s this reader understands (0.x and 1.x). */
export const SUPPORTED_PLAN_FORMAT = /^[01]\.\d+$/;

/** True when a parsed JSON value has the documented top-level keys of a plan. */
export function looksLikePlan(v: unknown): boolean {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Json;
  return typeof o.format_version === "string" && (typeof o.planned_values === "object" || Array.isArray(o.resource_changes));
}

/** Remove instance keys (`[0]`, `["a"]`) so an address matches its configuration. */
function configKey(address: string): string {
  return address.includes("[") ? address.replace(/\[[^\]]*\]/g, "") : address;
}

function modulePrefix(address: string): string {
  if (!address.startsWith("module.")) return "";
  const parts = address.split(".");
  const out: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    if (parts[i] !== "module") break;
    out.push(`module.${parts[i + 1]}`);
  }
  return out.join(".");
}

/** Turn a parsed plan into resources; `file` names the plan in sources and errors. */
export function readPlanJson(plan: unknown, file: string): TfModel {
  if (!looksLikePlan(plan)) throw new UserError("not a Terraform plan: expected format_version and planned_values or resource_changes", { file });
  const p = plan as Json;
  const fv = p.format_version as string;
  if (!SUPPORTED_PLAN_FORMAT.test(fv)) throw new UserError(`unsupported plan format_version "${fv}" (supported: 0.x and 1.x)`, { file, field: "format_version" });

  const config = new Map<string, ConfigResource>();
  const calls = new Map<string, ModuleCall>();
  const providers = new Map<string, string>();
  const cfg = p.configuration as Json | undefined;
  const hasConfig = !!cfg && typeof cfg === "object";
  if (hasConfig) {
    for (const [key, pc] of Object.entries((cfg.provider_config ?? {}) as Json)) {
      const region = ((pc as Json)?.expressions as Json | undefined)?.region as Json | undefined;
      if (typeof region?.constant_value === "string") providers.set(key, region.constant_value);
    }
    walkConfig(cfg.root_module as Json | undefined, "", config, calls);
  }

  const changes = new Map<string, Json>();
  // The first entry of each address: what a resource only in resource_changes takes its mode/type/name from.
  const firstChange = new Map<string, Json>();
  for (const rc of (Array.isArray(p.resource_changes) ? p.resource_changes : []) as Json[]) {
    if (rc && typeof rc.address === "string" && !firstChange.has(rc.address)) firstChange.set(rc.address, rc);
    if (rc && typeof rc.address === "string" && rc.change && typeof rc.change === "object") changes.set(rc.address, rc.change as Json);
  }

  const seen = new Set<string>();
  const out: TfResource[] = [];
  const providerOf = new Map<TfResource, string>();
  const resolver = new RefResolver(config, calls);
  const add = (r: PlanResource, values: Json) => {
    if (seen.has(r.address) || typeof r.type !== "string" || typeof r.name !== "string") return;
    const change = changes.get(r.address);
    const actions = Array.isArray(change?.actions) ? (change?.actions as string[]) : [];
    if (actions.length === 1 && actions[0] === "delete") return;
    seen.add(r.address);
    const module = modulePrefix(r.address);
    const conf = config.get(configKey(r.address));
    resolver.address = r.address;
    resolver.hasConfig = conf !== undefined;
    const attrs = (convert(values, (change?.after_unknown ?? {}) as Json, conf?.expressions ?? {}, module, resolver, "") ?? {}) as { [k: string]: Value };
    const literal: Record<string, boolean | string> = {};
    for (const a of LITERAL_ATTRS) {
      if (values[a] === undefined || values[a] === null) continue;
      const ex = conf?.expressions?.[a] as Json | undefined;
      literal[a] = !hasConfig || !conf ? "the plan has no configuration section to tell a literal from a variable"
        : ex && "constant_value" in ex ? true
        : ex && Array.isArray(ex.references) ? referenceLiteralness(ex.references)
        : "the plan's configuration does not show this argument's expression";
    }
    const mode = r.mode === "data" ? "data" : "managed";
    const providerKey = conf?.provider_config_key ?? "aws";
    // `module.x:aws.west` in a module's configuration names the root's `aws.west`.
    const provider = providerKey.replace(/^.*:/, "");
    const resource: TfResource = {
      id: r.address,
      address: r.address,
      mode,
      type: r.type,
      name: r.name,
      module,
      attrs,
      source: { kind: "iac", file, address: r.address, module },
      attrLines: {},
      region: providers.size === 0 ? undefined : providers.get(providerKey) ?? providers.get(provider),
      scope: module,
    };
    if (Object.keys(literal).length) resource.literal = literal;
    providerOf.set(resource, provider);
    out.push(resource);
  };

  walkValues(((p.planned_values as Json | undefined)?.root_module) as Json | undefined, (r) => add(r, r.values ?? {}));
  for (const [address, change] of changes) {
    const after = change.after;
    if (after && typeof after === "object" && !seen.has(address)) {
      const rc = firstChange.get(address) ?? {};
      add({ address, mode: rc.mode as string, type: rc.type as string, name: rc.name as string }, after as Json);
    }
  }
  walkValues((((p.prior_state as Json | undefined)?.values as Json | undefined)?.root_module) as Json | undefined, (r) => {
    // Data sources read during planning live only in prior_state.
    if (r.mode === "data") add(r, r.values ?? {});
  });
  assignAccounts(out, providerOf, p, config);
  return { kind: "terraform-plan", input: file, resources: out };
}

const ARN_ACCOUNT = /^arn:aws[a-z-]*:[^:]+:[^:]*:(\d{12}):/;

/**
 * Accounts from known ARNs: a resource with a known ARN is in that ARN's account, and every
 * resource of a provider configuration whose existing resources (planned or prior state) all
 * sit in one account is in it too. Code whose resources are all new shows no account.
 */
function assignAccounts(out: TfResource[], providerOf: Map<TfResource, string>, plan: Json, config: Map<string, ConfigResource>): void {
  const byProvider = new Map<string, Set<string>>();
  const note = (provider: string, arn: unknown) => {
    const account = typeof arn === "string" ? ARN_ACCOUNT.exec(arn)?.[1] : undefined;
    if (!account) return;
    const set = byProvider.get(provider);
    if (set) set.add(account); else byProvider.set(provider, new Set([account]));
  };
  for (const r of out) if (r.mode === "managed") note(providerOf.get(r) ?? "aws", r.attrs.arn);
  walkValues((((plan.prior_state as Json | undefined)?.values as Json | undefined)?.root_module) as Json | undefined, (r) => {
    if (r.mode === "data") return;
    note((config.get(configKey(r.address))?.provider_config_key ?? "aws").replace(/^.*:/, ""), r.values?.arn);
  });
  for (const r of out) {
    const own = r.mode === "managed" && typeof r.attrs.arn === "string" ? ARN_ACCOUNT.exec(r.attrs.arn)?.[1] : undefined;
    const set = byProvider.get(providerOf.get(r) ?? "aws");
    const account = own ?? (set && set.size === 1 ? [...set][0] : undefined);
    if (account) r.accountId = account;
  }
}

/**
 * An argument built from references: not a literal when any reference brings the value from
 * a variable or another resource; unclear when it refers only to locals, module outputs or
 * `each`, whose expressions a plan does not show (they may hold a literal).
 */
function referenceLiteralness(refs: unknown[]): boolean | string {
  const names = refs.filter((r): r is string => typeof r === "string");
  const opaque = names.filter((r) => /^(local|module|each)\./.test(r));
  if (names.length === 0 || opaque.length < names.length) return false;
  return `refers to ${opaque[0]}, whose expression a plan does not show`;
}

function walkValues(mod: Json | undefined, f: (r: PlanResource) => void, depth = 0): void {
  if (!mod || typeof mod !== "object" || depth > 50) return;
  for (const r of (Array.isArray(mod.resources) ? mod.resources : []) as PlanResource[]) if (r && typeof r.address === "string") f(r);
  for (const c of (Array.isArray(mod.child_modules) ? mod.child_modules : []) as Json[]) walkValues(c, f, depth + 1);
}

function walkConfig(mod: Json | undefined, prefix: string, config: Map<string, ConfigResource>, calls: Map<string, ModuleCall>, depth = 0): void {
  if (!mod || typeof mod !== "object" || depth > 50) return;
  for (const r of (Array.isArray(mod.resources) ? mod.resources : []) as Json[]) {
    if (typeof r?.address === "string") config.set(prefix ? `${prefix}.${r.address}` : r.address, r as ConfigResource);
  }
  for (const [name, call] of Object.entries((mod.module_calls ?? {}) as Json)) {
    const c = call as Json;
    const childPrefix = prefix ? `${prefix}.module.${name}` : `module.${name}`;
    const child = c.module as Json | undefined;
    calls.set(childPrefix, { parent: prefix, expressions: (c.expressions ?? {}) as Json, outputs: ((child?.outputs ?? {}) as Json) });
    walkConfig(child, childPrefix, config, calls, depth + 1);
  }
}

/** Resolves configuration references (`aws_kms_key.app.arn`, `var.x` through module calls) to Refs. */
class RefResolver {
  /** Address of the resource being converted (one resolver serves every resource in turn). */
  address = "";
  /** The plan has a configuration entry for this resource, so a missing expression means "not set". */
  hasConfig = false;

  constructor(
    private readonly config: Map<string, ConfigResource>,
    private readonly calls: Map<string, ModuleCall>,
  ) {}

  resolve(expr: Json | undefined, module: string, attr: string, depth = 0): Value {
    const refs = Array.isArray(expr?.references) ? (expr?.references as string[]) : [];
    const text = `${this.address}.${attr}`;
    if (refs.length === 0 || depth > 20) return new Unknown("known after apply", text);
    const ref = refs[0];
    const segs = configKey(ref).split(".");
    if (segs[0] === "var") {
      const call = this.calls.get(module);
      const input = call?.expressions[segs[1]] as Json | undefined;
      if (!call || !input) return new Unknown(`known after apply (${ref})`, ref);
      return this.resolve(input, call.parent, attr, depth + 1);
    }
    if (segs[0] === "module") {
      const childPrefix = module ? `${module}.module.${segs[1]}` : `module.${segs[1]}`;
      const out = (this.calls.get(childPrefix)?.outputs[segs[2]] as Json | undefined)?.expression as Json | undefined;
      return out ? this.resolve(out, childPrefix, attr, depth + 1) : new Unknown(`known after apply (${ref})`, ref);
    }
    if (segs[0] === "local" || segs[0] === "count" || segs[0] === "each" || segs[0] === "path") return new Unknown(`known after apply (${ref})`, ref);
    const isData = segs[0] === "data";
    const local = isData ? segs.slice(0, 3).join(".") : segs.slice(0, 2).join(".");
    const rest = (isData ? segs.slice(3) : segs.slice(2)).join(".");
    const full = module ? `${module}.${local}` : local;
    if (!this.config.has(full)) return new Unknown(`known after apply (${ref})`, ref);
    return new Ref(full, rest, ref);
  }
}

/** Merge known values with after_unknown markers, resolving unknowns through configuration expressions. */
function convert(values: unknown, unknown: unknown, expr: unknown, module: string, resolver: RefResolver, path: string): Value | undefined {
  if (unknown === true) {
    // Computed by the provider and not set in the configuration: absent from the code, not an unknown of it.
    if (resolver.hasConfig && expr === undefined) return undefined;
    return resolver.resolve(expr as Json | undefined, module, path);
  }
  if (Array.isArray(values) || Array.isArray(unknown)) {
    const vs = Array.isArray(values) ? values : [];
    const us = Array.isArray(unknown) ? unknown : [];
    const es = Array.isArray(expr) ? expr : [];
    const n = Math.max(vs.length, us.length);
    return Array.from({ length: n }, (_, i) => convert(vs[i], us[i], es[i] ?? es[0], module, resolver, `${path}[${i}]`) ?? null);
  }
  if ((values && typeof values === "object") || (unknown && typeof unknown === "object")) {
    const vo = (values && typeof values === "object" ? values : {}) as Json;
    const uo = (unknown && typeof unknown === "object" ? unknown : {}) as Json;
    const eo = (expr && typeof expr === "object" && !Array.isArray(expr) ? expr : {}) as Json;
    const o: { [k: string]: Value } = {};
    for (const k in vo) convertKey(o, k, vo[k], uo[k], eo, module, resolver, path);
    for (const k in uo) if (!Object.hasOwn(vo, k)) convertKey(o, k, vo[k], uo[k], eo, module, resolver, path);
    return o;
  }
  if (values === undefined) return null;
  return values as Value;
}

/** One property of `convert`'s object case; plain leaves (most of a plan) are copied without recursion. */
function convertKey(o: { [k: string]: Value }, k: string, v: unknown, u: unknown, eo: Json, module: string, resolver: RefResolver, path: string): void {
  if (v === undefined && u !== true && typeof u !== "object") return;
  if (u !== true && typeof u !== "object" && (v === null || typeof v !== "object")) {
    o[k] = v as Value;
    return;
  }
  const c = convert(v, u, eo[k], module, resolver, path ? `${path}.${k}` : k);
  if (c !== undefined) o[k] = c;
}
