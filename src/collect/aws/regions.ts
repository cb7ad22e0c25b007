/**
 * Regions of an account: EC2 DescribeRegions with AllRegions, so that an opt-in region the
 * account has not enabled is known (and recorded as skipped) rather than failing later.
 */
import { DescribeRegionsCommand, type DescribeRegionsCommandOutput } from "@aws-sdk/client-ec2";
import { UserError } from "../../util/errors";
import type { ScanContext } from "./context";

/** IAM actions this module sends. */
export const REGION_ACTIONS = ["ec2:DescribeRegions"] as const;

/** Regions of one account, split by whether the account can use them. */
export interface AccountRegions {
  enabled: string[];
  notEnabled: string[];
}

/** DescribeRegions(AllRegions) in `region` as `accountId`. */
export async function describeRegions(ctx: ScanContext, accountId: string, region: string): Promise<AccountRegions> {
  const out = await ctx.send<DescribeRegionsCommandOutput>("ec2", accountId, region, new DescribeRegionsCommand({ AllRegions: true }));
  const enabled: string[] = [];
  const notEnabled: string[] = [];
  for (const r of out.Regions ?? []) {
    if (!r.RegionName) continue;
    if (r.OptInStatus === "not-opted-in") notEnabled.push(r.RegionName);
    else enabled.push(r.RegionName);
  }
  return { enabled: enabled.sort(), notEnabled: notEnabled.sort() };
}

/** Validate `--regions` values (e.g. `us-east-1`, `eu-central-2`, `us-gov-west-1`). */
export function parseRegions(values: string[], field = "--regions"): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v)) throw new UserError(`expected a region name such as us-east-1, got '${v}'`, { field });
    if (!out.includes(v)) out.push(v);
  }
  return out;
}
