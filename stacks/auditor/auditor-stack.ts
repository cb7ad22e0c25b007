/**
 * The auditor deployed as a scheduled job on AWS: EventBridge Scheduler starts a Step Functions
 * state machine whose Distributed Map runs one Fargate task per shard (`sm-audit scan --shard
 * i/n`), then one task merges the shards and renders the reports into an encrypted, versioned,
 * private S3 bucket.
 */
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { CONTAINER_NAME, auditDefinition } from "./definition";

/** An IAM policy document as the stack writes it. */
export interface IamPolicyDocument {
  Version: string;
  Statement: Array<{ Sid?: string; Effect: "Allow" | "Deny"; Action: string | string[]; Resource: string | string[]; Principal?: unknown; Condition?: unknown }>;
}

/** What the deployment is told. */
export interface AuditorStackProps {
  /** Region the auditor runs in. */
  region: string;
  /** Container image holding `sm-audit` and the AWS CLI (examples/scale/Dockerfile). */
  image: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** True when the subnets have no NAT gateway or VPC endpoints. */
  assignPublicIp?: boolean;
  /** How many shards (Fargate tasks) one audit is split into. */
  shardCount: number;
  /** Shards running at once (default: all). */
  maxConcurrency?: number;
  /** EventBridge Scheduler expression, e.g. `cron(0 3 * * ? *)`. */
  scheduleExpression: string;
  scheduleTimezone?: string;
  /** Role the scanner assumes in each member account (`--role-name`). */
  memberRoleName: string;
  /** Extra `sm-audit scan` flags, e.g. `--regions us-east-1,eu-west-1`. */
  scanArgs?: string;
  /** The scanner's read-only policy (`sm-audit iam-policy`), attached to the task role. */
  scannerPolicy: IamPolicyDocument;
  /** Prefix of every resource name. */
  namePrefix?: string;
  /** Days the task logs are kept. */
  logRetentionDays?: number;
}

const assume = (service: string): string =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

