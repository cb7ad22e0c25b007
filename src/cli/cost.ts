/** `sm-audit cost <snapshot.json>`: the monthly run-rate, waste, caching savings and remediation delta (HTML, Markdown, JSON). */
import { resolve } from "node:path";
import { buildCost, money } from "../report/cost";
import { COST_FORMATS, type CostFormat, writeCostReports } from "../report/index";
import { readPlan, readReportInput } from "../report/inputs";
import { loadPricing, parsePriceFlags } from "../report/pricing";
import { EXIT, UserError } from "../util/errors";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";

const SPECS = {
  findings: { type: "string", help: "findings JSON: unused secrets are those the secret-unused rule fails" },
  plan: { type: "string", help: "remediation/plan.json: adds the plan's monthly cost delta" },
  pricing: { type: "string", help: "pricing YAML overriding rules/pricing.yaml (same shape)" },
  price: { type: "list", help: "override one price: key=value or <region>.key=value (repeatable)" },
  tag: { type: "string", help: "cost-allocation tag key to break costs down by (e.g. CostCenter)" },
  "cache-ttl": { type: "number", help: "client cache TTL in seconds for the caching savings (default 3600)" },
  "unused-days": { type: "number", help: "without --findings: a secret unused this many days is waste (default 90)" },
  "key-rotations": { type: "number", help: "billed rotations assumed for a rotating key, 0-2 (default 2)" },
  format: { type: "list", help: "html,md,json (default all three)" },
  out: { type: "string", help: "output directory (default sm-audit-out/reports)" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit cost <snapshot.json> [options]";
const DESCRIPTION = "Estimate the monthly cost of the estate's secrets, keys, API calls and endpoints, its waste and possible savings.";

/** The `cost` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "cost");
  if (flags.help) { io.out(helpText(USAGE, DESCRIPTION, SPECS)); return EXIT.OK; }
  if (positionals.length !== 1) throw new UserError(`expected one snapshot file, got ${positionals.length} (usage: ${USAGE})`);
  const at = (p: string): string => resolve(io.cwd, p);
  for (const f of flags.format) if (!(COST_FORMATS as readonly string[]).includes(f)) throw new UserError(`unknown format '${f}'; expected ${COST_FORMATS.join(", ")}`, { field: "--format" });
  const ttl = flags["cache-ttl"];
  if (ttl !== undefined && !(ttl > 0)) throw new UserError("expected a number of seconds > 0", { field: "--cache-ttl" });
  const days = flags["unused-days"];
  if (days !== undefined && !(days >= 0)) throw new UserError("expected a number of days >= 0", { field: "--unused-days" });
  const rot = flags["key-rotations"];
  if (rot !== undefined && !(Number.isInteger(rot) && rot >= 0)) throw new UserError("expected a whole number >= 0", { field: "--key-rotations" });

  const input = readReportInput(at(positionals[0]));
  if (input.kind !== "snapshot") throw new UserError("expected a snapshot (the cost report reads the inventory, not findings; pass findings with --findings)", { file: input.file });
  let findings;
  if (flags.findings) {
    const f = readReportInput(at(flags.findings));
    if (f.kind !== "findings") throw new UserError("expected a findings file", { file: f.file, field: "--findings" });
    findings = f.findings;
  }
  const plan = flags.plan ? readPlan(at(flags.plan)) : undefined;
  const pricing = loadPricing(flags.pricing ? at(flags.pricing) : undefined, parsePriceFlags(flags.price));
  const report = buildCost(input.snapshot, {
    pricing, findings, plan, tagKey: flags.tag, cacheTtlSeconds: ttl, unusedDays: days, keyRotations: rot,
  });
  const formats = (flags.format.length ? flags.format : [...COST_FORMATS]) as CostFormat[];
  const written = writeCostReports(at(flags.out ?? "sm-audit-out/reports"), report, formats);
  for (const w of written) io.out(w.path);
  io.err(`cost: ${money(report.total)}/month${report.plan ? `, ${money(report.total + report.plan.monthlyDelta)} after the plan` : ""}; waste ${money(report.waste.total)}; caching saves ${money(report.caching.monthlySavings)}`);
  return EXIT.OK;
};
