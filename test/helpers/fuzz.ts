/**
 * A small seeded fuzzing harness: generators of malformed and adversarial inputs (deep nesting,
 * huge strings, YAML alias bombs, hostile unicode, wrong types, prototype keys) and a runner that
 * demands every case end in a UserError or a result — no other error, no slow case, no unbounded
 * memory, no polluted Object.prototype — and records how many cases ran.
 */
import { appendFileSync, mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Rng } from "../../src/simulator/rand";
import { UserError, UserErrors } from "../../src/util/errors";
import { writeJsonAtomic } from "../../src/util/fs";
import { figuresDir } from "./figures";

/** The simulator's seeded mulberry32 generator, so a failing case can be replayed from its seed and index. */
export { Rng as FuzzRng };

/** Strings that break naive code: direction overrides, NUL, lone surrogates, combining marks, path tricks. */
export const NASTY_STRINGS: readonly string[] = [
  "", " ", "\u0000", "a\u0000b", "\u202eevil\u202c", "\u200f\u200e", "\ud800", "\udfff", "x\ud83dy", "😀".repeat(50),
  "e\u0301\u0301\u0301\u0301", "\ufeffbom", "\r\n\r\n", "\t\u000b\f", "../../../etc/passwd", "/absolute/path", "C:\\windows",
  "${jndi:ldap://x}", "${var.x}", "%s%n%x", "'\"`;--", "<script>alert(1)</script>", "*", "?", ".*", "(a+)+$",
  "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "9".repeat(400), "-0", "NaN", "1e309",
  "arn:aws:iam::*:root", "secretsmanager:*", "x".repeat(10_000),
];

/** Keys that pollute prototypes when code copies objects naively. */
export const PROTO_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** JSON text nested `depth` levels deep: `[[[…]]]` or `{"a":{"a":…}}`. */
export function deepJson(depth: number, kind: "array" | "object" = "array"): string {
  return kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** YAML nested `depth` levels deep, as flow (`[[[…]]]`) or compact block sequences (`- - - x`). */
export function deepYaml(depth: number, style: "flow" | "block" = "flow"): string {
  return style === "flow" ? "[".repeat(depth) + "]".repeat(depth) + "\n" : "- ".repeat(depth) + "x\n";
}

/** The billion-laughs document: `levels` anchors each referencing the previous one `fan` times. */
export function yamlAliasBomb(levels = 9, fan = 10): string {
  const lines = ['a0: &a0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(", ")}]`);
  return lines.join("\n") + "\n";
}

/** A JSON object whose prototype-named keys are real own properties (as JSON.parse makes them). */
export function protoPayloadJson(extra: Record<string, unknown> = {}): string {
  const body = JSON.stringify(extra).slice(1, -1);
  const attack = '"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}';
  return `{${attack}${body ? ", " + body : ""}}`;
}

/** A random JSON value of bounded size whose type is chosen to be wrong most of the time. */
export function randomValue(rng: Rng, depth = 0): unknown {
  const k = rng.int(0, depth > 3 ? 5 : 8);
  switch (k) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick([0, -1, 1.5, 2 ** 53 + 1, -1e308, 1e308, 4294967296]);
    case 3: case 4: return rng.pick(NASTY_STRINGS);
    case 5: return rng.pick(PROTO_KEYS);
    case 6: return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i--) {
        Object.defineProperty(o, rng.chance(0.3) ? rng.pick(PROTO_KEYS) : rng.pick(NASTY_STRINGS), {
          value: randomValue(rng, depth + 1), enumerable: true, writable: true, configurable: true,
        });
      }
      return o;
    }
  }
}

