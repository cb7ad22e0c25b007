import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptySnapshot, readSnapshot } from "../../src/inventory/io";
import { mergeSnapshots } from "../../src/inventory/merge";
import type { Snapshot } from "../../src/inventory/types";
import { FuzzRng, NASTY_STRINGS, deepJson, mutate, protoPayloadJson, recordFuzz, runFuzz, type FuzzCase } from "../helpers/fuzz";

const SEED = 0x5eed_0001;
const dir = mkdtempSync(join(tmpdir(), "sm-fuzz-snap-"));

function validSnapshot(): Snapshot {
  const s = emptySnapshot({ kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" }, "2025-01-01T00:00:00.000Z");
  const src = { kind: "live" as const, accountId: "111111111111", region: "us-east-1", api: "secretsmanager:ListSecrets" };
  s.accounts.push({ id: "111111111111", name: "prod" });
  s.secrets.push({
    id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf", arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
    name: "db", accountId: "111111111111", region: "us-east-1", source: src, kmsKeyId: null,
    rotation: { enabled: true, afterDays: 30, lastRotated: "2024-12-01T00:00:00Z" }, tags: { team: "payments" },
    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] },
  });
  s.kmsKeys.push({ id: "arn:aws:kms:us-east-1:111111111111:key/k1", accountId: "111111111111", region: "us-east-1", source: src, manager: "CUSTOMER", rotationEnabled: true });
  s.coverage.push({ accountId: "111111111111", region: "us-east-1", kind: "secrets", status: "collected", count: 1 });
  return s;
}

function* cases(): Generator<FuzzCase<string>> {
  const base = validSnapshot();
  const text = JSON.stringify(base);
  yield { name: "valid", input: text };
  yield { name: "empty file", input: "" };
  yield { name: "NUL bytes", input: "\u0000".repeat(100) };
  yield { name: "BOM + valid", input: "\ufeff" + text };
  yield { name: "deep array 1e5", input: deepJson(100_000) };
  yield { name: "deep object 1e5", input: deepJson(100_000, "object") };
  yield { name: "deep policy 1e5", input: text.replace('"policy":{', `"policy":{"Deep":${deepJson(100_000)},`) };
  yield { name: "deep tags 1e5", input: text.replace('"tags":{', `"tags":{"deep":${deepJson(100_000, "object")},`) };
  yield { name: "huge string 50MB in a name", input: text.replace('"name":"db"', `"name":"${"a".repeat(50 * 2 ** 20)}"`) };
  yield { name: "huge garbage 50MB", input: "{".repeat(50 * 2 ** 20) };
  yield { name: "huge array of numbers", input: `{"schemaVersion":"1.0","secrets":[${"1,".repeat(2_000_000)}1]}` };
  yield { name: "__proto__ payload at the top", input: protoPayloadJson(base as unknown as Record<string, unknown>) };
  yield { name: "__proto__ payload in tags", input: text.replace('"tags":{', '"tags":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},') };
  for (const s of NASTY_STRINGS) {
    yield { name: `nasty name ${JSON.stringify(s.slice(0, 20))}`, input: text.replace('"name":"db"', `"name":${JSON.stringify(s)}`) };
    yield { name: `nasty schemaVersion ${JSON.stringify(s.slice(0, 20))}`, input: text.replace('"schemaVersion":"1.0"', `"schemaVersion":${JSON.stringify(s)}`) };
  }
  yield { name: "lone surrogate escape", input: text.replace('"name":"db"', '"name":"\\ud800\\u0000\\u202e"') };
  for (const v of ["0.9", "2.0", "1.999", 1, null, [], {}]) yield { name: `schemaVersion ${JSON.stringify(v)}`, input: text.replace('"schemaVersion":"1.0"', `"schemaVersion":${JSON.stringify(v)}`) };
  const rng = new FuzzRng(SEED);
  for (let i = 0; i < 600; i++) yield { name: `mutation #${i} (seed ${SEED})`, input: JSON.stringify(mutate(base, rng, 0.06)) };
  for (let i = 0; i < 100; i++) {
    const cut = rng.int(0, text.length);
    yield { name: `truncated at ${cut}`, input: text.slice(0, cut) };
  }
}

describe("fuzz: snapshot reader (readSnapshot / validateSnapshot) and merge", () => {
  it("ends every case in a UserError or a valid snapshot", async () => {
    let n = 0;
    const stats = await runFuzz("snapshot-reader", SEED, cases(), (input: string) => {
      const file = join(dir, `case-${n++ % 4}.json`);
      writeFileSync(file, input);
      const snap = readSnapshot(file);
      // A snapshot that reads as valid must also survive the next stage that only trusts the schema.
      mergeSnapshots([snap]);
      JSON.stringify(snap);
    }, { budgetMs: 18_000, perCaseMs: 5_000, retainedMB: 64, peakRssMB: 1536 });
    recordFuzz(stats);
    expect(stats.failures).toEqual([]);
    expect(stats.cases).toBeGreaterThan(200);
    expect(stats.userErrors).toBeGreaterThan(100);
    expect(stats.results).toBeGreaterThan(0);
  }, 30_000);
});
