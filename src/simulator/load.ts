/**
 * Loads and validates estate files: YAML with line numbers, the JSON Schema (ajv), then the
 * semantic checks. Every problem is reported as `file:line: field: message`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { UserError } from "../util/errors";
import { parseYamlFile, parseYamlText, type ParsedYaml } from "../util/yaml";
import { checkEstate, type Path, type Problem } from "./check";
import type { Estate } from "./estate";
import schema from "./estate.schema.json";

/** One problem in an estate. */
export interface EstateIssue {
  file: string;
  line?: number;
  /** Dotted path of the offending field, e.g. `accounts[1].regions.us-east-1.secrets[3].kmsKey`. */
  field: string;
  message: string;
}

/** An invalid estate: names the file, line and field of the first problem and lists all of them. */
export class EstateError extends UserError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string;
  readonly issues: EstateIssue[];

  constructor(issues: EstateIssue[]) {
    const first = issues[0] as EstateIssue;
    super(first.message, { file: first.file, line: first.line, field: first.field });
    this.name = "EstateError";
    this.file = first.file;
    this.line = first.line;
    this.field = first.field;
    this.issues = issues;
    this.message = issues.map(formatIssue).join("\n");
  }

  /** One line per problem. */
  override format(): string {
    return this.message;
  }
}

function formatIssue(i: EstateIssue): string {
  return `${i.file}${i.line ? `:${i.line}` : ""}: ${i.field || "(root)"}: ${i.message}`;
}

/** Estates built by generateEstate: valid by construction (tested), so startSimulator skips re-validating 100k secrets. */
const trusted = new WeakSet<object>();

/** Mark an estate as valid by construction. */
export function markValid<T extends object>(estate: T): T {
  trusted.add(estate);
  return estate;
}

/** True for estates marked by `markValid`. */
export function isMarkedValid(estate: object): boolean {
  return trusted.has(estate);
}

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!validator) validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validator;
}

/** Read and validate an estate YAML file. */
export function loadEstate(file: string): Estate {
  let parsed: ParsedYaml;
  try {
    parsed = parseYamlFile(file);
  } catch (err) {
    throw asEstateError(err, file);
  }
  return validateEstate(parsed.value, file, (p) => parsed.lineOf(p));
}

/** Validate estate YAML text (`file` names it in messages). */
export function parseEstate(text: string, file = "<estate>"): Estate {
  let parsed: ParsedYaml;
  try {
    parsed = parseYamlText(text, file);
  } catch (err) {
    throw asEstateError(err, file);
  }
  return validateEstate(parsed.value, file, (p) => parsed.lineOf(p));
}

function asEstateError(err: unknown, file: string): EstateError {
  if (err instanceof UserError) return new EstateError([{ file, line: err.location.line, field: "", message: err.message }]);
  return new EstateError([{ file, field: "", message: err instanceof Error ? err.message : String(err) }]);
}

/** Validate an estate value (from YAML or built in code); throws EstateError listing every problem. */
export function validateEstate(value: unknown, file = "<estate>", lineOf?: (path: Path) => number | undefined): Estate {
  const validate = schemaValidator();
  const issue = (p: Problem): EstateIssue => ({ file, line: lineOf?.(p.path), field: fieldName(p.path), message: p.message });
  if (!validate(value)) throw new EstateError(schemaProblems(validate.errors ?? [], value).map(issue));
  const estate = value as Estate;
  const problems = checkEstate(estate);
  if (problems.length) throw new EstateError(problems.map(issue));
  return estate;
}

/** `accounts[1].regions.us-east-1.secrets[3]` from path segments. */
export function fieldName(path: Path): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

function pointerPath(pointer: string): Path {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const seg of path) v = v && typeof v === "object" ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/** Turn ajv errors into one readable problem per field, most specific first. */
function schemaProblems(errors: ErrorObject[], root: unknown): Problem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const key = e.keyword === "additionalProperties" || e.keyword === "required" ? `${e.instancePath}/${childName(e)}` : e.instancePath;
    const list = byPath.get(key);
    if (list) list.push(e);
    else byPath.set(key, [e]);
  }
  // Every path that has another error below it, found in one pass over the ancestors of each path.
  const hasDeeper = new Set<string>();
  for (const k of byPath.keys()) {
    for (let i = k.lastIndexOf("/"); i >= 0; i = k.lastIndexOf("/", i - 1)) {
      hasDeeper.add(k.slice(0, i));
      if (i === 0) break;
    }
  }
  const problems: Problem[] = [];
  for (const [key, errs] of byPath) {
    // A oneOf/anyOf failure with a more specific error below it adds nothing.
    const deeper = hasDeeper.has(key);
    const specific = errs.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "if");
    if (deeper && specific.every((e) => e.keyword === "type")) continue;
    const path = pointerPath(key);
    problems.push({ path, message: describe(specific.length ? specific : errs, valueAt(root, path)) });
  }
  return problems;
}

function childName(e: ErrorObject): string {
  const p = e.params as { additionalProperty?: string; missingProperty?: string };
  return (p.additionalProperty ?? p.missingProperty ?? "").replace(/~/g, "~0").replace(/\//g, "~1");
}

function describe(errs: ErrorObject[], value: unknown): string {
  const types = errs.filter((e) => e.keyword === "type").map((e) => String((e.params as { type: string | string[] }).type));
  if (types.length) {
    const hint = typeof value === "number" && /^\d{12}$/.test(String(value)) ? " (quote account ids: '111122223333')" : "";
    return `must be ${[...new Set(types)].join(" or ")}, not ${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value}${hint}`;
  }
  const e = errs[0] as ErrorObject;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown field "${String(params.additionalProperty)}"`;
    case "required":
      return "is required";
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, not ${JSON.stringify(value)}`;
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case "pattern":
      if (e.schemaPath.includes("/date/")) return `not a date: ${JSON.stringify(value)} (ISO-8601 like 2026-01-31, or relative to the clock like -30d, +7d, now)`;
      if (e.schemaPath.includes("/accountId/")) return `must be a 12-digit account id, not ${JSON.stringify(value)}`;
      return `${JSON.stringify(value)} does not have the expected form (${String(params.pattern)})`;
    default:
      return e.message ?? "is invalid";
  }
}
