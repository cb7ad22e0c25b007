/** Recording of fault-scenario figures into bench/results/faults.json (one section per run kind). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../src/util/fs";
import { figuresDir } from "../helpers/figures";

/** What one fault scenario measured. */
export interface FaultFigures {
  scenario: string;
  faults: unknown;
  secretsExpected: number;
  secretsCollected: number;
  secretsMissing: number;
  duplicates: number;
  gaps: number;
  gapCauses: string[];
  injected: unknown;
  retries: number;
  throttles: number;
  sessionRefreshes: number;
  assumeRoleCalls: number;
  ms: number;
  timeRatio: number;
}

/** Write `section` ("test" or "bench") of faults.json, keeping the other section: the bench records in bench/results, the test where figuresDir() says. */
export function recordFaults(section: string, value: unknown): void {
  const file = join(section === "bench" ? join(__dirname, "..", "..", "bench", "results") : figuresDir(), "faults.json");
  let all: Record<string, unknown> = {};
  try { all = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>; } catch { /* first run */ }
  all[section] = { ...(value as object), recordedAt: new Date().toISOString() };
  writeJsonAtomic(file, all);
}

/** Put one row for `name` in bench/results/README.md's table, replacing that benchmark's earlier row. */
export function recordReadmeRow(name: string, figures: string, target: string): void {
  const file = join(__dirname, "..", "..", "bench", "results", "README.md");
  let text: string;
  try { text = readFileSync(file, "utf8"); } catch { text = "# Benchmark results\n\n| benchmark | figures | target | recorded |\n|---|---|---|---|\n"; }
  const row = `| ${name} | ${figures} | ${target} | ${new Date().toISOString().slice(0, 10)} |`;
  const lines = text.split("\n").filter((l) => !l.startsWith(`| ${name} |`));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  writeFileAtomic(file, [...lines, row, ""].join("\n"));
}
