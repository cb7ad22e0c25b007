import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { safeJoin, safeSegment } from "../../src/util/fs";
import { UserError } from "../../src/util/errors";
import { NASTY_STRINGS } from "../helpers/fuzz";

const HOSTILE = [
  ...NASTY_STRINGS, "..", ".", "../x", "..\\..\\x", "/etc/passwd", "a/../../b", "\u0000../x", "x\u0000", "C:\\Windows\\x", "~/.ssh/id_rsa",
  "....//....//x", "%2e%2e%2fx", "\u2024\u2024/x", "con", "a".repeat(5000),
];

describe("output paths cannot escape --out", () => {
  it("safeSegment turns any AWS name into one harmless path segment", () => {
    const root = mkdtempSync(join(tmpdir(), "sm-seg-"));
    for (const name of HOSTILE) {
      const seg = safeSegment(name);
      expect(seg, JSON.stringify(name)).not.toMatch(/[\\/\u0000-\u001f]/);
      expect(seg).not.toMatch(/^\.\.?$/);
      expect(seg.length).toBeGreaterThan(0);
      expect(seg.length).toBeLessThanOrEqual(120);
      const target = safeJoin(root, "stacks", seg);
      expect(relative(root, target).startsWith("..")).toBe(false);
      expect(target.startsWith(resolve(root, "stacks") + sep), JSON.stringify(name)).toBe(true);
    }
  });

  it("safeJoin refuses parts that climb out or are absolute", () => {
    const root = mkdtempSync(join(tmpdir(), "sm-join-"));
    for (const bad of ["../x", "a/../../x", "/etc/passwd", `..${sep}..${sep}x`]) {
      expect(() => safeJoin(root, bad), bad).toThrow(UserError);
    }
    expect(safeJoin(root, "a", "b.json")).toBe(resolve(root, "a", "b.json"));
  });
});
