/**
 * Evaluates a Terraform configuration in JSON form (hcl2json's output for HCL, or
 * cdktf's `cdk.tf.json`) module by module: variables (inputs, tfvars, defaults),
 * simple locals, references between resources, module outputs and local module calls.
 * Whatever the code alone cannot decide becomes an `Unknown` naming the expression.
 */
import type { IacSource } from "../../inventory/types";
import { type Scope, type Value, Ref, Unknown, evalTemplate, firstUnknown, hasUnresolved, index, isObject, traversalText } from "./expr";
import type { TfResource } from "./model";
import { policyDocumentJson } from "./policy-doc";

/** One configuration file: its path (as reported), text (for line numbers) and JSON form. */
export interface ConfigFile {
  file: string;
  text: string;
  json: Record<string, unknown>;
}

/** The files of one module directory. */
export interface ModuleSource {
  dir: string;
  files: ConfigFile[];
}

/** Where a block and its arguments are in a file. */
export interface Located {
  line?: number;
  attrLines: Record<string, number>;
}

/** What the caller supplies: module loading, source locations and root variable values. */
export interface ConfigOptions {
  /** Prefix of every resource id (`stack/` for cdktf, `dir/` for extra HCL roots). */
  idPrefix: string;
  rootVars: Record<string, Value>;
  /** Load a local module (`source = "./modules/x"`); a string return is the reason it cannot be. */
  loadModule(fromDir: string, source: string): ModuleSource | string;
  locate(file: ConfigFile, mode: "managed" | "data", type: string, name: string): Located;
  /** Construct path of a cdktf resource body (its `//` metadata). */
  constructPath?(body: Record<string, unknown>): string | undefined;
}

interface Decl {
  body: Record<string, unknown>;
  file: ConfigFile;
}

/** Arguments whose literal values are secrets (checked by secret-value-not-in-code). */
export const LITERAL_ATTRS = ["secret_string", "secret_binary", "secret_string_wo"];

const META_KEYS = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each", "provisioner", "connection"]);

/** Evaluate the root module and every local module it calls into resources. */
export function evaluateConfig(root: ModuleSource, opts: ConfigOptions): TfResource[] {
  const out: TfResource[] = [];
  const rootScope = new ModuleScope(root, "", (name) => (name in opts.rootVars ? opts.rootVars[name] : undefined), opts, undefined, new Set());
  rootScope.collect(out, 0);
  return out;
}

/** Turn raw JSON (strings may hold templates) into a Value in `scope`. */
export function evalRaw(x: unknown, scope: Scope): Value {
  if (typeof x === "string") return evalTemplate(x, scope);
  if (x === null || typeof x === "number" || typeof x === "boolean") return x;
  if (Array.isArray(x)) return x.map((y) => evalRaw(y, scope));
  if (x && typeof x === "object") {
    const o: { [k: string]: Value } = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) if (k !== "//") o[k] = evalRaw(v, scope);
    return o;
  }
  return null;
}

function single(v: unknown): Record<string, unknown> | undefined {
  const b = Array.isArray(v) ? v[0] : v;
  return b && typeof b === "object" ? (b as Record<string, unknown>) : undefined;
}

/** The declarations of one module's files; read-only once built, so every call of the module shares it. */
class ModuleIndex {
  readonly resources = new Map<string, Decl>();
  readonly data = new Map<string, Decl>();
  readonly variables = new Map<string, Record<string, unknown>>();
  readonly locals = new Map<string, unknown>();
  readonly outputs = new Map<string, unknown>();
  readonly calls = new Map<string, Decl>();
  readonly providers = new Map<string, Record<string, unknown>>();

  constructor(src: ModuleSource) {
    for (const file of src.files) this.index(file);
  }

