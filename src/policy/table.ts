/**
 * The evaluator's findings in columns: for each rule (in rule order) one slot per view
 * of the rule's resource kind, holding the outcome that decided it (status, reason,
 * evidence and message template, shared between findings with the same reads) and the
 * current status code. A finding object is made from a slot, its rule and its view only
 * when asked for, so a run over 100,000 secrets keeps a few bytes per finding.
 */
import type { ResourceView } from "../analyze/facts";
import type { FindingRows } from "../findings/rows";
import type { BaselineState, Evidence, Finding, Status, SuppressionRef } from "../findings/types";
import type { MessageFn } from "./messages";

/** How a finding was decided; one object serves every finding decided the same way. */
export interface Outcome {
  status: Exclude<Status, "suppressed">;
  reason: string | undefined;
  evidence: Evidence[];
  fill: MessageFn;
}

/** What the table needs of a compiled rule. */
export interface TableRule {
  idPrefix: string;
  title: string;
  rule: { def: { id: string; severity: Finding["severity"]; resource: Finding["resourceKind"]; controls: Record<string, string[]> } };
}

/** Status codes of the status column. */
const STATUS_CODES: readonly Status[] = ["pass", "fail", "unknown", "not_applicable", "suppressed"];
const CODE = Object.fromEntries(STATUS_CODES.map((s, i) => [s, i])) as Record<Status, number>;
const SUPPRESSED = CODE.suppressed;
/** Placeholder of a slot not yet decided (never left in a finished table). */
const PENDING: Outcome = { status: "unknown", reason: "not evaluated", evidence: [], fill: () => "not evaluated" };
const BASELINE: readonly (BaselineState | undefined)[] = [undefined, "new", "unchanged", "fixed"];

/** Findings of a run held in columns (see the module comment). */
export class FindingTable implements FindingRows {
  readonly length: number;
  /** Slot of each rule's first finding; `starts[rules.length]` is the total. */
  private readonly starts: number[];
  private readonly outcomes: Outcome[];
  private readonly codes: Uint8Array;
  private suppressions?: Map<number, SuppressionRef>;
  private baselines?: Uint8Array;

  constructor(private readonly rules: readonly TableRule[], private readonly views: readonly (readonly ResourceView[])[]) {
    this.starts = [0];
    for (const v of views) this.starts.push(this.starts[this.starts.length - 1] + v.length);
    this.length = this.starts[rules.length];
    // Filled at once: fast elements (checked with %HasDictionaryElements), 4x quicker than pushing.
    this.outcomes = new Array<Outcome>(this.length).fill(PENDING);
    this.codes = new Uint8Array(this.length);
  }

  /** The slot of rule `r`'s finding for its `j`th view. */
  slot(r: number, j: number): number {
    return this.starts[r] + j;
  }

  /** Record the outcome of a slot (every slot is set once, by the evaluator). */
  set(i: number, o: Outcome): void {
    this.outcomes[i] = o;
    this.codes[i] = CODE[o.status];
  }

  /** Record `o` as the outcome of every slot of rule `r`. */
  fill(r: number, o: Outcome): void {
    this.outcomes.fill(o, this.starts[r], this.starts[r + 1]);
    this.codes.fill(CODE[o.status], this.starts[r], this.starts[r + 1]);
  }

  /** Rule index of a slot (binary search over 24-odd rule starts). */
  private ruleOf(i: number): number {
    let lo = 0, hi = this.rules.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private viewOf(i: number, r: number = this.ruleOf(i)): ResourceView {
    return this.views[r][i - this.starts[r]];
  }

  status(i: number): Status {
    return STATUS_CODES[this.codes[i]];
  }

  ruleId(i: number): string {
    return this.rules[this.ruleOf(i)].rule.def.id;
  }

  id(i: number): string {
    const r = this.ruleOf(i);
    return this.rules[r].idPrefix + this.viewOf(i, r).id;
  }

  resourceId(i: number): string {
    return this.viewOf(i).id;
  }

  resourceName(i: number): string | undefined {
    return resourceName(this.viewOf(i));
  }

  countStatuses(): Record<Status, number> {
    const n = [0, 0, 0, 0, 0];
    const codes = this.codes;
    for (let i = 0; i < codes.length; i++) n[codes[i]]++;
    return Object.fromEntries(STATUS_CODES.map((s, i) => [s, n[i]])) as Record<Status, number>;
  }

  /** Failing findings per rule index. */
  failsByRule(): number[] {
    const out: number[] = [];
    const fail = CODE.fail;
    for (let r = 0; r < this.rules.length; r++) {
      let n = 0;
      for (let i = this.starts[r]; i < this.starts[r + 1]; i++) if (this.codes[i] === fail) n++;
      out.push(n);
    }
    return out;
  }

  suppress(i: number, ref: SuppressionRef): void {
    (this.suppressions ??= new Map()).set(i, ref);
    this.codes[i] = SUPPRESSED;
  }

  setBaseline(i: number, state: BaselineState): void {
    (this.baselines ??= new Uint8Array(this.length))[i] = BASELINE.indexOf(state);
  }

  /** The finding of slot `i` as a new object, fields in the findings file's order. */
  at(i: number): Finding {
    const r = this.ruleOf(i);
    const cr = this.rules[r];
    const view = this.viewOf(i, r);
    const o = this.outcomes[i];
    const def = cr.rule.def;
    const code = this.codes[i];
    const f: Finding = {
      id: cr.idPrefix + view.id,
      ruleId: def.id,
      title: cr.title,
      severity: def.severity,
      resourceKind: def.resource,
      resourceId: view.id,
      resourceName: resourceName(view),
      accountId: view.accountId,
      region: (view as { region?: string }).region,
      status: STATUS_CODES[code],
      message: o.fill(view, o.reason),
      reason: o.reason,
      evidence: o.evidence,
      source: view.source,
      controls: def.controls,
      tags: (view as { tags?: Record<string, string> }).tags,
    };
    if (code === SUPPRESSED) {
      f.suppressedStatus = o.status;
      f.suppression = this.suppressions?.get(i);
    }
    const b = this.baselines?.[i];
    if (b) f.baseline = BASELINE[b];
    return f;
  }
}

/** The name a finding shows for its resource. */
export function resourceName(view: ResourceView): string | undefined {
  switch (view.kind) {
    case "secret": case "trail": return view.name;
    case "vpc": return view.vpcId;
    case "kmsKey": return view.aliases?.[0] ?? view.keyId;
    case "account": return view.name ?? view.accountId;
  }
}
