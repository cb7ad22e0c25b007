/** `sm-audit verify-bundle DIR`: recompute every hash of an evidence bundle. Exit 0 intact, 1 changed (files named), 2 unreadable. */
import { resolve } from "node:path";
import { verifyBundle } from "../report/bundle";
import { EXIT, UserError } from "../util/errors";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";

const SPECS = { help: { type: "boolean", help: "show this help" } } as const satisfies FlagSpecs;
const USAGE = "sm-audit verify-bundle <DIR>";
const DESCRIPTION = "Check an evidence bundle against its manifest.json. Exit 0 intact, 1 a file changed, is missing or was added, 2 the bundle cannot be read.";

/** The `verify-bundle` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "verify-bundle");
  if (flags.help) { io.out(helpText(USAGE, DESCRIPTION, SPECS)); return EXIT.OK; }
  if (positionals.length !== 1) throw new UserError(`expected one bundle directory (usage: ${USAGE})`);
  const dir = resolve(io.cwd, positionals[0]);
  const r = verifyBundle(dir);
  for (const p of r.changed) io.err(`changed: ${p}`);
  for (const p of r.missing) io.err(`missing: ${p}`);
  for (const p of r.unexpected) io.err(`not in manifest: ${p}`);
  const bad = r.changed.length + r.missing.length + r.unexpected.length;
  if (bad) {
    io.out(`bundle ${dir}: ${bad} mismatch(es); ${r.ok.length} of ${r.manifest.files.length} files intact`);
    return EXIT.FINDINGS;
  }
  io.out(`bundle ${dir}: ok, ${r.ok.length} files match manifest.json (${r.manifest.tool.name} ${r.manifest.tool.version}, rules ${r.manifest.rulesDigest.slice(0, 12)}, created ${r.manifest.createdAt})`);
  return EXIT.OK;
};
