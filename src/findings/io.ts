/** Reading and writing findings files; large files are written in chunks, atomically. */
import { findingsOf } from "./rows";
import { AtomicStreamWriter } from "../util/atomic-stream";
import { UserError } from "../util/errors";
import { readJsonFile } from "../util/fs";
import { FINDINGS_SCHEMA_VERSION, type FindingsFile } from "./types";

/** Read a findings file, checking its format version and basic shape. */
export function readFindings(path: string): FindingsFile {
  const v = readJsonFile(path) as Partial<FindingsFile> | null;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new UserError("expected a findings file (a JSON object)", { file: path });
  const version = v.schemaVersion;
  if (typeof version !== "string" || !/^\d+\.\d+$/.test(version)) throw new UserError("not a findings file: missing schemaVersion", { file: path, field: "schemaVersion" });
  if (Number(version.split(".")[0]) > Number(FINDINGS_SCHEMA_VERSION.split(".")[0])) {
    throw new UserError(`findings format ${version} is newer than this sm-audit reads (${FINDINGS_SCHEMA_VERSION}); upgrade sm-audit`, { file: path, field: "schemaVersion" });
  }
  if (!Array.isArray(v.findings)) throw new UserError("expected a list", { file: path, field: "findings" });
  v.findings.forEach((f, i) => {
    if (!f || typeof f !== "object" || typeof f.id !== "string" || typeof f.status !== "string" || typeof f.ruleId !== "string") {
      throw new UserError("expected a finding with id, ruleId and status", { file: path, field: `findings.${i}` });
    }
  });
  return v as FindingsFile;
}

/**
 * Serialize a findings file piece by piece (one finding per piece) into `sink`, so that
 * a run over 100,000 secrets never builds one string larger than V8 allows.
 */
export function serializeFindings(f: FindingsFile, sink: (chunk: string) => void): void {
  let buf = "";
  const put = (s: string): void => {
    buf += s;
    if (buf.length > 1 << 20) { sink(buf); buf = ""; }
  };
  // The head without the findings: a columnar file's findings are made one at a time below.
  const head: Record<string, unknown> = {};
  for (const k of Object.keys(f) as Array<keyof FindingsFile>) if (k !== "findings" && k !== "fixed") head[k] = f[k];
  const headText = JSON.stringify(head, null, 2);
  put(headText.slice(0, -2));
  put(',\n  "findings": [');
  let i = 0;
  for (const x of findingsOf(f)) put(`${i++ ? "," : ""}\n    ${JSON.stringify(x)}`);
  put(i ? "\n  ]" : "]");
  const fixed = f.fixed;
  if (fixed) {
    put(',\n  "fixed": [');
    fixed.forEach((x, i) => put(`${i ? "," : ""}\n    ${JSON.stringify(x)}`));
    put(fixed.length ? "\n  ]" : "]");
  }
  put("\n}\n");
  if (buf) sink(buf);
}

/** Write a findings file atomically (temp file, fsync, rename), streamed in chunks. */
export function writeFindings(path: string, f: FindingsFile): void {
  const out = new AtomicStreamWriter(path);
  try {
    serializeFindings(f, (chunk) => out.write(chunk));
  } catch (err) {
    out.abort();
    throw err;
  }
  out.close();
}
