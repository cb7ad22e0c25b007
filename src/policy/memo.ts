/**
 * A memo of one rule's decisions, keyed by the values the rule read. A rule's outcome
 * (status, reason, evidence, message template) is a function of what it reads: given the
 * same values at the same paths, in order, it reads the same next path and ends the same
 * way. So each evaluation's reads form a path in a tree (next path read → value →
 * next path read …) that ends in its outcome, and a later view that reads the same values
 * reaches it with a few property loads and map lookups instead of running the rule.
 *
 * Plain values key the tree as themselves; small lists and objects (tags, tag keys, an
 * empty grant list) by their content (see ShapeTrie), so a `some`/`every` over them,
 * whose element reads see only that content, is remembered too. A larger value ends the
 * walk and the rule runs in full.
 */
import { readAt, UNKNOWN, type Accessor, type EvalCtx, type ReadTrace } from "./condition";
import type { Outcome } from "./table";

/** One point of the tree: every field is set at construction, so all nodes share one shape. */
class MemoNode {
  /** The path read next (unset at an outcome, or before anything was remembered). */
  read: Accessor | undefined = undefined;
  /** Next node by the plain value read (true, false and absent have their own fields: they are most reads). */
  whenTrue: MemoNode | undefined = undefined;
  whenFalse: MemoNode | undefined = undefined;
  whenAbsent: MemoNode | undefined = undefined;
  values: Map<unknown, MemoNode> | undefined = undefined;
  /** Next node by the content of the list or object read. */
  shapes: ShapeTrie | undefined = undefined;
  /** Next node by the reason, when the value read was unknown. */
  unknowns: Map<string, MemoNode> | undefined = undefined;
  outcome: Outcome | undefined = undefined;
  /** Values read here that were too large to key the tree. */
  unkeyed = 0;
}

/** Distinct values remembered after one read: bounds the memo of a rule that reads ids. */
const MAX_BRANCHES = 4096;
/** Values (of lists and objects, nested) a content key may spell out. */
const MAX_PARTS = 24;
/** Reads at one node whose value could not key the tree, after which it stops trying. */
const MAX_UNKEYED = 256;

/**
 * Lists and objects key the tree by their content, fed as tokens into a trie of maps: a
 * list is LIST, its items, END; an object OBJECT, then each key and its value, END (key
 * order kept: `some`/`every` walk objects in that order). Markers are symbols, so no
 * two contents give the same tokens. Nothing is built to look a content up.
 */
class ShapeTrie {
  readonly next = new Map<unknown, ShapeTrie>();
  node: MemoNode | undefined = undefined;
}
const LIST = Symbol("list");
const OBJECT = Symbol("object");
const END = Symbol("end");

let budget = 0;

/** A value that keys the tree as itself: null or a string, number, boolean, bigint or undefined. */
function isPlain(v: unknown): v is string | number | boolean | bigint | null | undefined {
  return v === null || (typeof v !== "object" && typeof v !== "function" && typeof v !== "symbol");
}

/** The trie point of `v`'s content below `t` (made when `create`), or undefined. */
function walkShape(t: ShapeTrie, v: object, create: boolean): ShapeTrie | undefined {
  budget = MAX_PARTS;
  return walk(t, v, create);
}

function walk(t: ShapeTrie | undefined, v: unknown, create: boolean): ShapeTrie | undefined {
  if (t === undefined || --budget < 0) return undefined;
  if (isPlain(v)) return step(t, v, create);
  if (Array.isArray(v)) {
    t = step(t, LIST, create);
    for (let i = 0; i < v.length && t !== undefined; i++) t = walk(t, v[i], create);
    return t && step(t, END, create);
  }
  if (typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  t = step(t, OBJECT, create);
  for (const k in v) {
    if (t === undefined) return undefined;
    t = walk(step(t, k, create), (v as Record<string, unknown>)[k], create);
  }
  return t && step(t, END, create);
}

/** Whether `v` is a content of at most `budget` values (lists and plain objects of plain values). */
function fits(v: unknown): boolean {
  if (--budget < 0) return false;
  if (isPlain(v)) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!fits(v[i])) return false;
    return true;
  }
  if (typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (!fits((v as Record<string, unknown>)[k])) return false;
  return true;
}

