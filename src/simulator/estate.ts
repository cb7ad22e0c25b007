/**
 * The estate: a fictional AWS organization the simulator serves. This is the TypeScript
 * shape of the YAML file; `estate.schema.json` is its JSON Schema and README.md its guide.
 * Dates (`DateSpec`) are ISO-8601 or relative to the simulator clock: `-30d`, `+7d`, `now`.
 */

/** ISO-8601 date/date-time, or relative to the simulator clock: `now`, `-30d`, `+12h`, `-2w`, `-1y`. */
export type DateSpec = string;

/** A policy document as a YAML object, or as the JSON text AWS would store. */
export type PolicySpec = Record<string, unknown> | string;

export interface Estate {
  version: 1;
  /** Free text shown by the CLI. */
  name?: string;
  description?: string;
  /** Seed for everything generated (ids, ARN suffixes, read timestamps). Default 1. */
  seed?: number;
  organization?: EstateOrganization;
  /** Regions of the partition: a name, or a name with its opt-in status. */
  regions: Array<string | EstateRegion>;
  accounts: EstateAccount[];
  faults?: Partial<FaultConfig>;
}

export interface EstateOrganization {
  id: string;
  managementAccountId: string;
  featureSet?: "ALL" | "CONSOLIDATED_BILLING";
}

export interface EstateRegion {
  name: string;
  /** `not-opted-in` regions are listed by DescribeRegions(AllRegions) and refuse requests. */
  optInStatus?: "opt-in-not-required" | "opted-in" | "not-opted-in";
}

export interface EstateAccount {
  /** 12-digit account id. */
  id: string;
  name: string;
  email?: string;
  status?: "ACTIVE" | "SUSPENDED";
  joined?: DateSpec;
  joinedMethod?: "INVITED" | "CREATED";
  /** Role names that sts:AssumeRole may assume in this account. Default `[OrganizationAccountAccessRole]`. */
  roles?: string[];
  /** Resources per region; the keys are region names from `regions`. */
  regions?: Record<string, EstateAccountRegion>;
}

export interface EstateAccountRegion {
  secrets?: EstateSecret[];
  kmsKeys?: EstateKmsKey[];
  vpcs?: EstateVpc[];
  trails?: EstateTrail[];
  eventDataStores?: EstateEventDataStore[];
}

export interface EstateSecret {
  /** Secret name; with `repeat`, `{n}` (or `{n:3}` zero-padded) is replaced by 1..repeat. */
  name: string;
  /** Expand this entry into `repeat` secrets; every string value may use `{n}`. */
  repeat?: number;
  description?: string;
  /** Key id, key ARN, `alias/name` or alias ARN; omitted or `alias/aws/secretsmanager` = the AWS managed key. */
  kmsKey?: string;
  rotation?: EstateRotation;
  created?: DateSpec;
  lastChanged?: DateSpec;
  /** Explicit LastAccessedDate (served as midnight UTC); `null` = never; omitted = from the newest successful read. */
  lastAccessed?: DateSpec | null;
  /** When DeleteSecret was called (served as DeletedDate). Purged once the recovery window has passed. */
  deleted?: DateSpec;
  /** Recovery window of a deleted secret, default 30 days. */
  recoveryWindowDays?: number;
  tags?: Record<string, string>;
  /** Resource policy, served by GetResourcePolicy as a JSON string. */
  policy?: PolicySpec;
  /** Service that owns the secret (`rds`, …); service-owned secrets rotate under their owner. */
  owningService?: string;
  replicas?: EstateReplica[];
  /** CloudTrail GetSecretValue events against this secret, as compact aggregate specs. */
  reads?: EstateRead[];
}

export interface EstateRotation {
  enabled?: boolean;
  /** Lambda ARN or function name; default `SecretsManager<Name>Rotation` in the secret's account. */
  lambda?: string;
  afterDays?: number;
  /** `rate(N days)` / `rate(N hours)` or `cron(...)`. */
  schedule?: string;
  /** Rotation window, e.g. `3h`. */
  duration?: string;
  lastRotated?: DateSpec;
  /** Default: lastRotated (or created) + interval; set it in the past to model an overdue rotation. */
  nextRotation?: DateSpec;
}

export interface EstateReplica {
  region: string;
  kmsKey?: string;
  status?: "InSync" | "Failed" | "InProgress";
}

export interface EstateRead {
  /**
   * Who read: `role/Name` (assumed role in the secret's account), `123456789012:role/Name`,
   * `user/Name` (IAM user, long-term AKIA key), `root`, `123456789012:root`,
   * `service/lambda.amazonaws.com`, or an IAM/STS ARN.
   */
  principal: string;
  /** Successful reads. Default 1. */
  count?: number;
  /** AccessDenied reads, in addition to `count`. Default 0. */
  denied?: number;
  /** Reads are spread evenly (with jitter) over this many days ending at `last`. Default 30. */
  spreadDays?: number;
  /** Time of the newest read. Default `-1h`. */
  last?: DateSpec;
  /** `vpce` = the region's secretsmanager interface endpoint, a `vpce-…` id, or `internet` (default). */
  via?: string;
  sourceIp?: string;
  /** How requestParameters.secretId names the secret. Default `mixed`. */
  secretId?: "name" | "arn" | "partial-arn" | "mixed";
  /** Region of the read: the secret's region (default) or one of its replica regions. */
  region?: string;
  /** Role session name for assumed-role principals. */
  session?: string;
}

