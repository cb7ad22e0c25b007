import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { MIN_SCRUB_LENGTH, Scrubber, fingerprint, redactedText } from "../../src/util/redact";

describe("Scrubber", () => {
  test("replaces a literal, its JSON-escaped and URL-encoded forms; a literal containing another is replaced whole", () => {
    const s = new Scrubber();
    s.add("pass");
    s.add('pass"word/x');
    const sha = (v: string) => createHash("sha256").update(v).digest("hex").slice(0, 12);
    expect(fingerprint("pass")).toBe(sha("pass"));
    expect(redactedText("pass")).toBe(`[redacted sha256:${sha("pass")}]`);
    const long = `[redacted sha256:${sha('pass"word/x')}]`;
    expect(s.scrub('a pass"word/x b')).toBe(`a ${long} b`);
    expect(s.scrub(JSON.stringify({ v: 'pass"word/x' }))).toBe(`{"v":"${long}"}`);
    expect(s.scrub(`q=${encodeURIComponent('pass"word/x')}`)).toBe(`q=${long}`);
    expect(s.scrub("my pass")).toBe(`my [redacted sha256:${sha("pass")}]`);
    expect(s.scrubValue({ list: ["pass", 1] })).toEqual({ list: [`[redacted sha256:${sha("pass")}]`, 1] });
  });

  test("ignores literals shorter than MIN_SCRUB_LENGTH and duplicates", () => {
    const s = new Scrubber();
    s.add("x".repeat(MIN_SCRUB_LENGTH - 1));
    expect(s.size).toBe(0);
    s.add("abcd");
    s.add("abcd");
    expect(s.size).toBe(1); // the escaped and encoded forms equal the value itself
    expect(s.scrub("xxx abcd")).toBe(`xxx [redacted sha256:${fingerprint("abcd")}]`);
  });
});
