/** What a command writes to: injected so tests run commands in-process and read their output. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress lines are shown only then). */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The real process streams. */
export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
    isTTY: Boolean(process.stderr.isTTY) && !process.env.CI,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** A command: parses its own arguments and returns the exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;
