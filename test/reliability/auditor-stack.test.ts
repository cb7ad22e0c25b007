import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { synthAuditor, type AuditorConfig } from "../../stacks/auditor/main";
import type { IamPolicyDocument } from "../../stacks/auditor/auditor-stack";
import { MERGE_SCRIPT, SCAN_SCRIPT } from "../../stacks/auditor/definition";
import { scannerPolicy } from "./scanner-policy";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const config: AuditorConfig = {
  region: "eu-west-1",
  image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sm-audit:1.0.0",
  subnetIds: ["subnet-0aaa", "subnet-0bbb"],
  securityGroupIds: ["sg-0ccc"],
  shardCount: 8,
  maxConcurrency: 4,
  scheduleExpression: "cron(0 3 * * ? *)",
  memberRoleName: "SmAuditReadOnly",
  scanArgs: "--regions us-east-1,eu-west-1",
};

function synth(policy: IamPolicyDocument): { resources: Resources; json: string } {
  const out = mkdtempSync(join(tmpdir(), "sm-auditor-"));
  synthAuditor(config, out, policy);
  const json = readFileSync(join(out, "stacks", "sm-audit-auditor", "cdk.tf.json"), "utf8");
  return { resources: (JSON.parse(json) as { resource: Resources }).resource, json };
}

describe("auditor stack (stacks/auditor)", async () => {
  const policy = await scannerPolicy();
  const { resources, json } = synth(policy);
  const one = (type: string): Record<string, unknown> => {
    const all = Object.values(resources[type] ?? {});
    expect(all, type).toHaveLength(1);
    return all[0];
  };

  it("declares the scheduled, sharded pipeline's resources", () => {
    for (const type of [
      "aws_scheduler_schedule", "aws_sfn_state_machine", "aws_ecs_cluster", "aws_ecs_task_definition", "aws_s3_bucket",
      "aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block",
      "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy",
    ]) expect(Object.keys(resources), type).toContain(type);
    expect(Object.keys(resources.aws_iam_role)).toHaveLength(4);
  });

  it("schedules the state machine with the shard count as input", () => {
    const schedule = one("aws_scheduler_schedule");
    expect(schedule.schedule_expression).toBe("cron(0 3 * * ? *)");
    const target = schedule.target as { input: string; arn: string };
    expect(JSON.parse(target.input)).toEqual({ shardCount: 8 });
    expect(target.arn).toMatch(/\$\{aws_sfn_state_machine\.[\w-]+\.arn\}/);
  });

  it("fans out with a Distributed Map of Fargate scan tasks, then merges", () => {
    const def = JSON.parse(one("aws_sfn_state_machine").definition as string) as {
      StartAt: string; States: Record<string, Record<string, unknown>>;
    };
    expect(def.States.ListShards.Parameters).toMatchObject({ "shards.$": "States.ArrayRange(1, $.shardCount, 1)" });
    const map = def.States.ScanShards as {
      Type: string; ItemsPath: string; MaxConcurrency: number; Next: string;
      ItemProcessor: { ProcessorConfig: { Mode: string }; States: Record<string, { Resource: string; Parameters: { LaunchType: string; Overrides: { ContainerOverrides: Array<{ Command: string[]; Environment: Array<Record<string, string>> }> } } }> };
    };
    expect(map.Type).toBe("Map");
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe("DISTRIBUTED");
    expect(map.MaxConcurrency).toBe(4);
    expect(map.Next).toBe("MergeAndReport");
    const scan = map.ItemProcessor.States.ScanShard;
    expect(scan.Resource).toBe("arn:aws:states:::ecs:runTask.sync");
    expect(scan.Parameters.LaunchType).toBe("FARGATE");
    const override = scan.Parameters.Overrides.ContainerOverrides[0];
    expect(override.Command).toEqual(["sh", "-c", SCAN_SCRIPT]);
    expect(override.Command[2]).toMatch(/sm-audit scan --shard "\$SHARD" .*--out \/tmp\/out\naws s3 cp \/tmp\/out\/snapshot.json/);
    expect(override.Environment).toContainEqual({ Name: "SHARD", "Value.$": "States.Format('{}/{}', $.shard, $.shardCount)" });
    const merge = def.States.MergeAndReport as { Parameters: { Overrides: { ContainerOverrides: Array<{ Command: string[] }> } } };
    expect(merge.Parameters.Overrides.ContainerOverrides[0].Command[2]).toBe(MERGE_SCRIPT);
    expect(MERGE_SCRIPT).toMatch(/sm-audit merge \/tmp\/shards\/\*\.json/);
    // Terraform would read "${" in the scripts as interpolation.
    expect(SCAN_SCRIPT + MERGE_SCRIPT).not.toContain("${");
  });

  it("keeps outputs private, encrypted and versioned", () => {
    expect(one("aws_s3_bucket_public_access_block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(one("aws_s3_bucket_versioning")).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    expect(JSON.stringify(one("aws_s3_bucket_server_side_encryption_configuration"))).toContain("aws:kms");
  });

  it("gives the scanner the generated read-only policy and never a secret-value read", () => {
    const inline = Object.values(resources.aws_iam_role_policy).map((p) => JSON.parse(p.policy as string) as IamPolicyDocument);
    expect(inline).toContainEqual(policy);
    const actions = inline.flatMap((p) => p.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    expect(actions).toContain("sts:AssumeRole");
    for (const a of actions) {
      expect(a).not.toMatch(/^secretsmanager:(GetSecretValue|BatchGetSecretValue|\*)$/i);
      expect(a).not.toBe("*");
    }
    expect(json).not.toMatch(/GetSecretValue"|BatchGetSecretValue/);
  });
});
