/**
 * The closed loop on the bundled sample estate (examples/estates/acme-health.yaml), scanned
 * through the simulator with the real collectors: every remediable rule fails there, the
 * plan closes at least one finding of each, every claimed finding passes after projection
 * (in-process and through `sm-audit evaluate --projected`), nothing regresses, and the cost
 * report prices the plan at exactly the plan's total.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture, cliMain } from "../policy/cli-harness";
import { scanAws } from "../../src/collect/aws/scan";
import { demoRoleName } from "../../src/cli/demo";
import type { FindingsFile } from "../../src/findings/types";
import { writeSnapshot } from "../../src/inventory/io";
import type { Snapshot } from "../../src/inventory/types";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import type { RuleSet } from "../../src/policy/types";
import { planRemediation } from "../../src/remediate/plan";
import { projectSnapshot } from "../../src/remediate/project";
import type { RemediationPlan } from "../../src/remediate/types";
import { buildCost } from "../../src/report/cost";
import { loadPricing } from "../../src/report/pricing";
import { renderReadme } from "../../src/remediate/readme";
import { loadEstate } from "../../src/simulator/index";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server";
import { writeJsonAtomic } from "../../src/util/fs";
import { packageRoot } from "../../src/version";

const TIME_SCALE = 20;

let sim: RunningSimulator;
let rules: RuleSet;
let snapshot: Snapshot;
let before: FindingsFile;
let plan: RemediationPlan;
let after: FindingsFile;

beforeAll(async () => {
  const estate = loadEstate(join(packageRoot(), "examples", "estates", "acme-health.yaml"));
  sim = await startSimulator({ estate, timeScale: TIME_SCALE });
  const regions = estate.regions.map((r) => (typeof r === "string" ? r : r.name));
  const result = await scanAws({
    credentials: sim.credentials, endpoint: sim.url, organization: true, roleName: demoRoleName(estate),
    defaultRegion: regions[0] ?? "us-east-1", readsDays: 30, readsPageBudget: 200,
    concurrency: 8, maxAttempts: 8, quotaScale: TIME_SCALE,
  });
  snapshot = result.snapshot;
  rules = loadRules();
  before = evaluate(snapshot, { rules });
  plan = planRemediation(before, snapshot, { rules: rules.rules, pricing: loadPricing() });
  after = evaluate(projectSnapshot(snapshot, plan), { rules });
}, 50_000);

afterAll(async () => {
  await sim?.close();
});

/** Claimed findings whose status after projection is not pass. */
function stillFailing(p: RemediationPlan, findings: FindingsFile): string[] {
  const status = new Map(findings.findings.map((f) => [f.id, f.status]));
  return p.actions.flatMap((a) => a.closes.filter((id) => status.get(id) !== "pass").map((id) => `${a.id} claims ${id}: ${status.get(id) ?? "missing"}`));
}

describe("closed loop on the sample estate", () => {
  it("the scan is complete and the estate fails rules", () => {
    expect(snapshot.source.kind).toBe("live");
    expect(before.summary.byStatus.fail ?? 0).toBeGreaterThan(10);
    expect(plan.actions.length).toBeGreaterThan(0);
  });

  it("every finding the plan claims to close passes after projection", () => {
    expect(stillFailing(plan, after)).toEqual([]);
  });

  it("every remediable live rule fails before and has at least one finding closed", () => {
    const remediable = rules.rules.filter((r) => r.def.remediation.kind !== "manual" && (r.def.sources ?? ["live"]).includes("live"));
    expect(remediable.length).toBeGreaterThanOrEqual(10);
    const closed = new Set(plan.actions.flatMap((a) => a.closes));
    const problems: string[] = [];
    for (const r of remediable) {
      const failing = before.findings.filter((f) => f.ruleId === r.def.id && f.status === "fail");
      if (!failing.length) problems.push(`${r.def.id}: never fails on the sample estate`);
      else if (!failing.some((f) => closed.has(f.id))) problems.push(`${r.def.id} (${r.def.remediation.kind}): ${failing.length} failing, none closed`);
    }
    expect(problems).toEqual([]);
    // Rules whose fix is a human action (past reads, unused secrets, unexpected readers) are
    // listed as manual with the rule's instruction, never silently dropped.
    const manual = new Set(plan.manual.map((m) => m.findingId));
    const manualRules = new Set(rules.rules.filter((r) => r.def.remediation.kind === "manual").map((r) => r.def.id));
    const manualFailing = before.findings.filter((f) => f.status === "fail" && manualRules.has(f.ruleId));
    expect(manualFailing.some((f) => f.ruleId === "secret-reads-through-vpc-endpoint")).toBe(true);
    expect(manualFailing.filter((f) => !manual.has(f.id)).map((f) => f.id)).toEqual([]);
    expect(plan.summary.actionsByKind["add-vpc-endpoint"]).toBeGreaterThan(0);
  });

  it("nothing that passed before fails after", () => {
    const was = new Map(before.findings.map((f) => [f.id, f.status]));
    const regressions = after.findings.filter((f) => f.status === "fail" && was.get(f.id) !== "fail").map((f) => `${f.id} (was ${was.get(f.id) ?? "absent"})`);
    expect(regressions).toEqual([]);
  });

  it("the cost report built with the plan shows the plan's monthly delta", () => {
    const cost = buildCost(snapshot, { pricing: loadPricing(), findings: before, plan });
    expect(cost.plan?.actions).toBe(plan.actions.length);
    expect(cost.plan?.monthlyDelta).toBeCloseTo(plan.summary.monthlyCostDelta, 2);
    expect(plan.summary.monthlyCostDelta).toBeGreaterThan(0);
  });

  it("`sm-audit evaluate --projected plan.json snapshot.json` passes every claimed finding", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smr-sample-"));
    writeSnapshot(join(dir, "snapshot.json"), snapshot);
    writeJsonAtomic(join(dir, "plan.json"), plan);
    const io = capture(dir);
    const code = await cliMain()(["evaluate", "--projected", "plan.json", "snapshot.json", "--format", "json", "--fail-on", "none", "--allow-gaps"], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const projected = JSON.parse(io.stdout.join("")) as FindingsFile;
    expect(stillFailing(plan, projected)).toEqual([]);
    expect(projected.findings.length).toBe(after.findings.length);
  });

  it("the README groups actions of a kind per stack into one row and keeps every closed finding id", () => {
    const readme = renderReadme(plan, new Map(plan.stacks.map((st) => [st.id, `stacks/${st.id}`])));
    const rows = readme.split("\n").filter((l) => /^\| (enable|shorten|use|replace|add)-[a-z-]+( ×\d+)? \|/.test(l));
    const groups = new Set(plan.actions.map((a) => `${a.accountId}-${a.region}:${a.kind}`));
    expect(rows.length).toBe(groups.size);
    expect(rows.length).toBeLessThan(plan.actions.length);
    const missing = [...new Set(plan.actions.flatMap((a) => a.closes))].filter((id) => !readme.includes(`\`${id}\``));
    expect(missing).toEqual([]);
    for (const a of plan.actions) expect(readme).toContain(`\`${a.id}\``);
    expect(readme).not.toMatch(/\]\(docs\/rules\//);
  });
});
