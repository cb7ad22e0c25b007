/**
 * Evidence bundles: a directory holding the snapshot, the findings and the reports, plus
 * manifest.json with the SHA-256 of every file, the tool version, the rules digest and the
 * time. `verifyBundle` recomputes every hash and names each file that differs.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { UserError } from "../util/errors";
import { readJsonFile, writeJsonAtomic } from "../util/fs";
import { TOOL } from "../version";
import { sha256File } from "../util/hash";

/** Name of the manifest inside a bundle. */
export const MANIFEST = "manifest.json";
export const BUNDLE_SCHEMA_VERSION = "1.0";

export interface ManifestEntry {
  /** Path relative to the bundle, with `/` separators. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface BundleManifest {
  schemaVersion: string;
  tool: { name: string; version: string };
  createdAt: string;
  rulesDigest: string;
  snapshotGeneratedAt?: string;
  findingsGeneratedAt?: string;
  files: ManifestEntry[];
}


/** Every regular file under `dir`, relative, `/`-separated, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** Hash every file of `dir` (except the manifest) and write manifest.json; returns it. */
export function writeManifest(dir: string, meta: { rulesDigest: string; snapshotGeneratedAt?: string; findingsGeneratedAt?: string; createdAt?: string }): BundleManifest {
  const files = listFiles(dir).filter((p) => p !== MANIFEST).map((p) => {
    const full = join(dir, p);
    return { path: p, sha256: sha256File(full), bytes: statSync(full).size };
  });
  const manifest: BundleManifest = {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    createdAt: meta.createdAt ?? new Date().toISOString(),
    rulesDigest: meta.rulesDigest,
    snapshotGeneratedAt: meta.snapshotGeneratedAt,
    findingsGeneratedAt: meta.findingsGeneratedAt,
    files,
  };
  writeJsonAtomic(join(dir, MANIFEST), manifest);
  return manifest;
}

export interface VerifyResult {
  manifest: BundleManifest;
  ok: string[];
  /** Files whose hash or size differs. */
  changed: string[];
  /** Files the manifest lists that are gone. */
  missing: string[];
  /** Files in the bundle the manifest does not list. */
  unexpected: string[];
}

/**
 * Check a bundle against its manifest. A missing or malformed manifest (or bundle directory)
 * is a UserError (exit 2); differences are returned for the caller to report (exit 1).
 */
export function verifyBundle(dir: string): VerifyResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError("bundle directory not found", { file: dir });
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath)) throw new UserError("no manifest.json: not an evidence bundle", { file: manifestPath });
  const manifest = checkManifest(readJsonFile(manifestPath), manifestPath);
  const result: VerifyResult = { manifest, ok: [], changed: [], missing: [], unexpected: [] };
  const listed = new Set<string>();
  for (const e of manifest.files) {
    listed.add(e.path);
    const full = join(dir, ...e.path.split("/"));
    if (!existsSync(full)) { result.missing.push(e.path); continue; }
    let hash: string;
    try {
      hash = sha256File(full);
    } catch (err) {
      throw new UserError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: full });
    }
    if (hash === e.sha256 && statSync(full).size === e.bytes) result.ok.push(e.path);
    else result.changed.push(e.path);
  }
  for (const p of listFiles(dir)) if (p !== MANIFEST && !listed.has(p)) result.unexpected.push(p);
  return result;
}

function checkManifest(v: unknown, file: string): BundleManifest {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new UserError("expected a JSON object", { file });
  const m = v as Partial<BundleManifest>;
  if (typeof m.schemaVersion !== "string") throw new UserError("missing schemaVersion", { file, field: "schemaVersion" });
  if (Number(m.schemaVersion.split(".")[0]) > Number(BUNDLE_SCHEMA_VERSION.split(".")[0])) {
    throw new UserError(`bundle format ${m.schemaVersion} is newer than this sm-audit reads (${BUNDLE_SCHEMA_VERSION})`, { file, field: "schemaVersion" });
  }
  if (!Array.isArray(m.files)) throw new UserError("expected a list", { file, field: "files" });
  m.files.forEach((e, i) => {
    const ok = e && typeof e === "object" && typeof e.path === "string" && /^[0-9a-f]{64}$/.test(String(e.sha256)) && typeof e.bytes === "number";
    if (!ok) throw new UserError("expected { path, sha256 (64 hex), bytes }", { file, field: `files.${i}` });
    // A manifest must not point outside its bundle.
    if (e.path.startsWith("/") || e.path.split("/").includes("..") || e.path.includes("\\")) {
      throw new UserError(`path escapes the bundle: ${e.path}`, { file, field: `files.${i}.path` });
    }
  });
  return m as BundleManifest;
}
