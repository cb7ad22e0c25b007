/**
 * `sm-audit check <paths…>`: the pull-request check. Reads Terraform HCL directories,
 * plan JSON files and cdktf synth output into one snapshot, evaluates the rules, and
 * prints or writes the table, findings JSON, SARIF and a Markdown PR summary. With
 * `--base-ref`, the same paths at the base revision are evaluated as the baseline, so
 * only what the PR introduces fails the check. Every output passes through the
 * redaction scrubber: a literal secret found in code never leaves the process.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { readIacPaths } from "../collect/iac/index";
import { readFindings } from "../findings/io";
import { renderTable } from "../findings/render";
import { loadSuppressions } from "../findings/suppressions";
import type { FindingsFile } from "../findings/types";
import { emptySnapshot } from "../inventory/io";
import type { Snapshot } from "../inventory/types";
import { evaluate } from "../policy/evaluate";
import type { Config, RuleSet } from "../policy/types";
import { writeDefaultReports } from "../report/index";
import { toPrMarkdown } from "../report/pr-markdown";
import { toSarif } from "../report/sarif";
import { EXIT, UserError } from "../util/errors";
import { writeFileAtomic } from "../util/fs";
import { Scrubber } from "../util/redact";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import { exitCodeFor } from "./evaluate";
import type { Command } from "./io";
import { loadPolicyInputs, parseFailOn } from "./policy-inputs";

const SPECS = {
  format: { type: "string", help: "stdout format: table | json | sarif | markdown", default: "table" },
  out: { type: "string", help: "write findings.json, results.sarif, summary.md, snapshot.json and the default reports (reports/) into this directory" },
  sarif: { type: "string", help: "write SARIF 2.1.0 to this file" },
  markdown: { type: "string", help: "write the PR summary (Markdown) to this file" },
  baseline: { type: "string", help: "earlier findings JSON: only new failing findings count" },
  "base-ref": { type: "string", help: "git ref to compare with (e.g. origin/main): its findings are the baseline" },
  "fail-on": { type: "string", help: "critical | high | medium | low | info | none (default high)" },
  rules: { type: "list", help: "extra rule directories" },
  config: { type: "string", help: "sm-audit.yaml (default: ./sm-audit.yaml when present)" },
  suppressions: { type: "string", help: "suppressions YAML file" },
  "as-of": { type: "string", help: "reference time (ISO-8601) for the findings; default now" },
  color: { type: "boolean", help: "colour the table" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit check <path>... [options]";
const DESCRIPTION = "Check Terraform HCL directories, `terraform show -json` plans and cdktf synth output. Exit 0 clean, 1 failing findings at or above --fail-on (new ones only with a baseline), 2 input error.";

/** Repository root of `dir` (git top level), or `dir` itself outside a repository. */
export function repoRoot(dir: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || dir;
  } catch {
    return dir;
  }
}

/** Make every IaC source path in a snapshot relative to `root` (SARIF and Markdown want repo paths). */
export function relativizeSources(snapshot: Snapshot, root: string): Snapshot {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { for (const x of v) walk(x); return; }
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.kind === "iac" && typeof o.file === "string" && isAbsolute(o.file)) {
      const rel = relative(root, o.file);
      if (!rel.startsWith("..")) o.file = rel.split("\\").join("/");
    }
    for (const x of Object.values(o)) walk(x);
  };
  walk(snapshot.secrets); walk(snapshot.kmsKeys); walk(snapshot.vpcs); walk(snapshot.trails);
  snapshot.source.inputs = snapshot.source.inputs?.map((p) => (isAbsolute(p) && !relative(root, p).startsWith("..") ? relative(root, p) || "." : p));
  return snapshot;
}

interface EvalInputs {
  rules: RuleSet;
  config: Config;
  asOf?: string;
}

/** Evaluate the same relative paths at `ref` in a temporary worktree; the worktree is always removed. */
async function baseFindings(ref: string, root: string, absPaths: string[], inputs: EvalInputs, scrubber: Scrubber): Promise<FindingsFile> {
  const git = (args: string[], cwd = root) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try { git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]); } catch {
    throw new UserError(`--base-ref: '${ref}' is not a commit in ${root} (fetch it first, e.g. git fetch origin ${ref.replace(/^origin\//, "")})`);
  }
  const tmp = mkdtempSync(join(tmpdir(), "sm-audit-base-"));
  const tree = join(tmp, "tree");
  try {
    git(["worktree", "add", "--detach", "--quiet", tree, ref]);
    const basePaths = absPaths.map((p) => join(tree, relative(root, p))).filter((p) => existsSync(p));
    const { snapshot, literals } = basePaths.length
      ? await readIacPaths(basePaths, { generatedAt: inputs.asOf })
      : { snapshot: undefined, literals: [] as string[] };
    for (const l of literals) scrubber.add(l);
    if (!snapshot) return emptyFindings(inputs);
    relativizeSources(snapshot, tree);
    return evaluate(snapshot, { rules: inputs.rules, config: inputs.config, asOf: inputs.asOf });
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`at --base-ref ${ref}: ${err.format().split(tree + "/").join("")}`);
    throw err;
  } finally {
    try { git(["worktree", "remove", "--force", tree]); } catch { /* removed below */ }
    rmSync(tmp, { recursive: true, force: true });
    try { git(["worktree", "prune"]); } catch { /* nothing to prune */ }
  }
}

