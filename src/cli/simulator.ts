/** `sm-audit simulator`: serve an estate file through the loopback AWS-compatible simulator (src/simulator). */
import type { Command } from "./io";

/** The `simulator` command: delegates to the simulator's own argument handling. */
export const run: Command = async (argv, io) => {
  const sim = await import("../simulator/index.js");
  return sim.runSimulatorCommand(argv, io);
};
