import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptySnapshot, readSnapshot, validateSnapshot, writeSnapshot } from "../../src/inventory/io";
import { UserError } from "../../src/util/errors";

const dir = mkdtempSync(join(tmpdir(), "sm-io-"));

function snap(): Record<string, unknown> {
  const s = emptySnapshot({ kind: "fixture" }, "2025-01-01T00:00:00Z") as unknown as Record<string, unknown>;
  s.secrets = [{ id: "arn:s1", name: "db", source: { kind: "live", accountId: "111111111111", region: "us-east-1", api: "secretsmanager:ListSecrets" }, unknowns: { "rotation.enabled": "denied" } }];
  return s;
}

function errorOf(fn: () => unknown): UserError {
  try { fn(); } catch (e) { if (e instanceof UserError) return e; throw e; }
  throw new Error("expected a UserError");
}

describe("snapshot io", () => {
  it("round-trips a snapshot through an atomic write", () => {
    const p = join(dir, "ok.json");
    writeSnapshot(p, snap() as never);
    const back = readSnapshot(p);
    expect(back.secrets[0].name).toBe("db");
    expect(back.secrets[0].unknowns).toEqual({ "rotation.enabled": "denied" });
  });

  it("names file, line and field of a schema error", () => {
    const s = snap();
    (s.secrets as Array<Record<string, unknown>>)[0].kmsKeyId = 42;
    const p = join(dir, "bad.json");
    writeFileSync(p, JSON.stringify(s, null, 2));
    const e = errorOf(() => readSnapshot(p));
    const text = readFileSync(p, "utf8").split("\n");
    const line = text.findIndex((l) => l.includes('"kmsKeyId"')) + 1;
    expect(e.format()).toBe(`${p}:${line}: secrets.0.kmsKeyId: expected a string or null`);
  });

  it("reports a missing required field and a bad unknowns map", () => {
    const s = snap();
    delete (s.secrets as Array<Record<string, unknown>>)[0].name;
    expect(errorOf(() => validateSnapshot(s, "x.json")).format()).toMatch(/x\.json: secrets\.0: missing required field 'name'/);
    const t = snap();
    (t.secrets as Array<Record<string, unknown>>)[0].unknowns = { a: 1 };
    expect(errorOf(() => validateSnapshot(t, "x.json")).format()).toMatch(/secrets\.0\.unknowns\.a: expected a string/);
  });

  it("refuses a newer major and reads an older minor of the same major", () => {
    const s = snap();
    s.schemaVersion = "2.0";
    expect(errorOf(() => validateSnapshot(s, "n.json")).message).toMatch(/newer than this sm-audit reads/);
    s.schemaVersion = "1.0";
    s.futureField = { x: 1 };
    expect(validateSnapshot(s, "o.json").schemaVersion).toBe("1.0");
  });

  it("reports invalid JSON with a line", () => {
    const p = join(dir, "broken.json");
    writeFileSync(p, '{\n  "a": 1,\n  "b": \n}\n');
    expect(errorOf(() => readSnapshot(p)).format()).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(:\\d+)?: invalid JSON`));
  });
});
