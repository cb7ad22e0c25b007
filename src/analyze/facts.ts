/**
 * Derived facts, computed once per snapshot by `analyze/` and read by rules as plain
 * values under `facts.*`. Hard questions (is this policy public? is this key AWS
 * managed? how long is the longest gap of this cron schedule?) are answered here, in
 * one place, so that rules only compare.
 *
 * Facts never take rule params: anything a param decides (trusted accounts, tag
 * values, thresholds) is left to the rule, which compares these facts with its params.
 * A fact that cannot be determined is left out and recorded in the view's `unknowns`
 * under its full path (e.g. `facts.key.manager`), with the reason.
 */
import type { Account, KeyManager, KmsKey, PrincipalType, ResourceKind, Secret, Source, Trail, Unknowns, Vpc } from "../inventory/types";

/** The resolved KMS key behind a reference (a secret's, or one replica's). */
export interface KeyFacts {
  /** The reference as found; null = omitted (the default key applies). */
  ref: string | null;
  /** The reference for messages: as found, or `aws/secretsmanager (default key)` when omitted. */
  label: string;
  /** The default `aws/secretsmanager` key (omitted id, or the alias / its ARN / its key). */
  isDefaultKey: boolean;
  /** Whether the key was found in the snapshot's kmsKeys. */
  found: boolean;
  arn?: string;
  /**
   * `AWS` for the default key (always, even when not described); `CUSTOMER` is also
   * inferred for an undescribed key ARN of another account (AWS-managed keys serve only
   * their own account); otherwise absent with an unknown when the key is not in the snapshot.
   */
  manager?: KeyManager;
  ownerAccountId?: string;
  /** Key owner is the secret's own account. */
  sameAccount?: boolean;
  /** Key owner is a member of the snapshot's organization. */
  inOrganization?: boolean;
  /** Key state; the AWS-managed default key is always `Enabled`. */
  state?: string;
  rotationEnabled?: boolean;
  rotationPeriodDays?: number;
}

/** One principal granted access by an Allow statement of a resource policy. */
export interface PrincipalFacts {
  /** As written: `*`, an account id, an ARN, a service name. */
  principal: string;
  kind: "wildcard" | "account" | "root" | "role" | "user" | "service" | "federated" | "canonical" | "unknown";
  accountId?: string;
  sameAccount: boolean;
  /**
   * True when the account is in the organization, or the statement is restricted by
   * `aws:PrincipalOrgID` (of this organization, when its id is known). False for a
   * principal that can be anyone (an unpinned wildcard, a service without a source
   * account, a web identity). Absent when the organization's accounts are unknown.
   */
  inOrganization?: boolean;
  /** Statement id (Sid or `#<index>`) granting it. */
  statement: string;
  /** The statement carries a condition that restricts who can use it (PrincipalOrgID, SourceAccount, SourceVpce, SourceArn …). */
  restricted: boolean;
  /** Actions granted (as written; `*` and `secretsmanager:*` kept). */
  actions: string[];
  /** Grants `*` or `secretsmanager:*` (or uses NotAction in an Allow). */
  wildcardAction: boolean;
}

export interface PolicyFacts {
  /** The secret has a resource policy. */
  present: boolean;
  /** Some Allow grants a wildcard principal (or NotPrincipal) without a restricting condition. */
  public: boolean;
  /** Statement ids (Sid or `#<index>`) that make the policy public. */
  publicStatements: string[];
  /** Every principal granted access by an Allow statement. */
  principals: PrincipalFacts[];
  /** Principals outside the secret's own account (including wildcards). */
  foreignPrincipals: PrincipalFacts[];
  /** Allow statements granting `*` / `secretsmanager:*` to anything other than the own account root. */
  wildcardActionGrants: PrincipalFacts[];
  usesNotPrincipal: boolean;
  usesNotAction: boolean;
  /**
   * A Deny statement denies secret reads (GetSecretValue or a wildcard covering it) to
   * requests whose `aws:SourceVpce` (or `aws:SourceVpc`) is not an allowed endpoint.
   */
  requiresSourceVpce: boolean;
  /** The endpoint ids that the deny statement allows. */
  allowedVpces: string[];
}

export interface RotationFacts {
  /** Longest gap between two scheduled rotations, in days (from afterDays, rate() or cron()). */
  intervalDays?: number;
  scheduleKind?: "days" | "rate" | "cron";
  /** Days since `lastRotated` (absent when never rotated). */
  daysSinceLastRotation?: number;
  /** Days since last rotation, or since creation if never rotated. */
  daysSinceRotatedOrCreated?: number;
  /** Days the next scheduled rotation is overdue (0 or negative = not overdue). */
  overdueDays?: number;
}

