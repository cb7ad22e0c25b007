/**
 * The rule loader: every `rules/<id>/rule.yaml` of the package and of `--rules` dirs,
 * checked against rule.schema.json, compiled once to catch condition errors, linked to
 * the frameworks. All problems of all rules are reported together before evaluation.
 */
import Ajv, { type ErrorObject } from "ajv";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError, UserErrors } from "../util/errors";
import { readTextFile } from "../util/fs";
import { parseYamlText } from "../util/yaml";
import { packageRoot } from "../version";
import { compileCondition, type CompileProblem } from "./condition";
import { loadFrameworks } from "./frameworks";
import { display, formatPath } from "./paths";

export { display, formatPath };
import { templateProblems, titleProblems } from "./messages";
import ruleSchema from "./rule.schema.json";
import type { Framework, LoadedRule, RuleDef, RuleSet } from "./types";

/** The package's own rules directory. */
export function builtinRulesDir(): string {
  return join(packageRoot(), "rules");
}

let schemaValidator: ReturnType<Ajv["compile"]> | undefined;
function validator(): ReturnType<Ajv["compile"]> {
  if (!schemaValidator) schemaValidator = new Ajv({ allErrors: true, strict: false }).compile(ruleSchema);
  return schemaValidator;
}


export interface LoadOptions {
  /** Include the package's rules/ (default true). */
  builtin?: boolean;
  /** Return the sound rules and the problems instead of throwing (the test harness). */
  lenient?: boolean;
}

/**
 * Load the built-in rules plus every rule folder in `dirs`. Throws UserErrors listing
 * every broken rule (file:line: rule: path: problem) when any is broken.
 */
export function loadRules(dirs: string[] = [], opts: LoadOptions = {}): RuleSet {
  const errors: UserError[] = [];
  const builtin = builtinRulesDir();
  const frameworks = loadFrameworks(join(builtin, "frameworks"), errors);
  const all = [...(opts.builtin === false ? [] : [builtin]), ...dirs.map((d) => resolve(d))];
  const roots = all.filter((d, i) => all.indexOf(d) === i);
  const rules: LoadedRule[] = [];
  const byId = new Map<string, LoadedRule>();
  for (const root of roots) {
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      errors.push(new UserError("rules directory not found", { file: root }));
      continue;
    }
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (name === "frameworks" || name.startsWith(".") || !statSync(dir).isDirectory()) continue;
      const rule = loadRuleFolder(dir, frameworks, errors);
      if (!rule) continue;
      const prior = byId.get(rule.def.id);
      if (prior) {
        errors.push(new UserError(`duplicate rule id '${rule.def.id}' (also in ${display(prior.file)})`, { file: display(rule.file), line: rule.lineOf(["id"]), subject: rule.def.id, field: "id" }));
        continue;
      }
      byId.set(rule.def.id, rule);
      rules.push(rule);
    }
  }
  if (errors.length && !opts.lenient) throw new UserErrors(errors);
  rules.sort((a, b) => a.def.id.localeCompare(b.def.id));
  indexFrameworks(frameworks, rules);
  const hash = createHash("sha256");
  for (const r of rules) hash.update(`${r.def.id}\n${r.text}\n`);
  return { rules, byId, frameworks, digest: hash.digest("hex"), dirs: roots, ...(opts.lenient ? { problems: errors } : {}) };
}


