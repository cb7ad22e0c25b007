import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { sm } from "../check/cli";

const dir = mkdtempSync(join(tmpdir(), "iac-bad-"));
const path = (...p: string[]) => join(dir, ...p);

describe("malformed inputs: one line naming the file, exit 2", () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ["truncated plan JSON", () => { const f = path("trunc.json"); writeFileSync(f, '{\n  "format_version": "1.2",\n  "planned_values": {\n    "root_module": {\n'); return f; }, /trunc\.json:\d+: invalid JSON/],
    ["HCL syntax error", () => { mkdirSync(path("hcl"), { recursive: true }); writeFileSync(path("hcl", "main.tf"), 'resource "aws_secretsmanager_secret" "x" {\n  name = "x"\n  kms_key_id = \n}\n'); return path("hcl"); }, /hcl\/main\.tf:3: HCL syntax error/],
    ["unsupported plan format_version", () => { const f = path("v2.json"); writeFileSync(f, JSON.stringify({ format_version: "2.0", planned_values: {} })); return f; }, /v2\.json: format_version: unsupported plan format_version "2\.0"/],
    ["empty directory", () => { mkdirSync(path("empty"), { recursive: true }); return path("empty"); }, /empty: empty directory/],
    ["binary file", () => { const f = path("blob.bin"); writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0])); return f; }, /blob\.bin: is a binary file/],
    ["JSON that is not a plan", () => { const f = path("other.json"); writeFileSync(f, JSON.stringify({ resources: [], format_version: "1.0" })); return f; }, /other\.json: JSON file is not a Terraform plan/],
  ];
  for (const [name, make, pattern] of cases) {
    test(name, async () => {
      const r = await sm(["check", make()]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(pattern);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
    });
  }
});
