/**
 * What every evaluating command (scan, evaluate, check) reads besides its inputs: the rule
 * set, the config and the fail-on level, loaded and checked the same way for each.
 */
import { resolve } from "node:path";
import { SEVERITIES, type Severity } from "../findings/types";
import { loadRules } from "../policy/loader";
import type { Config, RuleSet } from "../policy/types";
import { configFor } from "../report/inputs";
import { UserError } from "../util/errors";
import type { CliIO } from "./io";

/** What the evaluation stage needs besides the snapshot. */
export interface PolicyInputs {
  rules: RuleSet;
  config: Config;
  failOn: Severity | "none";
}

/** The `--fail-on` flag checked: a severity, `none`, or undefined when not given. */
export function parseFailOn(flag: string | undefined): Severity | "none" | undefined {
  if (flag !== undefined && ![...SEVERITIES, "none"].includes(flag)) {
    throw new UserError(`--fail-on expects one of ${[...SEVERITIES, "none"].join(", ")}, got '${flag}'`);
  }
  return flag as Severity | "none" | undefined;
}

/** Load rules, config (`--config`, else ./sm-audit.yaml when present) and the fail-on level (flag, else config, else high). */
export function loadPolicyInputs(io: CliIO, flags: { rules: string[]; config?: string; "fail-on"?: string }): PolicyInputs {
  const failOnFlag = parseFailOn(flags["fail-on"]);
  const config = configFor(io.cwd, flags.config);
  const rules = loadRules(flags.rules.map((p) => resolve(io.cwd, p)));
  return { rules, config, failOn: failOnFlag ?? config.failOn ?? "high" };
}