function step(t: ShapeTrie, token: unknown, create: boolean): ShapeTrie | undefined {
  let n = t.next.get(token);
  if (n === undefined && create && t.next.size < MAX_BRANCHES) t.next.set(token, (n = new ShapeTrie()));
  return n;
}

/** The child of `node` for value `v` (read at `node`), if any. */
function childFor(node: MemoNode, v: unknown): MemoNode | undefined {
  if (v === true) return node.whenTrue;
  if (v === false) return node.whenFalse;
  if (v === undefined) return node.whenAbsent;
  if (isPlain(v)) return node.values?.get(v);
  if (typeof v !== "object" || node.shapes === undefined || node.unkeyed >= MAX_UNKEYED) return undefined;
  const t = walkShape(node.shapes, v, false);
  if (t === undefined && budget < 0) node.unkeyed++;
  return t?.node;
}

/** The child of `node` for value `v`, made when missing; undefined when `v` cannot key the tree or the node is full. */
function makeChild(node: MemoNode, v: unknown): MemoNode | undefined {
  if (v === true) return (node.whenTrue ??= new MemoNode());
  if (v === false) return (node.whenFalse ??= new MemoNode());
  if (v === undefined) return (node.whenAbsent ??= new MemoNode());
  if (isPlain(v)) return grow((node.values ??= new Map()), v);
  if (typeof v !== "object") return undefined;
  // Measured first, so that a value too large to key leaves no partial path behind.
  budget = MAX_PARTS;
  if (!fits(v)) {
    node.unkeyed++;
    return undefined;
  }
  const t = walkShape((node.shapes ??= new ShapeTrie()), v, true);
  return t && (t.node ??= new MemoNode());
}

function grow(map: Map<unknown, MemoNode>, key: unknown): MemoNode | undefined {
  let next = map.get(key);
  if (next === undefined) {
    if (map.size >= MAX_BRANCHES) return undefined;
    map.set(key, (next = new MemoNode()));
  }
  return next;
}

/** The decisions of one rule (see the module comment). */
export class DecisionMemo {
  private readonly root = new MemoNode();

  /** The remembered outcome for the view in `ctx` (`ctx.root`, `ctx.rootUnknowns`), if any. */
  lookup(ctx: EvalCtx): Outcome | undefined {
    let node = this.root;
    const view = ctx.root;
    const unknowns = ctx.rootUnknowns;
    for (;;) {
      if (node.outcome !== undefined) return node.outcome;
      const acc = node.read;
      if (acc === undefined) return undefined;
      const v = readAt(acc, view, unknowns, ctx);
      const next = v === UNKNOWN ? node.unknowns?.get(ctx.unknown as string) : childFor(node, v);
      if (next === undefined) return undefined;
      node = next;
    }
  }

  /** Remember `outcome` for the reads of `trace` (a trace that cannot key the tree is ignored). */
  remember(trace: ReadTrace, outcome: Outcome): void {
    let node = this.root;
    for (let i = 0; i < trace.reads.length; i++) {
      if (node.outcome !== undefined) return;
      const acc = trace.reads[i];
      if (node.read === undefined) node.read = acc;
      else if (node.read !== acc) return;
      const reason = trace.unknowns[i];
      const next = reason !== undefined ? grow((node.unknowns ??= new Map()) as Map<unknown, MemoNode>, reason) : makeChild(node, trace.values[i]);
      if (next === undefined) return;
      node = next;
    }
    if (node.read === undefined) node.outcome = outcome;
  }
}

/** An empty trace to record one evaluation into. */
export function newTrace(): ReadTrace {
  return { reads: [], values: [], unknowns: [] };
}

/** Empty `trace` for the next evaluation. */
export function resetTrace(trace: ReadTrace): void {
  trace.reads.length = 0;
  trace.values.length = 0;
  trace.unknowns.length = 0;
}
