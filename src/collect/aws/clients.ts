/**
 * The client factory: one SDK client per account × region × service, created on first use
 * and reused, all in adaptive retry mode, all pointed at one endpoint override when given
 * (like the AWS CLI's `--endpoint-url` / `AWS_ENDPOINT_URL`). Nothing here runs at import.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { KMSClient } from "@aws-sdk/client-kms";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { addValueReadGuard } from "./guard";

/** The services the scanner talks to, by IAM prefix. */
export type ServiceName = "secretsmanager" | "kms" | "ec2" | "cloudtrail" | "sts" | "organizations";

/** The SDK client class behind each service name. */
export interface ServiceClients {
  secretsmanager: SecretsManagerClient;
  kms: KMSClient;
  ec2: EC2Client;
  cloudtrail: CloudTrailClient;
  sts: STSClient;
  organizations: OrganizationsClient;
}

/** One HTTP attempt, as seen by the observer middleware. */
export interface AttemptInfo {
  accountId: string;
  region: string;
  /** IAM action, e.g. `secretsmanager:ListSecrets`. */
  action: string;
  throttled: boolean;
  /** Error name when the attempt failed. */
  error?: string;
}

/** Receives every command and every HTTP attempt (statistics, tests, progress). */
export interface CallObserver {
  onCommand?(info: { accountId: string; region: string; action: string }): void;
  onAttempt?(info: AttemptInfo): void;
}

/** Error names that mean "slow down" across the services used. */
export const THROTTLE_ERRORS = new Set([
  "ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException",
  "RequestThrottled", "RequestThrottledException", "SlowDown", "ProvisionedThroughputExceededException",
]);

export interface ClientFactoryOptions {
  /** Credentials of an account (the caller's own, or an assumed-role session). */
  credentialsFor(accountId: string): AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined;
  /** One endpoint URL for every service (simulator or emulator); undefined = AWS. */
  endpoint?: string;
  maxAttempts: number;
  /** Milliseconds a request may take from sending to the full response (then TimeoutError, retried). */
  requestTimeoutMs?: number;
  /** Milliseconds to establish a connection. */
  connectionTimeoutMs?: number;
  observer?: CallObserver;
}

/** Default per-request timeout: a response that never arrives must not block an account-region forever. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** Default connection timeout. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

type AnyClient = ServiceClients[ServiceName];

/** Creates and caches clients; `invalidate(account)` drops an account's clients (expired session). */
export class ClientFactory {
  private readonly cache = new Map<string, AnyClient>();

  constructor(private readonly options: ClientFactoryOptions) {}

  /** The client of `service` for `accountId` in `region` (created once, then reused). */
  get<S extends ServiceName>(service: S, accountId: string, region: string): ServiceClients[S] {
    const key = `${accountId}/${region}/${service}`;
    let client = this.cache.get(key);
    if (!client) {
      client = this.create(service, accountId, region);
      this.cache.set(key, client);
    }
    return client as ServiceClients[S];
  }

  /** Forget every client of `accountId`, so the next call builds one with fresh credentials. */
  invalidate(accountId: string): void {
    for (const [key, client] of this.cache) {
      if (key.startsWith(`${accountId}/`)) {
        client.destroy();
        this.cache.delete(key);
      }
    }
  }

  /** Number of clients created and alive (a test checks reuse). */
  get size(): number {
    return this.cache.size;
  }

  /** Close every client's sockets. */
  destroy(): void {
    for (const client of this.cache.values()) client.destroy();
    this.cache.clear();
  }

  private create(service: ServiceName, accountId: string, region: string): AnyClient {
    const config = {
      region,
      credentials: this.options.credentialsFor(accountId),
      maxAttempts: this.options.maxAttempts,
      retryMode: "adaptive",
      // Without timeouts a response that never arrives hangs its account-region forever;
      // throwOnRequestTimeout makes the breach a TimeoutError, which the SDK retries like a 5xx.
      requestHandler: {
        requestTimeout: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        connectionTimeout: this.options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      },
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
    };
    let client: AnyClient;
    switch (service) {
      case "secretsmanager": {
        const sm = new SecretsManagerClient(config);
        addValueReadGuard(sm);
        client = sm;
        break;
      }
      case "kms": client = new KMSClient(config); break;
      case "ec2": client = new EC2Client(config); break;
      case "cloudtrail": client = new CloudTrailClient(config); break;
      case "sts": client = new STSClient(config); break;
      case "organizations": client = new OrganizationsClient(config); break;
    }
    this.observe(client, service, accountId, region);
    return client;
  }

  private observe(client: AnyClient, service: ServiceName, accountId: string, region: string): void {
    const observer = this.options.observer;
    if (!observer) return;
    const action = (commandName: string | undefined): string => `${service}:${(commandName ?? "?").replace(/Command$/, "")}`;
    const stack = client.middlewareStack as SecretsManagerClient["middlewareStack"];
    stack.add(
      (next, context) => async (args) => {
        observer.onCommand?.({ accountId, region, action: action(context.commandName) });
        return next(args);
      },
      { step: "initialize", priority: "low", name: "smAuditCommandObserver" },
    );
    stack.add(
      (next, context) => async (args) => {
        try {
          const out = await next(args);
          observer.onAttempt?.({ accountId, region, action: action(context.commandName), throttled: false });
          return out;
        } catch (err) {
          const name = (err as { name?: string }).name ?? "Error";
          observer.onAttempt?.({ accountId, region, action: action(context.commandName), throttled: THROTTLE_ERRORS.has(name), error: name });
          throw err;
        }
      },
      { step: "deserialize", priority: "high", name: "smAuditAttemptObserver" },
    );
  }
}