  private index(file: ConfigFile): void {
    const j = file.json;
    for (const [kind, target] of [["resource", this.resources], ["data", this.data]] as const) {
      const byType = j[kind];
      if (!byType || typeof byType !== "object") continue;
      for (const [type, byName] of Object.entries(byType as Record<string, unknown>)) {
        if (!byName || typeof byName !== "object") continue;
        for (const [name, raw] of Object.entries(byName as Record<string, unknown>)) {
          const body = single(raw);
          if (body) target.set(`${type}.${name}`, { body, file });
        }
      }
    }
    for (const [name, raw] of Object.entries((j.variable ?? {}) as Record<string, unknown>)) this.variables.set(name, single(raw) ?? {});
    const locals = Array.isArray(j.locals) ? j.locals : j.locals ? [j.locals] : [];
    for (const block of locals) for (const [k, v] of Object.entries(block as Record<string, unknown>)) this.locals.set(k, v);
    for (const [name, raw] of Object.entries((j.output ?? {}) as Record<string, unknown>)) this.outputs.set(name, single(raw)?.value);
    for (const [name, raw] of Object.entries((j.module ?? {}) as Record<string, unknown>)) {
      const body = single(raw);
      if (body) this.calls.set(name, { body, file });
    }
    for (const [name, raw] of Object.entries((j.provider ?? {}) as Record<string, unknown>)) {
      for (const body of Array.isArray(raw) ? raw : [raw]) {
        if (!body || typeof body !== "object") continue;
        const alias = (body as Record<string, unknown>).alias;
        this.providers.set(typeof alias === "string" ? `${name}.${alias}` : name, body as Record<string, unknown>);
      }
    }
  }
}

/** A module called many times (one shared module, hundreds of calls) is indexed once per source. */
const moduleIndexes = new WeakMap<ModuleSource, ModuleIndex>();

function moduleIndex(src: ModuleSource): ModuleIndex {
  let idx = moduleIndexes.get(src);
  if (!idx) { idx = new ModuleIndex(src); moduleIndexes.set(src, idx); }
  return idx;
}

/** The bindings of a block's single instance: `each.key`/`each.value` or `count.index`. */
interface Instance {
  each?: { key: Value; value: Value };
  count?: number;
}

class ModuleScope implements Scope {
  /** Instance bindings of the block being evaluated (set only while its arguments are read). */
  private instance: Instance | undefined;
  /** This module's declarations, shared by every call of it. */
  private readonly idx: ModuleIndex;
  private readonly children = new Map<string, ModuleScope | string>();
  /** Provider regions of a root module, once evaluated. */
  private regions: Map<string, string | undefined> | undefined;

  constructor(
    private readonly src: ModuleSource,
    private readonly prefix: string,
    private readonly input: (name: string) => Value | undefined,
    private readonly opts: ConfigOptions,
    private readonly parentProviders: Map<string, string | undefined> | undefined,
    private readonly active: Set<string>,
    private readonly inheritedTags?: { [k: string]: Value },
  ) {
    this.idx = moduleIndex(src);
  }

  private guard(key: string, f: () => Value): Value {
    if (this.active.has(key)) return new Unknown(`${key} refers to itself`, key);
    this.active.add(key);
    try { return f(); } finally { this.active.delete(key); }
  }

  private addr(local: string): string {
    return this.prefix ? `${this.prefix}.${local}` : local;
  }

