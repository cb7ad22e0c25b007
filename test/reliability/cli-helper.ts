/** Runs one CLI command module in-process, reporting what it throws exactly as `main()` does. */
import type { CliIO, Command } from "../../src/cli/io";
import { reportError } from "../../src/cli/main";

/** A CliIO that records what a command prints. */
export interface CapturedIO extends CliIO {
  stdout: string[];
  stderr: string[];
}

/** A capturing CliIO rooted at `cwd`. */
export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIO {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY: false, cwd, env, stdout, stderr };
}

/** Run `run` with `argv` and return the exit code, reporting errors as `main()` does. */
export async function runCommand(name: string, run: Command, argv: string[], io: CliIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    return reportError(name, err, io);
  }
}
