/**
 * Findings as rows. A findings file read from JSON holds finding objects; a file the
 * evaluator just built holds its findings in columns (status codes and shared outcomes,
 * see policy/table.ts) and makes a finding object only when one is asked for: a
 * 100,000-secret run has millions of findings and most are counted, not shown.
 *
 * Code that walks every finding of a large run goes through `findingsOf` / `rowsOf`
 * (each finding is made, used and dropped). Reading `file.findings` of a columnar file
 * makes all of them once, caches the array, and from then on the array is the findings.
 */
import type { BaselineState, Finding, FindingsFile, Status, SuppressionRef } from "./types";

/** Read and mark findings by index, whatever holds them. */
export interface FindingRows {
  readonly length: number;
  status(i: number): Status;
  ruleId(i: number): string;
  id(i: number): string;
  resourceId(i: number): string;
  resourceName(i: number): string | undefined;
  /** The finding as an object: for columns a new one at each call. */
  at(i: number): Finding;
  /** Findings per status. */
  countStatuses(): Record<Status, number>;
  /** Mark the finding suppressed by `ref` (its decided status is kept as `suppressedStatus`). */
  suppress(i: number, ref: SuppressionRef): void;
  setBaseline(i: number, state: BaselineState): void;
}

/** Rows over an array of finding objects (marks change the objects). */
export function arrayRows(findings: Finding[]): FindingRows {
  return {
    length: findings.length,
    status: (i) => findings[i].status,
    ruleId: (i) => findings[i].ruleId,
    id: (i) => findings[i].id,
    resourceId: (i) => findings[i].resourceId,
    resourceName: (i) => findings[i].resourceName,
    at: (i) => findings[i],
    countStatuses() {
      const n: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, not_applicable: 0, suppressed: 0 };
      for (const f of findings) n[f.status]++;
      return n;
    },
    suppress(i, ref) {
      const f = findings[i];
      f.suppressedStatus = f.status as Exclude<Status, "suppressed">;
      f.status = "suppressed";
      f.suppression = ref;
    },
    setBaseline(i, state) {
      findings[i].baseline = state;
    },
  };
}

const COLUMNS = new WeakMap<FindingsFile, FindingRows>();

/**
 * Give `file` findings held in `rows`: `file.findings` becomes an accessor that makes
 * every finding object on first read and then replaces itself with the array (which is
 * enumerable, so JSON and spreads of the file still carry the findings).
 */
export function attachRows(file: FindingsFile, rows: FindingRows): void {
  COLUMNS.set(file, rows);
  Object.defineProperty(file, "findings", {
    enumerable: true,
    configurable: true,
    get(this: FindingsFile): Finding[] {
      const all: Finding[] = [];
      for (let i = 0; i < rows.length; i++) all.push(rows.at(i));
      COLUMNS.delete(this);
      Object.defineProperty(this, "findings", { value: all, enumerable: true, configurable: true, writable: true });
      return all;
    },
    set(this: FindingsFile, value: Finding[]): void {
      COLUMNS.delete(this);
      Object.defineProperty(this, "findings", { value, enumerable: true, configurable: true, writable: true });
    },
  });
}

/** The rows of a file's findings: its columns while it has them, else over its array. */
export function rowsOf(file: FindingsFile): FindingRows {
  return COLUMNS.get(file) ?? arrayRows(file.findings);
}

/**
 * The file's findings as objects, made now if it holds columns (`file.findings` does the
 * same when read): for code that walks them several times.
 */
export function findingObjects(file: FindingsFile): Finding[] {
  return file.findings;
}

/** How many findings the file holds (without making them). */
export function findingCount(file: FindingsFile): number {
  return (COLUMNS.get(file) ?? file.findings).length;
}

/**
 * Every finding of the file, in order, or only those whose status is in `statuses`
 * (from columns, only the matching findings are made).
 */
export function findingsOf(file: FindingsFile, statuses?: readonly Status[]): Iterable<Finding> {
  const rows = COLUMNS.get(file);
  if (!rows) return statuses ? file.findings.filter((f) => statuses.includes(f.status)) : file.findings;
  return {
    *[Symbol.iterator](): Iterator<Finding> {
      for (let i = 0; i < rows.length; i++) if (!statuses || statuses.includes(rows.status(i))) yield rows.at(i);
    },
  };
}

/** Findings per status (without making them). */
export function countByStatus(file: FindingsFile): Record<Status, number> {
  return rowsOf(file).countStatuses();
}
