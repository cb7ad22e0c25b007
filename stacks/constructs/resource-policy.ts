/** `replace-resource-policy`: the secret's policy replaced by the planned document. */
import { Construct } from "constructs";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import type { ResourcePolicyParams } from "../../src/remediate/types";
import type { StackRefs } from "./refs";

/** The new resource policy with block_public_policy; an existing policy is adopted by import. */
export class SecretResourcePolicy extends Construct {
  readonly policy: SecretsmanagerSecretPolicy;

  constructor(scope: Construct, id: string, p: ResourcePolicyParams, refs: StackRefs) {
    super(scope, id);
    this.policy = new SecretsmanagerSecretPolicy(this, "policy", {
      secretArn: p.secretArn,
      policy: refs.json(p.document),
      blockPublicPolicy: p.blockPublicPolicy,
      ...(p.adoptExisting ? { lifecycle: { preventDestroy: true } } : {}),
    });
    if (p.adoptExisting) this.policy.importFrom(p.secretArn);
  }
}
