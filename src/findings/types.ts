/**
 * Findings: one per rule × resource, with the evidence that decided it. The findings
 * file is the JSON form every later stage (reports, remediation, baseline diff) reads.
 */
import type { Coverage, ResourceKind, Source, SnapshotSource } from "../inventory/types";

export const FINDINGS_SCHEMA_VERSION = "1.0";

export type Severity = "critical" | "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

export type Status = "pass" | "fail" | "unknown" | "not_applicable" | "suppressed";
export type BaselineState = "new" | "unchanged" | "fixed";

/** A value the evaluator read while deciding, with where it came from. */
export interface Evidence {
  path: string;
  /** The value read; redacted values are replaced by `"[redacted sha256:<fingerprint>]"`. */
  value?: unknown;
  /** Set when the value at this path was unknown. */
  unknown?: string;
  source?: Source;
}

export interface SuppressionRef {
  rule: string;
  resource: string;
  reason: string;
  owner: string;
  expires: string;
  /** Where the entry is: `file:line`. */
  at?: string;
}

export interface Finding {
  /** Stable id: `<ruleId>/<resourceId>`. */
  id: string;
  ruleId: string;
  title: string;
  severity: Severity;
  resourceKind: ResourceKind;
  resourceId: string;
  resourceName?: string;
  accountId?: string;
  region?: string;
  status: Status;
  /** For `suppressed`: what the status would have been. */
  suppressedStatus?: Exclude<Status, "suppressed">;
  message: string;
  /** Why the finding is unknown or not applicable. */
  reason?: string;
  evidence: Evidence[];
  /** Where the resource is defined (file:line for code, account/region/api for live). */
  source: Source;
  /** framework id -> requirement ids. */
  controls: Record<string, string[]>;
  suppression?: SuppressionRef;
  baseline?: BaselineState;
  tags?: Record<string, string>;
}

export interface FindingsSummary {
  byStatus: Record<Status, number>;
  /** Failing findings per severity. */
  failBySeverity: Record<Severity, number>;
  rules: number;
  resources: number;
}

export interface ExpiredSuppression extends SuppressionRef {
  /** Findings the entry would have matched had it not expired. */
  matched: number;
}

export interface FindingsFile {
  schemaVersion: string;
  tool: { name: string; version: string };
  generatedAt: string;
  /** The snapshot evaluated: its time, its source and its SHA-256 when read from a file. */
  snapshot: { generatedAt: string; source: SnapshotSource; file?: string; sha256?: string };
  /** SHA-256 over the rule files evaluated (ordered by id). */
  rulesDigest: string;
  /** Effective params per rule id (defaults merged with sm-audit.yaml overrides). */
  params: Record<string, Record<string, unknown>>;
  summary: FindingsSummary;
  /** Coverage entries whose status is not `collected`: shown first by every renderer. */
  coverageGaps: Coverage[];
  expiredSuppressions: ExpiredSuppression[];
  findings: Finding[];
  /** With `--baseline`: findings of the baseline that no longer fail. */
  fixed?: Finding[];
}
