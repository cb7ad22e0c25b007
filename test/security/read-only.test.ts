import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scannerActions, scannerPolicy } from "../../src/collect/aws/actions";

/** Actions that read without being named List/Describe/Get, each with why it is read-only. */
const READ_ONLY_EXCEPTIONS: Record<string, string> = {
  "cloudtrail:LookupEvents": "reads management events (the read statistics)",
  "cloudtrail:StartQuery": "runs a SELECT on a CloudTrail Lake event data store; writes nothing to the account",
  "sts:AssumeRole": "enters the read-only member role",
};

function srcFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? srcFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the scanner is value-blind and read-only", () => {
  const policy = scannerPolicy("SmAuditReadOnly");
  const actions = policy.Statement.flatMap((s) => s.Action);

  it("grants only List*/Describe*/Get* and the listed read-only exceptions", () => {
    expect(actions.length).toBeGreaterThan(5);
    for (const a of actions) {
      const ok = /^[a-z0-9-]+:(List|Describe|Get)[A-Za-z]*$/.test(a) || a in READ_ONLY_EXCEPTIONS;
      expect(ok, `${a} is not a read action`).toBe(true);
      expect(a).not.toMatch(/\*/);
    }
    expect([...new Set(actions)].sort()).toEqual(scannerActions());
  });

  it("never grants a secret-value read", () => {
    for (const a of actions) expect(a.toLowerCase()).not.toMatch(/getsecretvalue|batchgetsecretvalue|secretsmanager:\*/);
    expect(JSON.stringify(policy)).not.toMatch(/SecretValue/i);
    const assume = policy.Statement.filter((s) => s.Action.includes("sts:AssumeRole"));
    expect(assume.map((s) => s.Resource)).toEqual(["arn:aws:iam::*:role/SmAuditReadOnly"]);
  });

  // stacks/ ships with the package (the generated app imports it), so it is product code too.
  const productFiles = [...srcFiles("src"), ...srcFiles("stacks")];

  it("no source file outside the guard names a value-read command class", () => {
    expect(productFiles.some((f) => f.endsWith(join("collect", "aws", "guard.ts")))).toBe(true);
    const offenders = productFiles.filter((f) => !/collect\/aws\/(guard|actions)\.ts$|simulator\//.test(f))
      .filter((f) => /GetSecretValueCommand|BatchGetSecretValueCommand/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("every writer goes through the atomic helpers (no direct writeFileSync/createWriteStream in src/)", () => {
    const offenders = productFiles.filter((f) => !f.endsWith(join("util", "fs.ts")))
      .filter((f) => /\b(writeFileSync|appendFileSync|createWriteStream)\s*\(/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