const doc = (statements: IamPolicyDocument["Statement"]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** The scheduled, sharded auditor: one stack per deployment region. */
export class AuditorStack extends TerraformStack {
  /** The state machine's definition as an object, for tests and review. */
  readonly definition: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: AuditorStackProps) {
    super(scope, id);
    if (!Number.isInteger(props.shardCount) || props.shardCount < 1) throw new Error(`shardCount must be a positive integer, got ${props.shardCount}`);
    const prefix = props.namePrefix ?? "sm-audit";
    new AwsProvider(this, "aws", { region: props.region });
    const me = new DataAwsCallerIdentity(this, "me");
    const partition = new DataAwsPartition(this, "partition");

    const bucket = new S3Bucket(this, "outputs", { bucketPrefix: `${prefix}-outputs-`, forceDestroy: false });
    new S3BucketVersioningA(this, "outputs-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "outputs-encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    });
    new S3BucketPublicAccessBlock(this, "outputs-public-access", {
      bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "outputs-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPolicy(this, "outputs-tls-only", {
      bucket: bucket.id,
      policy: doc([{
        Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
        Resource: [bucket.arn, `${bucket.arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } },
      }]),
    });

    const logs = new CloudwatchLogGroup(this, "logs", { name: `/${prefix}/auditor`, retentionInDays: props.logRetentionDays ?? 90 });
    const cluster = new EcsCluster(this, "cluster", { name: prefix, setting: [{ name: "containerInsights", value: "enabled" }] });

    const executionRole = new IamRole(this, "execution-role", { namePrefix: `${prefix}-exec-`, assumeRolePolicy: assume("ecs-tasks.amazonaws.com") });
    new IamRolePolicy(this, "execution-policy", {
      role: executionRole.id,
      policy: doc([
        { Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: "*" },
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logs.arn}:*` },
      ]),
    });

    const taskRole = new IamRole(this, "task-role", { namePrefix: `${prefix}-scanner-`, assumeRolePolicy: assume("ecs-tasks.amazonaws.com") });
    new IamRolePolicy(this, "scanner-read-only", { role: taskRole.id, policy: JSON.stringify(props.scannerPolicy) });
    new IamRolePolicy(this, "scanner-members-and-outputs", {
      role: taskRole.id,
      policy: doc([
        { Sid: "AssumeMemberRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:${partition.partition}:iam::*:role/${props.memberRoleName}` },
        { Sid: "WriteOutputs", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${bucket.arn}/runs/*` },
        { Sid: "ListOutputs", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket.arn },
      ]),
    });

    const taskDefinition = new EcsTaskDefinition(this, "task", {
      family: prefix,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1024",
      memory: "4096",
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: JSON.stringify([{
        name: CONTAINER_NAME,
        image: props.image,
        essential: true,
        readonlyRootFilesystem: false,
        environment: [
          { name: "OUTPUT_BUCKET", value: bucket.bucket },
          { name: "MEMBER_ROLE_NAME", value: props.memberRoleName },
          { name: "SCAN_ARGS", value: props.scanArgs ?? "" },
          { name: "AWS_REGION", value: props.region },
        ],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": logs.name, "awslogs-region": props.region, "awslogs-stream-prefix": "audit" },
        },
      }]),
    });

    const machineName = `${prefix}-audit`;
    const machineArn = `arn:${partition.partition}:states:${props.region}:${me.accountId}:stateMachine:${machineName}`;
    const machineRole = new IamRole(this, "state-machine-role", { namePrefix: `${prefix}-sfn-`, assumeRolePolicy: assume("states.amazonaws.com") });
    new IamRolePolicy(this, "state-machine-policy", {
      role: machineRole.id,
      policy: doc([
        { Sid: "RunTasks", Effect: "Allow", Action: "ecs:RunTask", Resource: taskDefinition.arnWithoutRevision + ":*" },
        { Sid: "WatchTasks", Effect: "Allow", Action: ["ecs:StopTask", "ecs:DescribeTasks"], Resource: "*" },
        { Sid: "PassTaskRoles", Effect: "Allow", Action: "iam:PassRole", Resource: [executionRole.arn, taskRole.arn] },
        {
          Sid: "SyncRunTask", Effect: "Allow", Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
          Resource: `arn:${partition.partition}:events:${props.region}:${me.accountId}:rule/StepFunctionsGetEventsForECSTaskRule`,
        },
        { Sid: "DistributedMapChildren", Effect: "Allow", Action: ["states:StartExecution"], Resource: machineArn },
        {
          Sid: "DistributedMapChildrenWatch", Effect: "Allow", Action: ["states:DescribeExecution", "states:StopExecution"],
          Resource: `arn:${partition.partition}:states:${props.region}:${me.accountId}:execution:${machineName}/*`,
        },
      ]),
    });

    this.definition = auditDefinition({
      clusterArn: cluster.arn,
      taskDefinitionArn: taskDefinition.arn,
      containerName: CONTAINER_NAME,
      subnetIds: props.subnetIds,
      securityGroupIds: props.securityGroupIds,
      assignPublicIp: props.assignPublicIp ?? false,
      maxConcurrency: props.maxConcurrency ?? props.shardCount,
    });
    const machine = new SfnStateMachine(this, "state-machine", {
      name: machineName,
      roleArn: machineRole.arn,
      type: "STANDARD",
      definition: JSON.stringify(this.definition),
    });

    const schedulerRole = new IamRole(this, "scheduler-role", { namePrefix: `${prefix}-sched-`, assumeRolePolicy: assume("scheduler.amazonaws.com") });
    new IamRolePolicy(this, "scheduler-policy", {
      role: schedulerRole.id,
      policy: doc([{ Effect: "Allow", Action: "states:StartExecution", Resource: machine.arn }]),
    });
    new SchedulerSchedule(this, "schedule", {
      name: `${prefix}-audit`,
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: props.scheduleTimezone ?? "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: { arn: machine.arn, roleArn: schedulerRole.arn, input: JSON.stringify({ shardCount: props.shardCount }) },
    });

    new TerraformOutput(this, "outputs_bucket", { value: bucket.bucket });
    new TerraformOutput(this, "state_machine_arn", { value: machine.arn });
  }
}
