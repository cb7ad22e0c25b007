/**
 * The evaluator: analyze the snapshot once, run every rule over every view of its
 * resource kind, and assemble the findings file (summary, gaps, suppressions, baseline).
 */
import type { AnalyzedSnapshot, ResourceView } from "../analyze/facts";
import { analyzeSnapshot } from "../analyze/index";
import { applyBaseline } from "../findings/baseline";
import { applySuppressions, type Suppressions } from "../findings/suppressions";
import { FINDINGS_SCHEMA_VERSION, SEVERITIES, type Evidence, type Finding, type FindingsFile, type FindingsSummary, type Status } from "../findings/types";
import type { Snapshot, Source } from "../inventory/types";
import { UserError, UserErrors } from "../util/errors";
import { sha256File } from "../util/hash";
import { TOOL } from "../version";
import { compileCondition, runCondition, T, U, type Compiled, type CompileProblem, type EvalCtx } from "./condition";
import { effectiveParams } from "./config";
import { display, formatPath } from "./loader";
import { compileMessage, fillTitle, type MessageFn } from "./messages";
import type { Config, LoadedRule, Params, RuleSet } from "./types";

export interface EvaluateOptions {
  rules: RuleSet;
  config?: Config;
  suppressions?: Suppressions;
  baseline?: FindingsFile;
  /** Reference time for ages (default: the snapshot's generatedAt). */
  asOf?: string;
  /** The snapshot's file: recorded with its SHA-256. */
  snapshotFile?: string;
  /** Evaluate only these rule ids (the harness evaluates one rule at a time). */
  only?: string[];
}

/** A rule ready to run: conditions and messages compiled with its effective params. */
export interface CompiledRule {
  rule: LoadedRule;
  /** `<ruleId>/`: finding ids share it, so each id is one small concatenation node. */
  idPrefix: string;
  /** Source kinds that can decide the rule (undefined = all). */
  sources?: Set<string>;
  params: Params;
  title: string;
  applies?: Compiled;
  assert: Compiled;
  messages: Record<"pass" | "fail" | "unknown" | "not_applicable", MessageFn | undefined>;
  /** The message of a not-applicable finding when the rule has no template for it. */
  notApplicable: MessageFn;
}

/** Compile a rule with `params`; a problem (e.g. an override of the wrong shape) is a UserError. */
export function compileRule(rule: LoadedRule, params: Params): CompiledRule {
  const problems: CompileProblem[] = [];
  const applies = rule.def.applies === undefined ? undefined : compileCondition(rule.def.applies, params, problems, ["applies"]);
  const assert = compileCondition(rule.def.assert, params, problems, ["assert"]);
  if (problems.length) {
    throw new UserErrors(problems.map((p) => new UserError(p.message, { file: display(rule.file), line: rule.lineOf(p.at), subject: rule.def.id, field: formatPath(p.at) })));
  }
  const m = rule.def.messages;
  const title = fillTitle(rule.def.title, params);
  return {
    rule,
    idPrefix: `${rule.def.id}/`,
    sources: rule.def.sources ? new Set(rule.def.sources) : undefined,
    params,
    title,
    applies,
    assert,
    messages: {
      pass: compileMessage(m.pass, params),
      fail: compileMessage(m.fail, params),
      unknown: compileMessage(m.unknown, params),
      not_applicable: m.not_applicable === undefined ? undefined : compileMessage(m.not_applicable, params),
    },
    notApplicable: (_view, reason) => `${title}: not applicable (${reason})`,
  };
}

/** Evaluate every rule against `snapshot` (analyzed once) and build the findings file. */
export function evaluate(snapshot: Snapshot, opts: EvaluateOptions): FindingsFile {
  const analyzed = analyzeSnapshot(snapshot, { asOf: opts.asOf });
  return evaluateAnalyzed(snapshot, analyzed, opts);
}

