/**
 * CloudTrail trails seen from one account-region: DescribeTrails (shadow trails included,
 * so multi-region and organization trails show), then GetTrailStatus and GetEventSelectors
 * once per trail per account, in the trail's home region.
 */
import {
  DescribeTrailsCommand, type DescribeTrailsCommandOutput, GetEventSelectorsCommand, type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand, type GetTrailStatusCommandOutput, type Trail as SdkTrail,
} from "@aws-sdk/client-cloudtrail";
import type { Coverage, Trail } from "../../inventory/types";
import { classifyError, type ScanContext } from "./context";

/** IAM actions this module sends. */
export const TRAIL_ACTIONS = ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"] as const;

/** Per-account cache of trail details, shared by the account's regions (a multi-region trail shows in each). */
export type TrailDetailCache = Map<string, Promise<Trail>>;

/** Management events recorded by classic or advanced event selectors. */
export function managementEvents(sel: GetEventSelectorsCommandOutput): { read: boolean; write: boolean } {
  let read = false;
  let write = false;
  for (const s of sel.EventSelectors ?? []) {
    if (s.IncludeManagementEvents === false) continue;
    const rw = s.ReadWriteType ?? "All";
    if (rw === "All" || rw === "ReadOnly") read = true;
    if (rw === "All" || rw === "WriteOnly") write = true;
  }
  for (const a of sel.AdvancedEventSelectors ?? []) {
    const fields = a.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === "eventCategory");
    if (!category?.Equals?.includes("Management")) continue;
    const ro = fields.find((f) => f.Field === "readOnly");
    const only = ro?.Equals?.[0];
    if (only === undefined || only === "true") read = true;
    if (only === undefined || only === "false") write = true;
  }
  return { read, write };
}

/** Collect trails visible from `accountId`/`region`; details are fetched once per trail ARN per account. */
export async function collectTrails(ctx: ScanContext, accountId: string, region: string, cache: TrailDetailCache): Promise<{ trails: Trail[]; coverage: Coverage }> {
  let list: SdkTrail[];
  try {
    const out = await ctx.send<DescribeTrailsCommandOutput>("cloudtrail", accountId, region, new DescribeTrailsCommand({ includeShadowTrails: true }));
    list = out.trailList ?? [];
  } catch (err) {
    return { trails: [], coverage: { accountId, region, kind: "trails", ...classifyError(err) } };
  }
  const errors: Array<ReturnType<typeof classifyError>> = [];
  const trails: Trail[] = [];
  for (const t of list) {
    if (!t.TrailARN) continue;
    let p = cache.get(t.TrailARN);
    if (!p) {
      p = details(ctx, accountId, t);
      cache.set(t.TrailARN, p);
    }
    const trail = await p;
    const failed = Object.values(trail.unknowns ?? {}).find((r) => r.startsWith("denied") || r.startsWith("failed"));
    if (failed) errors.push({ status: failed.startsWith("denied") ? "denied" : "failed", errorCode: failed.split(": ")[1] ?? "Error", message: failed });
    trails.push(trail);
  }
  const first = errors[0];
  const coverage: Coverage = first
    ? { accountId, region, kind: "trails", ...first, count: trails.length }
    : { accountId, region, kind: "trails", status: "collected", count: trails.length };
  return { trails, coverage };
}

async function details(ctx: ScanContext, accountId: string, t: SdkTrail): Promise<Trail> {
  const arn = t.TrailARN as string;
  const home = t.HomeRegion ?? arn.split(":")[3] ?? "us-east-1";
  const owner = arn.split(":")[4] ?? accountId;
  const trail: Trail = {
    id: arn, arn, name: t.Name ?? arn, accountId: owner, region: home, homeRegion: home,
    source: { kind: "live", accountId, region: home, api: "cloudtrail:DescribeTrails" },
    isMultiRegion: t.IsMultiRegionTrail ?? false, isOrganizationTrail: t.IsOrganizationTrail ?? false,
    logFileValidation: t.LogFileValidationEnabled ?? false, kmsKeyId: t.KmsKeyId ?? null, s3Bucket: t.S3BucketName,
  };
  if (trail.s3Bucket === undefined) delete trail.s3Bucket;
  const unknowns: Record<string, string> = {};
  const [status, selectors] = await Promise.all([
    ctx.send<GetTrailStatusCommandOutput>("cloudtrail", accountId, home, new GetTrailStatusCommand({ Name: arn })).then((r) => r, (e: unknown) => e as Error),
    ctx.send<GetEventSelectorsCommandOutput>("cloudtrail", accountId, home, new GetEventSelectorsCommand({ TrailName: arn })).then((r) => r, (e: unknown) => e as Error),
  ]);
  if (status instanceof Error) {
    const c = classifyError(status);
    unknowns.logging = `${c.status}: ${c.errorCode}`;
  } else {
    trail.logging = status.IsLogging ?? false;
  }
  if (selectors instanceof Error) {
    const c = classifyError(selectors);
    unknowns.managementEvents = `${c.status}: ${c.errorCode}`;
  } else {
    trail.managementEvents = managementEvents(selectors);
  }
  if (Object.keys(unknowns).length) trail.unknowns = unknowns;
  return trail;
}
