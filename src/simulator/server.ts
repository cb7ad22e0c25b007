/**
 * The HTTP front of the simulator: one loopback server for all six services. Each request is
 * routed by X-Amz-Target (JSON 1.1) or by the SigV4 scope's service (query protocol), then
 * passes identity, region, fault and quota checks before its handler runs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Identities, MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY, parseAuthorization, regionEnabled } from "./auth";
import type { Ctx, JsonHandler, QueryHandler, SimState } from "./context";
import { cloudTrailHandlers } from "./cloudtrail";
import { ec2Handlers } from "./ec2";
import { SimError, accessDenied, expiredToken, invalidToken, serverError, throttled, type ServiceName } from "./errors";
import type { Estate, FaultConfig } from "./estate";
import { Faults, mergeFaults } from "./faults";
import { kmsHandlers } from "./kms";
import { isMarkedValid, validateEstate } from "./load";
import { organizationsHandlers } from "./organizations";
import { Input, parseJsonBody, parseTarget, sendJson, sendJsonError } from "./protocol-json";
import { parseForm, sendEc2, sendEc2Error, sendSts, sendStsError } from "./protocol-query";
import { Quotas } from "./quotas";
import { uuid } from "./rand";
import { secretsManagerHandlers } from "./secretsmanager";
import { Stats, type SimulatorStats } from "./stats";
import { stsHandlers } from "./sts";
import { makeClock } from "./time";
import { buildWorldBase } from "./world";
import { addSecrets } from "./world-secrets";

export interface SimulatorOptions {
  estate: Estate;
  /** 0 or omitted = a free port. */
  port?: number;
  /** 10 = quotas 10× higher and slow responses 10× shorter (benchmarks). Default 1. */
  timeScale?: number;
  /** Overrides the estate's `faults`. */
  faults?: Partial<FaultConfig>;
  /** Seed for generated ids and fault decisions; default the estate's seed, else 1. */
  seed?: number;
  /** Simulator clock at start (it then advances with real time); default the real time. */
  now?: Date;
  /** Enforce the AWS quotas (default true). */
  quotas?: boolean;
}

export interface RunningSimulator {
  url: string;
  port: number;
  stats(): SimulatorStats;
  resetStats(): void;
  close(): Promise<void>;
  /** Long-term credentials of the management account. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  managementAccountId: string;
  /** Long-term credentials of an IAM user in any estate account (no AssumeRole needed). */
  credentialsFor(accountId: string): { accessKeyId: string; secretAccessKey: string };
  /** Change fault settings while running. */
  setFaults(faults: Partial<FaultConfig>): void;
  /** The simulator clock. */
  now(): Date;
}

const JSON_HANDLERS: Record<string, Record<string, JsonHandler>> = {
  secretsmanager: secretsManagerHandlers,
  kms: kmsHandlers,
  cloudtrail: cloudTrailHandlers,
  organizations: organizationsHandlers,
};
const MAX_BODY = 10 * 1024 * 1024;

