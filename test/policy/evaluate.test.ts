import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/policy/config";
import { evaluate } from "../../src/policy/evaluate";
import { loadRules } from "../../src/policy/loader";
import { UserErrors } from "../../src/util/errors";
import { CODE_RULE, ROTATION_RULE, liveSecret, rulesDir, snapshotOf } from "./fixtures";

const dir = rulesDir(ROTATION_RULE, CODE_RULE);
const rules = loadRules([dir], { builtin: false });

const iacSecret = {
  id: "aws_secretsmanager_secret.app", name: "app", kmsKeyId: "alias/app", policy: null,
  source: { kind: "iac" as const, file: "main.tf", line: 3, address: "aws_secretsmanager_secret.app" },
  attributeSources: { valueInCode: { kind: "iac" as const, file: "main.tf", line: 12, address: "aws_secretsmanager_secret_version.app" } },
  valueInCode: [{ attribute: "secret_string", fingerprint: "0123456789ab", source: { kind: "iac" as const, file: "main.tf", line: 12, address: "aws_secretsmanager_secret_version.app" } }],
};

function byId(f: ReturnType<typeof evaluate>, id: string) {
  const x = f.findings.find((y) => y.id === id);
  if (!x) throw new Error(`no finding ${id}`);
  return x;
}

describe("evaluate", () => {
  const snap = snapshotOf([
    liveSecret("ok", 30), liveSecret("slow", 180), liveSecret("off"),
    liveSecret("hidden", undefined, { rotation: { enabled: true }, unknowns: { "rotation.afterDays": "AccessDenied on DescribeSecret" } }),
    iacSecret,
  ], { coverage: [{ accountId: "111111111111", region: "eu-west-1", kind: "secrets", status: "denied", errorCode: "AccessDenied" }] });
  const f = evaluate(snap, { rules });
  const rot = (n: string) => byId(f, `t-rotation/arn:aws:secretsmanager:us-east-1:111111111111:secret:${n}`);

  it("decides pass, fail, unknown and not_applicable with messages", () => {
    expect(rot("ok").status).toBe("pass");
    expect(rot("ok").message).toBe("ok rotates every 30 days");
    expect(rot("slow").status).toBe("fail");
    expect(rot("slow").message).toBe("slow rotates every 180 days; at most 90");
    expect(rot("off").status).toBe("not_applicable");
    expect(rot("hidden").status).toBe("unknown");
    expect(rot("hidden").reason).toBe("rotation.afterDays: AccessDenied on DescribeSecret");
    expect(rot("hidden").message).toBe("hidden: rotation.afterDays: AccessDenied on DescribeSecret");
    const iac = byId(f, "t-rotation/aws_secretsmanager_secret.app");
    expect(iac.status).toBe("not_applicable");
    expect(iac.reason).toBe("infrastructure code cannot decide this rule");
  });

  it("records evidence with values and attribute sources, redacting literal values", () => {
    expect(rot("slow").evidence).toEqual([{ path: "rotation.enabled", value: true }, { path: "rotation.afterDays", value: 180 }]);
    const lit = byId(f, "t-no-literal/aws_secretsmanager_secret.app");
    expect(lit.status).toBe("fail");
    expect(lit.evidence[0]).toEqual({ path: "valueInCode", value: ["[redacted sha256:0123456789ab]"], source: iacSecret.attributeSources.valueInCode });
    expect(lit.message).toBe("app has a literal value [redacted sha256:0123456789ab]");
    expect(JSON.stringify(f)).not.toMatch(/secret_string"\s*:\s*"[^"]/);
  });

  it("fills the finding fields, summary, gaps, params and digest", () => {
    const x = rot("slow");
    expect(x).toMatchObject({ ruleId: "t-rotation", title: "Secrets rotate at least every 90 days", severity: "medium", resourceKind: "secret", resourceName: "slow", accountId: "111111111111", region: "us-east-1", controls: { hipaa: ["164.308(a)(5)(ii)(D)"] } });
    expect(f.summary.byStatus).toEqual({ pass: 1, fail: 2, unknown: 1, not_applicable: 6, suppressed: 0 });
    expect(f.summary.failBySeverity).toMatchObject({ medium: 1, critical: 1 });
    expect(f.summary).toMatchObject({ rules: 2, resources: 5 });
    expect(f.coverageGaps).toEqual([snap.coverage[0]]);
    expect(f.params).toEqual({ "t-rotation": { maxDays: 90 }, "t-no-literal": {} });
    expect(f.rulesDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("applies param overrides from sm-audit.yaml", () => {
    const cfgDir = mkdtempSync(join(tmpdir(), "sm-cfg-"));
    const cfg = join(cfgDir, "sm-audit.yaml");
    writeFileSync(cfg, "params:\n  t-rotation:\n    maxDays: 365\n");
    const g = evaluate(snap, { rules, config: loadConfig(cfg) });
    expect(g.findings.find((y) => y.id === "t-rotation/arn:aws:secretsmanager:us-east-1:111111111111:secret:slow")?.status).toBe("pass");
    expect(g.findings.find((y) => y.id === "t-rotation/arn:aws:secretsmanager:us-east-1:111111111111:secret:slow")?.title).toBe("Secrets rotate at least every 365 days");
    writeFileSync(cfg, "params:\n  t-rotation:\n    maxDays: soon\n  nope:\n    x: 1\n");
    let err: unknown;
    try { evaluate(snap, { rules, config: loadConfig(cfg) }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UserErrors);
    expect((err as UserErrors).errors.map((e) => e.format())).toEqual([
      `${cfg}:3: params.t-rotation.maxDays: expected a number like the default 90, got "soon"`,
      `${cfg}:4: params.nope: no rule with id 'nope'`,
    ]);
  });

  it("uses --as-of for ages", () => {
    const aged = `id: t-age\ntitle: Secrets were changed recently\nseverity: low\nresource: secret\nassert: { path: lastChanged, withinDays: 30 }\ncontrols: { fsbp: [SecretsManager.4] }\nrationale: t\nremediation: { kind: manual }\nmessages: { pass: ok, fail: old, unknown: "?" }\n`;
    const r = loadRules([rulesDir(aged)], { builtin: false });
    const s = snapshotOf([liveSecret("a", 30, { lastChanged: "2025-05-20T00:00:00Z" })]);
    expect(evaluate(s, { rules: r }).findings[0].status).toBe("pass");
    expect(evaluate(s, { rules: r, asOf: "2025-08-01T00:00:00Z" }).findings[0].status).toBe("fail");
  });

  it("injects trustedAccounts from sm-audit.yaml into rules that declare the param", () => {
    const trust = `id: t-trust\ntitle: Keys belong to trusted accounts\nseverity: high\nresource: secret\nparams: { trustedAccounts: [] }\nassert: { path: accountId, in: $params.trustedAccounts }\ncontrols: { hipaa: ["164.312(a)(1)"] }\nrationale: t\nremediation: { kind: manual }\nmessages: { pass: ok, fail: "{accountId} not in {params.trustedAccounts}", unknown: "?" }\n`;
    const r = loadRules([rulesDir(trust)], { builtin: false });
    const s = snapshotOf([liveSecret("a", 30)]);
    expect(evaluate(s, { rules: r }).findings[0].message).toBe("111111111111 not in none");
    const cfgDir = mkdtempSync(join(tmpdir(), "sm-cfg-"));
    const cfg = join(cfgDir, "sm-audit.yaml");
    writeFileSync(cfg, "trustedAccounts: ['111111111111']\nfailOn: low\n");
    const config = loadConfig(cfg);
    expect(config.failOn).toBe("low");
    expect(evaluate(s, { rules: r, config }).findings[0].status).toBe("pass");
    writeFileSync(cfg, "trustedAccounts: [123]\nfailon: low\n");
    let err: unknown;
    try { loadConfig(cfg); } catch (e) { err = e; }
    expect((err as UserErrors).errors.map((e) => e.format())).toEqual([
      `${cfg}:2: failon: unknown key; expected params, trustedAccounts, suppressions, failOn`,
      `${cfg}:1: trustedAccounts.0: expected a 12-digit account id, got 123`,
    ]);
  });

  it("an unknown applies condition makes the finding unknown, not not_applicable", () => {
    const s = snapshotOf([liveSecret("u", 30, { unknowns: { "rotation.enabled": "unresolved var.rotate" } })]);
    const x = evaluate(s, { rules }).findings.find((y) => y.ruleId === "t-rotation");
    expect(x?.status).toBe("unknown");
    expect(x?.reason).toBe("rotation.enabled: unresolved var.rotate");
  });
});
