/**
 * Sharded scan of 200 account-regions: 1, 2 and 4 shards as separate `node bin/sm-audit.js scan
 * --shard i/n` processes against one simulator, then `merge`. Records wall time per shard count
 * and checks the merged snapshot holds exactly the unsharded scan's secrets.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSnapshot } from "../src/inventory/io";
import { generateEstate } from "../src/simulator/generate";
import { startSimulator, type RunningSimulator } from "../src/simulator/server";
import { writeJsonAtomic } from "../src/util/fs";
import { recordReadmeRow } from "../test/reliability/fault-figures";

const run = promisify(execFile);
const ACCOUNTS = 40; // 40 accounts (management included) × 5 regions = 200 account-regions
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const SECRETS = 2000;
const TIME_SCALE = 50;
const CLI = join(__dirname, "..", "bin", "sm-audit.js");

let sim: RunningSimulator;
const dir = mkdtempSync(join(tmpdir(), "sm-shards-"));
const rows: Array<{ shards: number; wallMs: number; slowestShardMs: number; mergeMs: number; secrets: number; requests: number }> = [];

async function scanShard(i: number, n: number, out: string): Promise<number> {
  const t0 = Date.now();
  await run(process.execPath, [CLI, "scan", "--organization", "--role-name", "OrganizationAccountAccessRole", "--endpoint-url", sim.url,
    "--regions", REGIONS.join(","), "--shard", `${i}/${n}`, "--fail-on", "none", "--allow-gaps", "--out", out, "--concurrency", "16"], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: sim.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.credentials.secretAccessKey, AWS_REGION: "us-east-1", CI: "1" },
    maxBuffer: 64 * 2 ** 20,
  }).catch((err: { code?: number; stderr?: string }) => {
    if (err.code !== 1 && err.code !== 3) throw new Error(`shard ${i}/${n} exited ${String(err.code)}: ${err.stderr ?? ""}`);
  });
  return Date.now() - t0;
}

beforeAll(async () => {
  const estate = generateEstate({ seed: 3, accounts: ACCOUNTS, regions: REGIONS, secrets: SECRETS, readsPerSecret: 1, lake: false });
  sim = await startSimulator({ estate, timeScale: TIME_SCALE, faults: { emptyPageRate: 0 }, now: new Date("2025-06-01T00:00:00Z") });
});

afterAll(async () => {
  await sim?.close();
  const file = join(__dirname, "results", "shards.json");
  writeJsonAtomic(file, { accountRegions: ACCOUNTS * REGIONS.length, secrets: SECRETS, timeScale: TIME_SCALE, cores: 2, rows, recordedAt: new Date().toISOString() });
  if (rows.length) {
    recordReadmeRow("shards", `200 account-regions, ${SECRETS} secrets, timeScale ${TIME_SCALE}, one \`scan --shard i/n\` process per shard + merge: ${rows.map((r) => `${r.shards} shard(s) ${(r.wallMs / 1000).toFixed(1)} s`).join(", ")}; merged = unsharded (ids, replicas)`, "merged equals unsharded");
  }
});

describe("sharded scan", () => {
  let reference: string[] = [];
  let referenceReplicas = "";
  for (const n of [1, 2, 4]) {
    it(`${n} shard(s)`, async () => {
      sim.resetStats();
      const t0 = Date.now();
      const times = await Promise.all(Array.from({ length: n }, (_, k) => scanShard(k + 1, n, join(dir, `n${n}-s${k + 1}`))));
      const m0 = Date.now();
      const shardFiles = Array.from({ length: n }, (_, k) => join(dir, `n${n}-s${k + 1}`, "snapshot.json"));
      await run(process.execPath, [CLI, "merge", ...shardFiles, "--out", join(dir, `merged-${n}.json`)]);
      const mergeMs = Date.now() - m0;
      const merged = readSnapshot(join(dir, `merged-${n}.json`));
      const ids = merged.secrets.map((s) => s.id).sort();
      const replicas = JSON.stringify(merged.secrets.map((s) => [s.id, s.replicas ?? null]).sort());
      if (n === 1) { reference = ids; referenceReplicas = replicas; }
      expect(ids).toEqual(reference);
      // Replica links rebuilt by merge equal those of the unsharded scan.
      expect(replicas).toBe(referenceReplicas);
      expect(new Set(ids).size).toBe(ids.length);
      expect(merged.coverage.filter((c) => c.region !== "global" && c.kind === "secrets")).toHaveLength(ACCOUNTS * REGIONS.length);
      rows.push({ shards: n, wallMs: Date.now() - t0, slowestShardMs: Math.max(...times), mergeMs, secrets: ids.length, requests: sim.stats().requests });
      expect((JSON.parse(readFileSync(shardFiles[0], "utf8")) as { shard?: { count: number } }).shard?.count).toBe(n);
    }, 900_000);
  }
});
