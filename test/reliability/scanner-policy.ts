/** The scanner's read-only IAM policy exactly as `sm-audit iam-policy` prints it. */
import type { IamPolicyDocument } from "../../stacks/auditor/auditor-stack";
import { run as iamPolicy } from "../../src/cli/iam-policy";
import { captureIO, runCommand } from "./cli-helper";

/** Run `sm-audit iam-policy` in-process and parse its output; throws when the command fails. */
export async function scannerPolicy(): Promise<IamPolicyDocument> {
  const io = captureIO(process.cwd());
  const code = await runCommand("iam-policy", iamPolicy, [], io);
  if (code !== 0) throw new Error(`sm-audit iam-policy exited ${code}: ${io.stderr.join(" ")}`);
  return JSON.parse(io.stdout.join("")) as IamPolicyDocument;
}
