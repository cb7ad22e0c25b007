/** `sm-audit merge <shard.json…> --out FILE`: combine shard snapshots into one snapshot. */
import { mergeSnapshots } from "../inventory/merge";
import { readSnapshot, writeSnapshot } from "../inventory/io";
import { EXIT, UserError } from "../util/errors";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";
import { resolve } from "node:path";

const FLAGS = {
  out: { type: "string", help: "file to write the merged snapshot to (required)" },
  "max-skew-hours": { type: "number", help: "largest spread between the shards' collection times (default 24)" },
  help: { type: "boolean", help: "show this help" },
} satisfies FlagSpecs;

/** Merge the shard snapshots named on the command line; exit 2 with one line when they do not fit together. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, FLAGS, "merge");
  if (flags.help) {
    io.out(helpText("sm-audit merge <shard.json…> --out FILE", "Merge the snapshots of `scan --shard i/n` into one. Refuses overlapping, missing or mismatched shards.", FLAGS));
    return EXIT.OK;
  }
  if (!flags.out) throw new UserError("--out FILE is required");
  if (positionals.length === 0) throw new UserError("give the shard snapshots to merge");
  const paths = positionals.map((p) => resolve(io.cwd, p));
  const snaps = paths.map((p) => readSnapshot(p));
  const merged = mergeSnapshots(snaps, { names: positionals, maxSkewHours: flags["max-skew-hours"] });
  const out = resolve(io.cwd, flags.out);
  writeSnapshot(out, merged);
  const gaps = merged.coverage.filter((c) => c.status !== "collected").length;
  io.err(`merged ${snaps.length} snapshot${snaps.length > 1 ? "s" : ""}: ${merged.secrets.length} secrets, ${merged.accounts.length} accounts, ${gaps} coverage gap${gaps === 1 ? "" : "s"} → ${flags.out}`);
  return EXIT.OK;
};
