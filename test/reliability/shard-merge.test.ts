import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run as mergeCmd } from "../../src/cli/merge";
import { captureIO as capture, runCommand } from "./cli-helper";
import { emptySnapshot, readSnapshot } from "../../src/inventory/io";
import { mergeSnapshots } from "../../src/inventory/merge";
import { parseShard, shardOf, shardUnits } from "../../src/inventory/shard";
import type { Snapshot } from "../../src/inventory/types";
import { UserError } from "../../src/util/errors";

const units = (accounts: number, regions: string[]): string[] =>
  Array.from({ length: accounts }, (_, a) => String(100000000000 + a)).flatMap((acct) => regions.map((r) => `${acct}/${r}`));

/** A shard snapshot holding one secret and full coverage for each of its units. */
function shardSnap(all: string[], index: number, count: number, at = "2025-01-01T00:00:00.000Z"): Snapshot {
  const mine = shardUnits(all, index, count);
  const s = emptySnapshot({ kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" }, at);
  s.shard = { index, count, units: mine };
  for (const u of mine) {
    const [accountId, region] = u.split("/");
    if (!s.accounts.some((a) => a.id === accountId)) s.accounts.push({ id: accountId });
    s.secrets.push({
      id: `arn:aws:secretsmanager:${region}:${accountId}:secret:db-AbCdEf`, name: "db", accountId, region,
      source: { kind: "live", accountId, region, api: "secretsmanager:ListSecrets" },
    });
    s.coverage.push({ accountId, region, kind: "secrets", status: "collected", count: 1 });
  }
  s.coverage.push({ accountId: "100000000000", region: "global", kind: "accounts", status: "collected" });
  return s;
}

describe("parseShard", () => {
  it("accepts 1-based i/n and refuses everything else with a UserError", () => {
    expect(parseShard("1/4")).toEqual({ index: 1, count: 4 });
    expect(parseShard(" 4 / 4 ")).toEqual({ index: 4, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "a/b", "1", "-1/3", "1/4/2", "", "1/99999999"]) {
      expect(() => parseShard(bad), bad).toThrow(UserError);
    }
  });
});

describe("shardUnits", () => {
  const all = units(50, ["us-east-1", "eu-west-1", "ap-south-1", "us-west-2"]);

  it("puts every unit in exactly one shard, whatever the count", () => {
    for (const n of [1, 2, 3, 4, 7, 16]) {
      const parts = Array.from({ length: n }, (_, i) => shardUnits(all, i + 1, n));
      expect(parts.flat().sort()).toEqual([...all].sort());
    }
  });

  it("depends on the unit, not its position: reordering or adding units moves none of the others", () => {
    const shuffled = [...all].reverse();
    for (let i = 1; i <= 4; i++) expect(new Set(shardUnits(shuffled, i, 4))).toEqual(new Set(shardUnits(all, i, 4)));
    const more = [...all, ...units(60, ["us-east-1"]).slice(50)];
    for (const u of all) expect(shardOf(u, 4)).toBe(shardOf(u, 4));
    for (let i = 1; i <= 4; i++) expect(shardUnits(more, i, 4).filter((u) => all.includes(u))).toEqual(shardUnits(all, i, 4));
  });

  it("moves about 1/(n+1) of the units when a shard is added, and spreads them evenly", () => {
    const moved = all.filter((u) => shardOf(u, 4) !== shardOf(u, 5)).length;
    expect(moved / all.length).toBeLessThan(0.35);
    const sizes = Array.from({ length: 4 }, (_, i) => shardUnits(all, i + 1, 4).length);
    expect(Math.min(...sizes)).toBeGreaterThan(all.length / 4 / 2);
  });
});

describe("mergeSnapshots", () => {
  const all = units(12, ["us-east-1", "eu-west-1"]);
  const shards = [1, 2, 3].map((i) => shardSnap(all, i, 3));

  it("combines shards into one snapshot with every unit once", () => {
    const m = mergeSnapshots(shards);
    expect(m.source.kind).toBe("merged");
    expect(m.shard).toBeUndefined();
    expect(m.secrets.map((s) => s.id).sort()).toEqual(shardSnap(all, 1, 1).secrets.map((s) => s.id).sort());
    expect(m.coverage.filter((c) => c.region === "global")).toHaveLength(1);
    expect(m.coverage.filter((c) => c.kind === "secrets")).toHaveLength(all.length);
    expect(m.accounts).toHaveLength(12);
  });

  it("refuses overlapping, missing, duplicated and mismatched shards", () => {
    const other = shardSnap(all, 1, 2);
    expect(() => mergeSnapshots([shards[0], shards[1]])).toThrow(/missing shard 3\/3/);
    expect(() => mergeSnapshots([shards[0], shards[0], shards[1], shards[2]])).toThrow(/also/);
    expect(() => mergeSnapshots([...shards.slice(0, 2), other])).toThrow(/shard count 2 differs/);
    const v2 = { ...shards[2], schemaVersion: "1.1" };
    expect(() => mergeSnapshots([shards[0], shards[1], v2])).toThrow(/schema version/);
    const window = { ...shards[2], source: { ...shards[2].source, readsWindowDays: 7 } };
    expect(() => mergeSnapshots([shards[0], shards[1], window])).toThrow(/read window/);
    const late = shardSnap(all, 3, 3, "2025-01-03T00:00:00.000Z");
    expect(() => mergeSnapshots([shards[0], shards[1], late])).toThrow(/hours/);
    const overlap = { ...shards[2], shard: { ...shards[2].shard!, units: [...shards[2].shard!.units, shards[0].shard!.units[0]] } };
    expect(() => mergeSnapshots([shards[0], shards[1], overlap])).toThrow(/overlapping/);
    const dup = { ...shards[2], secrets: [...shards[2].secrets, shards[0].secrets[0]] };
    expect(() => mergeSnapshots([shards[0], shards[1], dup])).toThrow(/duplicate resource/);
    const unsharded = { ...shards[2], shard: undefined };
    expect(() => mergeSnapshots([shards[0], shards[1], unsharded])).toThrow(/not a shard/);
  });

  it("collapses a multi-region trail seen by several shards and links replicas across shards", () => {
    const src = (region: string) => ({ kind: "live" as const, accountId: "100000000000", region, api: "x" });
    const trail = { id: "arn:aws:cloudtrail:us-east-1:100000000000:trail/org", name: "org", source: src("us-east-1") };
    const arn = (r: string): string => `arn:aws:secretsmanager:${r}:100000000000:secret:db-AbCdEf`;
    const a = emptySnapshot({ kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" }, "2025-01-01T00:00:00.000Z");
    const b = structuredClone(a);
    a.shard = { index: 1, count: 2, units: ["100000000000/us-east-1"] };
    b.shard = { index: 2, count: 2, units: ["100000000000/eu-west-1"] };
    a.trails.push({ ...trail, unknowns: { logging: "denied" } });
    b.trails.push(trail);
    a.secrets.push({ id: arn("us-east-1"), name: "db", accountId: "100000000000", region: "us-east-1", primaryRegion: "us-east-1", replicas: [], source: src("us-east-1") });
    b.secrets.push({ id: arn("eu-west-1"), name: "db", accountId: "100000000000", region: "eu-west-1", primaryRegion: "us-east-1", kmsKeyId: "alias/eu", source: src("eu-west-1") });
    const m = mergeSnapshots([a, b]);
    expect(m.trails).toEqual([trail]);
    expect(m.secrets.find((s) => s.id === arn("us-east-1"))?.replicas).toEqual([{ region: "eu-west-1", kmsKeyId: "alias/eu" }]);
    expect(a.secrets[0].replicas).toEqual([]); // inputs are not modified
  });

  it("merges unsharded snapshots of disjoint units and refuses overlapping ones", () => {
    const a = { ...shardSnap(all.slice(0, 4), 1, 1), shard: undefined };
    const b = { ...shardSnap(all.slice(4), 1, 1), shard: undefined };
    expect(mergeSnapshots([a, b]).secrets).toHaveLength(all.length);
    expect(() => mergeSnapshots([a, a])).toThrow(/overlapping/);
  });
});

describe("sm-audit merge", () => {
  const dir = mkdtempSync(join(tmpdir(), "sm-merge-"));
  const all = units(6, ["us-east-1", "eu-west-1"]);
  const files = [1, 2].map((i) => {
    const f = join(dir, `shard-${i}.json`);
    writeFileSync(f, JSON.stringify(shardSnap(all, i, 2)));
    return f;
  });

  it("writes a valid merged snapshot", async () => {
    const io = capture(dir);
    expect(await runCommand("merge", mergeCmd, [...files, "--out", "merged.json"], io)).toBe(0);
    const merged = readSnapshot(join(dir, "merged.json"));
    expect(merged.secrets).toHaveLength(all.length);
    expect(io.stderr.join("")).toMatch(/merged 2 snapshots: 12 secrets/);
  });

  it("exits 2 with one line naming the reason on a rejected merge", async () => {
    const io = capture(dir);
    expect(await runCommand("merge", mergeCmd, [files[0], "--out", "x.json"], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^sm-audit merge: .*missing shard 2\/2/);
    const io2 = capture(dir);
    expect(await runCommand("merge", mergeCmd, [files[0], files[0], files[1], "--out", "x.json"], io2)).toBe(2);
    expect(io2.stderr[0]).toMatch(/shard-1\.json.*also/);
    writeFileSync(join(dir, "bad.json"), "{\"schemaVersion\": 3}");
    const io3 = capture(dir);
    expect(await runCommand("merge", mergeCmd, [join(dir, "bad.json"), "--out", "x.json"], io3)).toBe(2);
    expect(io3.stderr[0]).toMatch(/bad\.json.*schemaVersion/);
    expect(() => readFileSync(join(dir, "x.json"))).toThrow();
  });
});
