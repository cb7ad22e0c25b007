/**
 * The inventory: the one model every source (live AWS, Terraform plan JSON, HCL,
 * cdktf synth output) is normalised into, and the only thing rules read.
 *
 * Conventions that every collector and every reader relies on:
 * - A value that is not known (an unresolved `var.x`, a plan's `after_unknown`, a denied
 *   API) is never defaulted. The field is left out and the resource's `unknowns` map
 *   records `attribute path -> reason`. A rule that reads such a path yields `unknown`.
 * - `null` means "known to be absent" (no resource policy, key id omitted so the default
 *   `aws/secretsmanager` key applies); `undefined` without an `unknowns` entry means
 *   "this source cannot say" (for example `lastAccessed` in Terraform code).
 * - Dates are ISO-8601 strings in UTC.
 * - Every resource has a stable `id` (an ARN for live resources, the Terraform address
 *   for code) used as the finding's resource key, and a `source` saying where it came from.
 */

/** Version of the snapshot JSON format; bump the major on incompatible change. */
export const SNAPSHOT_SCHEMA_VERSION = "1.0";

/** Where a resource or an attribute came from. */
export type Source = IacSource | LiveSource;

export interface IacSource {
  kind: "iac";
  /** Path relative to the checked directory (or as given on the command line). */
  file: string;
  line?: number;
  /** Full Terraform address, e.g. `module.app.aws_secretsmanager_secret.db`. */
  address: string;
  /** Module path, e.g. `module.app`; empty for the root module. */
  module?: string;
  /** cdktf construct path from `//metadata.path`. */
  constructPath?: string;
}

export interface LiveSource {
  kind: "live";
  accountId: string;
  region: string;
  /** The API call that produced the value, e.g. `secretsmanager:ListSecrets`. */
  api: string;
}

/** Attribute path (dotted, relative to the resource) -> reason the value is unknown. */
export type Unknowns = Record<string, string>;

/** Fields every inventory resource carries. */
export interface ResourceBase {
  /** Stable identity: ARN for live resources, Terraform address for code. */
  id: string;
  accountId?: string;
  region?: string;
  source: Source;
  /** Attribute-level sources (dotted path -> source), e.g. the line of `kms_key_id`. */
  attributeSources?: Record<string, Source>;
  unknowns?: Unknowns;
}

/** An IAM policy document, as parsed from JSON (shapes are normalised by analyze/). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export type StringOrList = string | string[];
export type Principal = "*" | Record<string, StringOrList>;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  NotPrincipal?: Principal;
  Action?: StringOrList;
  NotAction?: StringOrList;
  Resource?: StringOrList;
  NotResource?: StringOrList;
  Condition?: Record<string, Record<string, StringOrList | boolean | number>>;
}

export interface Rotation {
  enabled: boolean;
  lambdaArn?: string;
  /** `RotationRules.AutomaticallyAfterDays`. */
  afterDays?: number;
  /** `RotationRules.ScheduleExpression`: `rate(...)` or `cron(...)`. */
  scheduleExpression?: string;
  /** `RotationRules.Duration`, e.g. `2h`. */
  duration?: string;
  lastRotated?: string;
  nextRotation?: string;
}

export interface Replica {
  region: string;
  /** Key reference as found; null = default `aws/secretsmanager` key in that region. */
  kmsKeyId: string | null;
  status?: string;
  statusMessage?: string;
}

/** A literal secret value found in code. The value itself is never stored. */
export interface ValueInCode {
  /** `secret_string` | `secret_binary` | `secret_string_wo` … */
  attribute: string;
  /** First 12 hex chars of SHA-256 of the literal: lets a reviewer match without seeing it. */
  fingerprint: string;
  source: Source;
}

export interface Secret extends ResourceBase {
  arn?: string;
  name: string;
  description?: string;
  /** Key reference as found (ARN, key id, alias name or alias ARN); null = omitted (default key). */
  kmsKeyId?: string | null;
  rotation?: Rotation;
  lastAccessed?: string;
  created?: string;
  lastChanged?: string;
  /** `DeletedDate`: set when the secret is scheduled for deletion. */
  deleted?: string;
  /** The region of the primary secret; equals `region` for a primary. */
  primaryRegion?: string;
  replicas?: Replica[];
  tags?: Record<string, string>;
  /** e.g. `rds`, `appflow`: the secret is managed by that service. */
  owningService?: string;
  /** null = the secret has no resource policy. */
  policy?: PolicyDocument | null;
  /** IaC only: `block_public_policy` on `aws_secretsmanager_secret_policy`. */
  blockPublicPolicy?: boolean;
  /** IaC only: `recovery_window_in_days` (0 = force delete without recovery). */
  recoveryWindowDays?: number;
  /** IaC only: literal values found in `aws_secretsmanager_secret_version` resources. */
  valueInCode?: ValueInCode[];
}

export type KeyManager = "AWS" | "CUSTOMER";

