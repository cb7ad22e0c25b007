/** Runs the engine's generic harness over the catalogue rules (all of them must pass). */
import { describe, expect, it } from "vitest";
import { loadForTest, ruleFolders, testRuleFolder } from "../../src/policy/harness";

describe("catalogue rules through the generic harness", () => {
  it("every rule folder matches its expected.yaml", async () => {
    const set = loadForTest([]);
    const problems: string[] = [];
    for (const dir of ruleFolders([])) {
      const r = await testRuleFolder(dir, set);
      problems.push(...r.problems);
    }
    expect(problems).toEqual([]);
  });
});
