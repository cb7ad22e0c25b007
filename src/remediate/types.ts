/**
 * The remediation plan: pure, reviewable data that says which infrastructure change
 * closes which failing findings. The CDKTF stacks and the projected snapshot are both
 * derived from it, so what is reviewed is what is built and what is re-evaluated.
 */
import type { PolicyDocument } from "../inventory/types";

/** Version of the plan JSON format. */
export const PLAN_SCHEMA_VERSION = "1.0";

/** The kinds of code change the planner emits (docs/rule-format.md "Remediation kinds"). */
export type ActionKind =
  | "enable-rotation"
  | "shorten-rotation"
  | "use-customer-managed-key"
  | "enable-key-rotation"
  | "replace-resource-policy"
  | "add-vpc-endpoint"
  | "add-cloudtrail";

/** Every code kind, in the order actions and summaries list them. */
export const ACTION_KINDS: readonly ActionKind[] = [
  "enable-rotation",
  "shorten-rotation",
  "use-customer-managed-key",
  "enable-key-rotation",
  "replace-resource-policy",
  "add-vpc-endpoint",
  "add-cloudtrail",
];

/**
 * A value the plan does not know. In the plan it is the string `<var:NAME>` (a Terraform
 * variable of the stack) or `<planned:ACTION_ID>` (an attribute of a resource another
 * action creates); the stack turns it into a token, the projection into a placeholder.
 */
export type Ref = string;

/** A Terraform variable a stack declares because the inventory does not know the value. */
export interface PlanVariable {
  name: string;
  type: "string" | "list(string)";
  description: string;
  /** Default value; absent = Terraform asks for it (apply cannot run without it). */
  default?: string | string[];
}

/** One infrastructure resource an action touches. */
export interface TouchedResource {
  /** Terraform resource type, e.g. `aws_secretsmanager_secret`. */
  type: string;
  /** `adopt` = the existing resource is imported (never recreated); `create` = new. */
  mode: "adopt" | "create";
  /** Import id (adopt) or the inventory id it relates to. */
  id?: string;
  /** A short human label. */
  label: string;
}

export interface RotationParams {
  secretArn: string;
  secretName: string;
  /**
   * Lambda ARN, or `<var:NAME>` when neither config nor a tag nor the secret names one;
   * absent for managed rotation (an existing rotation without a Lambda, kept as is).
   */
  lambdaArn?: Ref;
  lambdaFrom: "config" | "tag" | "existing" | "managed" | "variable";
  afterDays: number;
  /** True when the secret already has rotation configured: its rotation resource is adopted. */
  adoptExisting: boolean;
  /** Rotate once when applied, so "rotated recently" holds from day one. */
  rotateImmediately: boolean;
}

/** An existing secret moved to the new key of its account-region. */
export interface CmkSecret {
  arn: string;
  name: string;
  /** The key reference before the change (null = default key). */
  previousKmsKeyId: string | null;
  description?: string;
  tags?: Record<string, string>;
  /** Existing replicas: kept, each moved to the sm-audit key alias of its region. */
  replicas: Array<{ region: string; previousKmsKeyId: string | null }>;
}

export interface CmkParams {
  /** Alias of the new key, e.g. `alias/sm-audit/secrets`. */
  alias: string;
  description: string;
  rotationPeriodDays: number;
  /** The key policy: account-scoped administration, use only through Secrets Manager. */
  keyPolicy: PolicyDocument;
  /** Secrets moved to the key (empty when the key only serves replicas of other regions). */
  secrets: CmkSecret[];
  /** ARN the projection gives the planned key (the real ARN is known after apply). */
  plannedArn: string;
}

export interface KeyRotationParams {
  keyArn: string;
  keyId: string;
  rotationPeriodDays: number;
  multiRegion: boolean;
  description?: string;
}

export interface PolicyStatementChange {
  statement: string;
  /** Why it was dropped (public, foreign principal, wildcard action). */
  reasons: string[];
}

export interface ResourcePolicyParams {
  secretArn: string;
  secretName: string;
  /** The new policy; `aws:SourceVpce` values may hold `<var:…>` / `<planned:…>` refs. */
  document: PolicyDocument;
  kept: string[];
  dropped: PolicyStatementChange[];
  /** The VPC-endpoint Deny was added (secret-policy-requires-vpc-endpoint). */
  addedVpceDeny: boolean;
  blockPublicPolicy: true;
  /** The secret had a policy: it is adopted by import; otherwise one is created. */
  adoptExisting: boolean;
}

