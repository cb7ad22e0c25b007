/** `sm-audit rules list|validate|test|docs`: work with the rule set. */
import { existsSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { EXIT, UserError } from "../util/errors";
import { writeFileAtomic } from "../util/fs";
import { packageRoot } from "../version";
import { GENERATED_HEADER, generateDocs } from "../policy/docs";
import { loadForTest, ruleFolders, testRuleFolder } from "../policy/harness";
import { loadRules } from "../policy/loader";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { CliIO, Command } from "./io";

const RULES_FLAG = { rules: { type: "list", help: "extra rule directories (repeatable, comma-separated)" } } as const satisfies FlagSpecs;

const SPECS = {
  list: { ...RULES_FLAG, format: { type: "string", help: "table | json", default: "table" }, help: { type: "boolean", help: "show this help" } },
  validate: { ...RULES_FLAG, help: { type: "boolean", help: "show this help" } },
  test: { ...RULES_FLAG, help: { type: "boolean", help: "show this help" } },
  docs: { check: { type: "boolean", help: "exit 1 when the generated docs are stale instead of writing them" }, help: { type: "boolean", help: "show this help" } },
} as const satisfies Record<string, FlagSpecs>;

const USAGE: Record<keyof typeof SPECS, [string, string]> = {
  list: ["sm-audit rules list [--rules DIR] [--format table|json]", "List the rules (built-in and from --rules)."],
  validate: ["sm-audit rules validate [--rules DIR]", "Check every rule file; exit 2 with one line per problem when any is broken."],
  test: ["sm-audit rules test [--rules DIR] [RULE...]", "Run each rule against its fixtures and compare with expected.yaml; exit 1 on any failure."],
  docs: ["sm-audit rules docs [--check]", "Write docs/rules/<id>.md and docs/frameworks.md from rules/ (--check: exit 1 when stale)."],
};

function topHelp(): string {
  return ["usage: sm-audit rules <list|validate|test|docs> [options]", "", ...Object.values(USAGE).map(([u, d]) => `  ${u}\n      ${d}`)].join("\n");
}

/** The `rules` command. */
export const run: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    io.out(topHelp());
    return sub ? EXIT.OK : EXIT.USAGE;
  }
  if (!(sub in SPECS)) throw new UserError(`unknown subcommand '${sub}'; expected list, validate, test or docs`);
  const name = sub as keyof typeof SPECS;
  const { flags, positionals } = parseArgs(rest, SPECS[name], `rules ${name}`);
  if ((flags as { help: boolean }).help) {
    io.out(helpText(USAGE[name][0], USAGE[name][1], SPECS[name]));
    return EXIT.OK;
  }
  if (name !== "test" && positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'`);
  switch (name) {
    case "list": return list(flags as { rules: string[]; format?: string }, io);
    case "validate": {
      const set = loadRules((flags as { rules: string[] }).rules);
      io.out(`${set.rules.length} rules valid; frameworks: ${set.frameworks.map((f) => f.id).join(", ")}`);
      return EXIT.OK;
    }
    case "test": return test((flags as { rules: string[] }).rules, positionals, io);
    case "docs": return docs(Boolean((flags as { check: boolean }).check), io);
  }
};

function list(flags: { rules: string[]; format?: string }, io: CliIO): number {
  if (flags.format !== "table" && flags.format !== "json") throw new UserError(`--format expects table or json, got '${flags.format}'`);
  const set = loadRules(flags.rules);
  if (flags.format === "json") {
    io.out(JSON.stringify(set.rules.map((r) => ({
      id: r.def.id, title: r.def.title, severity: r.def.severity, resource: r.def.resource,
      sources: r.def.sources ?? ["live", "iac"], params: r.def.params ?? {}, controls: r.def.controls, file: r.file,
    })), null, 2));
    return EXIT.OK;
  }
  const w = Math.max(4, ...set.rules.map((r) => r.def.id.length));
  io.out(`${"rule".padEnd(w)}  severity  resource  title`);
  for (const r of set.rules) io.out(`${r.def.id.padEnd(w)}  ${r.def.severity.padEnd(8)}  ${r.def.resource.padEnd(8)}  ${r.def.title}`);
  io.out(`${set.rules.length} rules`);
  return EXIT.OK;
}

async function test(dirs: string[], only: string[], io: CliIO): Promise<number> {
  const set = loadForTest(dirs);
  let folders = ruleFolders(dirs);
  if (only.length) {
    const unknown = only.filter((id) => !folders.some((f) => f.endsWith(`/${id}`) || f.endsWith(`\\${id}`)));
    if (unknown.length) throw new UserError(`no rule folder named ${unknown.join(", ")}`);
    folders = folders.filter((f) => only.some((id) => f.endsWith(`/${id}`) || f.endsWith(`\\${id}`)));
  }
  // Problems outside any rule folder (a broken framework file) fail the whole run.
  const inFolder = (file: string | undefined): boolean => {
    const abs = file ? resolve(file) : "";
    return ruleFolders(dirs).some((f) => abs === f || abs.startsWith(f + sep));
  };
  const global = (set.problems ?? []).filter((e) => !inFolder(e.location.file));
  for (const e of global) io.err(`FAIL ${e.format()}`);
  let failed = global.length;
  for (const dir of folders) {
    const r = await testRuleFolder(dir, set);
    if (r.ok) io.out(`ok   ${r.id} (${r.cases} fixture case${r.cases === 1 ? "" : "s"})`);
    else {
      failed++;
      io.out(`FAIL ${r.id}`);
      for (const p of r.problems) io.out(`     ${p}`);
    }
  }
  io.out(`${folders.length - (failed - global.length)} of ${folders.length} rules ok`);
  return failed ? EXIT.FINDINGS : EXIT.OK;
}

function docs(check: boolean, io: CliIO): number {
  const root = packageRoot();
  const set = loadRules([]);
  const files = generateDocs(set);
  const stale: string[] = [];
  for (const [rel, content] of files) {
    const path = join(root, rel);
    const current = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (current !== content) stale.push(rel);
  }
  const rulesDir = join(root, "docs", "rules");
  const orphans = existsSync(rulesDir)
    ? readdirSync(rulesDir).map((f) => `docs/rules/${f}`).filter((rel) => !files.has(rel) && readFileSync(join(root, rel), "utf8").startsWith(GENERATED_HEADER))
    : [];
  if (check) {
    for (const rel of stale) io.err(`stale: ${rel}`);
    for (const rel of orphans) io.err(`stale: ${rel} (no such rule)`);
    if (stale.length || orphans.length) {
      io.err("generated docs are out of date; run `sm-audit rules docs`");
      return EXIT.FINDINGS;
    }
    io.out(`${files.size} generated docs up to date`);
    return EXIT.OK;
  }
  for (const rel of stale) writeFileAtomic(join(root, rel), files.get(rel) ?? "");
  for (const rel of orphans) unlinkSync(join(root, rel));
  io.out(`${stale.length} of ${files.size} generated docs written${orphans.length ? `, ${orphans.length} removed` : ""}`);
  return EXIT.OK;
}
