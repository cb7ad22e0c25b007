import { describe, expect, it } from "vitest";
import { capture, cliMain } from "./cli-harness";
import { ROTATION_RULE, rulesDir } from "./fixtures";

const main = cliMain();

describe("sm-audit rules", () => {
  it("list prints a table and JSON including user rules", async () => {
    const dir = rulesDir(ROTATION_RULE);
    const t = capture();
    expect(await main(["rules", "list", "--rules", dir], t)).toBe(0);
    expect(t.stdout.some((l) => /^t-rotation\s+medium\s+secret\s+Secrets rotate at least every \{maxDays\} days$/.test(l))).toBe(true);
    const j = capture();
    expect(await main(["rules", "list", "--rules", dir, "--format", "json"], j)).toBe(0);
    const list = JSON.parse(j.stdout.join("")) as Array<{ id: string; params: object }>;
    expect(list.find((r) => r.id === "t-rotation")?.params).toEqual({ maxDays: 90 });
  });
  it("docs --check reports whether generated docs are current", async () => {
    const io = capture();
    expect(await main(["rules", "docs", "--check"], io)).toBe(0);
    expect(io.stdout.join("")).toMatch(/generated docs up to date/);
  });
  it("rejects unknown subcommands and flags with exit 2", async () => {
    expect(await main(["rules", "frob"], capture())).toBe(2);
    expect(await main(["rules", "list", "--format", "xml"], capture())).toBe(2);
    expect(await main(["rules", "validate", "--bogus"], capture())).toBe(2);
  });
});
