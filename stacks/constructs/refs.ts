/**
 * Turns the plan's references (`<var:NAME>`, `<planned:ACTION_ID>`) into cdktf tokens, so
 * a construct writes exactly the values of the plan with the unknown parts left to
 * Terraform variables or to attributes of resources created in the same stack.
 */
import { Fn, Token, type TerraformVariable } from "cdktf";
import { shortHash } from "../../src/remediate/resolve";

const VAR = /^<var:([A-Za-z0-9_-]+)>$/;
const PLANNED = /^<planned:(.+)>$/;

/** Resolves plan references within one stack. */
export class StackRefs {
  private readonly variables: Map<string, TerraformVariable>;
  /** Action id -> the id token of the resource it creates (e.g. a VPC endpoint). */
  readonly planned = new Map<string, string>();

  constructor(variables: Map<string, TerraformVariable>) {
    this.variables = variables;
  }

  private variable(name: string): TerraformVariable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`the plan references variable ${name}, which its stack does not declare`);
    return v;
  }

  private plannedId(actionId: string): string {
    const t = this.planned.get(actionId);
    if (!t) throw new Error(`the plan references ${actionId}, which its stack does not create`);
    return t;
  }

  /** A scalar: a literal, a string variable or a planned resource id. */
  str(value: string): string {
    const v = VAR.exec(value);
    if (v) return this.variable(v[1]).stringValue;
    const p = PLANNED.exec(value);
    if (p) return this.plannedId(p[1]);
    return value;
  }

  /** A list: literals and planned ids, with list variables spliced in. */
  list(values: string[]): string[] {
    const scalars: string[] = [];
    const lists: string[][] = [];
    for (const value of values) {
      const v = VAR.exec(value);
      if (v) lists.push(this.variable(v[1]).listValue);
      else scalars.push(this.str(value));
    }
    if (!lists.length) return scalars;
    if (!scalars.length && lists.length === 1) return lists[0];
    return Token.asList(Fn.concat([scalars, ...lists]));
  }

  /** Whether a JSON value holds any reference. */
  static hasRefs(value: unknown): boolean {
    if (typeof value === "string") return VAR.test(value) || PLANNED.test(value);
    if (Array.isArray(value)) return value.some((v) => StackRefs.hasRefs(v));
    if (value && typeof value === "object") return Object.values(value).some((v) => StackRefs.hasRefs(v));
    return false;
  }

  /**
   * A JSON document as the string a policy attribute takes: plain JSON when it holds no
   * reference, else `jsonencode(...)` so Terraform fills in the variables and ids.
   */
  json(doc: unknown): string {
    if (!StackRefs.hasRefs(doc)) return JSON.stringify(doc);
    return Fn.jsonencode(this.resolveDeep(doc));
  }

  private resolveDeep(value: unknown): unknown {
    if (typeof value === "string") return this.str(value);
    if (Array.isArray(value)) {
      return value.every((v) => typeof v === "string") ? this.list(value as string[]) : value.map((v) => this.resolveDeep(v));
    }
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolveDeep(v)]));
    }
    return value;
  }
}

/**
 * A construct id that is a valid Terraform name (letters, digits, `_`, `-`) and unique per
 * source text: the readable part is cut and cleaned, the hash keeps `a/b` and `a_b` apart.
 */
export function logicalName(prefix: string, text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
  return `${prefix}_${cleaned || "x"}_${shortHash(text)}`;
}