  /** Resolve a traversal: variables, locals, module outputs, resource and data source attributes. */
  traverse(segs: Array<string | number>, text: string): Value {
    const [root, second, ...rest] = segs;
    const rem = (v: Value, from: Array<string | number>) => from.reduce<Value>((acc, s) => index(acc, s, text), v);
    if (root === "var" && typeof second === "string") return rem(this.variable(second), rest);
    if (root === "local" && typeof second === "string") {
      if (!this.idx.locals.has(second)) return new Unknown(`local.${second} is not declared`, text);
      return rem(this.guard(this.addr(`local.${second}`), () => evalRaw(this.idx.locals.get(second), this)), rest);
    }
    if (root === "module" && typeof second === "string") return rem(this.moduleOutput(second, rest[0], text), rest.slice(1));
    if (root === "data" && typeof second === "string" && typeof rest[0] === "string") {
      return this.attribute("data", second, rest[0], rest.slice(1), text);
    }
    if (root === "each" && this.instance?.each && (second === "key" || second === "value")) return rem(this.instance.each[second], rest);
    if (root === "count" && this.instance?.count !== undefined && second === "index") return rem(this.instance.count, rest);
    if (["count", "each", "self", "path", "terraform"].includes(String(root))) {
      return new Unknown(`'${text}' is not known from the code alone`, text);
    }
    if (typeof root === "string" && typeof second === "string") return this.attribute("managed", root, second, rest, text);
    return new Unknown(`'${text}' is not a reference this reader resolves`, text);
  }

  private variable(name: string): Value {
    const given = this.input(name);
    if (given !== undefined) return given;
    const decl = this.idx.variables.get(name);
    if (!decl) return new Unknown(`var.${name} is not declared`, `var.${name}`);
    if ("default" in decl) return evalRaw(decl.default, this);
    const where = this.prefix ? ` and ${this.prefix} does not set it` : "";
    return new Unknown(`var.${name} has no default${where}`, `var.${name}`);
  }

  private attribute(mode: "managed" | "data", type: string, name: string, rest: Array<string | number>, text: string): Value {
    const decl = (mode === "data" ? this.idx.data : this.idx.resources).get(`${type}.${name}`);
    const local = mode === "data" ? `data.${type}.${name}` : `${type}.${name}`;
    if (!decl) return new Unknown(`${local} is not declared in ${this.prefix || "the root module"}`, text);
    const address = this.addr(local);
    const [attr, ...more] = rest;
    const rem = (v: Value) => more.reduce<Value>((acc, s) => index(acc, s, text), v);
    if (attr === undefined) return new Ref(address, "", text);
    if (mode === "data" && type === "aws_region" && (attr === "name" || attr === "id" || attr === "region") && !("name" in decl.body) && !("region" in decl.body)) {
      const region = this.providerRegions().get(typeof decl.body.provider === "string" ? decl.body.provider.replace(/^\$\{|\}$/g, "") : "aws");
      return region ?? new Unknown(`'${text}' depends on the provider's region, which is not literal`, text);
    }
    if (mode === "data" && type === "aws_iam_policy_document" && (attr === "json" || attr === "minified_json")) {
      return this.guard(address, () => policyDocumentJson(this.evalBody(decl.body)));
    }
    if (typeof attr === "string" && attr in decl.body && !META_KEYS.has(attr)) {
      // Another block's `each`/`count` is its own: evaluate it with that block's single instance, if any.
      return rem(this.withInstance(this.singleInstance(decl.body), () => this.guard(`${address}.${attr}`, () => evalRaw(decl.body[attr], this))));
    }
    return new Ref(address, traversalText([String(attr), ...more]).replace(/^\./, ""), text);
  }

  private moduleOutput(name: string, output: string | number | undefined, text: string): Value {
    const child = this.child(name);
    if (typeof child === "string") return new Unknown(child, text);
    if (typeof output !== "string") return new Unknown(`'${text}' is not a module output reference`, text);
    return child.output(output, text);
  }

  private output(name: string, text: string): Value {
    if (!this.idx.outputs.has(name)) return new Unknown(`${this.prefix} has no output ${name}`, text);
    return this.guard(`${this.prefix}.output.${name}`, () => evalRaw(this.idx.outputs.get(name), this));
  }

