/**
 * What every collector gets: a paced, self-healing `send` (token bucket first, then the
 * SDK's adaptive retries, then a few patient rounds for throttles and a fresh session on
 * ExpiredToken), call statistics, and the classification of errors into coverage gaps.
 */
import type { CoverageStatus } from "../../inventory/types";
import { type CallObserver, ClientFactory, type ClientFactoryOptions, type ServiceClients, type ServiceName, THROTTLE_ERRORS } from "./clients";
import { Pacer, sleep } from "./pacing";

/** Counters of one scan, by IAM action. */
export interface ScanStats {
  /** Commands sent (one per SDK `send`, retries not counted). */
  commands: Record<string, number>;
  /** HTTP attempts (retries counted). */
  attempts: Record<string, number>;
  throttles: number;
  /** Failed attempts by error name. */
  errors: Record<string, number>;
  /** Sessions re-established after ExpiredToken. */
  sessionRefreshes: number;
}

/** Error names meaning the caller lacks permission (a `denied` gap). */
export const DENIED_ERRORS = new Set([
  "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
  "AccessDeniedForDependencyException", "AWSOrganizationsNotInUseException",
]);

/** Error names meaning the session expired and must be re-established. */
const EXPIRED_ERRORS = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"]);

/** Extra patient rounds after the SDK gave up on a throttle: a throttled scan slows down, never fails. */
const THROTTLE_ROUNDS = 6;

/** The error name of anything thrown by the SDK. */
export function errorName(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string };
  return e.name && e.name !== "Error" ? e.name : (e.Code ?? e.code ?? e.name ?? "Error");
}

/** Coverage status and code of a failed collection. */
export function classifyError(err: unknown): { status: Exclude<CoverageStatus, "collected">; errorCode: string; message: string } {
  const code = errorName(err);
  const message = (err as Error).message ?? String(err);
  return { status: DENIED_ERRORS.has(code) ? "denied" : "failed", errorCode: code, message: message.slice(0, 300) };
}

/** A command object the SDK clients accept. */
interface AnyCommand {
  readonly input: object;
}

/** The shared state of one scan: clients, pacing, sessions and counters. */
export class ScanContext {
  readonly stats: ScanStats = { commands: {}, attempts: {}, throttles: 0, errors: {}, sessionRefreshes: 0 };
  readonly factory: ClientFactory;

  constructor(
    opts: {
      credentialsFor: ClientFactoryOptions["credentialsFor"];
      endpoint?: string;
      maxAttempts: number;
      requestTimeoutMs?: number;
      observer?: CallObserver;
    },
    readonly pacer: Pacer,
    /**
     * Called on ExpiredToken so the account's session is re-established; `sentAtMs` is when
     * the failed request was sent (a session issued after that is not the expired one).
     */
    private readonly onExpired: (accountId: string, sentAtMs: number) => void = () => undefined,
  ) {
    const outer = opts.observer;
    this.factory = new ClientFactory({
      credentialsFor: opts.credentialsFor,
      endpoint: opts.endpoint,
      maxAttempts: opts.maxAttempts,
      requestTimeoutMs: opts.requestTimeoutMs,
      observer: {
        onCommand: (info) => {
          this.stats.commands[info.action] = (this.stats.commands[info.action] ?? 0) + 1;
          outer?.onCommand?.(info);
        },
        onAttempt: (info) => {
          this.stats.attempts[info.action] = (this.stats.attempts[info.action] ?? 0) + 1;
          if (info.throttled) this.stats.throttles++;
          if (info.error) this.stats.errors[info.error] = (this.stats.errors[info.error] ?? 0) + 1;
          outer?.onAttempt?.(info);
        },
      },
    });
  }

  /**
   * Send `command` to `service` as `accountId` in `region`, paced by the action's quota.
   * `O` is the command's output type (named at the call site).
   */
  async send<O>(service: ServiceName, accountId: string, region: string, command: AnyCommand): Promise<O> {
    const action = `${service}:${command.constructor.name.replace(/Command$/, "")}`;
    let refreshed = 0;
    for (let round = 0; ; round++) {
      await this.pacer.take(accountId, region, action);
      const client = this.factory.get(service, accountId, region) as ServiceClients[ServiceName];
      const sentAtMs = Date.now();
      try {
        return (await (client as unknown as { send(c: AnyCommand): Promise<O> }).send(command));
      } catch (err) {
        const name = errorName(err);
        if (EXPIRED_ERRORS.has(name) && refreshed < 2) {
          refreshed++;
          this.stats.sessionRefreshes++;
          // Only the session is dropped: clients ask the session cache for credentials on every
          // request, and destroying an account's clients would abort its other calls in flight.
          this.onExpired(accountId, sentAtMs);
          continue;
        }
        if (THROTTLE_ERRORS.has(name) && round < THROTTLE_ROUNDS) {
          await sleep(Math.min(20_000, 500 * 2 ** round * (0.5 + Math.random())));
          continue;
        }
        throw err;
      }
    }
  }

  /** Total commands sent. */
  totalCommands(): number {
    return Object.values(this.stats.commands).reduce((a, b) => a + b, 0);
  }
}
