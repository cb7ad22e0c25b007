/**
 * VPCs of one account-region with their VPC endpoints: one paginated DescribeVpcs and one
 * paginated DescribeVpcEndpoints, joined by VPC id.
 */
import {
  DescribeVpcEndpointsCommand, type DescribeVpcEndpointsCommandOutput, DescribeVpcsCommand, type DescribeVpcsCommandOutput, type Tag,
} from "@aws-sdk/client-ec2";
import type { Coverage, Vpc, VpcEndpoint } from "../../inventory/types";
import { classifyError, type ScanContext } from "./context";
import { parsePolicy } from "./secrets";

/** IAM actions this module sends. */
export const VPC_ACTIONS = ["ec2:DescribeVpcs", "ec2:DescribeVpcEndpoints"] as const;

const tagMap = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? ""]));

/** Collect VPCs and endpoints of `accountId`/`region`; a failure of either is one `vpcs` gap. */
export async function collectVpcs(ctx: ScanContext, accountId: string, region: string): Promise<{ vpcs: Vpc[]; coverage: Coverage }> {
  const vpcSource = { kind: "live" as const, accountId, region, api: "ec2:DescribeVpcs" };
  const epSource = { kind: "live" as const, accountId, region, api: "ec2:DescribeVpcEndpoints" };
  try {
    const [vpcPages, endpoints] = await Promise.all([listVpcs(ctx, accountId, region), listEndpoints(ctx, accountId, region)]);
    const vpcs: Vpc[] = vpcPages.map((v) => {
      const vpc: Vpc = {
        id: `arn:aws:ec2:${region}:${v.OwnerId ?? accountId}:vpc/${v.VpcId}`,
        vpcId: v.VpcId, accountId, region, source: vpcSource,
        isDefault: v.IsDefault ?? false, cidr: v.CidrBlock, tags: tagMap(v.Tags), endpoints: [],
      };
      if (vpc.cidr === undefined) delete vpc.cidr;
      return vpc;
    });
    const byId = new Map(vpcs.map((v) => [v.vpcId, v]));
    for (const e of endpoints) {
      const vpc = byId.get(e.VpcId);
      if (!vpc || !e.VpcEndpointId) continue;
      const ep: VpcEndpoint = {
        id: e.VpcEndpointId, serviceName: e.ServiceName, type: e.VpcEndpointType, state: e.State,
        privateDns: e.PrivateDnsEnabled ?? false, subnetIds: e.SubnetIds ?? [],
        securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => g !== undefined),
        source: epSource,
      };
      const parsed = parsePolicy(e.PolicyDocument);
      if ("error" in parsed) ep.unknowns = { policy: parsed.error };
      else ep.policy = parsed.policy;
      vpc.endpoints.push(ep);
    }
    return { vpcs, coverage: { accountId, region, kind: "vpcs", status: "collected", count: vpcs.length } };
  } catch (err) {
    return { vpcs: [], coverage: { accountId, region, kind: "vpcs", ...classifyError(err) } };
  }
}

type Endpoint = NonNullable<DescribeVpcEndpointsCommandOutput["VpcEndpoints"]>[number];

function listVpcs(ctx: ScanContext, accountId: string, region: string): Promise<NonNullable<DescribeVpcsCommandOutput["Vpcs"]>> {
  return allPages(async (NextToken) => {
    const page = await ctx.send<DescribeVpcsCommandOutput>("ec2", accountId, region, new DescribeVpcsCommand({ MaxResults: 1000, NextToken }));
    return { items: page.Vpcs, next: page.NextToken };
  });
}

function listEndpoints(ctx: ScanContext, accountId: string, region: string): Promise<Endpoint[]> {
  return allPages(async (NextToken) => {
    const page = await ctx.send<DescribeVpcEndpointsCommandOutput>("ec2", accountId, region, new DescribeVpcEndpointsCommand({ MaxResults: 1000, NextToken }));
    return { items: page.VpcEndpoints, next: page.NextToken };
  });
}

/** Every item of a paginated Describe call: pages are fetched until NextToken is absent or empty. */
async function allPages<T>(fetchPage: (token: string | undefined) => Promise<{ items?: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    out.push(...(page.items ?? []));
    token = page.next || undefined;
  } while (token);
  return out;
}
