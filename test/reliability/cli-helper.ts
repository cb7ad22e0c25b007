/**
 * Runs one CLI command module in-process the way `main()` does (UserError → one line + its exit
 * code), because `main()`'s lazy `require` cannot load `.ts` modules under vitest.
 */
import type { CliIO, Command } from "../../src/cli/io";
import { UserError, UserErrors, errorMessage } from "../../src/util/errors";

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
    if (err instanceof UserErrors) {
      for (const e of err.errors) io.err(`sm-audit ${name}: ${e.format()}`);
      return err.exitCode;
    }
    if (err instanceof UserError) {
      io.err(`sm-audit ${name}: ${err.format()}`);
      return err.exitCode;
    }
    io.err(`sm-audit ${name}: internal error: ${errorMessage(err)}`);
    return 2;
  }
}
