import { defineConfig } from "vitest/config";

// Benchmarks record ratios, counts, times and memory into bench/results/; they are not part of `npm test`.
export default defineConfig({
  test: {
    include: ["bench/**/*.bench.test.ts"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: "forks",
    fileParallelism: false,
  },
});
