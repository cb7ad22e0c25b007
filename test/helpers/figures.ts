/**
 * Where tests put the figures they measure. `npm test` must not rewrite committed files, so
 * tests write under test-output/; `npm run figures` (SM_AUDIT_RECORD=1) records them in
 * bench/results/ like the benchmarks do.
 */
import { join } from "node:path";

/** The directory for a test's figures: bench/results when recording, else test-output. */
export function figuresDir(): string {
  const root = join(__dirname, "..", "..");
  return process.env.SM_AUDIT_RECORD === "1" ? join(root, "bench", "results") : join(root, "test-output", "figures");
}
