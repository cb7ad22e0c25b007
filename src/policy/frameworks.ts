/** Framework files (rules/frameworks/*.yaml): requirements only; the rule index is derived. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../util/errors";
import { parseYamlFile } from "../util/yaml";
import { display } from "./paths";
import type { Framework, Requirement, RequirementKind } from "./types";

/** Framework ids and their files, in display order. */
export const FRAMEWORK_FILES: Record<string, string> = {
  hipaa: "hipaa-security.yaml",
  "pci-dss-4.0": "pci-dss-4.0.yaml",
  fsbp: "fsbp.yaml",
};

const KINDS: Record<string, RequirementKind[]> = {
  hipaa: ["required", "addressable", "standard"],
  "pci-dss-4.0": ["requirement"],
  fsbp: ["control"],
};

/** Load every framework file of `dir`; problems are pushed to `errors`. */
export function loadFrameworks(dir: string, errors: UserError[]): Framework[] {
  const out: Framework[] = [];
  if (!existsSync(dir)) {
    errors.push(new UserError("framework directory not found", { file: dir }));
    return out;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
  for (const [id, name] of Object.entries(FRAMEWORK_FILES)) {
    if (!files.includes(name)) errors.push(new UserError(`missing framework file for '${id}'`, { file: join(dir, name) }));
  }
  for (const name of files) {
    const file = join(dir, name);
    try {
      const fw = loadFramework(file, errors);
      if (fw) out.push(fw);
    } catch (err) {
      if (err instanceof UserError) errors.push(err);
      else throw err;
    }
  }
  const order = Object.keys(FRAMEWORK_FILES);
  return out.sort((a, b) => (order.indexOf(a.id) + 1 || 99) - (order.indexOf(b.id) + 1 || 99) || a.id.localeCompare(b.id));
}

function loadFramework(file: string, errors: UserError[]): Framework | undefined {
  const doc = parseYamlFile(file);
  const v = doc.value as Record<string, unknown> | null;
  const err = (path: Array<string | number>, message: string): void => {
    errors.push(new UserError(message, { file: display(file), line: doc.lineOf(path), field: path.join(".") || undefined }));
  };
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    err([], "expected a mapping with id, title and requirements");
    return undefined;
  }
  for (const k of Object.keys(v)) if (!["id", "title", "version", "requirements"].includes(k)) err([k], "unknown key; expected id, title, version, requirements");
  const id = v.id;
  if (typeof id !== "string" || !Object.hasOwn(FRAMEWORK_FILES, id)) {
    err(["id"], `expected one of ${Object.keys(FRAMEWORK_FILES).join(", ")}`);
    return undefined;
  }
  if (!file.endsWith(FRAMEWORK_FILES[id])) err(["id"], `framework '${id}' belongs in ${FRAMEWORK_FILES[id]}`);
  if (typeof v.title !== "string") err(["title"], "expected a string");
  if (!Array.isArray(v.requirements) || v.requirements.length === 0) {
    err(["requirements"], "expected a non-empty list");
    return undefined;
  }
  const seen = new Set<string>();
  const requirements: Requirement[] = [];
  v.requirements.forEach((r: unknown, i: number) => {
    const at = ["requirements", i];
    if (!r || typeof r !== "object") return err(at, "expected a mapping with id, title, text, kind");
    const req = r as Record<string, unknown>;
    for (const k of Object.keys(req)) if (!["id", "title", "text", "kind"].includes(k)) err([...at, k], "unknown key; expected id, title, text, kind");
    for (const k of ["id", "title", "text"]) if (typeof req[k] !== "string" || req[k] === "") err([...at, k], "expected a non-empty string");
    if (!KINDS[id].includes(req.kind as RequirementKind)) err([...at, "kind"], `expected one of ${KINDS[id].join(", ")}`);
    if (typeof req.id === "string") {
      if (seen.has(req.id)) err([...at, "id"], `duplicate requirement id '${req.id}'`);
      seen.add(req.id);
      requirements.push({ id: req.id, title: String(req.title), text: String(req.text), kind: req.kind as RequirementKind });
    }
  });
  return { id, title: String(v.title), version: v.version === undefined ? undefined : String(v.version), file, requirements, rulesByRequirement: new Map() };
}
