/** Validation of remediation plan JSON against plan.schema.json (ajv). */
import Ajv, { type ValidateFunction } from "ajv";
import { UserError } from "../util/errors";
import { parseJsonText, readTextFile } from "../util/fs";
import { lineOfPointer } from "../inventory/io";
import type { RemediationPlan } from "./types";
import planSchema from "./plan.schema.json";

let compiled: ValidateFunction | undefined;

/** Check that `value` is a remediation plan; a UserError names the file, line and field. */
export function validatePlan(value: unknown, file = "plan.json", text?: string): RemediationPlan {
  compiled ??= new Ajv({ allErrors: false, strict: false }).compile(planSchema);
  if (!compiled(value)) {
    const err = (compiled.errors ?? []).filter((e) => e.keyword !== "if").reduce<import("ajv").ErrorObject | undefined>(
      (best, e) => (!best || e.instancePath.length > best.instancePath.length ? e : best), undefined);
    const segs = err ? err.instancePath.split("/").slice(1) : [];
    throw new UserError(err?.message ?? "does not match the remediation plan schema", {
      file, line: lineOfPointer(text, segs), field: segs.length ? segs.join(".") : undefined,
    });
  }
  return value as RemediationPlan;
}

/** Read and validate a plan file. */
export function readPlan(path: string): RemediationPlan {
  const text = readTextFile(path);
  return validatePlan(parseJsonText(text, path), path, text);
}
