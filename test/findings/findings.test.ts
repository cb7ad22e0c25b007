import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyBaseline } from "../../src/findings/baseline";
import { readFindings, writeFindings } from "../../src/findings/io";
import { renderTable } from "../../src/findings/render";
import { applySuppressions, loadSuppressions } from "../../src/findings/suppressions";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import { UserError, UserErrors } from "../../src/util/errors";
import { ROTATION_RULE, liveSecret, rulesDir, snapshotOf } from "../policy/fixtures";

const tmp = mkdtempSync(join(tmpdir(), "sm-find-"));
const rules = loadRules([rulesDir(ROTATION_RULE)], { builtin: false });
const snap = snapshotOf([liveSecret("legacy-a", 400), liveSecret("legacy-b", 400), liveSecret("new-c", 400), liveSecret("ok", 30)]);
const NOW = Date.parse("2025-06-01T00:00:00Z");

function errorsOf(fn: () => unknown): string[] {
  try { fn(); } catch (e) {
    if (e instanceof UserErrors) return e.errors.map((x) => x.format());
    if (e instanceof UserError) return [e.format()];
    throw e;
  }
  return [];
}

describe("suppressions", () => {
  const file = join(tmp, "suppressions.yaml");
  writeFileSync(file, [
    "suppressions:",
    "  - rule: t-rotation",
    "    resource: 'arn:aws:secretsmanager:*:secret:legacy-a'",
    "    reason: vendor rotates it",
    "    owner: alice@example.com",
    "    expires: 2025-12-31",
    "  - rule: t-rotation",
    "    resource: 'legacy-*'",
    "    reason: old exception",
    "    owner: bob@example.com",
    "    expires: 2025-01-31",
  ].join("\n"));
  it("suppresses matching failing findings and reports expired entries with their matches", () => {
    const f = evaluate(snap, { rules });
    const expired = applySuppressions(f.findings, loadSuppressions(file), rules, NOW);
    const a = f.findings.find((x) => x.resourceName === "legacy-a");
    expect(a?.status).toBe("suppressed");
    expect(a?.suppressedStatus).toBe("fail");
    expect(a?.suppression).toMatchObject({ owner: "alice@example.com", expires: "2025-12-31", at: `${file}:2` });
    expect(f.findings.find((x) => x.resourceName === "legacy-b")?.status).toBe("fail");
    expect(expired).toEqual([{ rule: "t-rotation", resource: "legacy-*", reason: "old exception", owner: "bob@example.com", expires: "2025-01-31", at: `${file}:7`, matched: 2 }]);
  });
  it("rejects malformed entries with file and line", () => {
    const bad = join(tmp, "bad.yaml");
    writeFileSync(bad, "- rule: t-rotation\n  resource: x\n  reason: r\n  owner: o\n  expires: next week\n- rule: t-rotation\n  resource: y\n  colour: red\n");
    expect(errorsOf(() => loadSuppressions(bad))).toEqual([
      `${bad}:5: 0.expires: expected a date YYYY-MM-DD, got 'next week'`,
      `${bad}:8: 1.colour: unknown key; expected rule, resource, reason, owner, expires`,
      `${bad}:6: 1.reason: missing or empty 'reason'`,
      `${bad}:6: 1.owner: missing or empty 'owner'`,
      `${bad}:6: 1.expires: missing or empty 'expires'`,
    ]);
    const unknownRule = join(tmp, "unknown-rule.yaml");
    writeFileSync(unknownRule, "- { rule: nope, resource: x, reason: r, owner: o, expires: 2030-01-01 }\n");
    expect(errorsOf(() => evaluate(snap, { rules, suppressions: loadSuppressions(unknownRule) }))).toEqual([`${unknownRule}:1: rule: no rule with id 'nope'`]);
  });
});

describe("baseline", () => {
  it("marks new and unchanged failures and lists fixed ones", () => {
    const old = evaluate(snapshotOf([liveSecret("legacy-a", 400), liveSecret("ok", 400)]), { rules });
    const now = evaluate(snap, { rules, baseline: old });
    const state = Object.fromEntries(now.findings.map((f) => [f.resourceName, f.baseline]));
    expect(state).toEqual({ "legacy-a": "unchanged", "legacy-b": "new", "new-c": "new", ok: undefined });
    expect(now.fixed?.map((f) => [f.resourceName, f.baseline])).toEqual([["ok", "fixed"]]);
    expect(applyBaseline(now.findings, now)).toEqual([]);
  });
});

describe("findings file and table", () => {
  it("round-trips through an atomic chunked write", () => {
    const f = evaluate(snap, { rules, baseline: evaluate(snap, { rules }) });
    const p = join(tmp, "out", "findings.json");
    writeFindings(p, f);
    expect(readFindings(p)).toEqual(JSON.parse(JSON.stringify(f)));
    expect(() => JSON.parse(readFileSync(p, "utf8"))).not.toThrow();
  });
  it("refuses a findings file from a newer major", () => {
    const p = join(tmp, "newer.json");
    writeFileSync(p, JSON.stringify({ schemaVersion: "2.0", findings: [] }));
    expect(errorsOf(() => readFindings(p))[0]).toMatch(/newer than this sm-audit reads/);
  });
  it("shows gaps first, then failures by severity, then counts", () => {
    const gap = snapshotOf(snap.secrets, { coverage: [{ accountId: "111111111111", region: "eu-west-1", kind: "secrets", status: "denied", errorCode: "AccessDenied" }] });
    const text = renderTable(evaluate(gap, { rules }), { color: false });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^INCOMPLETE: 1 coverage gap/);
    expect(lines[1]).toMatch(/denied\s+111111111111\/eu-west-1 secrets \(AccessDenied\)/);
    expect(text.indexOf("Failing")).toBeGreaterThan(text.indexOf("INCOMPLETE"));
    expect(text).toMatch(/medium\s+t-rotation\s+legacy-a\s+111111111111\/us-east-1\n\s+legacy-a rotates every 400 days; at most 90/);
    expect(lines[lines.length - 1]).toBe("1 rules, 4 resources: 1 pass, 3 fail (medium 3), 0 unknown, 0 suppressed, 0 not applicable");
    expect(text).not.toMatch(/\u001b\[/);
    expect(renderTable(evaluate(gap, { rules }), { color: true })).toMatch(/\u001b\[/);
  });
});
