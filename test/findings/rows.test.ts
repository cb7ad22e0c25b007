/**
 * A file the evaluator builds holds its findings in columns; every way of reading it
 * (streamed to JSON, walked with findingsOf, counted, or made into `file.findings`)
 * must give the same findings, with suppressions and baseline marks, as the objects did.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serializeFindings } from "../../src/findings/io";
import { countByStatus, findingCount, findingsOf, rowsOf } from "../../src/findings/rows";
import { loadSuppressions } from "../../src/findings/suppressions";
import type { FindingsFile } from "../../src/findings/types";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import { ROTATION_RULE, liveSecret, rulesDir, snapshotOf } from "../policy/fixtures";

const rules = loadRules([rulesDir(ROTATION_RULE)], { builtin: false });
const snap = snapshotOf([liveSecret("legacy-a", 400), liveSecret("legacy-b", 400), liveSecret("ok", 30), liveSecret("off")]);
const suppressionsFile = join(mkdtempSync(join(tmpdir(), "sm-rows-")), "s.yaml");
writeFileSync(suppressionsFile, "- rule: t-rotation\n  resource: legacy-a\n  reason: vendor rotates it\n  owner: alice\n  expires: 2999-12-31\n");

function json(file: FindingsFile): string {
  let out = "";
  serializeFindings(file, (c) => (out += c));
  return out;
}

function run(): FindingsFile {
  const baseline = evaluate(snapshotOf([liveSecret("legacy-b", 400), liveSecret("ok", 400)]), { rules });
  const f = evaluate(snap, { rules, suppressions: loadSuppressions(suppressionsFile), baseline });
  f.generatedAt = "fixed";
  return f;
}

describe("columnar findings", () => {
  it("stream to the same JSON as the finding objects they make", () => {
    const streamed = json(run());
    const made = run();
    expect(made.findings).toHaveLength(4);
    expect(json(made)).toBe(streamed);
    expect(JSON.parse(streamed).findings.map((f: { resourceName: string; status: string; baseline?: string }) => [f.resourceName, f.status, f.baseline])).toEqual([
      ["legacy-a", "suppressed", undefined],
      ["legacy-b", "fail", "unchanged"],
      ["ok", "pass", undefined],
      ["off", "not_applicable", undefined],
    ]);
  });

  it("are counted and filtered without being made, and agree once made", () => {
    const f = run();
    expect(findingCount(f)).toBe(4);
    expect(countByStatus(f)).toEqual({ pass: 1, fail: 1, unknown: 0, not_applicable: 1, suppressed: 1 });
    const failing = [...findingsOf(f, ["fail"])];
    expect(failing.map((x) => x.resourceName)).toEqual(["legacy-b"]);
    const rows = rowsOf(f);
    expect([rows.id(0), rows.at(0).suppressedStatus, rows.status(0)]).toEqual([f.findings[0].id, "fail", "suppressed"]);
    // Made once, the array is the findings: a change to it is what later readers see.
    f.findings[1].message = "changed";
    expect([...findingsOf(f)][1].message).toBe("changed");
    expect(json(f)).toContain('"message":"changed"');
  });

  it("spread and JSON.stringify of the file carry every finding", () => {
    const f = run();
    expect({ ...f }.findings).toHaveLength(4);
    expect(JSON.parse(JSON.stringify(run())).findings).toHaveLength(4);
  });
});
