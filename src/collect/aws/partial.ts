/**
 * Checkpoints of an interrupted scan (`scan --out DIR`, then `scan --resume`): each finished
 * account-region is written atomically to `DIR/.partial/<account>-<region>.json`, the account
 * list to `_global.json` and the run's parameters to `_run.json`. A resumed scan skips the
 * units found here and collects only the missing ones.
 */
import { existsSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Account, Coverage, Snapshot } from "../../inventory/types";
import { UserError } from "../../util/errors";
import { readTextFile, writeJsonAtomic } from "../../util/fs";
import type { UnitResult } from "./scan";

const VERSION = 1;
/** Directory of the checkpoints under the output directory. */
export const PARTIAL_DIR = ".partial";

/** The parameters a resumed run must share with the interrupted one. */
export interface RunParams {
  /** Explicit account ids, or `organization` / `caller`. */
  accounts: string[] | "organization" | "caller";
  regions: string[] | "all";
  readsDays: number;
  shard: string | null;
  endpoint: string | null;
  roleName: string | null;
  cloudtrailLake: string | null;
}

/** `_run.json`: the parameters plus the clock of the first run (every unit reads the same window). */
export interface RunFile {
  version: number;
  params: RunParams;
  /** The interrupted run's scan time (ISO): the resumed run reuses it. */
  now: string;
}

/** `_global.json`: the account list the run resolved. */
export interface GlobalPart {
  accounts: Account[];
  organization?: Snapshot["organization"];
  coverage: Coverage[];
}

/** Paths of the checkpoints of `outDir`. */
export function partialDir(outDir: string): string {
  return join(outDir, PARTIAL_DIR);
}

function unitFile(outDir: string, accountId: string, region: string): string {
  return join(partialDir(outDir), `${accountId}-${region}.json`);
}

/** Start a fresh checkpoint directory (an old one from another run is discarded). */
export function startPartial(outDir: string, params: RunParams, now: Date): void {
  rmSync(partialDir(outDir), { recursive: true, force: true });
  writeJsonAtomic(join(partialDir(outDir), "_run.json"), { version: VERSION, params, now: now.toISOString() } satisfies RunFile);
}

/** The interrupted run's `_run.json`, or undefined when there is nothing to resume. */
export function readRunFile(outDir: string): RunFile | undefined {
  const file = join(partialDir(outDir), "_run.json");
  if (!existsSync(file)) return undefined;
  const v = parseOrUndefined(file) as Partial<RunFile> | undefined;
  if (!v || v.version !== VERSION || typeof v.params !== "object" || typeof v.now !== "string" || Number.isNaN(Date.parse(v.now))) {
    throw new UserError("is not a valid checkpoint of an interrupted scan (delete the directory to start over)", { file });
  }
  return v as RunFile;
}

/** Refuse to resume with parameters that differ from the interrupted run, naming each difference. */
export function checkSameRun(file: RunFile, params: RunParams, outDir: string): void {
  const diffs: string[] = [];
  for (const key of Object.keys(params) as Array<keyof RunParams>) {
    const was = JSON.stringify(file.params[key] ?? null);
    const now = JSON.stringify(params[key] ?? null);
    if (was !== now) diffs.push(`${key} was ${was}, now ${now}`);
  }
  if (diffs.length) {
    throw new UserError(`--resume: parameters differ from the interrupted run: ${diffs.join("; ")}`, { file: join(partialDir(outDir), "_run.json") });
  }
}

/** Checkpoint one finished account-region (atomic: a kill leaves either the whole file or none). */
export function writeUnit(outDir: string, accountId: string, region: string, unit: UnitResult): void {
  writeJsonAtomic(unitFile(outDir, accountId, region), { version: VERSION, accountId, region, unit, complete: true });
}

/** Checkpoint the resolved account list. */
export function writeGlobal(outDir: string, part: GlobalPart): void {
  writeJsonAtomic(join(partialDir(outDir), "_global.json"), { version: VERSION, ...part, complete: true });
}

/** The checkpointed account list, or undefined when missing or invalid (then resolved again). */
export function readGlobal(outDir: string): GlobalPart | undefined {
  const file = join(partialDir(outDir), "_global.json");
  if (!existsSync(file)) return undefined;
  const v = parseOrUndefined(file) as (GlobalPart & { version?: number; complete?: boolean }) | undefined;
  if (!v || v.version !== VERSION || v.complete !== true || !Array.isArray(v.accounts) || !Array.isArray(v.coverage)) return undefined;
  if (!v.accounts.every((a) => typeof a?.id === "string")) return undefined;
  return { accounts: v.accounts, coverage: v.coverage, ...(v.organization ? { organization: v.organization } : {}) };
}

/**
 * Every valid unit checkpoint, keyed `accountId/region`. A corrupt, truncated or mismatched
 * file, or one whose unit had a `failed` kind, is deleted and its unit collected again.
 */
export function readUnits(outDir: string): Map<string, UnitResult> {
  const out = new Map<string, UnitResult>();
  const dir = partialDir(outDir);
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const m = /^(\d{12})-([a-z0-9-]+)\.json$/.exec(name);
    if (!m) continue;
    const [, accountId, region] = m as unknown as [string, string, string];
    const file = join(dir, name);
    const unit = validUnit(parseOrUndefined(file), accountId, region);
    if (unit) out.set(`${accountId}/${region}`, unit);
    else unlinkSync(file);
  }
  return out;
}

/** Remove the checkpoints once snapshot.json is written. */
export function removePartial(outDir: string): void {
  rmSync(partialDir(outDir), { recursive: true, force: true });
}

function parseOrUndefined(file: string): unknown {
  try {
    return JSON.parse(readTextFile(file)) as unknown;
  } catch {
    return undefined;
  }
}

const ARRAYS = ["secrets", "keys", "vpcs", "trails", "reads", "coverage"] as const;

/** The unit of a checkpoint when it is complete and belongs to `accountId`/`region`. */
function validUnit(v: unknown, accountId: string, region: string): UnitResult | undefined {
  const f = v as { version?: number; accountId?: string; region?: string; complete?: boolean; unit?: Record<string, unknown> } | undefined;
  if (!f || typeof f !== "object" || f.version !== VERSION || f.complete !== true) return undefined;
  if (f.accountId !== accountId || f.region !== region || !f.unit || typeof f.unit !== "object") return undefined;
  const u = f.unit;
  if (!ARRAYS.every((k) => Array.isArray(u[k]))) return undefined;
  const coverage = u.coverage as Coverage[];
  // A unit always records its kinds' coverage; one without is not a finished unit.
  if (!coverage.length || !coverage.every((c) => c && c.accountId === accountId && c.region === region && typeof c.status === "string")) return undefined;
  // A unit that ended with a failed kind (timeouts, 5xx after retries) gets another chance.
  if (coverage.some((c) => c.status === "failed")) return undefined;
  if (!(u.secrets as Array<{ accountId?: string; region?: string }>).every((s) => s && s.accountId === accountId && s.region === region)) return undefined;
  return u as unknown as UnitResult;
}
