/** A small, strict command-line parser: unknown flags and missing values are usage errors. */
import { UserError } from "../util/errors";

export type FlagType = "string" | "boolean" | "list" | "number";

export interface FlagSpec {
  type: FlagType;
  /** One-line help shown by `--help`. */
  help: string;
  default?: string | boolean | number | string[];
}

export type FlagSpecs = Record<string, FlagSpec>;

export type ParsedFlags<S extends FlagSpecs> = {
  [K in keyof S]: S[K]["type"] extends "boolean"
    ? boolean
    : S[K]["type"] extends "list"
      ? string[]
      : S[K]["type"] extends "number"
        ? number | undefined
        : string | undefined;
};

export interface Parsed<S extends FlagSpecs> {
  flags: ParsedFlags<S>;
  positionals: string[];
}

/**
 * Parse `argv` against `specs`. `--x=v` and `--x v` both work; `list` flags take a
 * comma-separated value and may repeat; `--no-x` turns a boolean off.
 */
export function parseArgs<S extends FlagSpecs>(argv: string[], specs: S, command: string): Parsed<S> {
  const flags: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    flags[name] = spec.default ?? (spec.type === "boolean" ? false : spec.type === "list" ? [] : undefined);
    if (spec.type === "list" && Array.isArray(flags[name])) flags[name] = [...(flags[name] as string[])];
  }
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let negated = false;
    if (!(name in specs) && name.startsWith("no-") && specs[name.slice(3)]?.type === "boolean") {
      name = name.slice(3);
      negated = true;
    }
    const spec = specs[name];
    if (!spec) throw new UserError(`unknown option --${name} (see 'sm-audit ${command} --help')`);
    if (spec.type === "boolean") {
      if (value !== undefined) throw new UserError(`--${name} takes no value`);
      flags[name] = !negated;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || (value.startsWith("--") && value.length > 2)) {
        throw new UserError(`--${name} needs a value`);
      }
    }
    if (spec.type === "list") {
      (flags[name] as string[]).push(...value.split(",").map((s) => s.trim()).filter((s) => s !== ""));
    } else if (spec.type === "number") {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UserError(`--${name} expects a number, got '${value}'`);
      flags[name] = n;
    } else {
      flags[name] = value;
    }
  }
  return { flags: flags as ParsedFlags<S>, positionals };
}

/** The `--help` text of a command. */
export function helpText(usage: string, description: string, specs: FlagSpecs): string {
  const lines = [`usage: ${usage}`, "", description, ""];
  for (const [name, spec] of Object.entries(specs)) {
    const arg = spec.type === "boolean" ? "" : spec.type === "list" ? " A,B" : spec.type === "number" ? " N" : " VALUE";
    lines.push(`  --${name}${arg}`.padEnd(30) + spec.help);
  }
  return lines.join("\n");
}
