/**
 * Request quotas per caller account × region as token buckets (DESIGN.md §4). A request
 * that finds its bucket empty is answered with the service's throttling error.
 */
import type { ServiceName } from "./errors";

export interface BucketSpec {
  /** Bucket name; operations sharing a name share the bucket. */
  name: string;
  /** Burst size. */
  capacity: number;
  /** Tokens added per second. */
  ratePerSecond: number;
}

const SM_DESCRIBE = new Set(["DescribeSecret", "GetResourcePolicy"]);
const CT_TRAILS = new Set(["DescribeTrails", "GetTrailStatus", "GetEventSelectors", "ListTrails"]);
const CT_LAKE = new Set(["StartQuery", "GetQueryResults", "DescribeQuery", "ListEventDataStores", "GetEventDataStore"]);

/** The bucket a request draws from (AWS's published default quotas). */
export function bucketFor(service: ServiceName, operation: string): BucketSpec {
  switch (service) {
    case "secretsmanager":
      if (operation === "ListSecrets") return { name: "sm.ListSecrets", capacity: 100, ratePerSecond: 100 };
      if (SM_DESCRIBE.has(operation)) return { name: "sm.DescribeSecret+GetResourcePolicy", capacity: 50, ratePerSecond: 50 };
      return { name: `sm.${operation}`, capacity: 50, ratePerSecond: 50 };
    case "kms":
      return { name: "kms", capacity: 2000, ratePerSecond: 2000 };
    case "ec2":
      return { name: "ec2.Describe", capacity: 100, ratePerSecond: 20 };
    case "cloudtrail":
      if (operation === "LookupEvents") return { name: "cloudtrail.LookupEvents", capacity: 2, ratePerSecond: 2 };
      if (CT_TRAILS.has(operation)) return { name: `cloudtrail.${operation}`, capacity: 10, ratePerSecond: 10 };
      if (CT_LAKE.has(operation)) return { name: "cloudtrail.Lake", capacity: 10, ratePerSecond: 10 };
      return { name: `cloudtrail.${operation}`, capacity: 10, ratePerSecond: 10 };
    case "sts":
      return { name: "sts", capacity: 600, ratePerSecond: 600 };
    case "organizations":
      return { name: "organizations", capacity: 20, ratePerSecond: 20 };
  }
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** Token buckets keyed by account, region and bucket name. */
export class Quotas {
  private readonly buckets = new Map<string, Bucket>();

  /** `timeScale` multiplies every rate and burst; `enabled: false` admits everything. */
  constructor(
    private readonly timeScale: number,
    private readonly enabled = true,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Take one token; false when the caller is over quota. */
  take(accountId: string, region: string, service: ServiceName, operation: string): boolean {
    if (!this.enabled) return true;
    const spec = bucketFor(service, operation);
    // Organizations is a global service: one bucket per account whatever the region.
    const key = `${accountId}/${service === "organizations" ? "global" : region}/${spec.name}`;
    const capacity = Math.max(1, spec.capacity * this.timeScale);
    const rate = spec.ratePerSecond * this.timeScale;
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: capacity, lastMs: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((t - b.lastMs) / 1000) * rate);
    b.lastMs = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
