/**
 * The memo of decisions (policy/memo.ts) must never change a finding: evaluating with it
 * and without it gives byte-identical findings, on every rule fixture and on a generated
 * estate full of near-duplicates (same values in another order, one unknown more, a
 * tag value differing only in case) — the cases a wrong memo key would merge.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serializeFindings } from "../../src/findings/io";
import { findingCount } from "../../src/findings/rows";
import { emptySnapshot } from "../../src/inventory/io";
import type { KmsKey, PolicyDocument, ReadStat, Secret, Snapshot } from "../../src/inventory/types";
import { evaluate } from "../../src/policy/evaluate";
import { fixtureCases, loadFixture, ruleFolders } from "../../src/policy/harness";
import { loadRules } from "../../src/policy/loader";
import { Rng } from "../../src/simulator/rand";
import { liveSecret, rulesDir, snapshotOf } from "./fixtures";

const rules = loadRules([]);

function text(snap: Snapshot, memo: boolean, set = rules): string {
  const file = evaluate(snap, { rules: set, memo, asOf: "2025-06-01T00:00:00Z" });
  file.generatedAt = "fixed";
  let out = "";
  serializeFindings(file, (chunk) => (out += chunk));
  return out;
}

const ACCOUNTS = ["111111111111", "222222222222"];
const REGION = "us-east-1";

/** A seeded estate where many secrets read the same values and some differ by one detail. */
function estate(seed: number, n: number): Snapshot {
  const g = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(g.next() * xs.length)];
  const snap = emptySnapshot({ kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" }, "2025-06-01T00:00:00Z");
  snap.accounts = ACCOUNTS.map((id) => ({ id }));
  snap.organization = { id: "o-1", managementAccountId: ACCOUNTS[0] };
  snap.regions = [REGION];
  for (const acct of ACCOUNTS) {
    for (let k = 0; k < 3; k++) {
      const arn = `arn:aws:kms:${REGION}:${acct}:key/k${k}`;
      const key: KmsKey = { id: arn, arn, keyId: `k${k}`, accountId: acct, region: REGION, source: { kind: "live", accountId: acct, region: REGION, api: "kms:DescribeKey" }, manager: "CUSTOMER", state: k === 2 ? "Disabled" : "Enabled", rotationEnabled: k !== 1, rotationPeriodDays: k === 0 ? 365 : 730, aliases: [`alias/k${k}`] };
      snap.kmsKeys.push(key);
    }
    snap.coverage.push({ accountId: acct, region: REGION, kind: "secrets", status: "collected", count: n });
  }
  const tagSets: Array<Record<string, string>> = [
    { Owner: "a", DataClassification: "phi" },
    { DataClassification: "phi", Owner: "a" },
    { DataClassification: "PHI" },
    { DataClassification: "internal", Environment: "prod" },
    { Owner: "b" },
    // Same values under other keys: only a key-aware memo tells these apart.
    { Owner: "phi" },
    { Environment: "phi", DataClassification: "x" },
    { DataClassification: "phi", Environment: "x" },
    {},
  ];
  for (let i = 0; i < n; i++) {
    const acct = pick(ACCOUNTS);
    const arn = `arn:aws:secretsmanager:${REGION}:${acct}:secret:s${i}`;
    const s: Secret = {
      id: arn, arn, name: `s${i % 7}`, accountId: acct, region: REGION,
      source: { kind: "live", accountId: acct, region: REGION, api: "secretsmanager:ListSecrets" },
      kmsKeyId: pick([null, "alias/aws/secretsmanager", `arn:aws:kms:${REGION}:${acct}:key/k0`, `arn:aws:kms:${REGION}:${acct}:key/k1`, `arn:aws:kms:${REGION}:${acct}:key/k2`, `arn:aws:kms:${REGION}:333333333333:key/x`]),
      rotation: pick([{ enabled: false }, { enabled: true, afterDays: 30, lastRotated: "2025-05-01T00:00:00Z" }, { enabled: true, scheduleExpression: "rate(100 days)", lastRotated: "2024-01-01T00:00:00Z" }, { enabled: true, scheduleExpression: "cron(0 0 1 */4 ? *)" }]),
      created: "2024-01-01T00:00:00Z",
      lastAccessed: pick([undefined, "2025-05-30T00:00:00Z", "2024-06-01T00:00:00Z"]),
      tags: { ...pick(tagSets) },
      policy: pick([null, null, policy(acct, "*"), policy(acct, "arn:aws:iam::999999999999:root"), policy(acct, `arn:aws:iam::${ACCOUNTS[1]}:role/x`)]),
    };
    if (i % 11 === 0) s.deleted = "2025-05-28T00:00:00Z";
    if (i % 13 === 0) s.unknowns = { policy: "AccessDenied: secretsmanager:GetResourcePolicy" };
    if (i % 17 === 0) s.unknowns = { ...s.unknowns, rotation: "AccessDenied: secretsmanager:DescribeSecret" };
    if (i % 9 === 0) s.replicas = [{ region: "us-west-2", kmsKeyId: pick([null, `arn:aws:kms:us-west-2:${acct}:key/r`]), status: "InSync" }];
    snap.secrets.push(s);
    if (g.next() < 0.6) snap.reads.push(...reads(s, g));
  }
  return snap;
}

function policy(acct: string, principal: string): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal === "*" ? "*" : { AWS: principal }, Action: "secretsmanager:GetSecretValue", Resource: "*" }, { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${acct}:role/app` }, Action: "secretsmanager:*", Resource: "*" }] };
}

function reads(s: Secret, g: Rng): ReadStat[] {
  const acct = s.accountId ?? "";
  const out: ReadStat[] = [];
  const kinds = [["AssumedRole", `arn:aws:iam::${acct}:role/app`, acct], ["IAMUser", `arn:aws:iam::${acct}:user/ci`, acct], ["AssumedRole", "arn:aws:iam::999999999999:role/x", "999999999999"]] as const;
  for (let k = 0; k < 1 + Math.floor(g.next() * 3); k++) {
    const [type, principal, pAcct] = kinds[Math.floor(g.next() * kinds.length)];
    const count = 1 + Math.floor(g.next() * 4);
    out.push({ secretId: s.id, accountId: acct, region: REGION, principal, principalType: type, principalAccountId: pAcct, longTermKey: type === "IAMUser", count, deniedCount: g.next() < 0.1 ? 30 : 0, viaVpceCount: g.next() < 0.5 ? count : 0, awsServiceCount: 0, firstSeen: "2025-05-01T00:00:00Z", lastSeen: "2025-05-30T00:00:00Z" });
  }
  return out;
}

describe("the memo of decisions", () => {
  it("gives the findings of a full evaluation on a generated estate of near-duplicates", () => {
    for (const seed of [1, 2]) {
      const snap = estate(seed, 1500);
      const withMemo = text(snap, true);
      expect(withMemo).toBe(text(snap, false));
      // The estate exercises every status, so equality compares real decisions.
      const file = evaluate(snap, { rules });
      expect(findingCount(file)).toBe(Object.values(file.summary.byStatus).reduce((a, b) => a + b, 0));
      for (const status of ["pass", "fail", "unknown", "not_applicable"] as const) expect(file.summary.byStatus[status]).toBeGreaterThan(0);
    }
  });

  it("gives the findings of a full evaluation on every rule fixture", async () => {
    let cases = 0;
    for (const dir of ruleFolders([])) {
      for (const name of fixtureCases(join(dir, "fixtures"))) {
        const snap = await loadFixture(join(dir, "fixtures", name), name);
        expect(text(snap, true), `${dir}: ${name}`).toBe(text(snap, false));
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(60);
  });
});

/** A rule over the estate's secrets with `assert` as given. */
function ruleText(id: string, assert: string): string {
  return `id: ${id}
title: ${id}
severity: low
resource: secret
assert: ${assert}
controls: { hipaa: ["164.308(a)(5)(ii)(D)"] }
rationale: test
remediation: { kind: manual, params: { action: look } }
messages:
  pass: "{name} passes"
  fail: "{name} fails"
  unknown: "{name}: {reason}"
`;
}

describe("the memo of list elements", () => {
  // Conditions over list elements that read beyond the element (the root view, a nested
  // list) are not remembered per element; those that read only the element are. All must
  // decide as a full evaluation does.
  const set = loadRules(
    [
      rulesDir(
        ruleText("t-element-only", "{ every: facts.reads.principals, where: { all: [{ path: longTermKey, equals: false }, { path: count, lte: 3 }] } }"),
        ruleText("t-element-and-root", "{ every: facts.reads.principals, where: { any: [{ path: sameAccount, equals: true }, { path: $.name, in: [s1, s2] }] } }"),
        ruleText("t-nested", "{ some: facts.policy.principals, where: { every: actions, where: { path: ., like: [\"secretsmanager:Get*\"] } } }"),
        ruleText("t-tag-entries", "{ some: tags, where: { all: [{ path: key, equals: DataClassification }, { path: value, in: [phi], caseInsensitive: true }] } }"),
      ),
    ],
    { builtin: false },
  );

  it("gives the findings of a full evaluation, with and without reads of the root inside", () => {
    for (const seed of [3, 4]) {
      const snap = estate(seed, 1200);
      for (const accountId of ACCOUNTS) snap.coverage.push({ accountId, region: REGION, kind: "reads", status: "collected", count: 1 });
      const withMemo = text(snap, true, set);
      expect(withMemo).toBe(text(snap, false, set));
      const file = evaluate(snap, { rules: set });
      for (const id of ["t-element-only", "t-element-and-root", "t-nested", "t-tag-entries"]) {
        const statuses = new Set(file.findings.filter((f) => f.ruleId === id).map((f) => f.status));
        expect([...statuses].sort(), id).toEqual(expect.arrayContaining(["fail", "pass"]));
      }
    }
  });
});

describe("shared evidence", () => {
  it("keeps an unknown read apart from a value spelled like its key", () => {
    const rule = `id: t-owner
title: Secrets name an owner
severity: low
resource: secret
assert: { path: tags.Owner, equals: alice }
controls: { hipaa: ["164.308(a)(5)(ii)(D)"] }
rationale: test
remediation: { kind: manual, params: { action: tag it } }
messages:
  pass: "{name} is owned"
  fail: "{name} is not owned"
  unknown: "{name}: {reason}"
`;
    const set = loadRules([rulesDir(rule)], { builtin: false });
    const snap = snapshotOf([
      liveSecret("a", undefined, { tags: {}, unknowns: { "tags.Owner": "denied" } }),
      liveSecret("b", undefined, { tags: { Owner: "?denied" } }),
    ]);
    const evidence = evaluate(snap, { rules: set }).findings.map((f) => f.evidence);
    expect(evidence).toEqual([[{ path: "tags.Owner", unknown: "denied" }], [{ path: "tags.Owner", value: "?denied" }]]);
  });
});
