/** Run the real `sm-audit` dispatcher in-process (commands load through dynamic import). */
import type { CliIO } from "../../src/cli/io";
import { main } from "../../src/cli/main";

/** A CliIO that records what a command prints. */
export function capture(cwd = process.cwd(), env: NodeJS.ProcessEnv = {}): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY: false, cwd, env };
}

/** Run `sm-audit <argv>` and return the exit code with what it printed. */
export async function sm(argv: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  const io = capture(cwd);
  const code = await main(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}
