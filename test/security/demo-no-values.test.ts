/**
 * No output contains a secret value, end to end: `sm-audit demo` (simulator + real collectors +
 * every writer) reads no value, and no output of it — nor of `check` on the Terraform and CDKTF
 * examples, which hold a fake literal value — contains the literal values found in examples/.
 */
import { readFileSync, readdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { capture, cliMain } from "../policy/cli-harness";
import { VALUE_READ_REFUSED } from "../../src/simulator/index";
import type { RunningSimulator, SimulatorOptions } from "../../src/simulator/server";
import { packageRoot } from "../../src/version";

/** Every simulator the demo starts, kept so the test can read its counters after the run. */
const started = vi.hoisted(() => [] as RunningSimulator[]);
vi.mock("../../src/simulator/index", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/simulator/index")>();
  // The real simulator, only observed: the demo's own value-read guard is what is under test.
  return { ...real, startSimulator: async (o: SimulatorOptions) => { const s = await real.startSimulator(o); started.push(s); return s; } };
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Literal secret values written in the examples (`secret_string = "…"`, `secretString: "…"`). */
function exampleLiterals(): string[] {
  const root = join(packageRoot(), "examples");
  const found = new Set<string>();
  for (const f of files(root)) {
    if (f.includes(`${join("cdktf", "cdktf.out")}`) || !/\.(tf|ts|json|ya?ml)$/.test(f)) continue;
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/secret_?(?:string|binary)"?\s*[:=]\s*"([^"]{6,})"/gi)) found.add(m[1]);
  }
  return [...found];
}

/** Each needle with its base64 and JSON-escaped forms, so an encoded copy is caught too. */
function forms(needle: string): string[] {
  return [needle, Buffer.from(needle).toString("base64"), JSON.stringify(needle).slice(1, -1)];
}

describe("no output contains a secret value (demo, end to end)", () => {
  const dir = mkdtempSync(join(tmpdir(), "sm-demo-values-"));
  const io = capture(dir);
  let code = -1;
  const literals = exampleLiterals();
  beforeAll(async () => {
    code = await cliMain()(["demo", "--out", "out"], io);
  }, 40_000);

  it("finds the fake literal values of the examples (the needles are real)", () => {
    expect(literals).toContain("acme-demo-password-DO-NOT-USE");
  });

  it("the demo's simulator served no secret value: valueReads is 0", () => {
    expect(io.stderr.join("\n")).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(started.length).toBe(1);
    const stats = started[0].stats();
    expect(stats.requests).toBeGreaterThan(50);
    expect(stats.valueReads).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/secret values read: 0/);
  });

  it("no demo output file (nor what it printed) holds an example literal or the simulator's refusal text", () => {
    const written = files(join(dir, "out"));
    expect(written.length).toBeGreaterThan(10);
    const needles = [...literals.flatMap(forms), VALUE_READ_REFUSED];
    const hits: string[] = [];
    for (const f of written) {
      const text = readFileSync(f, "latin1");
      for (const n of needles) if (text.includes(n)) hits.push(`${f}: ${n}`);
    }
    const printed = [...io.stdout, ...io.stderr].join("\n");
    for (const n of needles) if (printed.includes(n)) hits.push(`printed: ${n}`);
    expect(hits).toEqual([]);
  });

  it("check on the Terraform and CDKTF examples (which hold the literal) writes none of it", async () => {
    const out = mkdtempSync(join(tmpdir(), "sm-check-values-"));
    for (const [name, target] of [["tf", "terraform"], ["plan", join("terraform", "plan.json")], ["cdktf", "cdktf"]] as const) {
      const t = capture(out);
      const c = await cliMain()(["check", join(packageRoot(), "examples", target), "--out", name, "--fail-on", "none"], t);
      expect(t.stderr.join("\n"), name).not.toMatch(/internal error/);
      expect(c, `${name}: ${t.stderr.join("\n")}`).toBe(0);
      const written = files(join(out, name));
      expect(written.length, name).toBeGreaterThan(5);
      const hits = written.flatMap((f) => literals.flatMap(forms).filter((n) => readFileSync(f, "latin1").includes(n)).map((n) => `${f}: ${n}`));
      hits.push(...literals.flatMap(forms).filter((n) => [...t.stdout, ...t.stderr].join("\n").includes(n)).map((n) => `printed: ${n}`));
      expect(hits, name).toEqual([]);
      // The literal is still reported, by fingerprint, not silently dropped.
      expect(readFileSync(join(out, name, "snapshot.json"), "utf8"), name).toMatch(/"valueInCode"/);
    }
  }, 30_000);
});
