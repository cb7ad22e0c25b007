/** Shapes of rules, frameworks and configuration as the policy engine holds them. */
import type { ResourceKind } from "../inventory/types";
import type { Severity } from "../findings/types";

export type ParamValue = string | number | boolean | Array<string | number | boolean>;
export type Params = Record<string, ParamValue>;

/** A condition as written in rule.yaml (docs/rule-format.md); shape checked at load. */
export type ConditionDef = Record<string, unknown>;

export type RuleSourceKind = "live" | "iac";

/** rule.yaml as parsed (after schema validation). */
export interface RuleDef {
  id: string;
  title: string;
  severity: Severity;
  resource: ResourceKind;
  sources?: RuleSourceKind[];
  mapping_source?: string[];
  params?: Params;
  applies?: ConditionDef;
  assert: ConditionDef;
  controls: Record<string, string[]>;
  rationale: string;
  remediation: { kind: string; params?: Record<string, unknown> };
  messages: { pass: string; fail: string; unknown: string; not_applicable?: string };
}

/** A rule loaded from disk: its definition plus where it came from. */
export interface LoadedRule {
  def: RuleDef;
  /** The rule folder. */
  dir: string;
  /** The rule.yaml path. */
  file: string;
  /** rule.yaml text, hashed into the rules digest. */
  text: string;
  /** Line of a field of rule.yaml, for errors raised after load (param overrides). */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

export type RequirementKind = "required" | "addressable" | "standard" | "requirement" | "control";

export interface Requirement {
  id: string;
  title: string;
  text: string;
  kind: RequirementKind;
}

export interface Framework {
  id: string;
  title: string;
  version?: string;
  file: string;
  requirements: Requirement[];
  /** Derived from rules' `controls`: requirement id -> rule ids (sorted). */
  rulesByRequirement: Map<string, string[]>;
}

/** Every rule and framework loaded, validated and indexed. */
export interface RuleSet {
  rules: LoadedRule[];
  byId: Map<string, LoadedRule>;
  frameworks: Framework[];
  /** SHA-256 over the rule files (ordered by id). */
  digest: string;
  dirs: string[];
  /** With `lenient` loading: the problems of the rules left out. */
  problems?: import("../util/errors").UserError[];
}

/** sm-audit.yaml. */
export interface Config {
  file?: string;
  params: Record<string, Params>;
  trustedAccounts?: string[];
  suppressions?: string;
  failOn?: Severity | "none";
  lineOf?(path: ReadonlyArray<string | number>): number | undefined;
}
