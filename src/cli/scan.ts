/**
 * `sm-audit scan`: collect a snapshot from live AWS accounts and regions (or any
 * AWS-compatible endpoint), evaluate the rules, and write snapshot.json, findings.json and
 * the default reports under --out. Exit 0 clean, 1 failing findings at or above --fail-on,
 * 2 usage or input error, 3 coverage gaps (unless --allow-gaps).
 */
import { join, resolve } from "node:path";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { writeFindings } from "../findings/io";
import { renderTable } from "../findings/render";
import { loadSuppressions } from "../findings/suppressions";
import type { FindingsFile } from "../findings/types";
import { writeSnapshot } from "../inventory/io";
import type { RemediationPlan } from "../remediate/types";
import { writeDefaultReports } from "../report/index";
import { parseShard } from "../inventory/shard";
import type { Snapshot } from "../inventory/types";
import { evaluate } from "../policy/evaluate";
import { EXIT, UserError } from "../util/errors";
import { parseAccountIds, readAccountsFile } from "../collect/aws/accounts";
import { parseLakeTarget } from "../collect/aws/lake";
import { parseRegions } from "../collect/aws/regions";
import { checkSameRun, readGlobal, readRunFile, readUnits, removePartial, type RunParams, startPartial, writeGlobal, writeUnit } from "../collect/aws/partial";
import { type AwsScanOptions, scanAws } from "../collect/aws/scan";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import { exitCodeFor } from "./evaluate";
import type { CliIO, Command } from "./io";
import { loadPolicyInputs, type PolicyInputs } from "./policy-inputs";

