/** The PR comment's escaping: addresses shown as written in code spans, text that cannot ping anyone. */
import { describe, expect, it } from "vitest";
import { toPrMarkdown } from "../../src/report/pr-markdown";
import type { Finding, FindingsFile } from "../../src/findings/types";

function file(f: Partial<Finding>): FindingsFile {
  const finding: Finding = {
    id: "r/x", ruleId: "secret-rotation-enabled", title: "t", severity: "high", resourceKind: "secret",
    resourceId: "aws_secretsmanager_secret.db_main", status: "fail", message: "m", evidence: [],
    source: { kind: "iac", file: "infra/main.tf", line: 3, address: "aws_secretsmanager_secret.db_main" }, controls: {}, ...f,
  };
  return {
    schemaVersion: "1.0", tool: { name: "sm-audit", version: "0" }, generatedAt: "2026-01-01T00:00:00Z",
    snapshot: { generatedAt: "2026-01-01T00:00:00Z", source: { kind: "hcl" } }, rulesDigest: "d", params: {},
    summary: { byStatus: { pass: 0, fail: 1, unknown: 0, not_applicable: 0, suppressed: 0 }, failBySeverity: { critical: 0, high: 1, medium: 0, low: 0, info: 0 }, rules: 1, resources: 1 },
    coverageGaps: [], expiredSuppressions: [], findings: [finding],
  };
}

describe("PR comment escaping", () => {
  it("shows a resource address in a code span exactly as written (no backslashes)", () => {
    const md = toPrMarkdown(file({}));
    expect(md).toContain("`aws_secretsmanager_secret.db_main`");
    expect(md).not.toContain("db\\_main");
  });

  it("fences an address that contains backticks with a longer run", () => {
    expect(toPrMarkdown(file({ resourceId: "a`b" }))).toContain("``a`b``");
  });

  it("keeps an @mention in a message from notifying a team", () => {
    const md = toPrMarkdown(file({ message: "owned by @acme/platform" }));
    expect(md).not.toMatch(/@acme/);
    expect(md).toContain("@\u200bacme/platform");
  });
});
