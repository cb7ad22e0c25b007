/**
 * A crash in the middle of writing a snapshot never leaves a file that reads as a valid (but
 * truncated) snapshot: a child process rewriting a large snapshot is SIGKILLed mid-write, and the
 * target still holds the previous complete version.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModuleKind, ScriptTarget, transpileModule } from "typescript";
import { describe, expect, it } from "vitest";
import { emptySnapshot, readSnapshot, writeSnapshot } from "../../src/inventory/io";

/** Compile the current src/util/fs.ts (and its local imports) for the plain-node child: never a stale or missing dist/. */
function compileFsHelper(outDir: string): string {
  for (const name of ["fs", "errors", "json-locate"]) {
    const source = readFileSync(join(__dirname, "..", "..", "src", "util", `${name}.ts`), "utf8");
    const js = transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(outDir, `${name}.js`), js);
  }
  return join(outDir, "fs.js");
}

describe("atomic outputs", () => {
  it("SIGKILL during writeFileAtomic leaves the previous complete snapshot", async () => {
    const FS_JS = compileFsHelper(mkdtempSync(join(tmpdir(), "sm-atomic-js-")));
    const dir = mkdtempSync(join(tmpdir(), "sm-atomic-"));
    const target = join(dir, "snapshot.json");
    const previous = emptySnapshot({ kind: "fixture" }, "2025-01-01T00:00:00.000Z");
    writeSnapshot(target, previous);
    // The child builds a ~150 MB snapshot and writes it with the real helper until killed.
    const script = `
      const { writeJsonAtomic } = require(${JSON.stringify(FS_JS)});
      const secrets = Array.from({ length: 400000 }, (_, i) => ({ id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:s" + i, name: "s" + i + "x".repeat(300), source: { kind: "fixture" } }));
      const snap = { schemaVersion: "1.0", tool: { name: "sm-audit", version: "0" }, generatedAt: "2025-02-01T00:00:00.000Z", source: { kind: "fixture" }, accounts: [], secrets, kmsKeys: [], vpcs: [], trails: [], reads: [], coverage: [] };
      process.stdout.write("ready\\n");
      for (;;) writeJsonAtomic(${JSON.stringify(target)}, snap);
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    // Wait until a temp file is being written, then kill without warning.
    const deadline = Date.now() + 20_000;
    let tmp: string | undefined;
    while (Date.now() < deadline && !tmp) {
      tmp = readdirSync(dir).find((f) => f.includes(".tmp-") && statSync(join(dir, f)).size > 1_000_000);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(tmp, "the child never started a temp file").toBeDefined();
    // The target is either the previous version or a complete new one: never a truncated file.
    const snap = readSnapshot(target);
    expect([0, 400000]).toContain(snap.secrets.length);
    // Whatever the kill left behind is a temp file, never a file with the target's name pattern.
    for (const f of readdirSync(dir)) expect(f === "snapshot.json" || f.startsWith("snapshot.json.tmp-")).toBe(true);
  }, 60_000);
});
