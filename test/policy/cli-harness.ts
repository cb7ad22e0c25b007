/** Run `main([...])` in-process and capture what the command prints. */
import type { CliIO } from "../../src/cli/io";
import { main } from "../../src/cli/main";

/** A CliIO that records what a command prints. */
export function capture(cwd = process.cwd()): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY: false, cwd, env: {} };
}

/** The real CLI entry point. */
export function cliMain(): typeof main {
  return main;
}
