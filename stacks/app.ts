/**
 * The CDKTF app built from a remediation plan: one TerraformStack per account × region,
 * its AWS provider assuming the remediation role in that account, variables for what the
 * inventory does not know, and one construct per planned action.
 */
import { App, LocalBackend, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type {
  CloudTrailParams, CmkParams, KeyRotationParams, PlanStack, RemediationAction, RemediationPlan, ResourcePolicyParams,
  RotationParams, VpcEndpointParams,
} from "../src/remediate/types";
import { ManagementEventsTrail } from "./constructs/cloudtrail";
import { CustomerManagedKey } from "./constructs/customer-managed-key";
import { KeyRotation } from "./constructs/key-rotation";
import { logicalName, StackRefs } from "./constructs/refs";
import { SecretResourcePolicy } from "./constructs/resource-policy";
import { SecretRotation } from "./constructs/rotation";
import { SecretsManagerEndpoint } from "./constructs/vpc-endpoint";

/** Endpoints first: policies of the same stack may allow the endpoint they create. */
const ORDER = ["add-vpc-endpoint", "use-customer-managed-key", "enable-key-rotation", "enable-rotation", "shorten-rotation", "replace-resource-policy", "add-cloudtrail"];

/** One account × region stack of the plan. */
export class RemediationStack extends TerraformStack {
  constructor(scope: Construct, id: string, plan: RemediationPlan, stack: PlanStack) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: stack.region, assumeRole: [{ roleArn: stack.roleArn, sessionName: "sm-audit-remediation" }] });
    // State next to the stack, not at an absolute path of the machine that synthesized it.
    new LocalBackend(this, { path: "terraform.tfstate" });
    const variables = new Map<string, TerraformVariable>();
    for (const v of stack.variables) {
      variables.set(v.name, new TerraformVariable(this, v.name, {
        type: v.type,
        description: v.description,
        ...(v.default !== undefined ? { default: v.default } : {}),
      }));
    }
    const refs = new StackRefs(variables);
    const byId = new Map(plan.actions.map((a) => [a.id, a]));
    const actions = stack.actions.map((id) => byId.get(id)).filter((a): a is RemediationAction => a !== undefined)
      .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || a.id.localeCompare(b.id));
    for (const a of actions) addAction(this, a, refs);
  }
}

function addAction(scope: Construct, a: RemediationAction, refs: StackRefs): void {
  const id = logicalName(a.kind.replace(/-/g, "_"), a.id.split(":").slice(3).join(":"));
  switch (a.kind) {
    case "enable-rotation":
    case "shorten-rotation":
      new SecretRotation(scope, id, a.params as RotationParams, refs);
      return;
    case "use-customer-managed-key":
      new CustomerManagedKey(scope, id, a.params as CmkParams);
      return;
    case "enable-key-rotation":
      new KeyRotation(scope, id, a.params as KeyRotationParams);
      return;
    case "replace-resource-policy":
      new SecretResourcePolicy(scope, id, a.params as ResourcePolicyParams, refs);
      return;
    case "add-vpc-endpoint": {
      const c = new SecretsManagerEndpoint(scope, id, a.params as VpcEndpointParams, refs);
      refs.planned.set(a.id, c.endpoint.id);
      return;
    }
    case "add-cloudtrail":
      new ManagementEventsTrail(scope, id, a.params as CloudTrailParams);
      return;
  }
}

/** Add one stack per account × region of `plan` to `app` (used by the generated main.ts too). */
export function addStacks(app: App, plan: RemediationPlan): string[] {
  for (const st of plan.stacks) new RemediationStack(app, st.id, plan, st);
  return plan.stacks.map((s) => s.id);
}

/** A new App writing to `outdir` with the plan's stacks. */
export function buildApp(plan: RemediationPlan, outdir: string): App {
  const app = new App({ outdir, skipValidation: false });
  addStacks(app, plan);
  return app;
}
