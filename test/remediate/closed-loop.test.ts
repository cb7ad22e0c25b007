/**
 * The closed loop with the real rules and the real evaluator: evaluate a snapshot that
 * fails every remediable rule, plan, project, re-evaluate — every finding the plan claims
 * to close must pass. Also run over every rule's snapshot fixtures.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { FindingsFile } from "../../src/findings/types";
import type { Snapshot } from "../../src/inventory/types";
import { evaluate } from "../../src/policy/evaluate";
import { fillFragment } from "../../src/policy/harness";
import { loadRules } from "../../src/policy/loader";
import type { RuleSet } from "../../src/policy/types";
import { planRemediation } from "../../src/remediate/plan";
import { projectSnapshot } from "../../src/remediate/project";
import { ACTION_KINDS, type RemediationPlan } from "../../src/remediate/types";
import { validateSnapshot } from "../../src/inventory/io";
import { readJsonFile } from "../../src/util/fs";
import { failingSnapshot } from "./estate";

let rules: RuleSet;
beforeAll(() => {
  rules = loadRules();
});

function loop(snapshot: Snapshot): { before: FindingsFile; plan: RemediationPlan; after: FindingsFile } {
  const before = evaluate(snapshot, { rules });
  const plan = planRemediation(before, snapshot, { rules: rules.rules });
  const after = evaluate(projectSnapshot(snapshot, plan), { rules });
  return { before, plan, after };
}

function stillFailing(plan: RemediationPlan, after: FindingsFile): string[] {
  const status = new Map(after.findings.map((f) => [f.id, f.status]));
  return plan.actions.flatMap((a) => a.closes.filter((id) => status.get(id) !== "pass").map((id) => `${a.id} claims ${id}: ${status.get(id) ?? "missing"}`));
}

describe("closed loop", () => {
  it("the hand-built estate: every claimed finding passes after projection, and every remediable rule was exercised", () => {
    const { before, plan, after } = loop(failingSnapshot());
    expect(stillFailing(plan, after)).toEqual([]);
    const closedRules = new Set(plan.actions.flatMap((a) => a.rules));
    // Every live-decidable rule with a code remediation fails in the estate and gets closed.
    const remediable = rules.rules.filter((r) => (ACTION_KINDS as readonly string[]).includes(r.def.remediation.kind)
      && (r.def.sources ?? ["live"]).includes("live"));
    expect(remediable.length).toBeGreaterThanOrEqual(10);
    expect(plan.manual.map((m) => m.command)).toContain("aws secretsmanager rotate-secret --secret-id arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf");
    for (const r of remediable) expect(closedRules, r.def.id).toContain(r.def.id);
    for (const k of ACTION_KINDS) expect(plan.summary.actionsByKind[k], k).toBeGreaterThan(0);
    // Nothing the plan does turns a passing finding into a failing one.
    const was = new Map(before.findings.map((f) => [f.id, f.status]));
    const regressions = after.findings.filter((f) => f.status === "fail" && was.get(f.id) !== "fail").map((f) => f.id);
    expect(regressions).toEqual([]);
    expect(plan.summary.findingsClosed).toBeGreaterThan(10);
  });

  it("every rule's snapshot fixtures: claimed findings pass after projection", () => {
    let claimed = 0;
    for (const rule of rules.rules) {
      const dir = join(rule.dir, "fixtures", "snapshot");
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
        const path = join(dir, file);
        const snap = validateSnapshot(fillFragment(readJsonFile(path), path), path);
        const { plan, after } = loop(snap);
        expect(stillFailing(plan, after), path).toEqual([]);
        claimed += plan.summary.findingsClosed;
      }
    }
    expect(claimed).toBeGreaterThan(0);
  });
});
