/**
 * The scheduled audit's Step Functions definition (Amazon States Language) and the container
 * commands it runs: a Distributed Map over shard numbers, one Fargate task per shard, then one
 * merge + evaluate + report task. Pure data, so tests read it without synthesizing.
 */

/** What the definition needs to know about the deployed resources (values may be Terraform tokens). */
export interface AuditDefinitionInput {
  clusterArn: string;
  taskDefinitionArn: string;
  /** Name of the container in the task definition. */
  containerName: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** Whether tasks get a public IP (needed without NAT or VPC endpoints). */
  assignPublicIp: boolean;
  /** Shards running at once (the Distributed Map's MaxConcurrency). */
  maxConcurrency: number;
}

/** Name of the container in the auditor task definition. */
export const CONTAINER_NAME = "sm-audit";

/**
 * The shell run by each shard task. `SHARD` (`i/n`), `RUN_ID` and `OUTPUT_BUCKET` come from the
 * environment (`SCAN_ARGS`, unquoted on purpose, holds extra flags such as `--regions`); no `${`
 * anywhere, since Terraform would read it as interpolation. `--fail-on none --allow-gaps`: findings
 * and coverage gaps are judged on the merged result, so a shard task fails only on a real error.
 */
export const SCAN_SCRIPT = [
  "set -eu",
  'sm-audit scan --shard "$SHARD" --role-name "$MEMBER_ROLE_NAME" $SCAN_ARGS --fail-on none --allow-gaps --out /tmp/out',
  'aws s3 cp /tmp/out/snapshot.json "s3://$OUTPUT_BUCKET/runs/$RUN_ID/shards/shard-$(echo "$SHARD" | cut -d/ -f1).json"',
].join("\n");

/**
 * The shell of the final task: fetch every shard, merge (which refuses a missing or overlapping
 * shard), evaluate, render the reports and upload them next to the shards. Exit 1 (findings) is
 * the audit's result, not a failure of the job.
 */
export const MERGE_SCRIPT = [
  "set -eu",
  'aws s3 cp --recursive "s3://$OUTPUT_BUCKET/runs/$RUN_ID/shards/" /tmp/shards/',
  "mkdir -p /tmp/out",
  "sm-audit merge /tmp/shards/*.json --out /tmp/out/snapshot.json",
  "sm-audit evaluate /tmp/out/snapshot.json --out /tmp/out/findings.json --allow-gaps || [ $? -eq 1 ]",
  "sm-audit report /tmp/out/findings.json --snapshot /tmp/out/snapshot.json --out /tmp/out/reports",
  'aws s3 cp --recursive /tmp/out/ "s3://$OUTPUT_BUCKET/runs/$RUN_ID/"',
].join("\n");

/** ECS RunTask (synchronous) parameters for one container command and its environment. */
function runTask(input: AuditDefinitionInput, script: string, env: Array<Record<string, string>>): Record<string, unknown> {
  return {
    LaunchType: "FARGATE",
    Cluster: input.clusterArn,
    TaskDefinition: input.taskDefinitionArn,
    NetworkConfiguration: {
      AwsvpcConfiguration: {
        Subnets: input.subnetIds,
        SecurityGroups: input.securityGroupIds,
        AssignPublicIp: input.assignPublicIp ? "ENABLED" : "DISABLED",
      },
    },
    Overrides: {
      ContainerOverrides: [{ Name: input.containerName, Command: ["sh", "-c", script], Environment: env }],
    },
  };
}

const RETRY = [
  { ErrorEquals: ["ECS.AmazonECSException", "ECS.ServerException", "States.Timeout"], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 },
];

/**
 * The state machine: `{"shardCount": n}` in → `States.ArrayRange(1, n, 1)` → Distributed Map of
 * scan tasks (any shard failing fails the run: a merge of missing shards is refused anyway) →
 * merge and report.
 */
export function auditDefinition(input: AuditDefinitionInput): Record<string, unknown> {
  return {
    Comment: "sm-audit scheduled audit: one Fargate task per shard, then merge and report",
    StartAt: "ListShards",
    States: {
      ListShards: {
        Type: "Pass",
        Parameters: { "shards.$": "States.ArrayRange(1, $.shardCount, 1)", "shardCount.$": "$.shardCount" },
        Next: "ScanShards",
      },
      ScanShards: {
        Type: "Map",
        ItemsPath: "$.shards",
        ItemSelector: {
          "shard.$": "$$.Map.Item.Value",
          "shardCount.$": "$.shardCount",
          "runId.$": "$$.Execution.Name",
        },
        MaxConcurrency: input.maxConcurrency,
        ToleratedFailurePercentage: 0,
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "ScanShard",
          States: {
            ScanShard: {
              Type: "Task",
              Resource: "arn:aws:states:::ecs:runTask.sync",
              Parameters: runTask(input, SCAN_SCRIPT, [
                { Name: "SHARD", "Value.$": "States.Format('{}/{}', $.shard, $.shardCount)" },
                { Name: "RUN_ID", "Value.$": "$.runId" },
              ]),
              Retry: RETRY,
              End: true,
            },
          },
        },
        ResultPath: null,
        Next: "MergeAndReport",
      },
      MergeAndReport: {
        Type: "Task",
        Resource: "arn:aws:states:::ecs:runTask.sync",
        Parameters: runTask(input, MERGE_SCRIPT, [{ Name: "RUN_ID", "Value.$": "$$.Execution.Name" }]),
        Retry: RETRY,
        End: true,
      },
    },
  };
}
