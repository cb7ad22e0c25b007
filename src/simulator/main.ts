/**
 * `sm-audit simulator --estate FILE [--port N] [--time-scale N] [--seed N] [--now DATE]
 * [--no-quotas] [--faults SPEC]`: serve an estate on 127.0.0.1 until SIGINT/SIGTERM and print
 * the environment lines that point the AWS CLI and SDKs at it.
 */
import type { CliIO } from "../cli/io";
import { UserError, errorMessage } from "../util/errors";
import type { FaultConfig, FaultScope } from "./estate";
import { loadEstate } from "./load";
import { startSimulator } from "./server";

export interface SimulatorArgs {
  estate: string;
  port: number;
  timeScale: number;
  seed?: number;
  now?: Date;
  quotas: boolean;
  faults: Partial<FaultConfig>;
}

export const SIMULATOR_USAGE = `usage: sm-audit simulator --estate FILE [--port N] [--time-scale N] [--seed N] [--now DATE] [--no-quotas] [--faults SPEC]

  --faults SPEC  comma-separated: throttle=P, 5xx=P, slow=P:MS, drop=P, ttl=SECONDS, empty=P,
                 deny=ACCOUNT/REGION/SERVICE/OPERATION (any part may be *; repeatable)
                 e.g. --faults throttle=0.05,slow=0.1:250,deny=222222222222/*/*/ListSecrets`;

/** Parse a `--faults` specification. */
export function parseFaultSpec(spec: string): Partial<FaultConfig> {
  const out: Partial<FaultConfig> = {};
  const deny: FaultScope[] = [];
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, value = ""] = part.split("=", 2) as [string, string?];
    const prob = (): number => {
      const n = Number(value);
      if (!(n >= 0 && n <= 1)) throw new UserError(`--faults ${key}=${value}: expected a probability between 0 and 1`);
      return n;
    };
    switch (key) {
      case "throttle":
        out.throttleRate = prob();
        break;
      case "5xx":
        out.serverErrorRate = prob();
        break;
      case "drop":
        out.dropRate = prob();
        break;
      case "empty":
        out.emptyPageRate = Math.min(prob(), 0.9);
        break;
      case "slow": {
        const [p, ms = "500"] = value.split(":");
        out.slowRate = Number(p);
        out.slowMs = Number(ms);
        if (!(out.slowRate >= 0 && out.slowRate <= 1) || !(out.slowMs >= 0)) throw new UserError(`--faults slow=${value}: expected P:MS`);
        break;
      }
      case "ttl": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new UserError(`--faults ttl=${value}: expected whole seconds`);
        out.credentialTtlSeconds = n;
        break;
      }
      case "deny": {
        const [account, region, service, operation] = value.split("/").map((x) => (x === "*" || x === "" ? undefined : x));
        const scope: FaultScope = {};
        if (account) scope.account = account;
        if (region) scope.region = region;
        if (service) scope.service = service;
        if (operation) scope.operation = operation;
        deny.push(scope);
        break;
      }
      default:
        throw new UserError(`--faults: unknown fault "${key}" (throttle, 5xx, slow, drop, ttl, empty, deny)`);
    }
  }
  if (deny.length) out.accessDenied = deny;
  return out;
}

/** Parse the command's arguments. */
export function parseSimulatorArgs(argv: string[]): SimulatorArgs {
  const args: Partial<SimulatorArgs> & { faults: Partial<FaultConfig> } = { port: 0, timeScale: 1, quotas: true, faults: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? (a.split(/=(.*)/s, 2) as [string, string]) : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UserError(`${flag} needs a value`);
      return v;
    };
    const number = (min: number): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) throw new UserError(`${flag} ${v}: expected a number ≥ ${min}`);
      return n;
    };
    switch (flag) {
      case "--estate":
        args.estate = value();
        break;
      case "--port":
        args.port = number(0);
        break;
      case "--time-scale":
        args.timeScale = number(0.001);
        break;
      case "--seed":
        args.seed = number(0);
        break;
      case "--now": {
        const v = value();
        const d = new Date(v);
        if (Number.isNaN(d.getTime())) throw new UserError(`--now ${v}: not a date`);
        args.now = d;
        break;
      }
      case "--no-quotas":
        args.quotas = false;
        break;
      case "--faults":
        Object.assign(args.faults, parseFaultSpec(value()));
        break;
      default:
        throw new UserError(`unknown option ${a}\n${SIMULATOR_USAGE}`);
    }
  }
  if (!args.estate) throw new UserError(`--estate is required\n${SIMULATOR_USAGE}`);
  return args as SimulatorArgs;
}

/** Run the simulator command; resolves with the exit code once SIGINT/SIGTERM (or `stop`) arrives. */
export async function runSimulatorCommand(argv: string[], io: CliIO, stop?: Promise<void>): Promise<number> {
  let args: SimulatorArgs;
  try {
    args = parseSimulatorArgs(argv);
    const estate = loadEstate(args.estate);
    const sim = await startSimulator({ estate, port: args.port, timeScale: args.timeScale, seed: args.seed, now: args.now, quotas: args.quotas, faults: args.faults });
    const firstRegion = estate.regions.map((r) => (typeof r === "string" ? r : r.name))[0] ?? "us-east-1";
    io.out(`sm-audit simulator: serving ${estate.name ?? args.estate} on ${sim.url} (management account ${sim.managementAccountId})`);
    io.out(`export AWS_ENDPOINT_URL=${sim.url}`);
    io.out(`export AWS_ACCESS_KEY_ID=${sim.credentials.accessKeyId}`);
    io.out(`export AWS_SECRET_ACCESS_KEY=${sim.credentials.secretAccessKey}`);
    io.out(`export AWS_REGION=${firstRegion}`);
    io.err("Press Ctrl-C to stop. Statistics: GET /_sim/stats");
    await new Promise<void>((resolve) => {
      const done = (): void => {
        process.off("SIGINT", done);
        process.off("SIGTERM", done);
        resolve();
      };
      process.on("SIGINT", done);
      process.on("SIGTERM", done);
      stop?.then(done, done);
    });
    const stats = sim.stats();
    await sim.close();
    io.err(`served ${stats.requests} requests (${stats.throttles} throttled, ${stats.valueReads} secret-value reads refused)`);
    return 0;
  } catch (err) {
    io.err(errorMessage(err));
    return err instanceof UserError ? err.exitCode : 1;
  }
}
