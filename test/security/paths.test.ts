import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
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

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

describe("output paths cannot escape --out", () => {
  it("safeSegment turns any AWS name into one harmless path segment", () => {
    for (const name of HOSTILE) {
      const seg = safeSegment(name);
      expect(seg, JSON.stringify(name)).not.toMatch(/[\\/\u0000-\u001f]/);
      expect(seg).not.toMatch(/^\.\.?$/);
      expect(seg.length).toBeGreaterThan(0);
      expect(seg.length).toBeLessThanOrEqual(120);
      const root = mkdtempSync(join(tmpdir(), "sm-seg-"));
      const target = safeJoin(root, "stacks", seg);
      expect(relative(root, target).startsWith("..")).toBe(false);
    }
  });

  it("safeJoin refuses parts that climb out or are absolute", () => {
    const root = mkdtempSync(join(tmpdir(), "sm-join-"));
    for (const bad of ["../x", "a/../../x", "/etc/passwd", `..${sep}..${sep}x`]) {
      expect(() => safeJoin(root, bad), bad).toThrow(UserError);
    }
    expect(safeJoin(root, "a", "b.json")).toBe(resolve(root, "a", "b.json"));
  });

  it("stack directories built the way writeRemediation builds them stay inside --out", () => {
    // Stack directories are named from account and region through safeSegment (src/remediate/index.ts);
    // a stack id made of hostile text still lands inside the output directory.
    const out = mkdtempSync(join(tmpdir(), "sm-remed-"));
    for (const name of HOSTILE.slice(0, 20)) {
      const dir = safeJoin(safeJoin(out, "remediation"), "stacks", safeSegment(name));
      expect(dir.startsWith(resolve(out) + sep)).toBe(true);
    }
    expect(existsSync(join(out, "..", "etc"))).toBe(false);
    expect(walk(out).every((p) => p.startsWith(resolve(out)))).toBe(true);
  });
});
