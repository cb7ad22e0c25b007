/**
 * `sm-audit demo`: start the simulator with the bundled sample estate on 127.0.0.1, scan
 * every account and region through the real collectors (Organizations + AssumeRole),
 * evaluate, write every output under --out, and print a short summary. Exits 0 whatever the
 * findings (the demo is not a policy gate), but fails loudly if a secret value was read.
 */
import { join, relative, resolve } from "node:path";
import { SEVERITIES, type FindingsFile } from "../findings/types";
import { loadRules } from "../policy/loader";
import { EXIT, UserError } from "../util/errors";
import { packageRoot } from "../version";
import { scanAws, type AwsScanResult } from "../collect/aws/scan";
import type { Estate } from "../simulator/estate";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";
import { writeOutputs } from "./scan";

const SPECS = {
  out: { type: "string", help: "output directory", default: "sm-audit-out" },
  estate: { type: "string", help: "estate file (default: examples/estates/acme-health.yaml)" },
  "time-scale": { type: "number", help: "run the simulator's quotas this many times faster (and pace the scan to match)", default: 10 },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit demo [--out DIR] [--estate FILE]";
const DESCRIPTION = "Scan the sample estate through the loopback simulator with the real collectors, evaluate it, and write snapshot, findings, reports and remediation under --out.";

/** The role the scan assumes: the one every active member account of the estate allows. */
export function demoRoleName(estate: Estate): string {
  const mgmt = estate.organization?.managementAccountId;
  const members = estate.accounts.filter((a) => a.id !== mgmt && (a.status ?? "ACTIVE") === "ACTIVE");
  const counts = new Map<string, number>();
  for (const a of members) for (const r of a.roles ?? ["OrganizationAccountAccessRole"]) counts.set(r, (counts.get(r) ?? 0) + 1);
  const best = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0];
  return best?.[0] ?? "OrganizationAccountAccessRole";
}

/** The demo's closing summary: accounts, regions, secrets, failing findings by severity, gaps, files. */
function demoSummary(result: AwsScanResult, findings: FindingsFile, written: string[], cwd: string, valueReads: number): string {
  const snapshot = result.snapshot;
  const calls = Object.values(result.stats.commands).reduce((a, b) => a + b, 0);
  const gaps = findings.coverageGaps;
  const byStatus = new Map<string, number>();
  for (const g of gaps) byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + 1);
  const rel = (p: string): string => relative(cwd, p) || p;
  return [
    `scanned ${snapshot.accounts.length} accounts, ${snapshot.regions?.length ?? 0} regions, ${snapshot.secrets.length} secrets, ${snapshot.kmsKeys.length} KMS keys, ${snapshot.vpcs.length} VPCs, ${snapshot.trails.length} trails`,
    `API calls ${calls} (${result.stats.throttles} throttled, retried); secret values read: ${valueReads}`,
    `failing findings: ${SEVERITIES.map((s) => `${s} ${findings.summary.failBySeverity[s] ?? 0}`).join(", ")} (pass ${findings.summary.byStatus.pass ?? 0}, unknown ${findings.summary.byStatus.unknown ?? 0})`,
    `coverage gaps: ${gaps.length}${gaps.length ? ` (${[...byStatus.entries()].map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}`,
    "wrote:",
    ...written.map((p) => `  ${rel(p)}`),
  ].join("\n");
}

/** The `demo` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "demo");
  if (flags.help) {
    io.out(helpText(USAGE, DESCRIPTION, SPECS));
    return EXIT.OK;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}' (usage: ${USAGE})`);
  const timeScale = flags["time-scale"] ?? SPECS["time-scale"].default;
  if (!(timeScale >= 1 && timeScale <= 1000)) throw new UserError(`--time-scale expects a number from 1 to 1000, got ${timeScale}`);
  const estateFile = flags.estate ? resolve(io.cwd, flags.estate) : join(packageRoot(), "examples", "estates", "acme-health.yaml");
  const outDir = resolve(io.cwd, flags.out ?? "sm-audit-out");
  const simulator = await import("../simulator/index.js");
  const estate = simulator.loadEstate(estateFile);
  const policy = { rules: loadRules(), config: { params: {} }, failOn: "none" as const };
  const sim = await simulator.startSimulator({ estate, timeScale });
  try {
    const roleName = demoRoleName(estate);
    const regions = estate.regions.map((r) => (typeof r === "string" ? r : r.name));
    io.err(`sm-audit demo: simulator for "${estate.name ?? relative(io.cwd, estateFile)}" on ${sim.url}; scanning the organization as ${sim.managementAccountId} with role ${roleName}`);
    const result = await scanAws({
      credentials: sim.credentials, endpoint: sim.url, organization: true, roleName,
      defaultRegion: regions[0] ?? "us-east-1", readsDays: 30, readsPageBudget: 200,
      concurrency: 8, maxAttempts: 8, quotaScale: timeScale,
      progress: io.isTTY ? (line) => io.err(line) : undefined,
    });
    const valueReads = sim.stats().valueReads;
    if (valueReads !== 0) {
      throw new UserError(`the scan attempted ${valueReads} secret-value read(s): the value-read guard failed; no output written`);
    }
    const { findings, written } = await writeOutputs(outDir, result.snapshot, policy, { remediate: true });
    io.out(demoSummary(result, findings, written, io.cwd, valueReads));
    return EXIT.OK;
  } finally {
    await sim.close();
  }
};
