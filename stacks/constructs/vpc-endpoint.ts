/** `add-vpc-endpoint`: a Secrets Manager interface endpoint with private DNS. */
import { Construct } from "constructs";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import type { VpcEndpointParams } from "../../src/remediate/types";
import type { StackRefs } from "./refs";

/** A new endpoint, or the existing one adopted by import with private DNS turned on. */
export class SecretsManagerEndpoint extends Construct {
  readonly endpoint: VpcEndpoint;

  constructor(scope: Construct, id: string, p: VpcEndpointParams, refs: StackRefs) {
    super(scope, id);
    this.endpoint = new VpcEndpoint(this, "endpoint", {
      vpcId: p.vpcId,
      serviceName: p.serviceName,
      vpcEndpointType: "Interface",
      privateDnsEnabled: p.privateDns,
      subnetIds: refs.list(p.subnetIds),
      securityGroupIds: refs.list(p.securityGroupIds),
      tags: { Name: `sm-audit-secretsmanager-${p.vpcId}` },
      ...(p.existingEndpointId ? { lifecycle: { preventDestroy: true, ignoreChanges: ["tags", "policy"] } } : {}),
    });
    if (p.existingEndpointId) this.endpoint.importFrom(p.existingEndpointId);
  }
}
