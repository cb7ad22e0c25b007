/** `enable-key-rotation`: the existing customer-managed key adopted by import, rotation on. */
import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { KeyRotationParams } from "../../src/remediate/types";

/** Automatic rotation of one existing key; nothing else about the key changes. */
export class KeyRotation extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, p: KeyRotationParams) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      enableKeyRotation: true,
      rotationPeriodInDays: p.rotationPeriodDays,
      multiRegion: p.multiRegion,
      ...(p.description !== undefined ? { description: p.description } : {}),
      lifecycle: {
        preventDestroy: true,
        // The adopted key keeps its policy, state and spec: some of these force replacement.
        ignoreChanges: [
          "policy", "description", "tags", "is_enabled", "key_usage", "customer_master_key_spec",
          "multi_region", "deletion_window_in_days", "bypass_policy_lockout_safety_check", "custom_key_store_id", "xks_key_id",
        ],
      },
    });
    this.key.importFrom(p.keyId);
  }
}
