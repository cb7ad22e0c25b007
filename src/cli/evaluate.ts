/**
 * `sm-audit evaluate <snapshot.json>`: run the rules over a snapshot and print or write
 * the findings. Exit codes: 0 clean; 1 failing findings at or above --fail-on (with
 * --baseline only new ones count); 2 usage or input error; 3 coverage gaps.
 *
 * Gaps and failures together: exit 1 wins (the failures are certain), and a line says
 * that the result is also incomplete. Exit 3 only when nothing fails at or above the level.
 */
import { findingsOf } from "../findings/rows";
import { resolve } from "node:path";
import { readFindings, serializeFindings, writeFindings } from "../findings/io";
import { renderTable } from "../findings/render";
import { loadSuppressions } from "../findings/suppressions";
import { SEVERITIES, type FindingsFile, type Severity } from "../findings/types";
import { readSnapshot } from "../inventory/io";
import type { Snapshot } from "../inventory/types";
import { evaluate } from "../policy/evaluate";
import { EXIT, UserError } from "../util/errors";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";
import { loadPolicyInputs, parseFailOn } from "./policy-inputs";

const SPECS = {
  rules: { type: "list", help: "extra rule directories (repeatable, comma-separated)" },
  config: { type: "string", help: "sm-audit.yaml (default: ./sm-audit.yaml when present)" },
  suppressions: { type: "string", help: "suppressions YAML file (default: the config's 'suppressions')" },
  baseline: { type: "string", help: "earlier findings JSON: only new failing findings count for the exit code" },
  format: { type: "string", help: "table | json (stdout)", default: "table" },
  out: { type: "string", help: "also write the findings JSON to this file" },
  "fail-on": { type: "string", help: "critical | high | medium | low | info | none (default high)" },
  "allow-gaps": { type: "boolean", help: "do not exit 3 when coverage gaps make the result incomplete" },
  "as-of": { type: "string", help: "reference time for ages (ISO-8601; default: the snapshot's generatedAt)" },
  projected: { type: "string", help: "remediation plan JSON: evaluate the snapshot as it would be after the plan" },
  color: { type: "boolean", help: "colour the table (default: when stdout is a terminal)" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit evaluate <snapshot.json> [options]";
const DESCRIPTION = "Evaluate the rules against a snapshot. Exit 0 clean, 1 failing findings at or above --fail-on, 2 input error, 3 coverage gaps (incomplete).";

/** Failing findings at or above `failOn` (only `new` ones when a baseline was applied). */
export function countBlocking(file: FindingsFile, failOn: Severity | "none"): number {
  if (failOn === "none") return 0;
  const max = SEVERITIES.indexOf(failOn);
  const withBaseline = file.fixed !== undefined;
  let n = 0;
  for (const f of findingsOf(file, ["fail"])) {
    if (SEVERITIES.indexOf(f.severity) <= max && (!withBaseline || f.baseline === "new")) n++;
  }
  return n;
}

/** The exit code for a findings file (see the module comment). */
export function exitCodeFor(file: FindingsFile, failOn: Severity | "none", allowGaps: boolean): number {
  if (countBlocking(file, failOn) > 0) return EXIT.FINDINGS;
  if (file.coverageGaps.length && !allowGaps) return EXIT.GAPS;
  return EXIT.OK;
}

/** The `evaluate` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "evaluate");
  if (flags.help) {
    io.out(helpText(USAGE, DESCRIPTION, SPECS));
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UserError(`expected one snapshot file, got ${positionals.length} (usage: ${USAGE})`);
  if (flags.format !== "table" && flags.format !== "json") throw new UserError(`--format expects table or json, got '${flags.format}'`);
  const at = (p: string): string => resolve(io.cwd, p);
  // A bad --fail-on is reported before a bad --as-of (loadPolicyInputs checks it again, cheaply).
  parseFailOn(flags["fail-on"]);
  const asOf = flags["as-of"];
  if (asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(asOf) || Number.isNaN(Date.parse(asOf)))) {
    throw new UserError(`--as-of expects an ISO-8601 date, got '${asOf}'`);
  }
  const { rules, config, failOn } = loadPolicyInputs(io, flags);
  const snapshotFile = at(positionals[0]);
  let snapshot: Snapshot = readSnapshot(snapshotFile);
  if (flags.projected) snapshot = await project(snapshot, at(flags.projected));
  const suppressionsFile = flags.suppressions ? at(flags.suppressions) : config.suppressions;
  const suppressions = suppressionsFile ? loadSuppressions(suppressionsFile) : undefined;
  const baseline = flags.baseline ? readFindings(at(flags.baseline)) : undefined;

  const findings = evaluate(snapshot, { rules, config, suppressions, baseline, asOf, snapshotFile });
  if (flags.out) writeFindings(at(flags.out), findings);
  if (flags.format === "json") serializeFindings(findings, (chunk) => io.out(chunk));
  else io.out(renderTable(findings, { color: flags.color }));

  const code = exitCodeFor(findings, failOn, flags["allow-gaps"]);
  if (findings.coverageGaps.length && !flags["allow-gaps"]) {
    io.err(`sm-audit evaluate: the result is incomplete: ${findings.coverageGaps.length} coverage gap(s)${code === EXIT.FINDINGS ? " (exit 1 for failing findings takes precedence over exit 3)" : ""}`);
  }
  return code;
};

/** Apply a remediation plan to the snapshot (the projected state), loaded only when asked for. */
async function project(snapshot: Snapshot, planFile: string): Promise<Snapshot> {
  const [{ readPlan }, { projectSnapshot }] = await Promise.all([import("../remediate/validate.js"), import("../remediate/project.js")]);
  return projectSnapshot(snapshot, readPlan(planFile));
}