export interface KmsKey extends ResourceBase {
  arn?: string;
  keyId?: string;
  manager?: KeyManager;
  /** `Enabled` | `Disabled` | `PendingDeletion` | `PendingImport` | `Unavailable` | … */
  state?: string;
  rotationEnabled?: boolean;
  rotationPeriodDays?: number;
  origin?: string;
  multiRegion?: boolean;
  /** Alias names, e.g. `alias/app-secrets`. */
  aliases?: string[];
  policy?: PolicyDocument | null;
  deletionDate?: string;
  description?: string;
}

export interface VpcEndpoint {
  id: string;
  serviceName?: string;
  type?: "Interface" | "Gateway" | "GatewayLoadBalancer" | string;
  state?: string;
  privateDns?: boolean;
  policy?: PolicyDocument | null;
  subnetIds?: string[];
  securityGroupIds?: string[];
  source: Source;
  unknowns?: Unknowns;
}

export interface Vpc extends ResourceBase {
  vpcId?: string;
  isDefault?: boolean;
  cidr?: string;
  tags?: Record<string, string>;
  endpoints: VpcEndpoint[];
  /** Subnet ids known for the VPC (used by remediation to place an endpoint). */
  subnetIds?: string[];
}

export interface Trail extends ResourceBase {
  arn?: string;
  name: string;
  homeRegion?: string;
  isMultiRegion?: boolean;
  isOrganizationTrail?: boolean;
  logging?: boolean;
  logFileValidation?: boolean;
  /** Whether management events of each kind are recorded (from event selectors). */
  managementEvents?: { read: boolean; write: boolean };
  kmsKeyId?: string | null;
  s3Bucket?: string;
}

export type PrincipalType =
  | "AssumedRole"
  | "IAMUser"
  | "Root"
  | "AWSService"
  | "FederatedUser"
  | "AWSAccount"
  | "Unknown";

/** CloudTrail read statistics of one secret by one principal over the scan window. */
export interface ReadStat {
  /** `id` of the secret in this snapshot (resolved from name / partial ARN / full ARN). */
  secretId: string;
  accountId: string;
  region: string;
  /** Principal ARN (for an assumed role: the role ARN, session name dropped), or service name. */
  principal: string;
  principalType: PrincipalType;
  principalAccountId?: string;
  /** True when the call was signed with a long-term access key (AKIA…). */
  longTermKey?: boolean;
  /** All GetSecretValue / BatchGetSecretValue events, successful or not. */
  count: number;
  /** Events with errorCode AccessDenied. */
  deniedCount: number;
  /** Events with another errorCode. */
  errorCount?: number;
  /** Events carrying a vpcEndpointId. */
  viaVpceCount: number;
  /** Events invoked by an AWS service on the principal's behalf. */
  awsServiceCount: number;
  vpcEndpointIds?: string[];
  firstSeen: string;
  lastSeen: string;
}

export type CoverageKind =
  | "accounts"
  | "regions"
  | "secrets"
  | "resourcePolicies"
  | "kmsKeys"
  | "vpcs"
  | "trails"
  | "reads";

export type CoverageStatus = "collected" | "denied" | "failed" | "skipped";

/** One account × region × data kind: was it collected? A gap is data, not a log line. */
export interface Coverage {
  accountId: string;
  /** Region, or `global` for organization/account-level data. */
  region: string;
  kind: CoverageKind;
  status: CoverageStatus;
  /** AWS error code or reader error, when not collected. */
  errorCode?: string;
  message?: string;
  /** Number of items collected (for the collected status). */
  count?: number;
  /** For partial data: e.g. the LookupEvents page budget ran out. */
  truncated?: boolean;
}

export interface Account {
  id: string;
  name?: string;
  status?: string;
}

export type SnapshotSourceKind = "live" | "terraform-plan" | "hcl" | "cdktf" | "fixture" | "merged";

export interface SnapshotSource {
  kind: SnapshotSourceKind;
  /** Paths read (IaC) or endpoint used (live). */
  inputs?: string[];
  /** Live: the CloudTrail window in days that `reads` covers. */
  readsWindowDays?: number;
  /** Live: how reads were gathered. */
  readsMethod?: "lookup-events" | "cloudtrail-lake" | "none";
}

/** A deterministic share of the account × region units (see `scan --shard i/n`). */
export interface ShardInfo {
  index: number;
  count: number;
  /** `accountId/region` units this shard was responsible for. */
  units: string[];
}

export interface Snapshot {
  schemaVersion: string;
  tool: { name: string; version: string };
  /** When the data was collected; the reference time for every age computation. */
  generatedAt: string;
  source: SnapshotSource;
  organization?: { id?: string; managementAccountId?: string };
  accounts: Account[];
  regions?: string[];
  secrets: Secret[];
  kmsKeys: KmsKey[];
  vpcs: Vpc[];
  trails: Trail[];
  reads: ReadStat[];
  coverage: Coverage[];
  shard?: ShardInfo;
}

/** The resource kinds a rule can target. */
export type ResourceKind = "secret" | "kmsKey" | "vpc" | "trail" | "account";