const SPECS = {
  accounts: { type: "list", help: "account ids to scan (comma-separated)" },
  "accounts-file": { type: "string", help: "file with one account id per line (# comments)" },
  organization: { type: "boolean", help: "scan every account of the organization (Organizations ListAccounts)" },
  "role-name": { type: "string", help: "role assumed in each member account (the caller's own account uses its own credentials)" },
  regions: { type: "list", help: "regions to scan (default: every region enabled in each account)" },
  profile: { type: "string", help: "AWS shared-config profile (default: the SDK's credential chain)" },
  "endpoint-url": { type: "string", help: "one endpoint URL for every service, like the AWS CLI (default: $AWS_ENDPOINT_URL)" },
  "reads-days": { type: "number", help: "CloudTrail read window in days (1-90)", default: 30 },
  "reads-page-budget": { type: "number", help: "LookupEvents pages per account-region before reads are marked truncated", default: 200 },
  "cloudtrail-lake": { type: "string", help: "CloudTrail Lake event data store (ARN or id): one SQL query per account instead of LookupEvents" },
  concurrency: { type: "number", help: "account-regions scanned in parallel", default: 8 },
  "max-attempts": { type: "number", help: "SDK attempts per call (adaptive retry mode)", default: 8 },
  "request-timeout": { type: "number", help: "seconds one API request may take before it is abandoned and retried", default: 20 },
  shard: { type: "string", help: "collect only shard i of n of the account-regions (e.g. 2/4); combine with 'merge'" },
  out: { type: "string", help: "output directory", default: "sm-audit-out" },
  resume: { type: "boolean", help: "continue an interrupted scan of the same --out: keep the account-regions it finished (<out>/.partial/), collect the rest" },
  "fail-on": { type: "string", help: "critical | high | medium | low | info | none (default high)" },
  "allow-gaps": { type: "boolean", help: "do not exit 3 when coverage gaps make the result incomplete" },
  rules: { type: "list", help: "extra rule directories" },
  config: { type: "string", help: "sm-audit.yaml (default: ./sm-audit.yaml when present)" },
  remediate: { type: "boolean", help: "also write remediation stacks under <out>/remediation/ and price them in the cost report" },
  "remediation-role": { type: "string", help: "role the remediation stacks assume in each account (default SmAuditRemediation)" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit scan [--accounts A,B | --accounts-file F | --organization] [--role-name R] [--regions …] [options]";
const DESCRIPTION = "Collect Secrets Manager, KMS, VPC endpoint and CloudTrail metadata (never secret values), evaluate the rules, and write snapshot.json, findings.json and reports under --out.";

/** What `writeOutputs` adds to snapshot and findings. */
export interface OutputOptions {
  /** Also write the remediation plan and stacks (`<out>/remediation/`), and price the plan in the cost report. */
  remediate?: boolean;
  roleName?: string;
}

/**
 * Write snapshot.json, findings.json, the remediation stacks when asked, and the default
 * reports (compliance + cost, with the plan's cost delta); returns findings and paths.
 */
export async function writeOutputs(outDir: string, snapshot: Snapshot, policy: PolicyInputs, opts: OutputOptions = {}): Promise<{ findings: FindingsFile; written: string[] }> {
  const snapshotFile = join(outDir, "snapshot.json");
  writeSnapshot(snapshotFile, snapshot);
  const suppressions = policy.config.suppressions ? loadSuppressions(policy.config.suppressions) : undefined;
  const findings = evaluate(snapshot, { rules: policy.rules, config: policy.config, suppressions, snapshotFile });
  const findingsFile = join(outDir, "findings.json");
  writeFindings(findingsFile, findings);
  const written = [snapshotFile, findingsFile];
  let plan: RemediationPlan | undefined;
  if (opts.remediate) {
    // cdktf and the provider constructs are heavy: load them only when stacks are wanted.
    const { writeRemediation } = await import("../remediate/index.js");
    const out = writeRemediation(outDir, { snapshot, findings, rules: policy.rules.rules, roleName: opts.roleName });
    plan = out.plan;
    written.push(join(outDir, "remediation", "plan.json"), join(outDir, "remediation", "README.md"), ...out.stacks);
  }
  written.push(...writeDefaultReports(outDir, { snapshot, findings, rules: policy.rules, plan }));
  return { findings, written };
}

/** Base credentials: --profile, else keys in the command's environment, else the SDK's default chain. */
async function baseCredentials(io: CliIO, profile: string | undefined): Promise<AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined> {
  if (profile) {
    const { fromIni } = await import("@aws-sdk/credential-providers");
    return fromIni({ profile, filepath: io.env.AWS_SHARED_CREDENTIALS_FILE, configFilepath: io.env.AWS_CONFIG_FILE });
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = io.env;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  return undefined;
}

function intFlag(value: number | undefined, name: string, min: number, max: number): number {
  if (value === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`--${name} expects a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** `--request-timeout SECONDS` (fractions allowed, 0.1 to 600) in milliseconds. */
function timeoutFlag(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value < 0.1 || value > 600) {
    throw new UserError(`--request-timeout expects seconds from 0.1 to 600, got ${String(value)}`);
  }
  return Math.round(value * 1000);
}

/** The `scan` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "scan");
  if (flags.help) {
    io.out(helpText(USAGE, DESCRIPTION, SPECS));
    return EXIT.OK;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}' (usage: ${USAGE})`);
  const sources = [flags.accounts.length > 0, flags["accounts-file"] !== undefined, flags.organization].filter(Boolean).length;
  if (sources > 1) throw new UserError("give at most one of --accounts, --accounts-file and --organization");
  const accounts = flags.accounts.length
    ? parseAccountIds(flags.accounts)
    : flags["accounts-file"] ? readAccountsFile(resolve(io.cwd, flags["accounts-file"])) : undefined;
  const regions = flags.regions.length ? parseRegions(flags.regions) : undefined;
  const policy = loadPolicyInputs(io, flags);
  const endpoint = flags["endpoint-url"] ?? io.env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) throw new UserError(`expected an http(s) URL, got '${endpoint}'`, { field: "--endpoint-url" });
  const options: AwsScanOptions = {
    credentials: await baseCredentials(io, flags.profile),
    accounts,
    organization: flags.organization,
    roleName: flags["role-name"],
    regions,
    endpoint,
    defaultRegion: io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? regions?.[0] ?? "us-east-1",
    readsDays: intFlag(flags["reads-days"], "reads-days", 1, 90),
    readsPageBudget: intFlag(flags["reads-page-budget"], "reads-page-budget", 1, 100_000),
    cloudtrailLake: flags["cloudtrail-lake"] ? parseLakeTarget(flags["cloudtrail-lake"]) : undefined,
    concurrency: intFlag(flags.concurrency, "concurrency", 1, 256),
    maxAttempts: intFlag(flags["max-attempts"], "max-attempts", 1, 20),
    requestTimeoutMs: timeoutFlag(flags["request-timeout"]),
    shard: flags.shard ? parseShard(flags.shard) : undefined,
    progress: io.isTTY ? (line) => io.err(line) : undefined,
  };
  const outDir = resolve(io.cwd, flags.out ?? "sm-audit-out");
  const params: RunParams = {
    accounts: accounts ?? (flags.organization ? "organization" : "caller"),
    regions: regions ?? "all",
    readsDays: options.readsDays,
    shard: flags.shard ?? null,
    endpoint: endpoint ?? null,
    roleName: options.roleName ?? null,
    cloudtrailLake: flags["cloudtrail-lake"] ?? null,
  };
  const previous = flags.resume ? readRunFile(outDir) : undefined;
  let now = new Date();
  if (previous) {
    checkSameRun(previous, params, outDir);
    // Every unit of one snapshot reads the same CloudTrail window: the interrupted run's.
    now = new Date(previous.now);
    const units = readUnits(outDir);
    const global = readGlobal(outDir);
    io.err(`sm-audit scan: resuming: ${units.size} account-region(s) already collected`);
    options.checkpoint = { units, global };
  } else {
    if (flags.resume) io.err(`sm-audit scan: nothing to resume under ${outDir}: scanning everything`);
    startPartial(outDir, params, now);
    options.checkpoint = {};
  }
  options.now = now;
  options.checkpoint.onUnit = (accountId, region, unit) => writeUnit(outDir, accountId, region, unit);
  if (!options.checkpoint.global) options.checkpoint.onGlobal = (part) => writeGlobal(outDir, part);
  const { snapshot, stats } = await scanAws(options);
  const { findings, written } = await writeOutputs(outDir, snapshot, policy, { remediate: flags.remediate, roleName: flags["remediation-role"] });
  // The snapshot is on disk: the checkpoints have served their purpose.
  removePartial(outDir);
  io.out(renderTable(findings, { color: io.isTTY }));
  if (io.isTTY) {
    const calls = Object.values(stats.commands).reduce((a, b) => a + b, 0);
    io.err(`scanned ${snapshot.accounts.length} account(s), ${snapshot.regions?.length ?? 0} region(s), ${snapshot.secrets.length} secret(s) with ${calls} API calls (${stats.throttles} throttled); wrote ${written.length} files under ${outDir}`);
  }
  const code = exitCodeFor(findings, policy.failOn, flags["allow-gaps"]);
  if (findings.coverageGaps.length && !flags["allow-gaps"]) {
    io.err(`sm-audit scan: the result is incomplete: ${findings.coverageGaps.length} coverage gap(s)${code === EXIT.FINDINGS ? " (exit 1 for failing findings takes precedence over exit 3)" : ""}`);
  }
  return code;
};
