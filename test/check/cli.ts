/**
 * Run the real `sm-audit` dispatcher in-process: main.ts loads commands with a plain
 * `require("./check")`, which Node resolves to .ts only with a transpile-on-require hook.
 */
import { readFileSync } from "node:fs";
import Module from "node:module";
import ts from "typescript";
import type { CliIO } from "../../src/cli/io";

type Loader = (m: { _compile(code: string, file: string): void }, file: string) => void;
const exts = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
if (!exts[".ts"]) {
  exts[".ts"] = (m, file) => {
    const out = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
      fileName: file,
    });
    m._compile(out.outputText, file);
  };
}

/** A CliIO that records what a command prints. */
export function capture(cwd = process.cwd(), env: NodeJS.ProcessEnv = {}): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY: false, cwd, env };
}

/** Run `sm-audit <argv>` and return the exit code with what it printed. */
export async function sm(argv: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  const { main } = require("../../src/cli/main.ts") as typeof import("../../src/cli/main");
  const io = capture(cwd);
  const code = await main(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}
