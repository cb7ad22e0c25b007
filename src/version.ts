/** The tool's name and version, recorded in every snapshot, findings file and bundle. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The package root and its package.json: src/ when run from source, dist/src/ when built. */
function findPackage(): { dir: string; version: string } | undefined {
  for (const up of ["..", "../.."]) {
    const dir = join(__dirname, up);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sm-audit") return { dir, version: pkg.version ?? "0.0.0" };
    } catch {
      /* try the next level */
    }
  }
  return undefined;
}

const PACKAGE = findPackage();

export const TOOL = { name: "sm-audit", version: PACKAGE?.version ?? "0.0.0" } as const;

/** Root of the installed package (holds rules/, reports/, examples/). */
export function packageRoot(): string {
  return PACKAGE?.dir ?? process.cwd();
}
