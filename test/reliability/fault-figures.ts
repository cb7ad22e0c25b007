/** Recording of fault-scenario figures into bench/results/faults.json (one section per run kind). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AwsScanResult } from "../../src/collect/aws/scan";
import type { Secret } from "../../src/inventory/types";
import type { FaultConfig } from "../../src/simulator/estate";
import type { SimulatorStats } from "../../src/simulator/stats";
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

/** Fault settings with every injected fault off (set after each scenario). */
export const NO_FAULTS: Partial<FaultConfig> = { throttleRate: 0, serverErrorRate: 0, slowRate: 0, dropRate: 0, accessDenied: [], credentialTtlSeconds: null, scope: null };

/** The figures of scenario `r` (run in `ms`), against the secrets `expected` to be collected and the simulator's counters. */
export function scenarioFigures(
  scenario: string, faults: Partial<FaultConfig>, r: AwsScanResult, expected: Secret[], stats: SimulatorStats, ms: number, cleanMs: number,
): FaultFigures {
  const got = new Set(r.snapshot.secrets.map((s) => s.id));
  const gaps = r.snapshot.coverage.filter((c) => c.status !== "collected");
  const calls = Object.values(r.stats.commands).reduce((a, b) => a + b, 0);
  const attempts = Object.values(r.stats.attempts).reduce((a, b) => a + b, 0);
  return {
    scenario, faults, secretsExpected: expected.length, secretsCollected: r.snapshot.secrets.length,
    secretsMissing: expected.filter((s) => !got.has(s.id)).length, duplicates: r.snapshot.secrets.length - got.size,
    gaps: gaps.length, gapCauses: [...new Set(gaps.map((g) => `${g.kind}:${g.status}:${g.errorCode ?? "?"}`))].sort(),
    injected: stats.faults, retries: attempts - calls, throttles: r.stats.throttles, sessionRefreshes: r.stats.sessionRefreshes,
    assumeRoleCalls: stats.byOperation["sts:AssumeRole"] ?? 0, ms, timeRatio: Number((ms / cleanMs).toFixed(2)),
  };
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
