/**
 * The fast paths of analyze/ against the plain code they replace: the ISO date parser
 * against Date.parse, parseArn against splitting on ":", the read index (runs predicted
 * in secret order, a Map otherwise) against grouping reads by id, and memoised (shared,
 * frozen) facts against facts computed for each secret alone.
 */
import { describe, expect, it } from "vitest";
import { analyzePolicy, analyzeSnapshot, resolveKey, buildKeyIndex } from "../../src/analyze/index";
import { parseArn } from "../../src/analyze/keys";
import { parseIsoMs } from "../../src/analyze/time";
import type { ReadFacts, ReadPrincipalFacts } from "../../src/analyze/facts";
import { emptySnapshot } from "../../src/inventory/io";
import type { KmsKey, PrincipalType, ReadStat, Secret, Snapshot } from "../../src/inventory/types";
import { seededRandom } from "../../src/simulator/rand";

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

describe("parseIsoMs", () => {
  it("equals Date.parse on edge values of every field of the fast shapes", () => {
    const cases: string[] = [];
    for (const y of ["0000", "0099", "0999", "1000", "1969", "1970", "2000", "2024", "2100", "9999", "20a5", "-002"]) {
      for (const mo of ["00", "01", "02", "12", "13", "1a"]) {
        for (const d of ["00", "01", "28", "29", "30", "31", "32", "3x"]) {
          cases.push(`${y}-${mo}-${d}`);
          for (const time of ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "12:3a:00", "1:00:00:"]) {
            cases.push(`${y}-${mo}-${d}T${time}Z`, `${y}-${mo}-${d}T${time}.000Z`, `${y}-${mo}-${d}T${time}.999Z`, `${y}-${mo}-${d}T${time}.5a1Z`);
          }
        }
      }
    }
    cases.push("2025-06-01t00:00:00Z", "2025-06-01T00:00:00z", "2025-06-01T00:00:00", "2025-06-01T00:00:00+00:00", "2025-06-01T00:00:00.5Z",
      "2025-06-01 00:00:00Z", "2025/06/01T00:00:00Z", "2025-06-01T00-00-00Z", "2025-06-01T00:00:00.000+01:00", "", "x", "2025-06-01X");
    for (const c of cases) expect([c, parseIsoMs(c)]).toEqual([c, Date.parse(c)]);
  });

  it("equals Date.parse on random timestamps and on non-strings", () => {
    const r = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor((r() - 0.2) * 4e12);
      const iso = new Date(t).toISOString();
      const text = r() < 0.3 ? `${iso.slice(0, 19)}Z` : r() < 0.5 ? iso.slice(0, 10) : iso;
      expect([text, parseIsoMs(text)]).toEqual([text, Date.parse(text)]);
    }
    for (const v of [null, undefined, 0, 1_700_000_000_000, true, {}, []]) {
      expect(Object.is(parseIsoMs(v as unknown as string), Date.parse(v as unknown as string))).toBe(true);
    }
  });
});

describe("parseArn", () => {
  const reference = (text: string): ReturnType<typeof parseArn> => {
    const parts = text.split(":");
    if (parts.length < 6 || parts[0] !== "arn") return undefined;
    return { service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
  };
  it("equals splitting on every colon", () => {
    const r = seededRandom(11);
    const bits = ["arn", "aws", "kms", "", ":", "us-east-1", "111111111111", "key/abc", "alias/aws/secretsmanager", "a:b", "arnx"];
    const cases = ["", "arn", "arn:", "arn:::::", "arn:aws:kms:r:a:", "arn:aws:kms:r:a:key/x:y:z", "xarn:aws:kms:r:a:k", "ARN:aws:kms:r:a:k"];
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(r() * 8);
      cases.push(Array.from({ length: n }, () => bits[Math.floor(r() * bits.length)]).join(r() < 0.8 ? ":" : ""));
    }
    for (const c of cases) expect([c, parseArn(c)]).toEqual([c, reference(c)]);
  });
});

