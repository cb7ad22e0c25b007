/**
 * Loading what the report commands read: a snapshot or a findings file (told apart by
 * `schemaVersion` and the top-level keys), parsed once; snapshots are evaluated with the
 * rule set, the config and its suppressions.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadSuppressions } from "../findings/suppressions";
import { FINDINGS_SCHEMA_VERSION, type FindingsFile } from "../findings/types";
import { validateSnapshot } from "../inventory/io";
import type { Snapshot } from "../inventory/types";
import { loadConfig } from "../policy/config";
import { evaluate } from "../policy/evaluate";
import type { Config, RuleSet } from "../policy/types";
import type { RemediationPlan } from "../remediate/types";
import { UserError } from "../util/errors";
import { parseJsonText, readTextFile } from "../util/fs";

export type LoadedInput = { kind: "snapshot"; snapshot: Snapshot; file: string } | { kind: "findings"; findings: FindingsFile; file: string };

/** Read `file` and decide whether it is a snapshot or a findings file. */
export function readReportInput(file: string): LoadedInput {
  const text = readTextFile(file);
  const value = parseJsonText(text, file);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new UserError("expected a JSON object (a snapshot or a findings file)", { file, line: 1 });
  const o = value as Record<string, unknown>;
  if (typeof o.schemaVersion !== "string") throw new UserError("missing schemaVersion: not a snapshot or findings file", { file, field: "schemaVersion" });
  if (Array.isArray(o.findings) && "rulesDigest" in o) return { kind: "findings", findings: checkFindings(o, file), file };
  if (Array.isArray(o.secrets) || Array.isArray(o.kmsKeys) || Array.isArray(o.coverage)) {
    return { kind: "snapshot", snapshot: validateSnapshot(value, file, text), file };
  }
  throw new UserError("neither a snapshot (secrets, kmsKeys, coverage …) nor a findings file (findings, rulesDigest)", { file, line: 1 });
}

/** The checks of findings/io's readFindings, on an already-parsed value (files can be hundreds of MB: parse once). */
function checkFindings(v: Record<string, unknown>, file: string): FindingsFile {
  const version = String(v.schemaVersion);
  if (!/^\d+\.\d+$/.test(version)) throw new UserError(`expected "major.minor", got ${JSON.stringify(version)}`, { file, field: "schemaVersion" });
  if (Number(version.split(".")[0]) > Number(FINDINGS_SCHEMA_VERSION.split(".")[0])) {
    throw new UserError(`findings format ${version} is newer than this sm-audit reads (${FINDINGS_SCHEMA_VERSION}); upgrade sm-audit`, { file, field: "schemaVersion" });
  }
  const findings = v.findings as unknown[];
  findings.forEach((f, i) => {
    const x = f as Record<string, unknown> | null;
    if (!x || typeof x !== "object" || typeof x.id !== "string" || typeof x.status !== "string" || typeof x.ruleId !== "string") {
      throw new UserError("expected a finding with id, ruleId and status", { file, field: `findings.${i}` });
    }
    if (!["pass", "fail", "unknown", "not_applicable", "suppressed"].includes(x.status)) {
      throw new UserError(`unknown status '${x.status}'`, { file, field: `findings.${i}.status` });
    }
  });
  for (const k of ["coverageGaps", "expiredSuppressions"]) if (v[k] !== undefined && !Array.isArray(v[k])) throw new UserError("expected a list", { file, field: k });
  if (!v.snapshot || typeof v.snapshot !== "object") throw new UserError("missing the evaluated snapshot's metadata", { file, field: "snapshot" });
  return { coverageGaps: [], expiredSuppressions: [], ...v } as unknown as FindingsFile;
}

/** The config file: `--config`, else ./sm-audit.yaml when present. */
export function configFor(cwd: string, flag: string | undefined): Config {
  const def = resolve(cwd, "sm-audit.yaml");
  return loadConfig(flag ? resolve(cwd, flag) : existsSync(def) ? def : undefined);
}

/** Evaluate a snapshot read from `file` with the rule set, the config and the config's suppressions. */
export function evaluateSnapshot(snapshot: Snapshot, file: string, rules: RuleSet, config: Config): FindingsFile {
  const suppressions = config.suppressions ? loadSuppressions(config.suppressions) : undefined;
  return evaluate(snapshot, { rules, config, suppressions, snapshotFile: file });
}

/** Read a remediation plan (remediation/plan.json), checking the fields the cost report reads. */
export function readPlan(file: string): RemediationPlan {
  const v = parseJsonText(readTextFile(file), file) as Partial<RemediationPlan> | null;
  if (!v || typeof v !== "object" || !Array.isArray(v.actions)) throw new UserError("expected a remediation plan with an 'actions' list", { file, field: "actions" });
  v.actions.forEach((a, i) => {
    if (!a || typeof a !== "object" || typeof a.id !== "string" || typeof a.kind !== "string") throw new UserError("expected an action with id and kind", { file, field: `actions.${i}` });
    if (typeof a.monthlyCostDelta !== "number" || !Number.isFinite(a.monthlyCostDelta)) throw new UserError("expected a number", { file, field: `actions.${i}.monthlyCostDelta` });
  });
  return v as RemediationPlan;
}

/** `hipaa|pci|fsbp|all` (comma-separated allowed) -> framework ids; empty = all. */
export function frameworkIds(flag: string | undefined): string[] {
  if (!flag || flag === "all") return [];
  const map: Record<string, string> = { hipaa: "hipaa", pci: "pci-dss-4.0", "pci-dss-4.0": "pci-dss-4.0", fsbp: "fsbp", all: "" };
  const out: string[] = [];
  for (const part of flag.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(part in map)) throw new UserError(`expected hipaa, pci, fsbp or all, got '${part}'`, { field: "--framework" });
    if (part === "all") return [];
    if (!out.includes(map[part])) out.push(map[part]);
  }
  return out;
}