function emptyFindings(inputs: EvalInputs): FindingsFile {
  const empty = emptySnapshot({ kind: "hcl", inputs: [] }, inputs.asOf);
  return evaluate(empty, { rules: inputs.rules, config: inputs.config, asOf: inputs.asOf });
}

/** The `check` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "check");
  if (flags.help) {
    io.out(helpText(USAGE, DESCRIPTION, SPECS));
    return EXIT.OK;
  }
  if (positionals.length === 0) throw new UserError(`expected at least one path (usage: ${USAGE})`);
  const format = flags.format ?? "table";
  if (!["table", "json", "sarif", "markdown"].includes(format)) throw new UserError(`--format expects table, json, sarif or markdown, got '${format}'`);
  // A bad --fail-on is reported before the other flag errors (loadPolicyInputs checks it again, cheaply).
  parseFailOn(flags["fail-on"]);
  if (flags.baseline && flags["base-ref"]) throw new UserError("give either --baseline or --base-ref, not both");
  const asOf = flags["as-of"];
  if (asOf !== undefined && Number.isNaN(Date.parse(asOf))) throw new UserError(`--as-of expects an ISO-8601 date, got '${asOf}'`);

  const at = (p: string): string => resolve(io.cwd, p);
  const root = repoRoot(io.cwd);
  const { rules, config, failOn } = loadPolicyInputs(io, flags);
  const suppressionsFile = flags.suppressions ? at(flags.suppressions) : config.suppressions;
  const suppressions = suppressionsFile ? loadSuppressions(suppressionsFile) : undefined;

  const absPaths = positionals.map(at);
  const scrubber = new Scrubber();
  const { snapshot, literals } = await readIacPaths(absPaths, { generatedAt: asOf });
  for (const l of literals) scrubber.add(l);
  relativizeSources(snapshot, root);

  const inputs: EvalInputs = { rules, config, asOf };
  const baseline = flags.baseline ? readFindings(at(flags.baseline)) : flags["base-ref"] ? await baseFindings(flags["base-ref"], root, absPaths, inputs, scrubber) : undefined;
  const findings = scrubber.scrubValue(evaluate(snapshot, { rules, config, suppressions, baseline, asOf }));

  const sarifText = () => scrubber.scrub(JSON.stringify(toSarif(findings, rules.rules, { repoRoot: root, cwd: root }), null, 2) + "\n");
  const blobBase = io.env.GITHUB_SERVER_URL && io.env.GITHUB_REPOSITORY && io.env.GITHUB_SHA
    ? `${io.env.GITHUB_SERVER_URL}/${io.env.GITHUB_REPOSITORY}/blob/${io.env.GITHUB_SHA}/` : undefined;
  const markdownText = () => scrubber.scrub(toPrMarkdown(findings, { blobBase }) + "\n");
  const jsonText = () => scrubber.scrub(JSON.stringify(findings, null, 2) + "\n");

  if (flags.out) {
    const dir = at(flags.out);
    writeFileAtomic(join(dir, "findings.json"), jsonText());
    writeFileAtomic(join(dir, "results.sarif"), sarifText());
    writeFileAtomic(join(dir, "summary.md"), markdownText());
    writeFileAtomic(join(dir, "snapshot.json"), scrubber.scrub(JSON.stringify(snapshot, null, 2) + "\n"));
    // The default report set too; findings are already scrubbed, and each file is scrubbed again as it lands.
    for (const file of writeDefaultReports(dir, { snapshot, findings, rules })) {
      const text = readFileSync(file, "utf8");
      const clean = scrubber.scrub(text);
      if (clean !== text) writeFileAtomic(file, clean);
    }
  }
  if (flags.sarif) writeFileAtomic(at(flags.sarif), sarifText());
  if (flags.markdown) writeFileAtomic(at(flags.markdown), markdownText());

  if (format === "json") io.out(jsonText());
  else if (format === "sarif") io.out(sarifText());
  else if (format === "markdown") io.out(markdownText());
  else io.out(scrubber.scrub(renderTable(findings, { color: flags.color })));

  // Code inputs have no collection gaps; an unreadable input already stopped the run with exit 2.
  return exitCodeFor(findings, failOn, true);
};