/** Evaluate rules against views that are already analyzed. */
export function evaluateAnalyzed(snapshot: Snapshot, analyzed: AnalyzedSnapshot, opts: EvaluateOptions): FindingsFile {
  const paramsByRule = effectiveParams(opts.rules, opts.config);
  const selected = opts.only ? opts.rules.rules.filter((r) => opts.only?.includes(r.def.id)) : opts.rules.rules;
  const compiled = selected.map((r) => compileRule(r, paramsByRule.get(r.def.id) ?? {}));
  const asOfMs = Date.parse(analyzed.asOf);
  if (Number.isNaN(asOfMs)) throw new UserError(`reference time '${analyzed.asOf}' is not an ISO date`, { field: "asOf" });
  // One context per run: its scratch arrays are reused, and each finding keeps an exact-size copy.
  const ctx: EvalCtx = { root: {}, rootUnknowns: undefined, asOfMs, evidence: [], reasons: [], intern: new Map(), shared: new WeakSet() };
  const lists: EvidenceTrie = new Map();
  const findings = evaluateAll(compiled, analyzed, ctx, lists);
  const expired = opts.suppressions ? applySuppressions(findings, opts.suppressions, opts.rules) : [];
  const fixed = opts.baseline ? applyBaseline(findings, opts.baseline) : undefined;
  const params: Record<string, Record<string, unknown>> = {};
  for (const cr of compiled) params[cr.rule.def.id] = cr.params;
  const file: FindingsFile = {
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: new Date().toISOString(),
    snapshot: { generatedAt: snapshot.generatedAt, source: snapshot.source, ...snapshotFileInfo(opts.snapshotFile) },
    rulesDigest: opts.rules.digest,
    params,
    summary: summarize(findings, compiled.length, countResources(analyzed, compiled)),
    coverageGaps: snapshot.coverage.filter((c) => c.status !== "collected"),
    expiredSuppressions: expired,
    findings,
  };
  if (fixed) file.fixed = fixed;
  return file;
}

function snapshotFileInfo(file: string | undefined): { file?: string; sha256?: string } {
  if (!file) return {};
  return { file, sha256: sha256File(file) };
}

const SOURCE_NAMES: Record<string, string> = { live: "live AWS data", iac: "infrastructure code" };

/** Shared evidence lists, keyed by their (shared) elements in order. */
type EvidenceTrie = Map<Evidence | typeof END, EvidenceTrie | Evidence[]>;
const END = Symbol("end");

/**
 * The finding's evidence list: a frozen shared list when every element is a shared
 * evidence object and no attribute has its own source (most live findings read the same
 * few values), else an exact-size copy of the scratch list.
 */
function evidenceList(ctx: EvalCtx, view: ResourceView, lists: EvidenceTrie | undefined): Evidence[] {
  const ev = ctx.evidence;
  if (ev.length === 0) return [];
  const attrs = (view as { attributeSources?: Record<string, Source> }).attributeSources;
  if (lists === undefined || attrs !== undefined || ctx.shared === undefined) return attachSources(ev.slice(), view);
  let node = lists;
  for (let i = 0; i < ev.length; i++) {
    let next = node.get(ev[i]) as EvidenceTrie | undefined;
    // Only shared evidence is ever in the trie: the membership check is needed on a miss only.
    if (!next) {
      if (!ctx.shared.has(ev[i])) return ev.slice();
      node.set(ev[i], (next = new Map()));
    }
    node = next;
  }
  let list = node.get(END) as Evidence[] | undefined;
  if (!list) node.set(END, (list = Object.freeze(ev.slice()) as Evidence[]));
  return list;
}

/**
 * Every rule over every view, in rule order (all findings of the first rule, then the
 * next...). Rules of one resource kind are run view by view, so each view is read from
 * memory once for all its rules rather than once per rule; each finding is written to
 * its rule-ordered slot.
 */
