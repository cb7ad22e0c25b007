/**
 * `use-customer-managed-key`: one new rotating KMS key (with alias) per account-region,
 * and the existing secrets adopted by import with `kms_key_id` pointing at it.
 */
import { Construct } from "constructs";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { CmkParams } from "../../src/remediate/types";
import { logicalName } from "./refs";

/** The new key, its alias and the adopted secrets. */
export class CustomerManagedKey extends Construct {
  readonly key: KmsKey;
  readonly secrets: SecretsmanagerSecret[] = [];

  constructor(scope: Construct, id: string, p: CmkParams) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      description: p.description,
      enableKeyRotation: true,
      rotationPeriodInDays: p.rotationPeriodDays,
      deletionWindowInDays: 30,
      policy: JSON.stringify(p.keyPolicy),
      tags: { ManagedBy: "sm-audit" },
      // Secrets encrypted under this key become unreadable if it goes.
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "alias", { name: p.alias, targetKeyId: this.key.keyId });
    for (const s of p.secrets) {
      const secret = new SecretsmanagerSecret(this, logicalName("secret", s.name), {
        name: s.name,
        kmsKeyId: this.key.arn,
        ...(s.description !== undefined ? { description: s.description } : {}),
        ...(s.tags ? { tags: s.tags } : {}),
        // Existing replicas are listed (leaving them out would remove them) and move to the
        // sm-audit key alias of their own region, created by that region's stack.
        ...(s.replicas.length ? { replica: s.replicas.map((r) => ({ region: r.region, kmsKeyId: p.alias })) } : {}),
        lifecycle: {
          preventDestroy: true,
          // Only the key changes: the inline policy belongs to aws_secretsmanager_secret_policy,
          // and replicas the inventory did not list are left alone.
          ignoreChanges: s.replicas.length ? ["policy", "recovery_window_in_days"] : ["policy", "recovery_window_in_days", "replica"],
        },
      });
      secret.importFrom(s.arn);
      this.secrets.push(secret);
    }
  }
}
