/**
 * Findings made from the evaluator's columns carry their message like any field: every way a consumer
 * copies or writes a finding (JSON, spread, Object.keys, structuredClone, baseline
 * `fixed` copies, the findings file) must still carry the message, in field order.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFindings, writeFindings } from "../../src/findings/io";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import { ROTATION_RULE, liveSecret, rulesDir, snapshotOf } from "./fixtures";

const rules = loadRules([rulesDir(ROTATION_RULE)], { builtin: false });
const snap = snapshotOf([liveSecret("ok", 30), liveSecret("slow", 180), liveSecret("off")]);
const ORDER = ["id", "ruleId", "title", "severity", "resourceKind", "resourceId", "resourceName", "accountId", "region", "status", "message", "reason", "evidence", "source", "controls", "tags"];

describe("finding messages", () => {
  const f = evaluate(snap, { rules });
  const slow = f.findings.find((x) => x.resourceName === "slow")!;

  it("JSON.stringify, spread, Object.keys and structuredClone carry the message in field order", () => {
    expect(slow.message).toBe("slow rotates every 180 days; at most 90");
    const json = JSON.parse(JSON.stringify(slow)) as Record<string, unknown>;
    expect(json.message).toBe(slow.message);
    expect(Object.keys(json)).toEqual(ORDER.filter((k) => json[k] !== undefined));
    const copy = { ...slow };
    expect(copy.message).toBe(slow.message);
    expect(Object.getOwnPropertyDescriptor(copy, "message")?.value).toBe(slow.message);
    expect(Object.keys(slow)).toEqual(ORDER);
    expect(structuredClone(slow).message).toBe(slow.message);
  });

  it("an assigned message replaces the template's", () => {
    const g = evaluate(snap, { rules }).findings[0];
    g.message = "overridden";
    expect(g.message).toBe("overridden");
    expect(JSON.parse(JSON.stringify(g)).message).toBe("overridden");
  });

  it("the findings file and baseline copies keep every message", () => {
    const out = join(mkdtempSync(join(tmpdir(), "sm-msg-")), "findings.json");
    writeFindings(out, f);
    const back = readFindings(out);
    expect(back.findings.map((x) => x.message)).toEqual(f.findings.map((x) => x.message));
    expect(back.findings.every((x) => typeof x.message === "string" && x.message.length > 0)).toBe(true);
    // The baseline's failing `slow` passes now: its `fixed` copy is made with a spread.
    const fixedSnap = snapshotOf([liveSecret("ok", 30), liveSecret("slow", 30), liveSecret("off")]);
    const now = evaluate(fixedSnap, { rules, baseline: f });
    expect(now.fixed?.map((x) => [x.resourceName, x.baseline, x.message])).toEqual([["slow", "fixed", "slow rotates every 180 days; at most 90"]]);
  });
});