function evaluateAll(compiled: CompiledRule[], analyzed: AnalyzedSnapshot, ctx: EvalCtx, lists: EvidenceTrie): Finding[] {
  const offsets: number[] = [];
  const rulesByKind = new Map<string, number[]>();
  let total = 0;
  for (let i = 0; i < compiled.length; i++) {
    const kind = compiled[i].rule.def.resource;
    offsets.push(total);
    total += analyzed.views[kind].length;
    const same = rulesByKind.get(kind);
    if (same) same.push(i);
    else rulesByKind.set(kind, [i]);
  }
  // Filled by push, not `new Array(total)`: a large preallocated array starts in slow (dictionary) mode.
  const findings: Finding[] = [];
  for (let i = 0; i < total; i++) findings.push(PENDING);
  for (const [kind, ruleIdx] of rulesByKind) {
    const views = analyzed.views[kind as ResourceView["kind"]] as ResourceView[];
    for (let j = 0; j < views.length; j++) {
      const view = views[j];
      for (let k = 0; k < ruleIdx.length; k++) findings[offsets[ruleIdx[k]] + j] = evaluateOne(compiled[ruleIdx[k]], view, ctx, lists);
    }
  }
  return findings;
}

/** Placeholder of a slot not yet evaluated (never left in a result). */
const PENDING = {} as Finding;

/**
 * A finding as the evaluator builds it. Its `message` is an own enumerable accessor that
 * fills the rule's compiled template when read, rather than a stored string: a
 * 100,000-secret run has millions of findings and most messages (passes,
 * not-applicables) are never shown. Being own and enumerable, it is kept in field order
 * by JSON.stringify, spread copies, Object.keys and structuredClone like a plain field.
 */
class EvaluatedFinding implements Finding {
  declare id: string;
  declare ruleId: string;
  declare title: string;
  declare severity: Finding["severity"];
  declare resourceKind: Finding["resourceKind"];
  declare resourceId: string;
  declare resourceName: string | undefined;
  declare accountId: string | undefined;
  declare region: string | undefined;
  declare status: Status;
  declare message: string;
  declare reason: string | undefined;
  declare evidence: Evidence[];
  declare source: Source;
  declare controls: Record<string, string[]>;
  declare tags: Record<string, string> | undefined;
  declare suppressedStatus?: Finding["suppressedStatus"];
  declare suppression?: Finding["suppression"];
  declare baseline?: Finding["baseline"];
  /** The view the template reads, and the template of the status the finding was decided with. */
  #view: unknown;
  #fill: MessageFn;

