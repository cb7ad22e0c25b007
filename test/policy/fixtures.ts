/** Small rule folders and snapshots for the policy and findings tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptySnapshot } from "../../src/inventory/io";
import type { Secret, Snapshot } from "../../src/inventory/types";

export const ROTATION_RULE = `id: t-rotation
title: Secrets rotate at least every {maxDays} days
severity: medium
resource: secret
sources: [live]
params:
  maxDays: 90
applies: { path: rotation.enabled, equals: true }
assert: { path: rotation.afterDays, lte: $params.maxDays }
controls: { hipaa: ["164.308(a)(5)(ii)(D)"] }
rationale: test
remediation: { kind: shorten-rotation, params: { days: $params.maxDays } }
messages:
  pass: "{name} rotates every {rotation.afterDays} days"
  fail: "{name} rotates every {rotation.afterDays} days; at most {params.maxDays}"
  unknown: "{name}: {reason}"
`;

export const CODE_RULE = `id: t-no-literal
title: No secret value is written in code
severity: critical
resource: secret
sources: [iac]
assert: { all: [ { path: valueInCode, empty: true }, { path: name, exists: true } ] }
controls: { pci-dss-4.0: ["8.6.2"] }
rationale: test
remediation: { kind: manual, params: { action: remove it } }
messages:
  pass: "{name} has no literal value"
  fail: "{name} has a literal value {valueInCode}"
  unknown: "{name}: {reason}"
`;

/** A temp rules dir holding the given rule.yaml texts (folder = id). */
export function rulesDir(...texts: string[]): string {
  const root = mkdtempSync(join(tmpdir(), "sm-pol-"));
  for (const t of texts) {
    const id = /^id: (\S+)$/m.exec(t)?.[1] ?? "x";
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, "rule.yaml"), t);
  }
  return root;
}

const LIVE = { kind: "live" as const, accountId: "111111111111", region: "us-east-1", api: "secretsmanager:ListSecrets" };

/** A live secret with rotation every `afterDays` (undefined = rotation off). */
export function liveSecret(name: string, afterDays?: number, extra: Partial<Secret> = {}): Secret {
  return {
    id: `arn:aws:secretsmanager:us-east-1:111111111111:secret:${name}`, name, accountId: "111111111111", region: "us-east-1",
    source: LIVE, kmsKeyId: null, policy: null, tags: { Owner: "x" },
    rotation: afterDays === undefined ? { enabled: false } : { enabled: true, afterDays },
    ...extra,
  };
}

/** A snapshot of the given secrets. */
export function snapshotOf(secrets: Secret[], extra: Partial<Snapshot> = {}): Snapshot {
  const s = emptySnapshot({ kind: "fixture" }, "2025-06-01T00:00:00Z");
  s.accounts = [{ id: "111111111111" }];
  s.secrets = secrets;
  return { ...s, ...extra };
}
