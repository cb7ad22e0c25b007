import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Ajv from "ajv";
import { describe, expect, test } from "vitest";
import { sm } from "./cli";
import { SARIF_SUBSET_SCHEMA } from "./sarif-schema";

const LITERAL = "acme-demo-password-DO-NOT-USE";
const REPO = resolve(__dirname, "../..");

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? allFiles(join(dir, e)) : [join(dir, e)]));
}

describe("sm-audit check", () => {
  test("HCL, plan and cdktf together: every output file is written and none holds the literal secret", async () => {
    const out = mkdtempSync(join(tmpdir(), "check-out-"));
    const sarif = join(out, "extra.sarif");
    const md = join(out, "pr.md");
    const r = await sm(["check", "examples/terraform", "examples/cdktf/cdktf.out", "--out", out, "--sarif", sarif, "--markdown", md, "--format", "json"], REPO);
    expect(r.code).toBe(1); // critical/high failures in the scenario
    const files = allFiles(out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual([
      "extra.sarif", "findings.json", "pr.md",
      "reports/compliance.html", "reports/compliance.json", "reports/compliance.md",
      "reports/cost.html", "reports/cost.json", "reports/cost.md", "reports/findings.csv", "reports/junit.xml",
      "results.sarif", "snapshot.json", "summary.md",
    ]);
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toContain(LITERAL);
    expect(r.out).not.toContain(LITERAL);
    const findings = JSON.parse(r.out) as { findings: Array<{ ruleId: string; resourceId: string; status: string }> };
    expect(findings.findings.filter((f) => f.ruleId === "secret-value-not-in-code" && f.status === "fail").map((f) => f.resourceId).sort())
      .toEqual(["aws_secretsmanager_secret.partner_api_key", "portal-secrets/aws_secretsmanager_secret.partner_api_key"]);
  });

  test("the table never shows the literal either, and the SARIF has the documented shape", async () => {
    const table = await sm(["check", "examples/terraform"], REPO);
    expect(table.out).toContain("secret-value-not-in-code");
    expect(table.out).not.toContain(LITERAL);
    const r = await sm(["check", "examples/terraform", "--format", "sarif"], REPO);
    const log = JSON.parse(r.out);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const ok = ajv.validate(SARIF_SUBSET_SCHEMA, log);
    expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === "secret-rotation-interval");
    expect(rule.helpUri).toBe("https://github.com/sm-audit/sm-audit/blob/main/docs/rules/secret-rotation-interval.md");
    expect(rule.properties.tags).toContain("pci-dss-4.0:8.3.9");
    const res = run.results.find((x: { ruleId: string; message: { text: string } }) => x.ruleId === "secret-rotation-interval");
    expect(res.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "examples/terraform/secrets.tf" }, region: { startLine: 91 } });
    const unknown = run.results.find((x: { ruleId: string; properties: { resource: string } }) => x.ruleId === "secret-encrypted-with-cmk" && x.properties.resource === "aws_secretsmanager_secret.oauth_client");
    expect(unknown.level).toBe("note");
    expect(unknown.message.text).toContain("var.oauth_kms_key_id has no default");
  });

  test("a literal also written elsewhere (a name, a description) is scrubbed from every output", async () => {
    // The fingerprinting in the readers keeps the example's literal out on its own; here the value
    // reaches the snapshot and the findings through other arguments, so only the scrubber stops it.
    const dir = mkdtempSync(join(tmpdir(), "check-scrub-"));
    const token = "reused-token-4c9f1e";
    mkdirSync(join(dir, "infra"));
    writeFileSync(join(dir, "infra", "main.tf"), `locals {\n  token = "${token}"\n}\nresource "aws_secretsmanager_secret" "app" {\n  name        = "app-\${local.token}"\n  description = "holds \${local.token}"\n}\nresource "aws_secretsmanager_secret_version" "app" {\n  secret_id     = aws_secretsmanager_secret.app.id\n  secret_string = local.token\n}\n`);
    const out = join(dir, "out");
    const r = await sm(["check", "infra", "--out", out, "--sarif", join(out, "extra.sarif"), "--markdown", join(out, "pr.md"), "--format", "json"], dir);
    expect(r.err).toBe("");
    const files = allFiles(out);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toContain(token);
    expect(r.out).not.toContain(token);
    // The value was there to scrub: its redaction marker stands in the snapshot and in the findings' resource names.
    expect(readFileSync(join(out, "snapshot.json"), "utf8")).toContain("[redacted sha256:");
    expect(r.out).toContain("[redacted sha256:");
    const table = await sm(["check", "infra"], dir);
    expect(table.out).toContain("secret-value-not-in-code");
    expect(table.out).not.toContain(token);
    rmSync(dir, { recursive: true, force: true });
  });

  test("suppressed findings appear in SARIF with an external suppression and its justification", async () => {
    const dir = mkdtempSync(join(tmpdir(), "check-supp-"));
    const file = join(dir, "suppressions.yaml");
    writeFileSync(file, `suppressions:\n  - rule: secret-recovery-window-safe\n    resource: aws_secretsmanager_secret.oauth_client\n    reason: identity team recreates this secret on every deploy\n    owner: identity-team\n    expires: "2999-01-01"\n`);
    const r = await sm(["check", "examples/terraform", "--format", "sarif", "--suppressions", file], REPO);
    expect(r.err).toBe("");
    const res = JSON.parse(r.out).runs[0].results.find((x: { ruleId: string }) => x.ruleId === "secret-recovery-window-safe");
    expect(res.suppressions).toEqual([{ kind: "external", status: "accepted", justification: expect.stringContaining("identity team recreates") }]);
  });

  test("--base-ref: findings already on the base branch are unchanged, only new ones fail the check", async () => {
    const repo = mkdtempSync(join(tmpdir(), "check-git-"));
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe", encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("config", "user.email", "ci@example.com");
    git("config", "user.name", "ci");
    mkdirSync(join(repo, "infra"));
    const base = `resource "aws_secretsmanager_secret" "old" {\n  name = "old"\n}\n`;
    writeFileSync(join(repo, "infra", "main.tf"), base);
    git("add", "."); git("commit", "-q", "-m", "base");
    writeFileSync(join(repo, "infra", "main.tf"), `${base}resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\nresource "aws_secretsmanager_secret" "new" {\n  name = "new"\n  kms_key_id = aws_kms_key.k.arn\n  recovery_window_in_days = 0\n}\n`);
    const r = await sm(["check", "infra", "--base-ref", "main", "--format", "markdown", "--fail-on", "medium"], repo);
    expect(r.err).toBe("");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/New in this pull request/);
    const [fresh, rest] = r.out.split("### Already on the base branch");
    expect(fresh).toContain("secret-recovery-window-safe");
    expect(fresh).toContain("infra/main.tf:7");
    expect(rest).toContain("`aws_secretsmanager_secret.old`"); // a code span shows the address as written
    expect(git("worktree", "list").trim().split("\n")).toHaveLength(1); // the temporary worktree is gone
    // With only the old findings, the check passes.
    git("checkout", "-q", "--", ".");
    const clean = await sm(["check", "infra", "--base-ref", "main", "--fail-on", "medium"], repo);
    expect(clean.code).toBe(0);
    rmSync(repo, { recursive: true, force: true });
  });

  test("--baseline with an earlier findings file marks fixed findings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "check-baseline-"));
    cpSync(join(REPO, "examples/terraform"), join(dir, "tf"), { recursive: true });
    const before = await sm(["check", "tf", "--format", "json"], dir);
    writeFileSync(join(dir, "before.json"), before.out);
    const main = readFileSync(join(dir, "tf", "secrets.tf"), "utf8").replace("recovery_window_in_days = 0", "recovery_window_in_days = 30");
    writeFileSync(join(dir, "tf", "secrets.tf"), main);
    const after = await sm(["check", "tf", "--baseline", "before.json", "--format", "markdown"], dir);
    expect(after.out).toMatch(/Fixed by this pull request \(1\)[\s\S]*secret-recovery-window-safe/);
    expect(after.code).toBe(0); // nothing new fails
  });
});
