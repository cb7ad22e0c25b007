/**
 * Fault injection. Every decision is a hash of the seed, the request's account, region,
 * service and operation, and the number of earlier requests of that same stream, so a run
 * is reproducible even when account-regions are scanned concurrently.
 */
import { DEFAULT_FAULTS, type FaultConfig, type FaultScope } from "./estate";
import { unit } from "./rand";

export interface RequestKey {
  account: string;
  region: string;
  service: string;
  operation: string;
}

export interface FaultDecision {
  denied: boolean;
  drop: boolean;
  serverError?: 500 | 503;
  throttle: boolean;
  slowMs: number;
}

/** Merge fault settings: defaults, then the estate's, then the caller's. */
export function mergeFaults(...parts: Array<Partial<FaultConfig> | undefined>): FaultConfig {
  const out: FaultConfig = { ...DEFAULT_FAULTS, accessDenied: [] };
  for (const p of parts) {
    if (!p) continue;
    for (const [k, v] of Object.entries(p)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

function matches(scope: FaultScope, key: RequestKey): boolean {
  return (
    (scope.account === undefined || scope.account === key.account) &&
    (scope.region === undefined || scope.region === key.region) &&
    (scope.service === undefined || scope.service === key.service) &&
    (scope.operation === undefined || scope.operation === key.operation)
  );
}

export class Faults {
  private readonly counters = new Map<string, number>();
  private pageCounter = 0;

  constructor(
    public config: FaultConfig,
    private readonly seed: number,
  ) {}

  /** Replace some settings while running (tests turn faults on and off). */
  set(partial: Partial<FaultConfig>): void {
    this.config = mergeFaults(this.config, partial);
  }

  /** What happens to this request. */
  decide(key: RequestKey): FaultDecision {
    const c = this.config;
    const decision: FaultDecision = { denied: false, drop: false, throttle: false, slowMs: 0 };
    if (c.accessDenied.some((s) => matches(s, key))) decision.denied = true;
    if (c.scope && !matches(c.scope, key)) return decision;
    if (!c.throttleRate && !c.serverErrorRate && !c.slowRate && !c.dropRate) return decision;
    const stream = `${key.account}/${key.region}/${key.service}/${key.operation}`;
    const n = this.counters.get(stream) ?? 0;
    this.counters.set(stream, n + 1);
    const draw = (salt: string): number => unit(`${stream}#${n}#${salt}`, this.seed);
    if (draw("drop") < c.dropRate) decision.drop = true;
    else if (draw("5xx") < c.serverErrorRate) decision.serverError = draw("5xx-kind") < 0.5 ? 500 : 503;
    else if (draw("throttle") < c.throttleRate) decision.throttle = true;
    if (draw("slow") < c.slowRate) decision.slowMs = c.slowMs;
    return decision;
  }

  /** Whether the next Organizations page at this position is served empty. */
  emptyPage(position: string): boolean {
    if (this.config.emptyPageRate <= 0) return false;
    return unit(`orgs/${position}/${this.pageCounter++}`, this.seed) < this.config.emptyPageRate;
  }
}
