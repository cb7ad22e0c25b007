/**
 * The evaluator: analyze the snapshot once, run every rule over every view of its
 * resource kind, and assemble the findings file (summary, gaps, suppressions, baseline).
 */
import type { AnalyzedSnapshot, ResourceView } from "../analyze/facts";
import { analyzeSnapshot } from "../analyze/index";
import { applyBaseline } from "../findings/baseline";
import { applySuppressions, type Suppressions } from "../findings/suppressions";
import { attachRows } from "../findings/rows";
import { FINDINGS_SCHEMA_VERSION, SEVERITIES, type Evidence, type FindingsFile, type FindingsSummary } from "../findings/types";
import type { Snapshot, Source } from "../inventory/types";
import { UserError, UserErrors } from "../util/errors";
import { sha256File } from "../util/hash";
import { TOOL } from "../version";
import { compileCondition, runCondition, T, U, type Compiled, type CompileProblem, type EvalCtx } from "./condition";
import { effectiveParams } from "./config";
import { display, formatPath } from "./loader";
import { compileMessage, fillTitle, type MessageFn } from "./messages";
import { DecisionMemo } from "./memo";
import { newTrace, resetTrace, type ReadTrace } from "./read";
import { FindingTable, type Outcome } from "./table";
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
  /**
   * Give a view the outcome of an earlier view that read the same values (default true;
   * false runs every rule in full — the same findings, slower; tests compare the two).
   */
  memo?: boolean;
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
  // One context per run: its scratch arrays are reused, and each outcome keeps an exact-size copy.
  const ctx: EvalCtx = { root: {}, rootUnknowns: undefined, asOfMs, evidence: [], reasons: [], intern: new Map(), shared: new WeakSet() };
  const table = evaluateAll(compiled, analyzed, ctx, opts.memo ?? true);
  const expired = opts.suppressions ? applySuppressions(table, opts.suppressions, opts.rules) : [];
  const fixed = opts.baseline ? applyBaseline(table, opts.baseline) : undefined;
  const params: Record<string, Record<string, unknown>> = {};
  for (const cr of compiled) params[cr.rule.def.id] = cr.params;
  const file: FindingsFile = {
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: new Date().toISOString(),
    snapshot: { generatedAt: snapshot.generatedAt, source: snapshot.source, ...snapshotFileInfo(opts.snapshotFile) },
    rulesDigest: opts.rules.digest,
    params,
    summary: summarizeTable(table, compiled, countResources(analyzed, compiled)),
    coverageGaps: snapshot.coverage.filter((c) => c.status !== "collected"),
    expiredSuppressions: expired,
    findings: [],
  };
  attachRows(file, table);
  if (fixed) file.fixed = fixed;
  return file;
}

function snapshotFileInfo(file: string | undefined): { file?: string; sha256?: string } {
  if (!file) return {};
  return { file, sha256: sha256File(file) };
}

const SOURCE_NAMES: Record<string, string> = { live: "live AWS data", iac: "infrastructure code" };

/**
 * Outcomes already made, keyed by their shared evidence objects in order; at the end of
 * a path, the outcomes with that evidence (one per status and reason).
 */
type OutcomeTrie = Map<Evidence | typeof END, OutcomeTrie | Outcome[]>;
const END = Symbol("end");

/**
 * The outcome of a decision: a shared one when every evidence object is shared and no
 * attribute has its own source (most live findings read the same few values), else a
 * new one with an exact-size copy of the scratch evidence.
 */
function outcomeOf(ctx: EvalCtx, view: ResourceView, trie: OutcomeTrie, status: Outcome["status"], reason: string | undefined, fill: MessageFn): Outcome {
  const ev = ctx.evidence;
  const attrs = (view as { attributeSources?: Record<string, Source> }).attributeSources;
  if (attrs !== undefined || ctx.shared === undefined) return { status, reason, evidence: attachSources(ev.slice(), view), fill };
  let node = trie;
  for (let i = 0; i < ev.length; i++) {
    let next = node.get(ev[i]) as OutcomeTrie | undefined;
    // Only shared evidence is ever in the trie: the membership check is needed on a miss only.
    if (!next) {
      if (!ctx.shared.has(ev[i])) return { status, reason, evidence: ev.slice(), fill };
      node.set(ev[i], (next = new Map()));
    }
    node = next;
  }
  let list = node.get(END) as Outcome[] | undefined;
  if (!list) node.set(END, (list = []));
  for (let i = 0; i < list.length; i++) {
    const o = list[i];
    if (o.status === status && o.reason === reason && o.fill === fill) return o;
  }
  const o = frozenOutcome(ctx, status, reason, fill);
  list.push(o);
  return o;
}

/** A new outcome that views may share: its evidence an exact-size frozen copy of the scratch evidence. */
function frozenOutcome(ctx: EvalCtx, status: Outcome["status"], reason: string | undefined, fill: MessageFn): Outcome {
  return { status, reason, evidence: Object.freeze(ctx.evidence.slice()) as Evidence[], fill };
}

/**
 * Every rule over every view, into a table in rule order (all findings of the first
 * rule, then the next...). Rules of one resource kind are run view by view, so each view
 * is read from memory once for all its rules rather than once per rule.
 */
