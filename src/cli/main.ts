/** The `sm-audit` entry point: dispatches to one module per command. */
import { EXIT, UserError, UserErrors, errorMessage } from "../util/errors";
import { TOOL } from "../version";
import { type CliIO, type Command, processIO } from "./io";

interface CommandEntry {
  summary: string;
  /** Loaded lazily so `sm-audit rules list` never loads the AWS SDK or cdktf. */
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  demo: { summary: "scan the bundled sample estate through the simulator and write every output", load: async () => (await import("./demo.js")).run },
  scan: { summary: "collect a snapshot from live AWS accounts and regions", load: async () => (await import("./scan.js")).run },
  check: { summary: "check Terraform HCL, plan JSON or cdktf synth output (pull requests)", load: async () => (await import("./check.js")).run },
  evaluate: { summary: "evaluate the rules against a snapshot", load: async () => (await import("./evaluate.js")).run },
  report: { summary: "render compliance reports from a snapshot or findings", load: async () => (await import("./report.js")).run },
  cost: { summary: "render the cost report of a snapshot", load: async () => (await import("./cost.js")).run },
  remediate: { summary: "turn failing findings into remediation CDKTF stacks", load: async () => (await import("./remediate.js")).run },
  rules: { summary: "list, validate, test and document rules", load: async () => (await import("./rules.js")).run },
  merge: { summary: "merge shard snapshots into one", load: async () => (await import("./merge.js")).run },
  "iam-policy": { summary: "print the least-privilege read-only IAM policy the scanner needs", load: async () => (await import("./iam-policy.js")).run },
  "verify-bundle": { summary: "verify an evidence bundle's manifest", load: async () => (await import("./verify-bundle.js")).run },
  simulator: { summary: "serve an estate file through the loopback AWS-compatible simulator", load: async () => (await import("./simulator.js")).run },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    `sm-audit ${TOOL.version} — policy-as-code auditor for AWS Secrets Manager`,
    "",
    "usage: sm-audit <command> [options]   (sm-audit <command> --help for its options)",
    "",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    "",
    "exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 incomplete (collection gaps)",
  ].join("\n");
}

/** Run the CLI with `argv` (without node and script) and return the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const [name, ...rest] = args;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(usage());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === "--version" || name === "version") {
    io.out(TOOL.version);
    return EXIT.OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`sm-audit: unknown command '${name}'\n${usage()}`);
    return EXIT.USAGE;
  }
  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (err) {
    return reportError(name, err, io, debug);
  }
}

/** Print what a command threw as one line per problem (a stack only with --debug) and return its exit code. */
export function reportError(command: string, err: unknown, io: CliIO, debug = false): number {
  if (err instanceof UserErrors) {
    for (const e of err.errors) io.err(`sm-audit ${command}: ${e.format()}`);
    return err.exitCode;
  }
  if (err instanceof UserError) {
    io.err(`sm-audit ${command}: ${err.format()}`);
    return err.exitCode;
  }
  io.err(`sm-audit ${command}: internal error: ${errorMessage(err)}${debug && err instanceof Error ? `\n${err.stack}` : " (run with --debug for the stack)"}`);
  return EXIT.USAGE;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