export interface EstateKmsKey {
  /** Key id (UUID); generated from the alias when omitted. Give it when another account refers to the key. */
  id?: string;
  alias?: string | string[];
  description?: string;
  manager?: "CUSTOMER" | "AWS";
  state?: "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport" | "Unavailable";
  /** For PendingDeletion keys; default +7d. */
  deletionDate?: DateSpec;
  rotation?: boolean;
  rotationPeriodDays?: number;
  origin?: "AWS_KMS" | "EXTERNAL" | "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE";
  multiRegion?: boolean;
  keySpec?: string;
  keyUsage?: string;
  created?: DateSpec;
  /** Accounts whose principals the key policy allows (cross-account DescribeKey / use). */
  allowAccounts?: string[];
  /** Full key policy; generated from `allowAccounts` when omitted. */
  policy?: PolicySpec;
}

export interface EstateVpc {
  id?: string;
  name?: string;
  cidr?: string;
  default?: boolean;
  state?: "available" | "pending";
  tags?: Record<string, string>;
  endpoints?: EstateEndpoint[];
}

export interface EstateEndpoint {
  id?: string;
  /** `secretsmanager` (short for com.amazonaws.<region>.secretsmanager) or a full service name. */
  service: string;
  type?: "Interface" | "Gateway" | "GatewayLoadBalancer";
  state?: "available" | "pending" | "pendingAcceptance" | "deleting" | "deleted" | "rejected" | "failed" | "expired";
  privateDns?: boolean;
  policy?: PolicySpec;
  subnets?: number;
  created?: DateSpec;
  tags?: Record<string, string>;
}

export interface EstateTrail {
  name: string;
  multiRegion?: boolean;
  logging?: boolean;
  logFileValidation?: boolean;
  /** An organization trail of the management account; it shows in every member account. */
  organizationTrail?: boolean;
  includeGlobalServiceEvents?: boolean;
  s3Bucket?: string;
  kmsKey?: string;
  cloudWatchLogsGroup?: string;
  /** Default `[{readWriteType: All, includeManagementEvents: true}]` unless advanced selectors are given. */
  eventSelectors?: EstateEventSelector[];
  advancedEventSelectors?: EstateAdvancedEventSelector[];
}

export interface EstateEventSelector {
  readWriteType?: "ReadOnly" | "WriteOnly" | "All";
  includeManagementEvents?: boolean;
  excludeManagementEventSources?: string[];
  dataResources?: Array<{ type: string; values: string[] }>;
}

export interface EstateAdvancedEventSelector {
  name?: string;
  fieldSelectors: Array<{
    field: string;
    equals?: string[];
    notEquals?: string[];
    startsWith?: string[];
    notStartsWith?: string[];
    endsWith?: string[];
    notEndsWith?: string[];
  }>;
}

export interface EstateEventDataStore {
  name: string;
  id?: string;
  /** Holds the events of every account of the organization. Default false. */
  organizationEnabled?: boolean;
  /** Holds the events of every region. Default true. */
  multiRegion?: boolean;
  status?: "ENABLED" | "STOPPED_INGESTION";
}

/** Faults the simulator injects; every decision is deterministic given the seed. */
export interface FaultConfig {
  /** Probability of an extra throttling error on any request, beyond the quotas. */
  throttleRate: number;
  /** Probability of HTTP 500 InternalFailure / 503 ServiceUnavailable. */
  serverErrorRate: number;
  /** Probability that a response is delayed by `slowMs` (divided by timeScale). */
  slowRate: number;
  slowMs: number;
  /** Probability that the connection is destroyed without a response. */
  dropRate: number;
  /** Limits the random faults above to matching requests; null = every request. */
  scope: FaultScope | null;
  /** Requests matching any entry are refused with the service's AccessDenied error. */
  accessDenied: FaultScope[];
  /** Lifetime cap, in seconds, of credentials issued by AssumeRole (then ExpiredToken). Null = as requested. */
  credentialTtlSeconds: number | null;
  /** Probability that Organizations ListAccounts returns an empty page carrying a NextToken. */
  emptyPageRate: number;
}

/** Which requests a fault applies to; an omitted field matches everything. */
export interface FaultScope {
  account?: string;
  region?: string;
  service?: string;
  operation?: string;
}

/** Fault settings used when neither the estate nor the options give one. */
export const DEFAULT_FAULTS: FaultConfig = {
  throttleRate: 0,
  serverErrorRate: 0,
  slowRate: 0,
  slowMs: 0,
  dropRate: 0,
  scope: null,
  accessDenied: [],
  credentialTtlSeconds: null,
  emptyPageRate: 0.25,
};

/** Region names of an estate, in file order. */
export function regionNames(estate: Estate): string[] {
  return estate.regions.map((r) => (typeof r === "string" ? r : r.name));
}