function evaluateAll(compiled: CompiledRule[], analyzed: AnalyzedSnapshot, ctx: EvalCtx, memo: boolean): FindingTable {
  const table = new FindingTable(compiled, compiled.map((cr) => analyzed.views[cr.rule.def.resource] as ResourceView[]));
  const rulesByKind = new Map<string, number[]>();
  for (let i = 0; i < compiled.length; i++) {
    const kind = compiled[i].rule.def.resource;
    const same = rulesByKind.get(kind);
    if (same) same.push(i);
    else rulesByKind.set(kind, [i]);
  }
  const runs = compiled.map((): RuleRun => ({ trie: new Map(), memo: memo ? new DecisionMemo<Outcome>() : undefined, undecidable: new Map() }));
  const trace = newTrace();
  for (const [kind, all] of rulesByKind) {
    const views = analyzed.views[kind as ResourceView["kind"]] as ResourceView[];
    // Rules the views' one source kind cannot decide (IaC-only rules on a live snapshot):
    // one outcome fills the rule's column, with no pass over the views.
    const sole = soleSourceKind(views);
    const ruleIdx = all.filter((r) => {
      const cr = compiled[r];
      if (sole === undefined || cr.sources === undefined || cr.sources.has(sole)) return true;
      table.fill(r, undecidable(cr, runs[r], sole));
      return false;
    });
    for (let j = 0; j < views.length; j++) {
      const view = views[j];
      ctx.root = view;
      // Most views have no unknowns: skipping the per-path lookups then is the common fast path.
      ctx.rootUnknowns = hasKeys(view.unknowns) ? view.unknowns : undefined;
      // Evidence with its own source (code locations) is per view: such views share no outcome.
      const shareable = (view as { attributeSources?: unknown }).attributeSources === undefined;
      for (let k = 0; k < ruleIdx.length; k++) {
        const r = ruleIdx[k];
        table.set(table.slot(r, j), decide(compiled[r], view, ctx, runs[r], shareable ? trace : undefined));
      }
    }
  }
  return table;
}

/** What one run keeps per rule: its outcomes by evidence, its memo, its outcome per undecidable source kind. */
interface RuleRun {
  trie: OutcomeTrie;
  memo: DecisionMemo<Outcome> | undefined;
  undecidable: Map<string, Outcome>;
}

/**
 * One rule × one view: how it is decided. `ctx` is reused between calls (its arrays are
 * scratch space) and its `root` and `rootUnknowns` must already be set for `view`. With
 * a memo and a trace (views whose outcome can be shared), a view that reads the values an
 * earlier view read gets that view's outcome.
 */
function decide(cr: CompiledRule, view: ResourceView, ctx: EvalCtx, run: RuleRun, trace: ReadTrace | undefined): Outcome {
  const sourceKind = view.source.kind;
  if (cr.sources !== undefined && !cr.sources.has(sourceKind)) return undecidable(cr, run, sourceKind);
  const memo = run.memo;
  const remembering = memo !== undefined && trace !== undefined;
  if (remembering) {
    const known = memo.lookup(view, ctx.rootUnknowns, ctx);
    if (known !== undefined) return known;
    resetTrace(trace);
    ctx.trace = trace;
  }
  ctx.evidence.length = 0;
  ctx.reasons.length = 0;
  let status: Outcome["status"];
  let reason: string | undefined;
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
  ctx.trace = undefined;
  const fill = status === "not_applicable" ? cr.messages.not_applicable ?? cr.notApplicable : cr.messages[status]!;
  // An outcome the memo keeps is found through the memo: it needs no search for an equal one.
  const leaf = remembering ? memo.place(trace) : undefined;
  if (leaf === undefined) return outcomeOf(ctx, view, run.trie, status, reason, fill);
  return (leaf.outcome = frozenOutcome(ctx, status, reason, fill));
}

/**
 * The outcome of a view whose source kind cannot decide the rule (IaC-only rules are not
 * applicable to every live resource). It reads nothing, so it has no evidence for a source
 * to attach to: one serves every view of that source kind.
 */
function undecidable(cr: CompiledRule, run: RuleRun, sourceKind: string): Outcome {
  let o = run.undecidable.get(sourceKind);
  if (o === undefined) {
    const reason = `${SOURCE_NAMES[sourceKind] ?? sourceKind} cannot decide this rule`;
    o = { status: "not_applicable", reason, evidence: NO_EVIDENCE, fill: cr.messages.not_applicable ?? cr.notApplicable };
    run.undecidable.set(sourceKind, o);
  }
  return o;
}

const NO_EVIDENCE: Evidence[] = Object.freeze([]) as unknown as Evidence[];

/** The source kind every view has, or undefined when they differ (or there are none). */
function soleSourceKind(views: readonly ResourceView[]): string | undefined {
  if (views.length === 0) return undefined;
  const kind = views[0].source.kind;
  for (let j = 1; j < views.length; j++) if (views[j].source.kind !== kind) return undefined;
  return kind;
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

/** The summary of a table: counts per status, failing counts per severity, rules and resources. */
function summarizeTable(table: FindingTable, compiled: CompiledRule[], resources: number): FindingsSummary {
  const byStatus = table.countStatuses();
  const failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as FindingsSummary["failBySeverity"];
  table.failsByRule().forEach((n, r) => (failBySeverity[compiled[r].rule.def.severity] += n));
  return { byStatus, failBySeverity, rules: compiled.length, resources };
}

