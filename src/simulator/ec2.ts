/**
 * EC2 (query protocol, XML): DescribeRegions, DescribeVpcs and DescribeVpcEndpoints with
 * their filters and MaxResults/NextToken paging.
 */
import { callerAr, type QueryHandler } from "./context";
import { SimError } from "./errors";
import { makeToken, readToken } from "./protocol-json";
import { formFilters, formList, itemSet, leaf, node, tagSet } from "./protocol-query";
import { hex } from "./rand";
import { isoMillis } from "./time";
import type { EndpointW, VpcW } from "./world";

type Filter = { name: string; values: string[] };

const invalidFilter = (name: string): SimError => new SimError("InvalidParameterValue", `The filter '${name}' is invalid`, 400);
const invalidToken = (): SimError => new SimError("InvalidPaginationToken", "The pagination token is invalid.", 400);

/** Match `value(s)` against a filter's values (EC2 filters allow `*` and `?` wildcards). */
function filterMatch(candidates: Array<string | undefined>, values: string[]): boolean {
  return values.some((v) => {
    const re = new RegExp(`^${v.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return candidates.some((c) => c !== undefined && re.test(c));
  });
}

function tagFilter(f: Filter, tags: Array<{ Key: string; Value: string }>): boolean | undefined {
  if (f.name === "tag-key") return filterMatch(tags.map((t) => t.Key), f.values);
  if (f.name.startsWith("tag:")) return filterMatch(tags.filter((t) => t.Key === f.name.slice(4)).map((t) => t.Value), f.values);
  return undefined;
}

function maxResults(form: Map<string, string>, min: number): number | undefined {
  const raw = form.get("MaxResults");
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new SimError("InvalidParameterValue", `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value greater than ${min - 1}.`, 400);
  return Math.min(n, 1000);
}

/** One page of `items` and the nextToken element. */
function page<T>(items: T[], form: Map<string, string>, queryKey: string, min: number): { items: T[]; next: string } {
  const max = maxResults(form, min);
  const { offset } = readToken(form.get("NextToken"), queryKey, invalidToken);
  if (max === undefined && offset === 0) return { items, next: "" };
  const size = max ?? 1000;
  const slice = items.slice(offset, offset + size);
  return { items: slice, next: offset + size < items.length ? leaf("nextToken", makeToken(offset + size, queryKey)) : "" };
}

export const ec2Handlers: Record<string, QueryHandler> = {
  DescribeRegions: (ctx, form) => {
    const all = form.get("AllRegions") === "true";
    const names = formList(form, "RegionName");
    const filters = formFilters(form);
    for (const n of names) {
      if (!ctx.sim.world.regions.some((r) => r.name === n)) throw new SimError("InvalidParameterValue", `Invalid region name: ${n}`, 400);
    }
    const rows = ctx.sim.world.regions.filter((r) => {
      if (names.length) return names.includes(r.name);
      if (!all && r.optInStatus === "not-opted-in") return false;
      return filters.every((f) => {
        if (f.name === "region-name") return filterMatch([r.name], f.values);
        if (f.name === "opt-in-status") return filterMatch([r.optInStatus], f.values);
        if (f.name === "endpoint") return filterMatch([`ec2.${r.name}.amazonaws.com`], f.values);
        throw invalidFilter(f.name);
      });
    });
    return itemSet(
      "regionInfo",
      rows.map((r) => leaf("regionName", r.name) + leaf("regionEndpoint", `ec2.${r.name}.amazonaws.com`) + leaf("optInStatus", r.optInStatus)),
    );
  },

  DescribeVpcs: (ctx, form) => {
    const ar = callerAr(ctx);
    const ids = formList(form, "VpcId");
    for (const id of ids) if (!ar.vpcs.some((v) => v.id === id)) throw new SimError("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`, 400);
    const filters = formFilters(form);
    const rows = ar.vpcs.filter((v) => (!ids.length || ids.includes(v.id)) && filters.every((f) => vpcFilter(f, v)));
    const p = page(rows, form, `vpcs/${ar.accountId}/${ar.region}/${JSON.stringify([ids, filters])}`, 5);
    return itemSet("vpcSet", p.items.map(vpcXml)) + p.next;
  },

  DescribeVpcEndpoints: (ctx, form) => {
    const ar = callerAr(ctx);
    const ids = formList(form, "VpcEndpointId");
    for (const id of ids) {
      if (!ar.endpoints.some((e) => e.id === id)) throw new SimError("InvalidVpcEndpointId.NotFound", `The Vpc Endpoint Id '${id}' does not exist`, 400);
    }
    const filters = formFilters(form);
    const rows = ar.endpoints.filter((e) => (!ids.length || ids.includes(e.id)) && filters.every((f) => endpointFilter(f, e)));
    const p = page(rows, form, `vpce/${ar.accountId}/${ar.region}/${JSON.stringify([ids, filters])}`, 1);
    return itemSet("vpcEndpointSet", p.items.map(endpointXml)) + p.next;
  },
};

function vpcFilter(f: Filter, v: VpcW): boolean {
  const tag = tagFilter(f, v.tags);
  if (tag !== undefined) return tag;
  switch (f.name) {
    case "vpc-id":
      return filterMatch([v.id], f.values);
    case "is-default":
      return filterMatch([String(v.isDefault)], f.values);
    case "state":
      return filterMatch([v.state], f.values);
    case "cidr":
    case "cidr-block-association.cidr-block":
      return filterMatch([v.cidr], f.values);
    case "owner-id":
      return filterMatch([v.ownerId], f.values);
    case "dhcp-options-id":
      return filterMatch([v.dhcpOptionsId], f.values);
    default:
      throw invalidFilter(f.name);
  }
}

function endpointFilter(f: Filter, e: EndpointW): boolean {
  const tag = tagFilter(f, e.tags);
  if (tag !== undefined) return tag;
  switch (f.name) {
    case "service-name":
      return filterMatch([e.serviceName], f.values);
    case "vpc-id":
      return filterMatch([e.vpcId], f.values);
    case "vpc-endpoint-id":
      return filterMatch([e.id], f.values);
    case "vpc-endpoint-type":
      return filterMatch([e.type], f.values);
    case "vpc-endpoint-state":
      return filterMatch([e.state], f.values);
    case "ip-address-type":
      return filterMatch(["ipv4"], f.values);
    default:
      throw invalidFilter(f.name);
  }
}

function vpcXml(v: VpcW): string {
  return (
    leaf("vpcId", v.id) +
    leaf("ownerId", v.ownerId) +
    leaf("state", v.state) +
    leaf("cidrBlock", v.cidr) +
    itemSet("cidrBlockAssociationSet", [
      leaf("cidrBlock", v.cidr) + leaf("associationId", `vpc-cidr-assoc-0${hex(v.id, 16)}`) + node("cidrBlockState", leaf("state", "associated")),
    ]) +
    leaf("dhcpOptionsId", v.dhcpOptionsId) +
    leaf("instanceTenancy", "default") +
    leaf("isDefault", v.isDefault) +
    tagSet(v.tags) +
    node("blockPublicAccessStates", leaf("internetGatewayBlockMode", "off"))
  );
}

function endpointXml(e: EndpointW): string {
  const iface = e.type === "Interface";
  const region = e.serviceName.split(".")[2] ?? "";
  const dns = iface
    ? itemSet("dnsEntrySet", [
        leaf("dnsName", `${e.id}-${hex(e.id, 8)}.${e.serviceName.split(".").slice(3).join(".")}.${region}.vpce.amazonaws.com`) + leaf("hostedZoneId", "Z7HUB22UULQXV"),
      ])
    : itemSet("dnsEntrySet", []);
  return (
    leaf("vpcEndpointId", e.id) +
    leaf("vpcEndpointType", e.type) +
    leaf("vpcId", e.vpcId) +
    leaf("serviceName", e.serviceName) +
    leaf("state", e.state) +
    leaf("policyDocument", e.policy) +
    itemSet("routeTableIdSet", e.routeTableIds) +
    itemSet("subnetIdSet", e.subnetIds) +
    itemSet("groupSet", iface ? [leaf("groupId", `sg-0${hex(`${e.id}/sg`, 16)}`) + leaf("groupName", "default")] : []) +
    leaf("ipAddressType", "ipv4") +
    (iface ? node("dnsOptions", leaf("dnsRecordIpType", "ipv4")) : "") +
    leaf("privateDnsEnabled", e.privateDns) +
    leaf("requesterManaged", false) +
    itemSet("networkInterfaceIdSet", e.networkInterfaceIds) +
    dns +
    leaf("creationTimestamp", isoMillis(e.createdMs)) +
    tagSet(e.tags) +
    leaf("ownerId", e.ownerId)
  );
}