  private child(name: string): ModuleScope | string {
    const cached = this.children.get(name);
    if (cached !== undefined) return cached;
    const call = this.idx.calls.get(name);
    let result: ModuleScope | string;
    if (!call) result = `module.${name} is not declared`;
    else {
      const source = call.body.source;
      const loaded = typeof source === "string" ? this.opts.loadModule(this.src.dir, source) : `module.${name} has no literal source`;
      if (typeof loaded === "string") result = loaded;
      else {
        const input = (v: string): Value | undefined => (v in call.body && v !== "source" && v !== "version" && v !== "providers" ? evalRaw(call.body[v], this) : undefined);
        result = new ModuleScope(loaded, this.addr(`module.${name}`), input, this.opts, this.providerRegions(), this.active, this.defaultTags());
      }
    }
    this.children.set(name, result);
    return result;
  }

  /** Literal regions of this module's provider configurations (evaluated once); child modules inherit the root's. */
  private providerRegions(): Map<string, string | undefined> {
    if (this.parentProviders) return this.parentProviders;
    if (!this.regions) {
      // Stored before it is filled: a region that refers to `data.aws_region` sees no region for its own provider (not literal), instead of recursing.
      this.regions = new Map();
      for (const [key, body] of this.idx.providers) {
        const r = evalRaw(body.region, this);
        this.regions.set(key, typeof r === "string" ? r : undefined);
      }
    }
    return this.regions;
  }

  private evalBody(body: Record<string, unknown>): { [k: string]: Value } {
    const o: { [k: string]: Value } = {};
    for (const [k, v] of Object.entries(body)) if (!META_KEYS.has(k)) o[k] = evalRaw(v, this);
    return o;
  }

  /** Append this module's resources (and its local child modules') to `out`. */
  collect(out: TfResource[], depth: number): void {
    const regions = this.providerRegions();
    const defaultTags = this.defaultTags();
    for (const [mode, map] of [["managed", this.idx.resources], ["data", this.idx.data]] as const) {
      for (const [key, decl] of map) {
        const [type, name] = key.split(".");
        const local = mode === "data" ? `data.${key}` : key;
        const address = this.addr(local);
        const existence = this.existence(decl.body, address);
        if (existence === false) continue;
        const attrs = this.withInstance(this.singleInstance(decl.body), () => this.guard(address, () => this.evalBody(decl.body))) as { [k: string]: Value };
        if (mode === "data" && type === "aws_iam_policy_document" && attrs.json === undefined) attrs.json = policyDocumentJson(attrs);
        if (mode === "managed" && defaultTags && "tags" in attrs === false) attrs.tags_all = defaultTags;
        else if (mode === "managed" && defaultTags && isObject(attrs.tags)) attrs.tags_all = { ...defaultTags, ...attrs.tags };
        const literal: Record<string, boolean | string> = {};
        for (const a of LITERAL_ATTRS) if (a in decl.body && decl.body[a] !== null) literal[a] = this.literalness(decl.body[a]);
        const loc = this.opts.locate(decl.file, mode, type, name);
        const providerRef = typeof decl.body.provider === "string" ? decl.body.provider.replace(/^\$\{|\}$/g, "") : "aws";
        const source: IacSource = { kind: "iac", file: decl.file.file, address, module: this.prefix };
        if (loc.line !== undefined) source.line = loc.line;
        const constructPath = this.opts.constructPath?.(decl.body);
        if (constructPath) source.constructPath = constructPath;
        out.push({
          id: this.opts.idPrefix + address,
          address, mode, type, name, module: this.prefix, attrs, source,
          attrLines: loc.attrLines,
          region: regions.get(providerRef),
          scope: this.opts.idPrefix + this.prefix,
          ...(typeof existence === "string" ? { existence } : {}),
          ...(Object.keys(literal).length ? { literal } : {}),
        });
      }
    }
    if (depth > 20) return;
    for (const name of this.idx.calls.keys()) {
      const child = this.child(name);
      if (typeof child !== "string") child.collect(out, depth + 1);
    }
  }

  /** Run `f` with `inst` as the instance bindings of the block being evaluated. */
  private withInstance<T>(inst: Instance | undefined, f: () => T): T {
    const saved = this.instance;
    this.instance = inst;
    try { return f(); } finally { this.instance = saved; }
  }

