/**
 * What the simulator served: request counts per account, region, service and operation,
 * throttles, injected faults and refused secret-value reads. Read through the JS API or
 * `GET /_sim/stats`.
 */

export interface SimulatorStats {
  startedAt: string;
  requests: number;
  byService: Record<string, number>;
  /** Keyed `service:Operation`. */
  byOperation: Record<string, number>;
  byAccount: Record<string, number>;
  byRegion: Record<string, number>;
  /** One row per account × region × service × operation. */
  detail: Array<{ accountId: string; region: string; service: string; operation: string; count: number }>;
  /** Quota throttles (token bucket empty), keyed `service:Operation`. */
  throttles: number;
  throttlesByOperation: Record<string, number>;
  /** Faults injected on purpose. */
  faults: { throttle: number; serverError: number; slow: number; dropped: number; accessDenied: number; expiredCredentials: number };
  /** Error responses by error code (every cause). */
  errors: Record<string, number>;
  /** GetSecretValue / BatchGetSecretValue attempts, all refused. */
  valueReads: number;
  /** Highest number of requests in flight at once. */
  peakInFlight: number;
}

export type FaultKind = keyof SimulatorStats["faults"];

const bump = (m: Record<string, number>, k: string, n = 1): void => {
  m[k] = (m[k] ?? 0) + n;
};

export class Stats {
  private data!: SimulatorStats;
  private readonly detail = new Map<string, { accountId: string; region: string; service: string; operation: string; count: number }>();
  private inFlight = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.data = {
      startedAt: new Date().toISOString(),
      requests: 0,
      byService: {},
      byOperation: {},
      byAccount: {},
      byRegion: {},
      detail: [],
      throttles: 0,
      throttlesByOperation: {},
      faults: { throttle: 0, serverError: 0, slow: 0, dropped: 0, accessDenied: 0, expiredCredentials: 0 },
      errors: {},
      valueReads: 0,
      peakInFlight: 0,
    };
    this.detail.clear();
  }

  request(accountId: string, region: string, service: string, operation: string): void {
    const d = this.data;
    d.requests++;
    bump(d.byService, service);
    bump(d.byOperation, `${service}:${operation}`);
    bump(d.byAccount, accountId);
    bump(d.byRegion, region);
    const key = `${accountId}/${region}/${service}/${operation}`;
    const row = this.detail.get(key);
    if (row) row.count++;
    else this.detail.set(key, { accountId, region, service, operation, count: 1 });
  }

  throttle(service: string, operation: string): void {
    this.data.throttles++;
    bump(this.data.throttlesByOperation, `${service}:${operation}`);
  }

  fault(kind: FaultKind): void {
    this.data.faults[kind]++;
  }

  error(code: string): void {
    bump(this.data.errors, code);
  }

  valueRead(): void {
    this.data.valueReads++;
  }

  enter(): void {
    this.inFlight++;
    if (this.inFlight > this.data.peakInFlight) this.data.peakInFlight = this.inFlight;
  }

  leave(): void {
    this.inFlight--;
  }

  /** A deep copy, safe to keep. */
  snapshot(): SimulatorStats {
    const copy = JSON.parse(JSON.stringify(this.data)) as SimulatorStats;
    copy.detail = [...this.detail.values()].map((r) => ({ ...r }));
    return copy;
  }
}
