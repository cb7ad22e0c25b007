/**
 * `sm-audit remediate <findings.json|snapshot.json>`: turn failing findings into a
 * remediation plan, CDKTF stacks (synthesized to Terraform JSON) and a README under
 * `<out>/remediation/`. From a snapshot it evaluates the rules first; from a findings
 * file it reads the snapshot given by --snapshot or recorded in the findings file.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { readFindings } from "../findings/io";
import type { FindingsFile } from "../findings/types";
import { readSnapshot } from "../inventory/io";
import { loadRules } from "../policy/loader";
import { loadRemediationConfig } from "../remediate/config";
import { DEFAULT_ROLE_NAME, writeRemediation } from "../remediate/index";
import { ACTION_KINDS } from "../remediate/types";
import { configFor, evaluateSnapshot } from "../report/inputs";
import { loadPricing } from "../report/pricing";
import { EXIT, UserError } from "../util/errors";
import { readJsonFile } from "../util/fs";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";

const SPECS = {
  snapshot: { type: "string", help: "the snapshot the findings came from (default: the one recorded in the findings file)" },
  out: { type: "string", help: "output directory; files go to <out>/remediation/ (default: .)" },
  "role-name": { type: "string", help: `role each stack's provider assumes in its account (default ${DEFAULT_ROLE_NAME})` },
  config: { type: "string", help: "remediation config (YAML/JSON): rotation Lambdas, key alias, trail, endpoint subnets and security groups" },
  "audit-config": { type: "string", help: "sm-audit.yaml for evaluating a snapshot (default: ./sm-audit.yaml when present)" },
  rules: { type: "list", help: "extra rule directories (repeatable, comma-separated)" },
  pricing: { type: "string", help: "pricing YAML overriding rules/pricing.yaml" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit remediate <findings.json|snapshot.json> [--snapshot FILE] [--out DIR] [--role-name NAME] [--config FILE] [--rules DIR]";
const DESCRIPTION = "Plan non-destructive fixes for failing findings and write plan.json, CDKTF stacks (cdk.tf.json per account-region) and a README.";

function money(n: number): string {
  return `${n < 0 ? "-" : ""}$${Math.abs(n).toFixed(2)}`;
}

/** The `remediate` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "remediate");
  if (flags.help) {
    io.out(helpText(USAGE, DESCRIPTION, SPECS));
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UserError(`expected one findings or snapshot file, got ${positionals.length} (usage: ${USAGE})`);
  const roleName = flags["role-name"] ?? DEFAULT_ROLE_NAME;
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new UserError(`--role-name expects an IAM role name, got '${roleName}'`);
  const at = (p: string): string => resolve(io.cwd, p);
  const input = at(positionals[0]);
  const raw = readJsonFile(input) as Record<string, unknown> | null;
  const isFindings = raw !== null && typeof raw === "object" && Array.isArray((raw as { findings?: unknown }).findings);
  const rules = loadRules(flags.rules.map(at));
  const config = flags.config ? loadRemediationConfig(at(flags.config)) : undefined;
  const pricing = loadPricing(flags.pricing ? at(flags.pricing) : undefined);

  let findings: FindingsFile | undefined;
  let snapshotFile: string;
  if (isFindings) {
    findings = readFindings(input);
    const recorded = findings.snapshot.file;
    if (!flags.snapshot && !recorded) throw new UserError("the findings file records no snapshot path: give --snapshot FILE", { file: input });
    snapshotFile = flags.snapshot ? at(flags.snapshot) : resolve(io.cwd, recorded as string);
    if (findings.snapshot.sha256 && existsSync(snapshotFile)) {
      const sha = createHash("sha256").update(readFileSync(snapshotFile)).digest("hex");
      if (sha !== findings.snapshot.sha256) {
        io.err(`sm-audit remediate: warning: ${snapshotFile} is not the snapshot the findings were evaluated from (SHA-256 differs)`);
      }
    }
  } else {
    if (flags.snapshot) throw new UserError("--snapshot is only used with a findings file; the input is already a snapshot", { file: input });
    snapshotFile = input;
  }
  const snapshot = readSnapshot(snapshotFile);
  if (!findings) {
    // Evaluated like every other command: the config's suppressions apply, so an accepted risk gets no action.
    findings = evaluateSnapshot(snapshot, snapshotFile, rules, configFor(io.cwd, flags["audit-config"]));
  }

  const outDir = at(flags.out ?? ".");
  const { plan, stacks } = writeRemediation(outDir, { snapshot, findings, rules: rules.rules, roleName, config, pricing });
  const s = plan.summary;
  const lines = [`remediation written to ${resolve(outDir, "remediation")}`];
  lines.push(`actions: ${s.actions} closing ${s.findingsClosed} failing finding(s)`);
  for (const k of ACTION_KINDS) if (s.actionsByKind[k]) lines.push(`  ${k.padEnd(26)} ${s.actionsByKind[k]}`);
  lines.push(`stacks: ${stacks.length}${plan.stacks.length ? ` (${plan.stacks.map((st) => st.id).join(", ")})` : ""}`);
  lines.push(`monthly cost delta: ${money(s.monthlyCostDelta)}`);
  lines.push(`manual: ${s.manual}`);
  lines.push(`skipped: ${s.skipped}`);
  io.out(lines.join("\n"));
  return EXIT.OK;
};