export interface ReadPrincipalFacts {
  principal: string;
  principalType: PrincipalType;
  accountId?: string;
  sameAccount: boolean;
  inOrganization?: boolean;
  longTermKey: boolean;
  count: number;
  deniedCount: number;
  viaVpceCount: number;
  awsServiceCount: number;
  /** Reads neither through a VPC endpoint nor by an AWS service. */
  outsideVpceCount: number;
  lastSeen: string;
}

export interface ReadFacts {
  total: number;
  denied: number;
  viaVpce: number;
  awsService: number;
  outsideVpce: number;
  maxDeniedByPrincipal: number;
  principals: ReadPrincipalFacts[];
  lastRead?: string;
  /** Reads since the secret was scheduled for deletion. */
  sinceDeletion: number;
}

export interface SecretFacts {
  /** Managed by another service (OwningService set, or a name starting `rds!`). */
  serviceOwned: boolean;
  /** A replica (its primary lives in another region). */
  isReplica: boolean;
  pendingDeletion: boolean;
  key: KeyFacts;
  /** One entry per replica region of a primary secret. */
  replicaKeys: Array<KeyFacts & { region: string }>;
  rotation: RotationFacts;
  policy: PolicyFacts;
  /** Days since last use: LastAccessedDate, else the last CloudTrail read; absent if never. */
  daysSinceLastUse?: number;
  lastUsedFrom: "LastAccessedDate" | "CloudTrail" | "none";
  /** Days since the secret was created. */
  ageDays?: number;
  reads: ReadFacts;
  /** Whether the snapshot has CloudTrail read data for this secret's account-region. */
  readsCollected: boolean;
  /** Tag keys, sorted (an empty list when the secret has no tags). */
  tagKeys: string[];
  /**
   * Recovery window in days: the code's `recovery_window_in_days`, or Terraform's
   * default of 30 when code omits it; absent for live secrets (the API does not say).
   */
  recoveryWindowDays?: number;
  /** Literal secret values found in code, as `attribute (sha256:fingerprint) at file:line` (never the value). */
  literalValues: string[];
}

export interface KmsKeyFacts {
  /** Secrets in the snapshot encrypted with this key. */
  usedBySecrets: number;
  pendingDeletion: boolean;
}

export interface VpcFacts {
  /** The VPC's account-region holds at least one secret. */
  regionHasSecrets: boolean;
  secretsmanagerEndpoint: {
    present: boolean;
    available: boolean;
    privateDns: boolean;
    endpointIds: string[];
  };
}

export interface TrailFacts {
  /**
   * Multi-region, logging, log-file validation and management read and write events
   * all on (CloudTrail.1 asks for both kinds). Absent (with an unknown) when a needed
   * attribute is unknown and none of the known ones is off.
   */
  compliant?: boolean;
}

export interface AccountFacts {
  /** Trails that apply to the account: its own, and organization trails. */
  trails: Array<Trail & { facts: TrailFacts }>;
  secretCount: number;
}

/** A synthetic account resource (rules with `resource: account`). */
export interface AccountResource extends Account {
  accountId: string;
  source: Source;
  unknowns?: Unknowns;
}

/** What a rule sees: the resource, its facts, and all unknowns (resource + facts) merged. */
export type SecretView = Secret & { kind: "secret"; facts: SecretFacts; unknowns: Unknowns };
export type KmsKeyView = KmsKey & { kind: "kmsKey"; facts: KmsKeyFacts; unknowns: Unknowns };
export type VpcView = Vpc & { kind: "vpc"; facts: VpcFacts; unknowns: Unknowns };
export type TrailView = Trail & { kind: "trail"; facts: TrailFacts; unknowns: Unknowns };
export type AccountView = AccountResource & { kind: "account"; facts: AccountFacts; unknowns: Unknowns };
export type ResourceView = SecretView | KmsKeyView | VpcView | TrailView | AccountView;

/** All views of a snapshot, computed once; rules iterate the list of their resource kind. */
export interface AnalyzedSnapshot {
  /** Reference time for every age (the snapshot's generatedAt unless overridden). */
  asOf: string;
  views: { [K in ResourceKind]: Array<Extract<ResourceView, { kind: K }>> };
}
