import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run as check } from "../../src/cli/check";
import { captureIO, runCommand } from "../reliability/cli-helper";

const LITERAL = "s3cr3t-Literal-Value-9f8e7d";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe("no output contains a secret value", () => {
  it("a literal secret_string in HCL is flagged by fingerprint, and appears in no output or message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sm-literal-"));
    const tf = join(dir, "infra");
    mkdirSync(tf);
    writeFileSync(join(tf, "main.tf"), [
      'resource "aws_secretsmanager_secret" "db" {',
      '  name = "db"',
      "}",
      'resource "aws_secretsmanager_secret_version" "db" {',
      "  secret_id     = aws_secretsmanager_secret.db.id",
      `  secret_string = "${LITERAL}"`,
      "}",
      "",
    ].join("\n"));
    const io = captureIO(dir);
    const code = await runCommand("check", check, ["infra", "--out", "out", "--format", "json", "--fail-on", "none"], io);
    expect(io.stderr.join("\n")).not.toMatch(/internal error/);
    expect(code).toBe(0);
    const written = files(join(dir, "out"));
    expect(written.length).toBeGreaterThan(0);
    const all = [io.stdout.join("\n"), io.stderr.join("\n"), ...written.map((f) => readFileSync(f, "utf8"))].join("\n");
    expect(all).not.toContain(LITERAL);
    expect(all).not.toContain(Buffer.from(LITERAL).toString("base64"));
    // The finding is still there, identified without the value.
    expect(readFileSync(join(dir, "out", "snapshot.json"), "utf8")).toMatch(/"valueInCode"/);
  });
});
