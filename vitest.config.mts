import { defineConfig } from "vitest/config";

// `npm test` runs every test under test/; the JSON report feeds the closing line of .ci/run.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default", ["json", { outputFile: "test-output/vitest-results.json" }]],
  },
});
