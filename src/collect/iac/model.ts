/**
 * The reader-neutral view of Terraform resources that HCL, cdktf and plan readers all
 * produce, and that `normalize.ts` turns into the inventory. Keeping one intermediate
 * shape is what makes the same scenario yield the same findings from every source.
 */
import type { IacSource, SnapshotSourceKind } from "../../inventory/types";
import { type Value, isObject } from "./expr";

/** One resource or data source instance, with its arguments evaluated as far as the code allows. */
export interface TfResource {
  /** Full address including module prefix (and `stack/` for cdktf, `dir/` for extra HCL roots). */
  id: string;
  /** Terraform address within its configuration (module prefix included). */
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  /** Module path (`module.app`), empty for the root module. */
  module: string;
  attrs: { [key: string]: Value };
  source: IacSource;
  /** Argument name (nested arguments dotted, e.g. `rotation_rules.schedule_expression`) -> line. */
  attrLines: Record<string, number>;
  /** Region of the provider configuration the resource uses, when literal. */
  region?: string;
  /** Scope key used to resolve references (`stack/` + module path): references never cross scopes. */
  scope: string;
  /**
   * Set when the code cannot tell whether the resource is created at all (a `count` or
   * `for_each` that depends on an unknown value): the reason, naming the expression.
   * What the resource contributes to others (a rotation, a policy, an endpoint) is then unknown.
   */
  existence?: string;
  /** Account the resource is in, when a plan shows it (a known ARN under the same provider configuration). */
  accountId?: string;
  /** For secret-valued arguments: true = written literally in the code, false = from a variable/reference, string = why unclear. */
  literal?: Record<string, boolean | string>;
}

/** What one reader produced from one input path. */
export interface TfModel {
  kind: Extract<SnapshotSourceKind, "terraform-plan" | "hcl" | "cdktf">;
  input: string;
  resources: TfResource[];
}

/** The nested blocks of a value: hcl2json gives lists of objects, cdktf gives an object for a single block. */
export function blocks(v: Value | undefined): Array<{ [key: string]: Value }> {
  if (Array.isArray(v)) return v.filter(isObject);
  if (isObject(v)) return [v];
  return [];
}

/** The first nested block, if any. */
export function firstBlock(v: Value | undefined): { [key: string]: Value } | undefined {
  return blocks(v)[0];
}
