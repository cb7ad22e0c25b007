import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import type { CliIO } from "../src/cli/io";

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY: false, cwd: process.cwd(), env: {} };
}

describe("sm-audit dispatcher", () => {
  it("loads a command module lazily and runs it in-process", async () => {
    const io = capture();
    const code = await main(["rules", "list", "--format", "json"], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.join("")).length).toBeGreaterThanOrEqual(23);
  });

  it("rejects an unknown command with exit 2 and the usage", async () => {
    const io = capture();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.stderr.join("\n")).toMatch(/unknown command 'frobnicate'/);
  });

  it("prints usage and exit code 2 with no command", async () => {
    const io = capture();
    expect(await main([], io)).toBe(2);
    expect(io.stdout.join("\n")).toMatch(/usage: sm-audit <command>/);
  });
});
