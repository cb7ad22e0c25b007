/** The generated docs (docs/rules/*.md, docs/frameworks.md) are in step with rules/. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_HEADER, generateDocs } from "../src/policy/docs";
import { loadRules } from "../src/policy/loader";
import { packageRoot } from "../src/version";

const root = packageRoot();
const set = loadRules([]);
const files = generateDocs(set);

describe("generated docs", () => {
  it("cover every rule and the frameworks", () => {
    for (const r of set.rules) expect(files.has(`docs/rules/${r.def.id}.md`)).toBe(true);
    expect(files.has("docs/frameworks.md")).toBe(true);
  });
  for (const [rel, content] of files) {
    it(`${rel} is up to date (run \`sm-audit rules docs\`)`, () => {
      const path = join(root, rel);
      expect(existsSync(path)).toBe(true);
      expect(readFileSync(path, "utf8")).toBe(content);
    });
  }
  it("has no page for a rule that no longer exists", () => {
    const pages = readdirSync(join(root, "docs", "rules")).filter((f) => readFileSync(join(root, "docs", "rules", f), "utf8").startsWith(GENERATED_HEADER));
    expect(pages.filter((f) => !files.has(`docs/rules/${f}`))).toEqual([]);
  });
  it("marks requirements no rule covers as manual, and lists covering rules otherwise", () => {
    const fw = files.get("docs/frameworks.md") ?? "";
    expect(fw).toMatch(/\| 164\.312\(c\)\(1\) \| Integrity \| standard \| \*\*manual\*\* \|/);
    const hipaa = set.frameworks.find((f) => f.id === "hipaa");
    const covered = hipaa?.rulesByRequirement.get("164.308(a)(5)(ii)(D)") ?? [];
    expect(covered.length).toBeGreaterThan(0);
    for (const id of covered) expect(set.byId.get(id)?.def.controls.hipaa).toContain("164.308(a)(5)(ii)(D)");
  });
});
