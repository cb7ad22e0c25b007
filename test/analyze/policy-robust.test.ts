import { describe, expect, it } from "vitest";
import { analyzePolicy } from "../../src/analyze/policy";
import type { PolicyDocument } from "../../src/inventory/types";

const ctx = { accountId: "111111111111", organizationAccounts: new Set(["111111111111"]), organizationId: "o-abc" };

/** JSON.parse makes these keys own properties, exactly as a hostile policy file would. */
const parse = (text: string): PolicyDocument => JSON.parse(text) as PolicyDocument;

/** Values whose coercion to a primitive throws or misleads (`String({toString: 1})` is a TypeError). */
const HOSTILE_VALUES = [
  '{"toString":[]}', '{"toString":1,"valueOf":1}', '{"length":{"toString":1}}', '[{"toString":1}]', "[[]]", "{}", "[]",
  "null", "true", "0", '"__proto__"', '{"__proto__":{"polluted":"yes"}}', '{"AWS":{"toString":1}}', '{"StringEquals":{"aws:SourceVpce":{"toString":1}}}',
];
const FIELDS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "Condition"];

describe("analyzePolicy on any JSON value shape", () => {
  it("fuzz seed 0x5eed0004 mutation #854: an Effect object with a toString key is not a TypeError", () => {
    // Minimal form of the fuzz case: `String(st.Effect)` threw "Cannot convert object to primitive value".
    const doc = parse('{"Statement":[{"Effect":{"toString":[]},"Principal":"*","Action":"*"}]}');
    const facts = analyzePolicy(doc, ctx);
    // An Effect that is neither "Allow" nor "Deny" grants nothing.
    expect(facts.present).toBe(true);
    expect(facts.public).toBe(false);
    expect(facts.principals).toEqual([]);
  });

  it("a Sid whose length has a toString key falls back to the statement index", () => {
    const facts = analyzePolicy(parse('{"Statement":[{"Sid":{"length":{"toString":1}},"Effect":"Allow","Principal":"*","Action":"*"}]}'), ctx);
    expect(facts.public).toBe(true);
    expect(facts.publicStatements).toEqual(["#0"]);
  });

  it("every hostile value in every statement field gives facts with string ids, never a throw", () => {
    let runs = 0;
    for (const field of FIELDS) {
      for (const value of HOSTILE_VALUES) {
        const text = `{"Statement":[{"Sid":"S","Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*","${field}":${value}},` +
          `{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}},"${field}":${value}}]}`;
        const facts = analyzePolicy(parse(text), ctx);
        runs++;
        expect(typeof facts.public, `${field}=${value}`).toBe("boolean");
        for (const sid of facts.publicStatements) expect(typeof sid, `${field}=${value}`).toBe("string");
        for (const p of facts.principals) {
          expect(typeof p.principal).toBe("string");
          expect(typeof p.statement).toBe("string");
          for (const a of p.actions) expect(typeof a).toBe("string");
        }
        for (const v of facts.allowedVpces) expect(typeof v).toBe("string");
      }
    }
    expect(runs).toBe(FIELDS.length * HOSTILE_VALUES.length);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("any top-level JSON value is a document without statements or with the ones it holds", () => {
    for (const text of ["1", '"x"', "true", "[]", '{"Statement":1}', '{"Statement":"x"}', '{"Statement":[null,1,"x",[]]}', '{"Statement":{"toString":1}}']) {
      const facts = analyzePolicy(parse(text), ctx);
      expect(facts.public, text).toBe(false);
      expect(facts.principals, text).toEqual([]);
    }
  });
});