/** A deep copy of `value` with random subtrees replaced, removed or given prototype keys. */
export function mutate(value: unknown, rng: Rng, rate = 0.08): unknown {
  if (rng.chance(rate)) return randomValue(rng);
  if (Array.isArray(value)) {
    const out = value.map((v) => mutate(v, rng, rate));
    if (rng.chance(rate)) out.splice(rng.int(0, out.length), 0, randomValue(rng));
    return out;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (rng.chance(rate / 2)) continue;
      Object.defineProperty(out, k, { value: mutate(v, rng, rate), enumerable: true, writable: true, configurable: true });
    }
    if (rng.chance(rate)) {
      Object.defineProperty(out, rng.pick(PROTO_KEYS), { value: { polluted: "yes", prototype: { polluted: "yes" } }, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** One input and what to call it in a failure message. */
export interface FuzzCase<I> { name: string; input: I }

/** Limits a run is held to. */
export interface FuzzLimits {
  /** Total time budget; cases past it are not run (each target ≤ 20 s). */
  budgetMs: number;
  /** Slowest acceptable case. */
  perCaseMs: number;
  /** Largest acceptable heap retained after a case (after GC), beyond the input's own size. */
  retainedMB: number;
  /** Largest acceptable growth of the process's peak RSS during one case. */
  peakRssMB: number;
  /** Patterns of failures already reported to the reader's owner: counted apart, not hidden. */
  known?: RegExp[];
}

/** What a run did; `failures` must be empty. */
export interface FuzzStats {
  target: string;
  seed: number;
  cases: number;
  userErrors: number;
  results: number;
  skippedForBudget: number;
  maxCaseMs: number;
  maxRetainedMB: number;
  maxPeakRssGrowthMB: number;
  failures: string[];
  /** Failures matching a bug already reported to the reader's owner (notes-reliability.md). */
  knownFailures: string[];
}

class HangError extends Error {}

const gc = ((): (() => void) => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

const protoBaseline = (): string => [Object.prototype, Array.prototype, Function.prototype, String.prototype]
  .map((p) => Object.getOwnPropertyNames(p).sort().join(",")).join("|");

/** Run `exec` on every case and check the outcome, time, memory and prototypes after each. */
export async function runFuzz<I>(
  target: string, seed: number, cases: Iterable<FuzzCase<I>>, exec: (input: I) => unknown, limits: FuzzLimits,
): Promise<FuzzStats> {
  const stats: FuzzStats = { target, seed, cases: 0, userErrors: 0, results: 0, skippedForBudget: 0, maxCaseMs: 0, maxRetainedMB: 0, maxPeakRssGrowthMB: 0, failures: [], knownFailures: [] };
  const baseline = protoBaseline();
  const start = Date.now();
  for (const c of cases) {
    if (Date.now() - start > limits.budgetMs) { stats.skippedForBudget++; continue; }
    // FUZZ_TRACE=file names each case before it runs, to find a case that hangs the process.
    if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${Date.now() - start} ms ${target}: ${c.name}\n`);
    // A full GC costs tens of ms: do it around large inputs and every 50th case, not around each.
    const inputChars = typeof c.input === "string" ? c.input.length : 0;
    const measure = inputChars > 1_000_000 || stats.cases % 50 === 0;
    if (measure) gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.resourceUsage().maxRSS;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      // An async reader that never settles is a hang: give up on it after 3× the per-case limit.
      const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new HangError()), limits.perCaseMs * 3); });
      await Promise.race([Promise.resolve().then(() => exec(c.input)), hang]);
      stats.results++;
    } catch (err) {
      if (err instanceof HangError) {
        stats.failures.push(`${c.name}: did not settle within ${limits.perCaseMs * 3} ms`);
      } else if (err instanceof UserError || err instanceof UserErrors) {
        stats.userErrors++;
        const msg = err.message;
        if (!msg || msg.includes("\n    at ")) stats.failures.push(`${c.name}: UserError without a clear one-line message: ${JSON.stringify(msg.slice(0, 200))}`);
      } else {
        const e = err as Error;
        stats.failures.push(`${c.name}: threw ${e?.name ?? typeof err}: ${String(e?.message ?? err).slice(0, 200)}`);
      }
    }
    clearTimeout(timer);
    const ms = performance.now() - t0;
    stats.cases++;
    stats.maxCaseMs = Math.max(stats.maxCaseMs, Math.round(ms));
    if (ms > limits.perCaseMs) stats.failures.push(`${c.name}: took ${Math.round(ms)} ms (limit ${limits.perCaseMs})`);
    if (measure) gc();
    const retained = measure ? (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 - (inputChars * 2) / 2 ** 20 : 0;
    const peak = (process.resourceUsage().maxRSS - rssBefore) / 1024;
    stats.maxRetainedMB = Math.max(stats.maxRetainedMB, Math.round(retained));
    stats.maxPeakRssGrowthMB = Math.max(stats.maxPeakRssGrowthMB, Math.round(peak));
    if (retained > limits.retainedMB) stats.failures.push(`${c.name}: retained ${Math.round(retained)} MB after the case`);
    if (peak > limits.peakRssMB) stats.failures.push(`${c.name}: peak memory grew by ${Math.round(peak)} MB`);
    if (protoBaseline() !== baseline || ({} as Record<string, unknown>).polluted !== undefined) {
      stats.failures.push(`${c.name}: polluted a built-in prototype`);
      for (const p of [Object.prototype, Array.prototype] as Array<Record<string, unknown>>) delete p.polluted;
    }
  }
  const known = limits.known ?? [];
  stats.knownFailures = stats.failures.filter((f) => known.some((k) => k.test(f)));
  stats.failures = stats.failures.filter((f) => !known.some((k) => k.test(f)));
  return stats;
}

/** Add one target's figures to fuzz.json in figuresDir() (a lock directory serialises parallel test files). */
export function recordFuzz(stats: FuzzStats): void {
  const dir = figuresDir();
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".fuzz.lock");
  const deadline = Date.now() + 10_000;
  for (;;) {
    try { mkdirSync(lock); break; } catch {
      if (Date.now() > deadline) { try { rmdirSync(lock); } catch { /* stale lock from a killed run */ } continue; }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    const file = join(dir, "fuzz.json");
    let all: { targets: Record<string, Omit<FuzzStats, "failures"> & { failures: number; recordedAt: string }> } = { targets: {} };
    try { all = JSON.parse(readFileSync(file, "utf8")) as typeof all; } catch { /* first target */ }
    all.targets[stats.target] = { ...stats, failures: stats.failures.length, knownFailures: stats.knownFailures, recordedAt: new Date().toISOString() };
    const totals = Object.values(all.targets).reduce((t, s) => ({ cases: t.cases + s.cases, failures: t.failures + s.failures, known: t.known + (s.knownFailures?.length ?? 0) }), { cases: 0, failures: 0, known: 0 });
    writeJsonAtomic(file, { ...all, totalCases: totals.cases, totalFailures: totals.failures, totalKnownFailures: totals.known });
  } finally {
    rmdirSync(lock);
  }
}
