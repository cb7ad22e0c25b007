/**
 * `sm-audit iam-policy`: print the least-privilege, read-only IAM policy the scanner
 * needs, generated from the actions each collector declares (never a value-read action).
 */
import { scannerPolicy, scannerPolicyTerraform } from "../collect/aws/actions";
import { EXIT, UserError } from "../util/errors";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";

const SPECS = {
  format: { type: "string", help: "json | terraform", default: "json" },
  "role-name": { type: "string", help: "limit sts:AssumeRole to this role name in member accounts" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit iam-policy [--format json|terraform] [--role-name R]";
const DESCRIPTION = "Print the read-only IAM policy `sm-audit scan` needs. It grants no secretsmanager:GetSecretValue.";

/** The `iam-policy` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "iam-policy");
  if (flags.help) {
    io.out(helpText(USAGE, DESCRIPTION, SPECS));
    return EXIT.OK;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}' (usage: ${USAGE})`);
  const role = flags["role-name"];
  if (role !== undefined && !/^[\w+=,.@-]{1,64}$/.test(role)) throw new UserError(`not a valid IAM role name: '${role}'`, { field: "--role-name" });
  if (flags.format === "json") io.out(JSON.stringify(scannerPolicy(role), null, 2));
  else if (flags.format === "terraform") io.out(scannerPolicyTerraform(role));
  else throw new UserError(`--format expects json or terraform, got '${flags.format}'`);
  return EXIT.OK;
};