/** Read facts as they were computed before the read index: reads grouped by id in a Map. */
function referenceReads(reads: ReadStat[], secret: Secret, orgAccounts: Set<string> | undefined): ReadFacts {
  const rows = reads.filter((r) => r.secretId === secret.id);
  const byPrincipal = new Map<string, ReadPrincipalFacts>();
  const deletedAt = secret.deleted ? Date.parse(secret.deleted) : undefined;
  const facts: ReadFacts = { total: 0, denied: 0, viaVpce: 0, awsService: 0, outsideVpce: 0, maxDeniedByPrincipal: 0, principals: [], sinceDeletion: 0 };
  for (const r of rows) {
    facts.total += r.count;
    facts.denied += r.deniedCount;
    facts.viaVpce += r.viaVpceCount;
    facts.awsService += r.awsServiceCount;
    const outside = Math.max(0, r.count - r.viaVpceCount - r.awsServiceCount);
    facts.outsideVpce += outside;
    if (!facts.lastRead || r.lastSeen > facts.lastRead) facts.lastRead = r.lastSeen;
    if (deletedAt !== undefined && Date.parse(r.lastSeen) > deletedAt) facts.sinceDeletion += r.count;
    let p = byPrincipal.get(r.principal);
    if (!p) {
      p = { principal: r.principal, principalType: r.principalType, sameAccount: r.principalAccountId !== undefined && r.principalAccountId === secret.accountId,
        longTermKey: false, count: 0, deniedCount: 0, viaVpceCount: 0, awsServiceCount: 0, outsideVpceCount: 0, lastSeen: r.lastSeen };
      if (r.principalAccountId !== undefined) {
        p.accountId = r.principalAccountId;
        if (orgAccounts) p.inOrganization = orgAccounts.has(r.principalAccountId);
      }
      byPrincipal.set(r.principal, p);
      facts.principals.push(p);
    }
    p.longTermKey = p.longTermKey || r.longTermKey === true;
    p.count += r.count;
    p.deniedCount += r.deniedCount;
    p.viaVpceCount += r.viaVpceCount;
    p.awsServiceCount += r.awsServiceCount;
    p.outsideVpceCount += outside;
    if (r.lastSeen > p.lastSeen) p.lastSeen = r.lastSeen;
  }
  for (const p of facts.principals) facts.maxDeniedByPrincipal = Math.max(facts.maxDeniedByPrincipal, p.deniedCount);
  return facts;
}

const A = "111111111111";
const B = "222222222222";
const R = "us-east-1";
const NOW = "2025-06-01T00:00:00Z";