  /** One descriptor (same getter and setter) for every finding, so all findings share one hidden class. */
  static readonly #message: PropertyDescriptor = {
    get(this: EvaluatedFinding): string {
      return this.#fill(this.#view, this.reason);
    },
    set(this: EvaluatedFinding, text: string): void {
      this.#fill = () => text;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(cr: CompiledRule, view: ResourceView, status: Status, reason: string | undefined, evidence: Evidence[], fill: MessageFn) {
    this.#view = view;
    this.#fill = fill;
    // Assigned in the findings file's field order: JSON and Object.keys follow it.
    const def = cr.rule.def;
    this.id = cr.idPrefix + view.id;
    this.ruleId = def.id;
    this.title = cr.title;
    this.severity = def.severity;
    this.resourceKind = def.resource;
    this.resourceId = view.id;
    this.resourceName = resourceName(view);
    this.accountId = view.accountId;
    this.region = (view as { region?: string }).region;
    this.status = status;
    Object.defineProperty(this, "message", EvaluatedFinding.#message);
    this.reason = reason;
    this.evidence = evidence;
    this.source = view.source;
    this.controls = def.controls;
    this.tags = (view as { tags?: Record<string, string> }).tags;
  }
}

/** One rule × one view: the finding. `ctx` is reused between calls (its arrays are scratch space). */
export function evaluateOne(cr: CompiledRule, view: ResourceView, ctx: EvalCtx, lists?: EvidenceTrie): Finding {
  ctx.root = view;
  // Most views have no unknowns: skipping the per-path lookups then is the common fast path.
  ctx.rootUnknowns = hasKeys(view.unknowns) ? view.unknowns : undefined;
  ctx.evidence.length = 0;
  ctx.reasons.length = 0;
  let status: Status;
  let reason: string | undefined;
  const sourceKind = view.source.kind;
  if (cr.sources !== undefined && !cr.sources.has(sourceKind)) {
    status = "not_applicable";
    reason = `${SOURCE_NAMES[sourceKind] ?? sourceKind} cannot decide this rule`;
  } else {
    const applies = cr.applies ? runCondition(cr.applies, view, ctx) : T;
    if (applies === U) {
      status = "unknown";
      reason = joinReasons(ctx.reasons);
    } else if (applies !== T) {
      status = "not_applicable";
      reason = "the rule does not apply to this resource";
    } else {
      const r = runCondition(cr.assert, view, ctx);
      status = r === T ? "pass" : r === U ? "unknown" : "fail";
      if (r === U) reason = joinReasons(ctx.reasons);
    }
  }
  const fill = status === "not_applicable" ? cr.messages.not_applicable ?? cr.notApplicable : cr.messages[status as "pass" | "fail" | "unknown"]!;
  return new EvaluatedFinding(cr, view, status, reason, evidenceList(ctx, view, lists), fill);
}

function hasKeys(o: object | undefined): boolean {
  if (o === undefined) return false;
  for (const _k in o) return true;
  return false;
}

function joinReasons(reasons: string[]): string {
  if (reasons.length === 0) return "a value the rule needs is unknown";
  return reasons.length === 1 ? reasons[0] : [...new Set(reasons)].join("; ");
}

function resourceName(view: ResourceView): string | undefined {
  switch (view.kind) {
    case "secret": case "trail": return view.name;
    case "vpc": return view.vpcId;
    case "kmsKey": return view.aliases?.[0] ?? view.keyId;
    case "account": return view.name ?? view.accountId;
  }
}

/**
 * Evidence carries a source only where the attribute has its own (e.g. the line of
 * `kms_key_id`); otherwise the finding's `source` applies. This keeps large findings
 * files from repeating the resource source per value.
 */
function attachSources(evidence: Evidence[], view: ResourceView): Evidence[] {
  const attrs = (view as { attributeSources?: Record<string, Source> }).attributeSources;
  if (!attrs) return evidence;
  for (let i = 0; i < evidence.length; i++) {
    const e = evidence[i];
    let p = e.path.replace(/\[\d+\]/g, "");
    for (;;) {
      const s = Object.hasOwn(attrs, p) ? attrs[p] : undefined;
      // Evidence objects may be shared between findings: copy before adding a source.
      if (s) { evidence[i] = { ...e, source: s }; break; }
      const dot = p.lastIndexOf(".");
      if (dot < 0) break;
      p = p.slice(0, dot);
    }
  }
  return evidence;
}

/** Resources evaluated: every view of the kinds the rules target. */
function countResources(analyzed: AnalyzedSnapshot, compiled: CompiledRule[]): number {
  const kinds = new Set(compiled.map((c) => c.rule.def.resource));
  let n = 0;
  for (const k of kinds) n += analyzed.views[k].length;
  return n;
}

/** Counts per status, failing counts per severity, rules and resources (distinct ids unless given). */
export function summarize(findings: Finding[], rules: number, resources?: number): FindingsSummary {
  const byStatus: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, not_applicable: 0, suppressed: 0 };
  const failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as FindingsSummary["failBySeverity"];
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    byStatus[f.status]++;
    if (f.status === "fail") failBySeverity[f.severity]++;
  }
  return { byStatus, failBySeverity, rules, resources: resources ?? new Set(findings.map((f) => f.resourceId)).size };
}
