import { describe, expect, it } from "vitest";
import { locateJsonError } from "../src/util/json-locate";
import { parseJsonText } from "../src/util/fs";
import { UserError } from "../src/util/errors";

describe("JSON errors name the line", () => {
  it.each([
    ['{"a": 1}', -1],
    ["[1, 2, {\"x\": [true, false, null, -1.5e3]}]", -1],
    ['{"a": }', 6],
    ["[1,2,\n3,,4]", 8],
    ['{"a": 1', 7],
    ["", 0],
    ['{"a" 1}', 5],
    ["[1] [2]", 4],
    ['"\\q"', 0],
  ])("%j -> %i", (text, offset) => {
    expect(locateJsonError(text)).toBe(offset);
  });

  it("validates deep nesting without overflowing the stack", () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect(locateJsonError(deep)).toBe(-1);
  });

  it("reports a truncated file as one line with file and line", () => {
    const text = '{\n  "secrets": [\n    {"id": "a",\n';
    let error: unknown;
    try { parseJsonText(text, "snap.json"); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(UserError);
    const line = (error as UserError).format();
    expect(line).toBe("snap.json:4: invalid JSON: unexpected end of input (truncated?) at column 1");
    expect(line).not.toContain("\n");
  });

  it("reports a bad token with its line", () => {
    expect(() => parseJsonText('{\n"a":\n tru}', "x.json")).toThrowError(/unexpected 'tru}'/);
    try { parseJsonText('{\n"a":\n tru}', "x.json"); } catch (e) { expect((e as UserError).location.line).toBe(3); }
  });
});
