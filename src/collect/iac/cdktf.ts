/**
 * cdktf synth output → Terraform resources. `cdktf.out/stacks/<stack>/cdk.tf.json` is
 * Terraform JSON syntax (interpolations as `${aws_kms_key.x.arn}`), so it is evaluated
 * by the same module evaluator as HCL; ids carry the stack name (`stack/address`) and
 * the `//` metadata path becomes the construct path used in messages.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../../util/errors";
import { parseJsonText, readTextFile } from "../../util/fs";
import { type ConfigFile, evaluateConfig } from "./config";
import { parseLargeJson } from "./json";
import { locateJson } from "./locate";
import type { TfModel, TfResource } from "./model";

/** The `cdk.tf.json` files of a cdktf output directory (or the one file given), by stack name. */
export function cdktfStacks(path: string): Array<{ stack: string; file: string }> {
  if (statSync(path).isFile()) return [{ stack: basename(dirname(path)) || "stack", file: path }];
  const base = existsSync(join(path, "cdktf.out")) ? join(path, "cdktf.out") : path;
  if (existsSync(join(base, "cdk.tf.json"))) return [{ stack: basename(base), file: join(base, "cdk.tf.json") }];
  const manifest = join(base, "manifest.json");
  if (existsSync(manifest)) {
    const m = parseJsonText(readTextFile(manifest), manifest) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
    if (!m || typeof m !== "object" || !m.stacks || typeof m.stacks !== "object") {
      throw new UserError("cdktf manifest has no 'stacks' object", { file: manifest, field: "stacks" });
    }
    return Object.entries(m.stacks).map(([stack, s]) => ({ stack, file: join(base, s.synthesizedStackPath ?? join("stacks", stack, "cdk.tf.json")) }));
  }
  const stacksDir = join(base, "stacks");
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir).sort()
    .filter((s) => existsSync(join(stacksDir, s, "cdk.tf.json")))
    .map((stack) => ({ stack, file: join(stacksDir, stack, "cdk.tf.json") }));
}

function constructPath(body: Record<string, unknown>): string | undefined {
  const meta = body["//"] as { metadata?: { path?: unknown } } | undefined;
  return typeof meta?.metadata?.path === "string" ? meta.metadata.path : undefined;
}

/** Read every stack of a cdktf synth output. */
export function readCdktf(path: string): TfModel {
  const stacks = cdktfStacks(path);
  if (stacks.length === 0) throw new UserError("no cdktf stacks found (expected stacks/<stack>/cdk.tf.json)", { file: path });
  const resources: TfResource[] = [];
  for (const { stack, file } of stacks) {
    const text = readTextFile(file);
    const json = parseLargeJson(text, file);
    if (!json || typeof json !== "object" || Array.isArray(json)) throw new UserError("cdk.tf.json is not a JSON object", { file });
    const cf: ConfigFile = { file, text, json: json as Record<string, unknown> };
    resources.push(...evaluateConfig({ dir: dirname(file), files: [cf] }, {
      idPrefix: `${stack}/`,
      rootVars: {},
      loadModule: (_from, source) => `module source "${source}" in a cdktf stack is not read`,
      locate: locateJson,
      constructPath,
    }));
  }
  return { kind: "cdktf", input: path, resources };
}
