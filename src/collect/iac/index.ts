/**
 * Infrastructure as code → inventory. `readIac` decides the kind of each path
 * explicitly (HCL directory, cdktf synth output, or `terraform show -json` plan),
 * reads it, and normalises the resources into one snapshot with source locations.
 * Anything else is a UserError that says why.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Snapshot, SnapshotSourceKind } from "../../inventory/types";
import { emptySnapshot } from "../../inventory/io";
import { UserError } from "../../util/errors";
import { readTextFile } from "../../util/fs";
import { cdktfStacks, readCdktf } from "./cdktf";
import type { Value } from "./expr";
import { readHclDir, tfDirectories } from "./hcl";
import { parseLargeJson } from "./json";
import { keysOf, trailsOf, vpcsOf } from "./infra";
import type { TfModel } from "./model";
import { looksLikePlan, readPlanJson } from "./plan";
import { ResourceIndex } from "./resolve";
import { literalSecrets, secretsOf } from "./secrets";

export type IacKind = "hcl" | "cdktf" | "terraform-plan";

/** Options of the IaC readers. */
export interface IacOptions {
  /** Snapshot time (defaults to now); fixtures pass a fixed time for stable output. */
  generatedAt?: string;
  /** Root variable values for HCL (override tfvars and defaults). */
  vars?: Record<string, Value>;
  /** Force the kind instead of detecting it. */
  kind?: IacKind;
}

/** What reading one or more paths produced: the snapshot, plus the literals outputs must never show. */
export interface IacResult {
  snapshot: Snapshot;
  /** Literal secret values found in code: for the output scrubber only; never written anywhere. */
  literals: string[];
  kinds: IacKind[];
}

/** Decide the kind of an input path from its documented shape (with the plan JSON already parsed), or say why it is none. */
function detect(path: string): { kind: IacKind; json?: unknown } {
  let st;
  try { st = statSync(path); } catch { throw new UserError("no such file or directory", { file: path }); }
  if (st.isDirectory()) {
    if (existsSync(join(path, "cdk.tf.json")) || existsSync(join(path, "cdktf.out")) || cdktfStacks(path).length > 0 || isCdktfManifest(path)) return { kind: "cdktf" };
    if (tfDirectories(path).size > 0) return { kind: "hcl" };
    const entries = readdirSync(path);
    throw new UserError(entries.length === 0 ? "empty directory: expected .tf files, a cdktf.out directory or a plan JSON file" : "directory holds no .tf files and no cdktf synth output", { file: path });
  }
  if (path.endsWith("cdk.tf.json")) return { kind: "cdktf" };
  if (path.endsWith(".tf")) throw new UserError("give the directory holding .tf files, not one file", { file: path });
  const text = readTextFile(path);
  if (!/^\s*\{/.test(text)) throw new UserError("not a Terraform plan JSON file, HCL directory or cdktf output", { file: path });
  const json = parseLargeJson(text, path);
  if (looksLikePlan(json)) return { kind: "terraform-plan", json };
  throw new UserError("JSON file is not a Terraform plan: expected top-level format_version and planned_values or resource_changes (from 'terraform show -json')", { file: path });
}

function isCdktfManifest(dir: string): boolean {
  const m = join(dir, "manifest.json");
  if (!existsSync(m)) return false;
  try {
    const j = JSON.parse(readTextFile(m)) as { stacks?: unknown };
    return !!j && typeof j.stacks === "object";
  } catch {
    return false;
  }
}

/** Read one path into Terraform resources, the kind decided explicitly. */
export async function readModel(path: string, opts: IacOptions = {}): Promise<TfModel> {
  const found = opts.kind ? { kind: opts.kind, json: undefined } : detect(path);
  if (found.kind === "hcl") return readHclDir(path, { vars: opts.vars });
  if (found.kind === "cdktf") return readCdktf(path);
  return readPlanJson(found.json ?? parseLargeJson(readTextFile(path), path), path);
}

/** Normalise models into one snapshot; resource ids are kept distinct by the readers' prefixes. */
export function modelsToSnapshot(models: TfModel[], generatedAt?: string): IacResult {
  const kinds = [...new Set(models.map((m) => m.kind))];
  const kind: SnapshotSourceKind = kinds.length === 1 ? kinds[0] : "merged";
  const snapshot = emptySnapshot({ kind, inputs: models.map((m) => m.input) }, generatedAt);
  const literals: string[] = [];
  const seen = new Set<string>();
  for (const m of models) {
    const index = new ResourceIndex(m.resources);
    const take = <T extends { id: string }>(list: T[], into: T[]) => {
      for (const x of list) {
        if (seen.has(x.id)) throw new UserError(`resource ${x.id} is defined by two inputs; check each input separately`, { file: m.input });
        seen.add(x.id);
        into.push(x);
      }
    };
    take(secretsOf(index), snapshot.secrets);
    take(keysOf(index), snapshot.kmsKeys);
    take(vpcsOf(index), snapshot.vpcs);
    take(trailsOf(index), snapshot.trails);
    literals.push(...literalSecrets(m.resources));
  }
  const regions = new Set<string>();
  for (const r of [...snapshot.secrets, ...snapshot.kmsKeys, ...snapshot.vpcs, ...snapshot.trails]) if (r.region) regions.add(r.region);
  if (regions.size) snapshot.regions = [...regions].sort();
  return { snapshot, literals, kinds };
}

/** Read several paths (each its own kind) into one snapshot with the literals to scrub. */
export async function readIacPaths(paths: string[], opts: IacOptions = {}): Promise<IacResult> {
  const models: TfModel[] = [];
  for (const p of paths) models.push(await readModel(p, opts));
  return modelsToSnapshot(models, opts.generatedAt);
}

/**
 * Read one IaC path (HCL directory, cdktf output, or plan JSON) into a snapshot.
 * Async because the HCL parser (@cdktf/hcl2json) is WebAssembly with an async API.
 */
export async function readIac(path: string, opts: IacOptions = {}): Promise<Snapshot> {
  return (await readIacPaths([path], opts)).snapshot;
}
