/**
 * What every service handler receives: the simulator state, the caller and the request's
 * region and operation. Handlers return the response (a JSON value, or EC2/STS inner XML)
 * or throw a SimError.
 */
import type { Caller, Identities } from "./auth";
import type { ServiceName } from "./errors";
import type { Faults } from "./faults";
import type { LakeQuery } from "./lake";
import type { Input } from "./protocol-json";
import type { Stats } from "./stats";
import type { AccountRegionW, World } from "./world";

export interface SimState {
  world: World;
  identities: Identities;
  faults: Faults;
  stats: Stats;
  timeScale: number;
  lakeQueries: Map<string, LakeQuery>;
}

export interface Ctx {
  sim: SimState;
  service: ServiceName;
  operation: string;
  region: string;
  caller: Caller;
  requestId: string;
}

export type JsonHandler = (ctx: Ctx, input: Input) => unknown;
export type QueryHandler = (ctx: Ctx, form: Map<string, string>) => string;

/** The caller's own account-region. */
export function callerAr(ctx: Ctx): AccountRegionW {
  return ctx.sim.world.ar(ctx.caller.accountId, ctx.region);
}

/** Simulator clock in ms. */
export function nowMs(ctx: Ctx): number {
  return ctx.sim.world.clock();
}
