/**
 * The loopback AWS-compatible simulator: serves an estate file through the real AWS wire
 * protocols so the real SDK v3 clients run against it unchanged (DESIGN.md §10).
 */
export { startSimulator, type RunningSimulator, type SimulatorOptions } from "./server";
export { loadEstate, parseEstate, validateEstate, EstateError, type EstateIssue } from "./load";
export { generateEstate, type GenerateEstateOptions } from "./generate";
export { runSimulatorCommand } from "./main";
export { MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY } from "./auth";
export { VALUE_READ_REFUSED } from "./secretsmanager";
export type { SimulatorStats } from "./stats";
export * from "./estate";
