/**
 * Reading and writing snapshot files: JSON validated against snapshot.schema.json,
 * errors naming file, line and field, schema-version checks, atomic writes.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { UserError } from "../util/errors";
import { parseJsonText, readTextFile, writeJsonAtomic } from "../util/fs";
import { TOOL } from "../version";
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot, type SnapshotSource } from "./types";
import snapshotSchema from "./snapshot.schema.json";

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    validator = ajv.compile(snapshotSchema);
  }
  return validator;
}

/** Read, parse and validate a snapshot file. */
export function readSnapshot(path: string): Snapshot {
  const text = readTextFile(path);
  const value = parseJsonText(text, path);
  return validateSnapshot(value, path, text);
}

/**
 * Check that `value` is a snapshot this version can read: a schema version of a known
 * major, and the shape of snapshot.schema.json. `text` (the JSON source) gives lines.
 */
export function validateSnapshot(value: unknown, file: string, text?: string): Snapshot {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UserError("expected a JSON object (a snapshot)", { file, line: 1 });
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version !== "string" || !/^\d+\.\d+$/.test(version)) {
    throw new UserError(`expected a string "major.minor", got ${JSON.stringify(version)}`, {
      file, line: lineOfPointer(text, ["schemaVersion"]), field: "schemaVersion",
    });
  }
  const major = Number(version.split(".")[0]);
  const ours = Number(SNAPSHOT_SCHEMA_VERSION.split(".")[0]);
  if (major > ours) {
    throw new UserError(`snapshot format ${version} is newer than this sm-audit reads (${SNAPSHOT_SCHEMA_VERSION}); upgrade sm-audit`, {
      file, line: lineOfPointer(text, ["schemaVersion"]), field: "schemaVersion",
    });
  }
  if (major < 1) {
    throw new UserError(`snapshot format ${version} is older than the oldest this sm-audit reads (1.0)`, { file, field: "schemaVersion" });
  }
  const validate = compiled();
  if (!validate(value)) {
    const err = pickError(validate.errors ?? []);
    const segs = err ? pointerSegments(err.instancePath) : [];
    throw new UserError(err ? describe(err) : "does not match the snapshot schema", {
      file, line: lineOfPointer(text, segs), field: segs.length ? segs.join(".") : undefined,
    });
  }
  return value as Snapshot;
}

/** Write a snapshot atomically. */
export function writeSnapshot(path: string, snap: Snapshot): void {
  writeJsonAtomic(path, snap);
}

/** A snapshot with no resources, stamped with this tool and the current schema version. */
export function emptySnapshot(source: SnapshotSource, generatedAt: string = new Date().toISOString()): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt,
    source,
    accounts: [],
    secrets: [],
    kmsKeys: [],
    vpcs: [],
    trails: [],
    reads: [],
    coverage: [],
  };
}

/** The most specific error: the deepest path, skipping the summaries of oneOf/anyOf. */
function pickError(errors: ErrorObject[]): ErrorObject | undefined {
  const real = errors.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "allOf");
  const pool = real.length ? real : errors;
  return pool.reduce<ErrorObject | undefined>((best, e) => (!best || e.instancePath.length > best.instancePath.length ? e : best), undefined);
}

const TYPE_NAMES: Record<string, string> = { object: "an object", array: "a list", string: "a string", number: "a number", boolean: "true or false", integer: "an integer", null: "null" };

function describe(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "required": return `missing required field '${String(p.missingProperty)}'`;
    case "type": return `expected ${String(p.type).split(",").map((t) => TYPE_NAMES[t] ?? t).join(" or ")}`;
    case "enum": return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const": return `expected ${JSON.stringify(p.allowedValue)}`;
    default: return err.message ?? `fails ${err.keyword}`;
  }
}

function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Best-effort line of a JSON pointer in `text`: a light scan, only done on the error path. */
export function lineOfPointer(text: string | undefined, segs: ReadonlyArray<string | number>): number | undefined {
  if (text === undefined) return undefined;
  let pos = 0;
  const skipWs = (): void => { while (pos < text.length && /\s/.test(text[pos])) pos++; };
  const skipString = (): string => {
    const start = ++pos;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    const raw = text.slice(start, pos++);
    try { return JSON.parse(`"${raw}"`) as string; } catch { return raw; }
  };
  const skipValue = (): void => {
    skipWs();
    const c = text[pos];
    if (c === '"') { skipString(); return; }
    if (c === "{" || c === "[") {
      let depth = 0;
      while (pos < text.length) {
        const ch = text[pos];
        if (ch === '"') { skipString(); continue; }
        if (ch === "{" || ch === "[") depth++;
        if (ch === "}" || ch === "]") { depth--; if (depth === 0) { pos++; return; } }
        pos++;
      }
      return;
    }
    while (pos < text.length && !/[,}\]\s]/.test(text[pos])) pos++;
  };
  const lineAt = (offset: number): number => {
    let n = 1;
    for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  };
  let found = 0;
  for (const seg of segs) {
    skipWs();
    if (text[pos] === "{") {
      pos++;
      let hit = false;
      for (;;) {
        skipWs();
        if (text[pos] !== '"') break;
        const keyAt = pos;
        const key = skipString();
        skipWs();
        pos++; // ':'
        if (key === String(seg)) { found = keyAt; hit = true; break; }
        skipValue();
        skipWs();
        if (text[pos] === ",") pos++;
      }
      if (!hit) break;
    } else if (text[pos] === "[") {
      pos++;
      const want = Number(seg);
      for (let i = 0; i < want; i++) { skipValue(); skipWs(); if (text[pos] === ",") pos++; }
      skipWs();
      found = pos;
    } else {
      break;
    }
  }
  return lineAt(found);
}
