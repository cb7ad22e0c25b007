import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseShard } from "../../src/inventory/shard";

interface Step { uses?: string; run?: string; with?: Record<string, unknown> }
interface Workflow {
  on: { schedule: Array<{ cron: string }> };
  permissions: Record<string, string>;
  env: { SHARDS: number };
  jobs: Record<string, { needs?: string; strategy?: { matrix: { shard: number[] } }; steps: Step[] }>;
}

describe("examples/github-actions/scheduled-audit.yml", () => {
  const wf = parse(readFileSync("examples/github-actions/scheduled-audit.yml", "utf8")) as Workflow;

  it("runs on a cron with OIDC credentials and no stored keys", () => {
    expect(wf.on.schedule[0].cron.split(" ")).toHaveLength(5);
    expect(wf.permissions["id-token"]).toBe("write");
    const scan = wf.jobs.scan.steps;
    expect(scan.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") && s.with?.["role-to-assume"])).toBe(true);
    expect(JSON.stringify(wf)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
  });

  it("covers every shard 1..N exactly once and merges them all", () => {
    const shards = wf.jobs.scan.strategy!.matrix.shard;
    const n = wf.env.SHARDS;
    expect([...shards].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (const i of shards) expect(parseShard(`${i}/${n}`)).toEqual({ index: i, count: n });
    const scanRun = wf.jobs.scan.steps.map((s) => s.run ?? "").join("\n");
    expect(scanRun).toContain("scan --shard ${{ matrix.shard }}/${{ env.SHARDS }}");
    const merge = wf.jobs["merge-and-report"];
    expect(merge.needs).toBe("scan");
    expect(merge.steps.map((s) => s.run ?? "").join("\n")).toMatch(/sm-audit merge shards\/shard-\*\.json --out/);
    expect(merge.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });
});
