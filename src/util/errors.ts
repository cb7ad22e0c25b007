/**
 * Errors a person can act on. Every failure the CLI reports on purpose is a
 * `UserError`: one line naming the file, line and field, and the exit code to use.
 */

/** Exit codes (DESIGN.md §6). */
export const EXIT = {
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  GAPS: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Rule id, resource address or other owner of the offending value. */
  subject?: string;
  /** Dotted path / JSON pointer of the offending field. */
  field?: string;
}

/** An input or usage error: printed as one line, exit code 2 unless told otherwise. */
export class UserError extends Error {
  readonly location: ErrorLocation;
  readonly exitCode: ExitCode;

  constructor(message: string, location: ErrorLocation = {}, exitCode: ExitCode = EXIT.USAGE) {
    super(message);
    this.name = "UserError";
    this.location = location;
    this.exitCode = exitCode;
  }

  /** `file:line: subject: field: message` with the parts that are known. */
  format(): string {
    const { file, line, column, subject, field } = this.location;
    const parts: string[] = [];
    if (file) parts.push(line ? `${file}:${line}${column ? `:${column}` : ""}` : file);
    if (subject) parts.push(subject);
    if (field) parts.push(field);
    parts.push(this.message);
    return parts.join(": ");
  }
}

/** Several user errors found in one pass (e.g. every broken rule file), reported together. */
export class UserErrors extends Error {
  readonly errors: UserError[];
  readonly exitCode: ExitCode;

  constructor(errors: UserError[]) {
    super(errors.map((e) => e.format()).join("\n"));
    this.name = "UserErrors";
    this.errors = errors;
    this.exitCode = errors[0]?.exitCode ?? EXIT.USAGE;
  }
}

/** The message of anything thrown, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof UserError) return err.format();
  if (err instanceof Error) return err.message;
  return String(err);
}