/** Load and check one rule folder; problems go to `errors`, the rule is returned only when sound. */
export function loadRuleFolder(dir: string, frameworks: Framework[], errors: UserError[]): LoadedRule | undefined {
  const file = join(dir, "rule.yaml");
  const shown = display(file);
  const folder = dir.split(/[\\/]/).pop() ?? dir;
  if (!existsSync(file)) {
    errors.push(new UserError("missing rule.yaml in rule folder", { file: display(dir), subject: folder }));
    return undefined;
  }
  let text: string;
  let doc: ReturnType<typeof parseYamlText>;
  try {
    text = readTextFile(file, 1024 * 1024);
    doc = parseYamlText(text, shown);
  } catch (err) {
    if (err instanceof UserError) { errors.push(err); return undefined; }
    throw err;
  }
  const value = doc.value as Record<string, unknown> | null;
  const id = value && typeof value === "object" && typeof value.id === "string" ? value.id : folder;
  const before = errors.length;
  const push = (path: Array<string | number>, message: string): void => {
    errors.push(new UserError(message, { file: shown, line: doc.lineOf(path), subject: id, field: path.length ? formatPath(path) : undefined }));
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    push([], "expected a mapping (see docs/rule-format.md)");
    return undefined;
  }
  const validate = validator();
  if (!validate(value)) {
    for (const e of schemaErrors(validate.errors ?? [])) push(e.at, e.message);
  }
  if (typeof value.id === "string" && value.id !== folder) push(["id"], `id '${value.id}' must equal the folder name '${folder}'`);
  const def = value as unknown as RuleDef;
  const params = def.params && typeof def.params === "object" ? def.params : {};
  const problems: CompileProblem[] = [];
  if (def.applies !== undefined) compileCondition(def.applies, params, problems, ["applies"]);
  if (def.assert !== undefined) compileCondition(def.assert, params, problems, ["assert"]);
  for (const p of problems) push(p.at, p.message);
  if (def.messages && typeof def.messages === "object") {
    for (const [k, t] of Object.entries(def.messages)) {
      if (typeof t === "string") for (const m of templateProblems(t, params)) push(["messages", k], m);
    }
  }
  if (typeof def.title === "string") for (const m of titleProblems(def.title, params)) push(["title"], m);
  checkParamRefs(def.remediation?.params, params, ["remediation", "params"], push);
  if (def.controls && typeof def.controls === "object") {
    for (const [fwId, ids] of Object.entries(def.controls)) {
      const fw = frameworks.find((f) => f.id === fwId);
      if (!fw) {
        push(["controls", fwId], `unknown framework '${fwId}'; expected ${frameworks.map((f) => f.id).join(", ")}`);
        continue;
      }
      if (!Array.isArray(ids)) continue;
      ids.forEach((req, i) => {
        if (!fw.requirements.some((r) => r.id === req)) push(["controls", fwId, i], `unknown ${fwId} requirement '${String(req)}'`);
      });
    }
  }
  if (errors.length > before) return undefined;
  return { def, dir, file, text, lineOf: doc.lineOf };
}

function checkParamRefs(v: unknown, params: object, at: Array<string | number>, push: (p: Array<string | number>, m: string) => void): void {
  if (typeof v === "string" && v.startsWith("$params.") && !Object.hasOwn(params, v.slice(8))) push(at, `unknown param '${v.slice(8)}'`);
  else if (Array.isArray(v)) v.forEach((x, i) => checkParamRefs(x, params, [...at, i], push));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) checkParamRefs(x, params, [...at, k], push);
}

/**
 * Turn ajv errors into one message per offending field. Errors inside `applies` and
 * `assert` are left to the condition compiler, whose messages are more precise.
 */
function schemaErrors(errors: ErrorObject[]): Array<{ at: Array<string | number>; message: string }> {
  const out: Array<{ at: Array<string | number>; message: string }> = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const at: Array<string | number> = e.instancePath === "" ? [] : e.instancePath.slice(1).split("/").map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
    if (at[0] === "assert" || at[0] === "applies") continue;
    if (["oneOf", "anyOf", "allOf", "if"].includes(e.keyword)) continue;
    // propertyNames failures (e.g. an unknown framework id) are explained by the controls check.
    if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
    const p = e.params as Record<string, unknown>;
    let message: string;
    switch (e.keyword) {
      case "additionalProperties": at.push(String(p.additionalProperty)); message = "unknown key"; break;
      case "required": message = `missing required field '${String(p.missingProperty)}'`; break;
      case "enum": message = `expected one of ${(p.allowedValues as unknown[]).join(", ")}`; break;
      case "type": message = `expected ${String(p.type).split(",").map((t) => TYPE_NAMES[t] ?? t).join(" or ")}`; break;
      case "propertyNames": continue;
      case "pattern": message = at[0] === "id" ? "expected lower-case words joined by '-'" : `does not match ${String(p.pattern)}`; break;
      default: message = e.message ?? e.keyword;
    }
    const key = `${formatPath(at)}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Alternatives of one field (a scalar or a list) read better as one message.
    const prior = out.find((o) => formatPath(o.at) === formatPath(at) && o.message.startsWith("expected ") && message.startsWith("expected "));
    if (prior && e.keyword === "type") prior.message += ` or ${message.slice(9)}`;
    else out.push({ at, message });
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = { object: "a mapping", array: "a list", string: "a string", number: "a number", boolean: "true or false", integer: "an integer", null: "null" };

function indexFrameworks(frameworks: Framework[], rules: LoadedRule[]): void {
  for (const fw of frameworks) {
    fw.rulesByRequirement = new Map(fw.requirements.map((r) => [r.id, [] as string[]]));
  }
  for (const rule of rules) {
    for (const [fwId, ids] of Object.entries(rule.def.controls)) {
      const fw = frameworks.find((f) => f.id === fwId);
      for (const id of ids) fw?.rulesByRequirement.get(id)?.push(rule.def.id);
    }
  }
}