export interface VpcEndpointParams {
  vpcId: string;
  serviceName: string;
  /** Existing endpoint for the service (adopted and fixed) or absent (created). */
  existingEndpointId?: string;
  subnetIds: Ref[];
  securityGroupIds: Ref[];
  privateDns: true;
  /** AZs assumed for the cost (subnet count, or 2 when the subnets are a variable). */
  azCount: number;
  plannedId: string;
}

export interface CloudTrailParams {
  trailName: string;
  bucketName: string;
  /** The trail's home region; it records every region. */
  homeRegion: string;
  plannedArn: string;
  /** The bucket policy CloudTrail needs (the stack writes exactly this document). */
  bucketPolicy: PolicyDocument;
}

export type ActionParams =
  | RotationParams
  | CmkParams
  | KeyRotationParams
  | ResourcePolicyParams
  | VpcEndpointParams
  | CloudTrailParams;

/** One code change: its stack is the account × region it lives in. */
export interface RemediationAction {
  /** Stable id: `<kind>:<account>:<region>:<subject>`. */
  id: string;
  kind: ActionKind;
  accountId: string;
  region: string;
  /** Finding ids this action turns into pass. */
  closes: string[];
  /** Rule ids of those findings. */
  rules: string[];
  /** framework -> requirement ids served (union over the closed findings). */
  controls: Record<string, string[]>;
  resources: TouchedResource[];
  /** At least one existing resource is imported. */
  adopt: boolean;
  params: ActionParams;
  /** Terraform variables this action needs. */
  variables: PlanVariable[];
  /** Monthly cost change in USD (from rules/pricing.yaml). */
  monthlyCostDelta: number;
  /** How the delta was computed. */
  costNote: string;
  reason: string;
}

/** A failing finding whose fix is a human decision; the command is never run for them. */
export interface ManualAction {
  findingId: string;
  ruleId: string;
  resourceId: string;
  accountId?: string;
  region?: string;
  action: string;
  /** The exact command a human would run, when one exists. */
  command?: string;
}

/** A failing finding left alone, with the reason. */
export interface SkippedItem {
  findingId: string;
  ruleId: string;
  resourceId: string;
  accountId?: string;
  region?: string;
  reason: string;
}

/** One account × region stack. */
export interface PlanStack {
  /** `<account>-<region>`, also the stack's directory name. */
  id: string;
  accountId: string;
  region: string;
  /** Role the provider assumes: `arn:aws:iam::<account>:role/<roleName>`. */
  roleArn: string;
  actions: string[];
  variables: PlanVariable[];
  monthlyCostDelta: number;
}

export interface PlanSummary {
  actionsByKind: Record<string, number>;
  actions: number;
  stacks: number;
  findingsClosed: number;
  manual: number;
  skipped: number;
  monthlyCostDelta: number;
}

export interface RemediationPlan {
  schemaVersion: string;
  tool: { name: string; version: string };
  /** The snapshot's time: the plan is a pure function of its inputs. */
  generatedAt: string;
  snapshot: { generatedAt: string; file?: string; sha256?: string };
  roleName: string;
  pricing: { asOf: string; currency: string };
  summary: PlanSummary;
  stacks: PlanStack[];
  actions: RemediationAction[];
  manual: ManualAction[];
  skipped: SkippedItem[];
}

/** User configuration of remediation (`--config FILE`, YAML or JSON). */
export interface RemediationConfig {
  rotation?: {
    /** Rotation Lambda per secret: first entry whose glob matches the name or ARN wins. */
    lambdas?: Array<{ match: string; lambdaArn: string }>;
    /** Interval for newly enabled rotation (capped by the rules' maxDays). */
    days?: number;
    rotateImmediately?: boolean;
  };
  kms?: { alias?: string; rotationPeriodDays?: number };
  cloudtrail?: { region?: string; trailName?: string; bucketPrefix?: string };
  endpoints?: {
    /** VPC id -> security group ids for its endpoint. */
    securityGroups?: Record<string, string[]>;
    /** VPC id -> subnet ids (overrides the inventory). */
    subnets?: Record<string, string[]>;
  };
}