/** Start a simulator serving `opts.estate` on 127.0.0.1. */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const estate = isMarkedValid(opts.estate) ? opts.estate : validateEstate(opts.estate);
  const seed = opts.seed ?? estate.seed ?? 1;
  const world = buildWorldBase(estate, seed, makeClock(opts.now));
  addSecrets(world, estate);
  const managementAccountId = world.organization?.managementAccountId ?? (world.accounts[0]?.id as string);
  const timeScale = opts.timeScale ?? 1;
  const sim: SimState = {
    world,
    identities: new Identities(world, managementAccountId),
    faults: new Faults(mergeFaults(estate.faults, opts.faults), seed),
    stats: new Stats(),
    timeScale,
    lakeQueries: new Map(),
  };
  const quotas = new Quotas(timeScale, opts.quotas ?? true);
  let requestNo = 0;
  const server = createServer((req, res) => {
    const requestId = uuid(`${seed}/request/${requestNo++}`);
    sim.stats.enter();
    res.once("close", () => sim.stats.leave());
    handle(sim, quotas, req, res, requestId).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { __type: "InternalFailure", message: String(err) }, requestId);
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => sim.stats.snapshot(),
    resetStats: () => sim.stats.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    credentials: { accessKeyId: MANAGEMENT_ACCESS_KEY_ID, secretAccessKey: MANAGEMENT_SECRET_ACCESS_KEY },
    managementAccountId,
    credentialsFor: (accountId) => ({ accessKeyId: Identities.userAccessKeyId(accountId), secretAccessKey: MANAGEMENT_SECRET_ACCESS_KEY }),
    setFaults: (faults) => sim.faults.set(faults),
    now: () => new Date(world.clock()),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SimError("RequestEntityTooLarge", "Request body too large", 413));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function handle(sim: SimState, quotas: Quotas, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/_sim/stats") return sendJson(res, 200, sim.stats.snapshot(), requestId);
  if (req.method === "GET" && path === "/_sim/health") return sendJson(res, 200, { ok: true }, requestId);
  const body = await readBody(req);
  const auth = parseAuthorization(req.headers.authorization);
  const target = parseTarget(headerValue(req, "x-amz-target"));
  let service: ServiceName;
  let operation: string;
  let form: Map<string, string> | undefined;
  if (target) {
    ({ service, operation } = target);
  } else {
    form = parseForm(body);
    const scoped = auth?.service;
    if (scoped !== "sts" && scoped !== "ec2") {
      return sendJsonError(res, new SimError("UnknownOperationException", "The simulator serves secretsmanager, kms, cloudtrail and organizations (JSON 1.1) and sts and ec2 (query).", 400), requestId);
    }
    service = scoped;
    operation = form.get("Action") ?? "";
  }
  const fail = (err: SimError): void => {
    sim.stats.error(err.code);
    if (service === "ec2") sendEc2Error(res, err, requestId);
    else if (service === "sts") sendStsError(res, err, requestId);
    else sendJsonError(res, err, requestId);
  };
  try {
    if (service === "secretsmanager" && (operation === "GetSecretValue" || operation === "BatchGetSecretValue")) sim.stats.valueRead();
    if (!auth) throw new SimError(form ? "MissingAuthenticationToken" : "MissingAuthenticationTokenException", "Request is missing Authentication Token", 403);
    const region = auth.region;
    const caller = sim.identities.resolve(auth.accessKeyId);
    if (!caller) throw invalidToken(service);
    sim.stats.request(caller.accountId, region, service, operation);
    if (caller.expiresMs !== undefined && sim.world.clock() >= caller.expiresMs) {
      sim.stats.fault("expiredCredentials");
      throw expiredToken(service);
    }
    if (!regionEnabled(sim.world, region)) throw invalidToken(service);
    const decision = sim.faults.decide({ account: caller.accountId, region, service, operation });
    if (decision.denied) {
      sim.stats.fault("accessDenied");
      throw accessDenied(service, `User: ${caller.arn} is not authorized to perform: ${service}:${operation} (denied by the simulator's fault configuration)`);
    }
    if (decision.drop) {
      sim.stats.fault("dropped");
      req.socket.destroy();
      return;
    }
    if (decision.serverError) {
      sim.stats.fault("serverError");
      throw serverError(service, decision.serverError);
    }
    if (decision.throttle) {
      sim.stats.fault("throttle");
      throw throttled(service);
    }
    if (!quotas.take(caller.accountId, region, service, operation)) {
      sim.stats.throttle(service, operation);
      throw throttled(service);
    }
    if (decision.slowMs > 0) {
      sim.stats.fault("slow");
      await new Promise((r) => setTimeout(r, decision.slowMs / sim.timeScale));
    }
    const ctx: Ctx = { sim, service, operation, region, caller, requestId };
    if (form) {
      const handler: QueryHandler | undefined = (service === "ec2" ? ec2Handlers : stsHandlers)[operation];
      if (!handler) throw new SimError("InvalidAction", `The action ${operation} is not valid for this web service.`, 400);
      const inner = handler(ctx, form);
      if (service === "ec2") sendEc2(res, operation, inner, requestId);
      else sendSts(res, operation, inner, requestId);
      return;
    }
    const handler = JSON_HANDLERS[service]?.[operation];
    if (!handler) throw new SimError("UnknownOperationException", `The sm-audit simulator does not implement ${service}:${operation}.`, 400);
    const result = handler(ctx, new Input(parseJsonBody(body), service));
    sendJson(res, 200, result ?? {}, requestId);
  } catch (err) {
    if (err instanceof SimError) fail(err);
    else fail(new SimError("InternalFailure", `simulator error: ${err instanceof Error ? err.message : String(err)}`, 500));
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