  /** `each`/`count.index` of a block that creates exactly one instance (so they are known); undefined otherwise. */
  private singleInstance(body: Record<string, unknown>): Instance | undefined {
    if ("count" in body && body.count !== null) {
      const n = this.withInstance(undefined, () => evalRaw(body.count, this));
      return n === 1 || n === "1" ? { count: 0 } : undefined;
    }
    if (!("for_each" in body) || body.for_each === null) return undefined;
    const v = this.withInstance(undefined, () => evalRaw(body.for_each, this));
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === "string") return { each: { key: v[0], value: v[0] } };
    if (isObject(v) && Object.keys(v).length === 1) {
      const [key, value] = Object.entries(v)[0];
      return { each: { key, value } };
    }
    return undefined;
  }

  /**
   * Whether a resource block creates any instance: false for `count = 0` or an empty
   * `for_each` (after evaluating variables, locals and conditionals), true when it
   * does, and a reason naming what it depends on when the code cannot tell.
   */
  private existence(body: Record<string, unknown>, address: string): boolean | string {
    for (const meta of ["count", "for_each"] as const) {
      if (!(meta in body) || body[meta] === null) continue;
      const deps: string[] = [];
      // Record each reference whose value is not known, so the reason names the variable rather than the whole expression.
      const tracing: Scope = {
        traverse: (segs, text) => {
          const v = this.traverse(segs, text);
          if (v instanceof Ref) deps.push(`${text} (known only after apply)`);
          else if (hasUnresolved(v)) deps.push(`${text} (${firstUnknown(v)?.reason ?? "known only after apply"})`);
          return v;
        },
      };
      const v = this.guard(`${address}.${meta}`, () => evalRaw(body[meta], tracing));
      const why = (detail: string) => `${meta} of ${address} ${deps.length ? `depends on ${[...new Set(deps)].join(", ")}` : detail}`;
      if (meta === "count") {
        const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
        if (n !== undefined) return n > 0;
        const u = firstUnknown(v);
        return why(u ? `is not known from the code (${u.reason})` : v instanceof Ref ? `is known only after apply` : "is not a number");
      }
      if (Array.isArray(v)) return v.length > 0;
      if (isObject(v)) return Object.keys(v).length > 0;
      const u = firstUnknown(v);
      return why(u ? `is not known from the code (${u.reason})` : v instanceof Ref ? `is known only after apply` : "is not a map or set");
    }
    return true;
  }

  /**
   * Whether an argument's value is written in the code itself: true for a literal (or
   * a local / jsonencode built only from literals), false when any part comes from a
   * variable, another resource, a data source or a module; a string says why it is unclear.
   */
  private literalness(raw: unknown): boolean | string {
    let tainted = false;
    const scope: Scope = {
      traverse: (segs, text) => {
        if (segs[0] === "local" && typeof segs[1] === "string" && this.idx.locals.has(segs[1])) {
          const key = `literal:local.${segs[1]}`;
          if (this.active.has(key)) return new Unknown("cycle", text);
          this.active.add(key);
          try { return evalRaw(this.idx.locals.get(segs[1]), scope); } finally { this.active.delete(key); }
        }
        tainted = true;
        return new Unknown(`'${text}' is not a literal`, text);
      },
    };
    const v = evalRaw(raw, scope);
    if (tainted) return false;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return true;
    const u = firstUnknown(v);
    return u ? `cannot tell whether the value is written in the code: ${u.reason}` : true;
  }

  /** The root provider's `default_tags`, which Terraform applies to every resource, modules included. */
  private defaultTags(): { [k: string]: Value } | undefined {
    if (this.prefix !== "") return this.inheritedTags;
    const root = this.idx.providers.get("aws");
    const dt = root ? single(root.default_tags) : undefined;
    if (!dt) return undefined;
    const tags = evalRaw(dt.tags, this);
    return isObject(tags) ? tags : undefined;
  }
}
