/** Checkpoints of `scan --resume`: what is reused, what is collected again, what is refused. */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkSameRun, readGlobal, readRunFile, readUnits, removePartial, type RunParams, startPartial, writeGlobal, writeUnit } from "../../src/collect/aws/partial";
import type { UnitResult } from "../../src/collect/aws/scan";
import { UserError } from "../../src/util/errors";

const A = "222222222222";
const params: RunParams = { accounts: [A], regions: ["us-east-1"], readsDays: 30, shard: null, endpoint: "http://127.0.0.1:1", roleName: "R", cloudtrailLake: null };
const unit = (region: string, status: "collected" | "failed" = "collected"): UnitResult => ({
  secrets: [{ id: `arn:aws:secretsmanager:${region}:${A}:secret:x-abcdef`, accountId: A, region, name: "x" } as UnitResult["secrets"][number]],
  keys: [], vpcs: [], trails: [], reads: [],
  coverage: [{ accountId: A, region, kind: "secrets", status: "collected", count: 1 }, { accountId: A, region, kind: "vpcs", status, ...(status === "failed" ? { errorCode: "TimeoutError" } : {}) }],
});

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

describe("scan checkpoints", () => {
  it("round-trips units and the account list; drops corrupt, mismatched and failed units", () => {
    dir = mkdtempSync(join(tmpdir(), "sm-partial-"));
    const now = new Date("2026-01-02T03:04:05Z");
    startPartial(dir, params, now);
    expect(readRunFile(dir)).toEqual({ version: 1, params, now: now.toISOString() });
    writeUnit(dir, A, "us-east-1", unit("us-east-1"));
    writeUnit(dir, A, "eu-west-1", unit("eu-west-1"));
    writeUnit(dir, A, "eu-central-1", unit("eu-central-1", "failed"));
    // A unit file under another unit's name, and a truncated one.
    writeFileSync(join(dir, ".partial", `${A}-ap-south-1.json`), JSON.stringify({ version: 1, accountId: A, region: "us-east-1", unit: unit("us-east-1"), complete: true }));
    writeFileSync(join(dir, ".partial", `${A}-us-west-2.json`), '{"version":1,"accountId":"2222');
    writeGlobal(dir, { accounts: [{ id: A }], coverage: [] });
    const units = readUnits(dir);
    expect([...units.keys()].sort()).toEqual([`${A}/eu-west-1`, `${A}/us-east-1`]);
    expect(units.get(`${A}/us-east-1`)).toEqual(unit("us-east-1"));
    expect(readdirSync(join(dir, ".partial")).sort()).toEqual([`${A}-eu-west-1.json`, `${A}-us-east-1.json`, "_global.json", "_run.json"]);
    expect(readGlobal(dir)).toEqual({ accounts: [{ id: A }], coverage: [] });
    removePartial(dir);
    expect(existsSync(join(dir, ".partial"))).toBe(false);
    expect(readRunFile(dir)).toBeUndefined();
  });

  it("refuses to resume with different parameters, naming each difference", () => {
    dir = mkdtempSync(join(tmpdir(), "sm-partial-"));
    startPartial(dir, params, new Date());
    const run = readRunFile(dir);
    if (!run) throw new Error("no run file");
    expect(() => checkSameRun(run, params, dir as string)).not.toThrow();
    let err: unknown;
    try {
      checkSameRun(run, { ...params, regions: "all", shard: "1/2" }, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toMatch(/regions was \["us-east-1"\], now "all"; shard was null, now "1\/2"/);
  });

  it("a damaged _run.json is a usage error naming the file", () => {
    dir = mkdtempSync(join(tmpdir(), "sm-partial-"));
    startPartial(dir, params, new Date());
    writeFileSync(join(dir, ".partial", "_run.json"), "{");
    expect(() => readRunFile(dir as string)).toThrow(UserError);
  });
});
