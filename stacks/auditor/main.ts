/**
 * The CDKTF app of the scheduled auditor: `node dist/stacks/auditor/main.js CONFIG.json [OUTDIR]`
 * synthesizes `OUTDIR/stacks/sm-audit-auditor/cdk.tf.json` (see examples/scale/README.md).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { App } from "cdktf";
import { AuditorStack, type AuditorStackProps, type IamPolicyDocument } from "./auditor-stack";

/** The config file: AuditorStackProps without the policy, plus where the policy comes from. */
export interface AuditorConfig extends Omit<AuditorStackProps, "scannerPolicy"> {
  /** A file holding `sm-audit iam-policy` output; when absent the installed CLI is asked. */
  scannerPolicyFile?: string;
}

/** The scanner's read-only policy, from a file or from `sm-audit iam-policy`. */
export function loadScannerPolicy(file?: string): IamPolicyDocument {
  const text = file
    ? readFileSync(file, "utf8")
    : execFileSync(process.execPath, [join(__dirname, "..", "..", "..", "bin", "sm-audit.js"), "iam-policy"], { encoding: "utf8" });
  const policy = JSON.parse(text) as IamPolicyDocument;
  if (!Array.isArray(policy.Statement)) throw new Error("the scanner policy has no Statement list");
  return policy;
}

/** Synthesize the auditor stack for `config` into `outdir`; returns the stack. */
export function synthAuditor(config: AuditorConfig, outdir: string, policy?: IamPolicyDocument): AuditorStack {
  const app = new App({ outdir, skipValidation: false });
  const stack = new AuditorStack(app, "sm-audit-auditor", { ...config, scannerPolicy: policy ?? loadScannerPolicy(config.scannerPolicyFile) });
  app.synth();
  return stack;
}

if (require.main === module) {
  const [configPath, outdir = "cdktf.out"] = process.argv.slice(2);
  if (!configPath) {
    process.stderr.write("usage: node dist/stacks/auditor/main.js CONFIG.json [OUTDIR]\n");
    process.exit(2);
  }
  const config = JSON.parse(readFileSync(configPath, "utf8")) as AuditorConfig;
  synthAuditor(config, resolve(outdir));
  process.stdout.write(`synthesized ${join(resolve(outdir), "stacks", "sm-audit-auditor", "cdk.tf.json")}\n`);
}
