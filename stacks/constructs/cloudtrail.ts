/**
 * `add-cloudtrail`: a multi-region trail with log-file validation and read + write
 * management events, and its S3 bucket (public access blocked, versioned, encrypted,
 * with the bucket policy CloudTrail needs).
 */
import { Construct } from "constructs";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { CloudTrailParams } from "../../src/remediate/types";

/** The trail and its log bucket. */
export class ManagementEventsTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, p: CloudTrailParams) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: p.bucketName,
      forceDestroy: false,
      tags: { ManagedBy: "sm-audit" },
      // Audit logs are evidence: the bucket must not go with a stack destroy.
      lifecycle: { preventDestroy: true },
    });
    const block = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const policy = new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: JSON.stringify(p.bucketPolicy),
      dependsOn: [block],
    });
    this.trail = new Cloudtrail(this, "trail", {
      name: p.trailName,
      s3BucketName: this.bucket.id,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      eventSelector: [{ readWriteType: "All", includeManagementEvents: true }],
      tags: { ManagedBy: "sm-audit" },
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [policy],
    });
  }
}
