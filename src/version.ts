/** The tool's name and version, recorded in every snapshot, findings file and bundle. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

function readVersion(): string {
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sm-audit" && pkg.version) return pkg.version;
    } catch {
      /* try the next level: src/ when run from source, dist/src/ when built */
    }
  }
  return "0.0.0";
}

export const TOOL = { name: "sm-audit", version: readVersion() } as const;

/** Root of the installed package (holds rules/, reports/, examples/). */
export function packageRoot(): string {
  for (const up of ["..", "../.."]) {
    const dir = join(__dirname, up);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "sm-audit") return dir;
    } catch {
      /* keep looking */
    }
  }
  return process.cwd();
}
