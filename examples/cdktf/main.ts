/**
 * Acme Health patient portal, written with cdktf: the same scenario as
 * examples/terraform, split into two stacks (secrets and network/audit).
 * Synthesize with `node examples/cdktf/synth.js` (no cdktf CLI needed); the output is
 * committed under cdktf.out/ and checked with `sm-audit check examples/cdktf/cdktf.out`.
 */
import { App, Fn, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";

const REGION = "us-east-1";
const ROTATION_LAMBDA = "arn:aws:lambda:us-east-1:111122223333:function:acme-health-rotate-postgres";
const DEFAULT_TAGS = { Owner: "patient-portal-team", Application: "patient-portal" };

function provider(scope: Construct): void {
  new AwsProvider(scope, "aws", { region: REGION, defaultTags: [{ tags: DEFAULT_TAGS }] });
}

class SecretsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    provider(this);
    const oauthKey = new TerraformVariable(this, "oauth_kms_key_id", { type: "string", description: "KMS key of the identity team" });

    const key = new KmsKey(this, "secrets_key", { description: "Acme Health patient-portal secrets", enableKeyRotation: true, rotationPeriodInDays: 180, deletionWindowInDays: 30 });
    new KmsAlias(this, "secrets_alias", { name: "alias/acme-health/portal-secrets", targetKeyId: key.keyId });

    const patientDb = new SecretsmanagerSecret(this, "patient_db", {
      name: "acme-health/prod/patient-db", kmsKeyId: key.arn, recoveryWindowInDays: 30, tags: { DataClassification: "phi" },
    });
    new SecretsmanagerSecretRotation(this, "patient_db_rotation", { secretId: patientDb.id, rotationLambdaArn: ROTATION_LAMBDA, rotationRules: { automaticallyAfterDays: 30 } });
    new SecretsmanagerSecretPolicy(this, "patient_db_policy", {
      secretArn: patientDb.arn,
      blockPublicPolicy: true,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [{ Sid: "DenyOutsideVpcEndpoint", Effect: "Deny", Principal: "*", Action: ["secretsmanager:GetSecretValue"], Resource: ["*"], Condition: { StringNotEquals: { "aws:SourceVpce": ["vpce-0portal"] } } }],
      }),
    });

    const partner = new SecretsmanagerSecret(this, "partner_api_key", { name: "acme-health/prod/partner-api-key", tags: { DataClassification: "internal" } });
    new SecretsmanagerSecretVersion(this, "partner_api_key_value", { secretId: partner.id, secretString: "acme-demo-password-DO-NOT-USE" });
    new SecretsmanagerSecretRotation(this, "partner_api_key_rotation", {
      secretId: partner.id, rotationLambdaArn: ROTATION_LAMBDA, rotationRules: { scheduleExpression: "cron(0 8 1 * ? *)", duration: "2h" },
    });

    const oauth = new SecretsmanagerSecret(this, "oauth_client", {
      name: "acme-health/prod/oauth-client-secret", kmsKeyId: oauthKey.stringValue, recoveryWindowInDays: 0, tags: { DataClassification: "phi" },
    });
    new SecretsmanagerSecretRotation(this, "oauth_client_rotation", { secretId: oauth.id, rotationLambdaArn: ROTATION_LAMBDA, rotationRules: { automaticallyAfterDays: 180 } });
    new SecretsmanagerSecretPolicy(this, "oauth_client_policy", {
      secretArn: oauth.arn,
      blockPublicPolicy: false,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "PartnerPortalRead", Effect: "Allow", Principal: { AWS: "*" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }),
    });

    new SecretsmanagerSecret(this, "reporting_warehouse", {
      name: "acme-health/prod/reporting-warehouse", kmsKeyId: key.arn, recoveryWindowInDays: 7, tags: { DataClassification: "internal" },
    });
  }
}

class NetworkStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    provider(this);
    const vpc = new Vpc(this, "portal", { cidrBlock: "10.20.0.0/16", enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: "acme-health-portal" } });
    const a = new Subnet(this, "private_a", { vpcId: vpc.id, cidrBlock: "10.20.1.0/24", availabilityZone: "us-east-1a" });
    const b = new Subnet(this, "private_b", { vpcId: vpc.id, cidrBlock: "10.20.2.0/24", availabilityZone: "us-east-1b" });
    new VpcEndpoint(this, "secretsmanager", {
      vpcId: vpc.id, serviceName: `com.amazonaws.${REGION}.secretsmanager`, vpcEndpointType: "Interface", privateDnsEnabled: true, subnetIds: [a.id, b.id],
    });
    const bucket = new S3Bucket(this, "audit_logs", { bucket: "acme-health-audit-logs" });
    new Cloudtrail(this, "audit", {
      name: "acme-health-audit", s3BucketName: bucket.id, isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true,
      eventSelector: [{ readWriteType: "All", includeManagementEvents: true }],
    });
  }
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? `${__dirname}/cdktf.out` });
new SecretsStack(app, "portal-secrets");
new NetworkStack(app, "portal-network");
app.synth();
