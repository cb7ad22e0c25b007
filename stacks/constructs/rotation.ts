/** `enable-rotation` / `shorten-rotation`: an aws_secretsmanager_secret_rotation per secret. */
import { Construct } from "constructs";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import type { RotationParams } from "../../src/remediate/types";
import type { StackRefs } from "./refs";

/** Rotation of one secret; an existing rotation configuration is adopted by import. */
export class SecretRotation extends Construct {
  readonly rotation: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, p: RotationParams, refs: StackRefs) {
    super(scope, id);
    this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: p.secretArn,
      ...(p.lambdaArn !== undefined ? { rotationLambdaArn: refs.str(p.lambdaArn) } : {}),
      rotationRules: { automaticallyAfterDays: p.afterDays },
      rotateImmediately: p.rotateImmediately,
      // Removing the rotation resource would turn rotation off: keep it.
      lifecycle: { preventDestroy: true },
    });
    if (p.adoptExisting) this.rotation.importFrom(p.secretArn);
  }
}
