/** sm-audit.yaml: param overrides, trusted accounts, the suppressions file and the fail-on level. */
import { dirname, isAbsolute, resolve } from "node:path";
import { SEVERITIES } from "../findings/types";
import { UserError, UserErrors } from "../util/errors";
import { parseYamlFile } from "../util/yaml";
import { paramKind } from "./condition";
import type { Config, ParamValue, Params, RuleSet } from "./types";

const KEYS = ["params", "trustedAccounts", "suppressions", "failOn"];

/** Read sm-audit.yaml; without a file, the empty config. Paths in it are relative to the file. */
export function loadConfig(file?: string): Config {
  if (!file) return { params: {} };
  const doc = parseYamlFile(file);
  const v = doc.value ?? {};
  const errors: UserError[] = [];
  const err = (path: Array<string | number>, message: string): void => {
    errors.push(new UserError(message, { file, line: doc.lineOf(path), field: path.join(".") || undefined }));
  };
  if (typeof v !== "object" || Array.isArray(v)) throw new UserError("expected a mapping", { file, line: 1 });
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) err([k], `unknown key; expected ${KEYS.join(", ")}`);
  const config: Config = { file, params: {}, lineOf: doc.lineOf };
  if (o.params !== undefined) {
    if (!o.params || typeof o.params !== "object" || Array.isArray(o.params)) err(["params"], "expected a mapping of rule id -> { param: value }");
    else {
      for (const [rule, ps] of Object.entries(o.params as Record<string, unknown>)) {
        if (!ps || typeof ps !== "object" || Array.isArray(ps)) err(["params", rule], "expected a mapping of param -> value");
        else config.params[rule] = ps as Params;
      }
    }
  }
  if (o.trustedAccounts !== undefined) {
    const t = o.trustedAccounts;
    if (!Array.isArray(t)) err(["trustedAccounts"], "expected a list of 12-digit account ids");
    else {
      t.forEach((a, i) => {
        if (!/^\d{12}$/.test(String(a))) err(["trustedAccounts", i], `expected a 12-digit account id, got ${JSON.stringify(a)}`);
      });
      config.trustedAccounts = t.map(String);
    }
  }
  if (o.suppressions !== undefined) {
    if (typeof o.suppressions !== "string") err(["suppressions"], "expected a file path");
    else config.suppressions = isAbsolute(o.suppressions) ? o.suppressions : resolve(dirname(file), o.suppressions);
  }
  if (o.failOn !== undefined) {
    if (![...SEVERITIES, "none"].includes(o.failOn as string)) err(["failOn"], `expected one of ${[...SEVERITIES, "none"].join(", ")}`);
    else config.failOn = o.failOn as Config["failOn"];
  }
  if (errors.length) throw new UserErrors(errors);
  return config;
}

/**
 * Effective params of every rule: defaults, then `trustedAccounts` (for rules that
 * declare it), then per-rule overrides. Unknown rules, unknown params and type
 * mismatches are errors naming the config file and line.
 */
export function effectiveParams(rules: RuleSet, config: Config = { params: {} }): Map<string, Params> {
  const errors: UserError[] = [];
  const at = (path: Array<string | number>): UserError["location"] => ({ file: config.file, line: config.lineOf?.(path), field: path.join(".") });
  const out = new Map<string, Params>();
  for (const rule of rules.rules) {
    const defaults = rule.def.params ?? {};
    const params: Params = { ...defaults };
    if (config.trustedAccounts && Object.hasOwn(defaults, "trustedAccounts")) params.trustedAccounts = config.trustedAccounts;
    const overrides = config.params[rule.def.id] ?? {};
    for (const [k, value] of Object.entries(overrides)) {
      if (!Object.hasOwn(defaults, k)) {
        errors.push(new UserError(`rule ${rule.def.id} has no param '${k}'; declared: ${Object.keys(defaults).join(", ") || "(none)"}`, at(["params", rule.def.id, k])));
        continue;
      }
      const want = paramKind(defaults[k]);
      const got = paramKind(value as ParamValue);
      if (want !== got) {
        errors.push(new UserError(`expected a ${want} like the default ${JSON.stringify(defaults[k])}, got ${JSON.stringify(value)}`, at(["params", rule.def.id, k])));
        continue;
      }
      params[k] = value as ParamValue;
    }
    out.set(rule.def.id, params);
  }
  for (const id of Object.keys(config.params)) {
    if (!rules.byId.has(id)) errors.push(new UserError(`no rule with id '${id}'`, at(["params", id])));
  }
  if (errors.length) throw new UserErrors(errors);
  return out;
}
