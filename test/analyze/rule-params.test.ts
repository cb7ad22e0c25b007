/**
 * The param-driven branches of catalogue rules (fixtures run with default params only):
 * allowed key ARNs, trusted accounts and allowed reader patterns set in sm-audit.yaml.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/inventory/types";
import { evaluate } from "../../src/policy/evaluate";
import { fillFragment, loadForTest } from "../../src/policy/harness";
import type { Config } from "../../src/policy/types";

const set = loadForTest([]);
const A = "111111111111";
const sid = (name: string, region = "us-east-1"): string => `arn:aws:secretsmanager:${region}:${A}:secret:${name}-AbC123`;

function statuses(rule: string, fixture: string, config: Config): Record<string, string> {
  const file = join(__dirname, "../../rules", rule, "fixtures/snapshot", fixture);
  const snap = fillFragment(JSON.parse(readFileSync(file, "utf8")), file) as Snapshot;
  return Object.fromEntries(evaluate(snap, { rules: set, only: [rule], config }).findings.map((f) => [f.resourceId, f.status]));
}

describe("rule params", () => {
  it("secret-encrypted-with-cmk: allowedKeyArns limits which customer-managed keys pass", () => {
    const allowed = `arn:aws:kms:us-east-1:${A}:key/0f1e2d3c-aaaa-4bbb-8ccc-111111111111`;
    const s = statuses("secret-encrypted-with-cmk", "basic.json", { params: { "secret-encrypted-with-cmk": { allowedKeyArns: [allowed] } } });
    expect(s[sid("prod/db")]).toBe("pass");
    expect(s[sid("prod/api")]).toBe("pass"); // alias resolving to the allowed key
    expect(s[sid("prod/shared")]).toBe("fail"); // a customer-managed key, but not an allowed one
  });

  it("secret-kms-key-owned-by-trusted-account: a trusted account's key passes, a stranger's still fails", () => {
    const s = statuses("secret-kms-key-owned-by-trusted-account", "basic.json", { params: {}, trustedAccounts: ["999999999999"] });
    expect(s[sid("prod/foreign-key")]).toBe("pass");
    const none = statuses("secret-kms-key-owned-by-trusted-account", "basic.json", { params: {}, trustedAccounts: ["222222222222"] });
    expect(none[sid("prod/foreign-key")]).toBe("fail");
  });

  it("secret-policy-trusted-principals-only: trustedAccounts settles a foreign account without organization data", () => {
    const s = statuses("secret-policy-trusted-principals-only", "no-org.json", { params: {}, trustedAccounts: ["222222222222"] });
    expect(s[sid("prod/foreign-no-org")]).toBe("pass");
    expect(s[sid("prod/public-no-org")]).toBe("fail"); // a wildcard is never a trusted account
    const org = statuses("secret-policy-trusted-principals-only", "org.json", { params: {}, trustedAccounts: ["444455556666"] });
    expect(org[sid("prod/outsider")]).toBe("pass");
  });

  it("secret-reads-by-expected-principals: with patterns, readers must match one; root and long-term keys never pass", () => {
    const cfg: Config = {
      params: { "secret-reads-by-expected-principals": { allowedPrincipalPatterns: ["arn:aws:iam::*:role/app", "arn:aws:iam::444455556666:role/*", "arn:aws:iam::*:root", "arn:aws:iam::*:user/*"] } },
    };
    const s = statuses("secret-reads-by-expected-principals", "org.json", cfg);
    expect(s[sid("prod/db")]).toBe("pass");
    expect(s[sid("prod/outsider")]).toBe("pass");
    expect(s[sid("prod/cross-org")]).toBe("fail"); // role/reporting matches no pattern
    expect(s[sid("prod/root-read")]).toBe("fail");
    expect(s[sid("prod/user-key")]).toBe("fail");
  });

  it("secret-rotation-interval: a stricter maxDays turns a monthly cron into a failure", () => {
    const s = statuses("secret-rotation-interval", "basic.json", { params: { "secret-rotation-interval": { maxDays: 30 } } });
    expect(s[sid("prod/monthly")]).toBe("fail");
    expect(s[sid("prod/db")]).toBe("pass");
  });
});