function estate(seed: number, order: "grouped" | "shuffled" | "reversed"): Snapshot {
  const r = seededRandom(seed);
  const snap = emptySnapshot({ kind: "fixture" }, NOW);
  snap.organization = { id: "o-1", managementAccountId: A };
  snap.accounts = [{ id: A }, { id: B }];
  const key: KmsKey = { id: `arn:aws:kms:${R}:${A}:key/k1`, arn: `arn:aws:kms:${R}:${A}:key/k1`, keyId: "k1", accountId: A, region: R, source: { kind: "live", accountId: A, region: R, api: "kms:DescribeKey" }, manager: "CUSTOMER", state: "Enabled", rotationEnabled: true };
  snap.kmsKeys.push(key);
  const types: PrincipalType[] = ["AssumedRole", "IAMUser", "AWSService"];
  for (let i = 0; i < 300; i++) {
    const acct = i % 7 === 0 ? B : A;
    // Every 50th secret repeats an earlier id: both must see every read of that id.
    const id = i % 50 === 49 ? `arn:aws:secretsmanager:${R}:${A}:secret:s-${i - 10}` : `arn:aws:secretsmanager:${R}:${acct}:secret:s-${i}`;
    const s: Secret = { id, name: `s-${i}`, accountId: acct, region: i % 11 === 0 ? "eu-west-1" : R, source: { kind: "live", accountId: acct, region: R, api: "x" },
      kmsKeyId: [null, key.arn, "alias/aws/secretsmanager", "k1", "alias/nope", `arn:aws:kms:${R}:${B}:key/other`][i % 6], policy: i % 4 === 0 ? null : undefined,
      tags: i % 3 === 0 ? { b: "1", a: "2", C: "3", "10": "x", "9": "y" } : {}, created: `2024-0${1 + (i % 9)}-1${i % 10}T00:00:00Z` };
    if (i % 13 === 0) s.deleted = "2025-05-20T00:00:00.000Z";
    snap.secrets.push(s);
    const n = r() < 0.4 ? 0 : i % 17 === 0 ? 30 : 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const count = Math.floor(r() * 50);
      snap.reads.push({ secretId: id, accountId: acct, region: R, principal: `arn:aws:iam::${k % 2 ? B : A}:role/p${Math.floor(r() * (n > 10 ? 12 : 3))}`,
        principalType: types[k % 3], principalAccountId: k % 5 === 4 ? undefined : k % 2 ? B : A, longTermKey: r() < 0.2, count, deniedCount: Math.floor(r() * 3),
        viaVpceCount: Math.floor(count / 2), awsServiceCount: k % 3 === 2 ? 1 : 0, firstSeen: "2025-05-01T00:00:00Z", lastSeen: `2025-05-${pad(10 + Math.floor(r() * 20), 2)}T0${k % 10}:00:00Z` });
    }
  }
  // A read of a secret that is not in the snapshot, and reads listed in other orders.
  snap.reads.push({ ...snap.reads[0], secretId: "arn:aws:secretsmanager:us-east-1:111111111111:secret:gone" });
  if (order === "reversed") snap.reads.reverse();
  if (order === "shuffled") {
    for (let i = snap.reads.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [snap.reads[i], snap.reads[j]] = [snap.reads[j], snap.reads[i]];
    }
  }
  snap.coverage.push({ accountId: A, region: R, kind: "reads", status: "collected" }, { accountId: B, region: R, kind: "reads", status: "denied", errorCode: "AccessDenied" });
  return snap;
}

describe("analyzeSnapshot read facts", () => {
  for (const order of ["grouped", "shuffled", "reversed"] as const) {
    it(`match grouping by id when reads are ${order}`, () => {
      const snap = estate(3, order);
      const views = analyzeSnapshot(snap).views.secret;
      const org = new Set(snap.accounts.map((a) => a.id));
      expect(views).toHaveLength(snap.secrets.length);
      views.forEach((v, i) => {
        expect(JSON.stringify(v.facts.reads)).toBe(JSON.stringify(referenceReads(snap.reads, snap.secrets[i], org)));
        // lastRead is present (possibly undefined) exactly when the secret has a read.
        expect("lastRead" in v.facts.reads).toBe(snap.reads.some((r) => r.secretId === snap.secrets[i].id));
      });
    });
  }
});

describe("shared facts", () => {
  it("serialise as the facts computed for each secret alone, and cannot be changed", () => {
    const snap = estate(5, "grouped");
    const index = buildKeyIndex(snap);
    const views = analyzeSnapshot(snap).views.secret;
    views.forEach((v, i) => {
      const s = snap.secrets[i];
      const fresh = resolveKey(index, s.kmsKeyId, s.accountId, s.region);
      expect(JSON.stringify(v.facts.key)).toBe(JSON.stringify(fresh.facts));
      for (const [path, reason] of Object.entries(fresh.unknowns)) expect(v.unknowns[path === "" ? "facts.key" : `facts.key.${path}`]).toBe(reason);
      expect(JSON.stringify(v.facts.policy)).toBe(JSON.stringify(analyzePolicy(s.policy, { accountId: s.accountId })));
      expect(v.facts.tagKeys).toEqual(Object.keys(s.tags ?? {}).sort());
    });
    const shared = views.find((v) => v.facts.policy.present === false);
    expect(shared).toBeDefined();
    expect(Object.isFrozen(shared?.facts.policy)).toBe(true);
    expect(() => shared?.facts.policy.principals.push(shared.facts.policy.principals[0])).toThrow(TypeError);
  });
});
