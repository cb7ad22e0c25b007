/** The remediation config file (`--config FILE`, YAML or JSON), checked field by field. */
import { UserError, UserErrors } from "../util/errors";
import { parseYamlFile } from "../util/yaml";
import type { RemediationConfig } from "./types";

type Shape = "string" | "number" | "boolean" | "stringList" | "stringListMap" | "lambdas" | { [key: string]: Shape };

const SHAPE: { [key: string]: Shape } = {
  rotation: { lambdas: "lambdas", days: "number", rotateImmediately: "boolean" },
  kms: { alias: "string", rotationPeriodDays: "number" },
  cloudtrail: { region: "string", trailName: "string", bucketPrefix: "string" },
  endpoints: { securityGroups: "stringListMap", subnets: "stringListMap" },
};

/** Read and check a remediation config; every problem names the file, line and field. */
export function loadRemediationConfig(file: string): RemediationConfig {
  const doc = parseYamlFile(file);
  const errors: UserError[] = [];
  const fail = (path: Array<string | number>, message: string): void => {
    errors.push(new UserError(message, { file, line: doc.lineOf(path), field: path.join(".") || undefined }));
  };
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
  const check = (value: unknown, shape: Shape, path: Array<string | number>): void => {
    if (typeof shape === "object") {
      if (!isMap(value)) return fail(path, "expected a mapping");
      for (const [k, v] of Object.entries(value)) {
        if (!(k in shape)) fail([...path, k], `unknown key; expected ${Object.keys(shape).join(", ")}`);
        else check(v, shape[k], [...path, k]);
      }
      return;
    }
    switch (shape) {
      case "string": if (typeof value !== "string" || value === "") fail(path, "expected a non-empty string"); return;
      case "number": if (typeof value !== "number" || !Number.isInteger(value) || value < 1) fail(path, "expected a whole number >= 1"); return;
      case "boolean": if (typeof value !== "boolean") fail(path, "expected true or false"); return;
      case "stringList": if (!isStrList(value)) fail(path, "expected a list of strings"); return;
      case "stringListMap":
        if (!isMap(value)) return fail(path, "expected a mapping of VPC id -> list of ids");
        for (const [k, v] of Object.entries(value)) if (!isStrList(v)) fail([...path, k], "expected a list of strings");
        return;
      case "lambdas":
        if (!Array.isArray(value)) return fail(path, "expected a list of { match, lambdaArn }");
        value.forEach((e, i) => {
          if (!isMap(e)) return fail([...path, i], "expected { match, lambdaArn }");
          if (typeof e.match !== "string" || !e.match) fail([...path, i, "match"], "expected a glob of secret names or ARNs");
          if (typeof e.lambdaArn !== "string" || !/^arn:[a-z-]+:lambda:/.test(e.lambdaArn)) fail([...path, i, "lambdaArn"], "expected a Lambda function ARN");
          for (const k of Object.keys(e)) if (k !== "match" && k !== "lambdaArn") fail([...path, i, k], "unknown key; expected match, lambdaArn");
        });
        return;
    }
  };
  const value = doc.value ?? {};
  check(value, SHAPE, []);
  const cfg = value as RemediationConfig;
  const period = cfg.kms?.rotationPeriodDays;
  if (typeof period === "number" && (period < 90 || period > 2560)) fail(["kms", "rotationPeriodDays"], "KMS accepts 90 to 2560 days");
  if (typeof cfg.kms?.alias === "string" && !/^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/.test(cfg.kms.alias)) fail(["kms", "alias"], "expected alias/<name> (not under alias/aws/)");
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new UserErrors(errors);
  return cfg;
}
