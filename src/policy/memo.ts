/**
 * A memo of decisions, keyed by the values read. A rule's outcome (status, reason,
 * evidence, message template) is a function of what it reads: given the same values at
 * the same paths, in order, it reads the same next path and ends the same way. So each
 * evaluation's reads form a path in a tree (next path read → value → next path read …)
 * that ends in its outcome, and a later view that reads the same values reaches it with
 * a few property loads and map lookups instead of running the rule.
 *
 * Plain values key the tree as themselves; lists and objects by identity. The same
 * object read again has the same content (views are read-only), and analysis shares one
 * object between the views whose content is the same where that is common (tag sets, tag
 * keys, empty fact lists, key facts), so identity finds them. A `some`/`every` over a
 * list reads only that list's elements, so keying by the list covers it.
 *
 * The same tree, rooted at one element of a list, remembers what a `some`/`every`
 * condition decided for that element (see `ElementMemo`): lists that are new to the rule
 * (read statistics per principal) are then decided element by element from memory.
 */
import { readAt, UNKNOWN, type Accessor, type ReadTrace } from "./read";

/** One point of the tree: every field is set at construction, so all nodes share one shape. */
class MemoNode<T> {
  /** The path read next (unset at an outcome, or before anything was remembered). */
  read: Accessor | undefined = undefined;
  /** Next node by the plain value read (true, false and absent have their own fields: they are most reads). */
  whenTrue: MemoNode<T> | undefined = undefined;
  whenFalse: MemoNode<T> | undefined = undefined;
  whenAbsent: MemoNode<T> | undefined = undefined;
  /** Next node by any other value read: plain values as themselves, lists and objects by identity. */
  values: Map<unknown, MemoNode<T>> | undefined = undefined;
  /** Next node by the reason, when the value read was unknown. */
  unknowns: Map<string, MemoNode<T>> | undefined = undefined;
  outcome: T | undefined = undefined;
}

/** Distinct values remembered after one read: bounds the memo of a rule that reads ids or per-resource lists. */
const MAX_BRANCHES = 4096;

function childFor<T>(node: MemoNode<T>, v: unknown): MemoNode<T> | undefined {
  if (v === true) return node.whenTrue;
  if (v === false) return node.whenFalse;
  if (v === undefined) return node.whenAbsent;
  return node.values?.get(v);
}

function makeChild<T>(node: MemoNode<T>, v: unknown): MemoNode<T> | undefined {
  if (v === true) return (node.whenTrue ??= new MemoNode());
  if (v === false) return (node.whenFalse ??= new MemoNode());
  if (v === undefined) return (node.whenAbsent ??= new MemoNode());
  return grow((node.values ??= new Map()), v);
}

function grow<T>(map: Map<unknown, MemoNode<T>>, key: unknown): MemoNode<T> | undefined {
  let next = map.get(key);
  if (next === undefined) {
    if (map.size >= MAX_BRANCHES) return undefined;
    map.set(key, (next = new MemoNode()));
  }
  return next;
}

/** The decisions of one rule, or of one condition over one list element (see the module comment). */
export class DecisionMemo<T> {
  private readonly root = new MemoNode<T>();

  /** The remembered outcome for `obj` (whose unknowns are `unknowns`), if any; `ctx.unknown` is scratch. */
  lookup(obj: unknown, unknowns: Record<string, string> | undefined, ctx: { unknown?: string }): T | undefined {
    let node = this.root;
    for (;;) {
      if (node.outcome !== undefined) return node.outcome;
      const acc = node.read;
      if (acc === undefined) return undefined;
      const v = readAt(acc, obj, unknowns, ctx);
      const next = v === UNKNOWN ? node.unknowns?.get(ctx.unknown as string) : childFor(node, v);
      if (next === undefined) return undefined;
      node = next;
    }
  }

  /** Remember `outcome` for the reads of `trace` (ignored when a branch point is full). */
  remember(trace: ReadTrace, outcome: T): void {
    const leaf = this.place(trace);
    if (leaf !== undefined) leaf.outcome = outcome;
  }

  /** Where the outcome of the reads of `trace` is kept (made as needed), or undefined when a branch point is full. */
  place(trace: ReadTrace): { outcome: T | undefined } | undefined {
    let node = this.root;
    for (let i = 0; i < trace.reads.length; i++) {
      if (node.outcome !== undefined) return undefined;
      const acc = trace.reads[i];
      if (node.read === undefined) node.read = acc;
      else if (node.read !== acc) return undefined;
      const reason = trace.unknowns[i];
      const next = reason !== undefined ? grow((node.unknowns ??= new Map()) as Map<unknown, MemoNode<T>>, reason) : makeChild(node, trace.values[i]);
      if (next === undefined) return undefined;
      node = next;
    }
    return node.read === undefined && node.outcome === undefined ? node : undefined;
  }
}

/** Lists longer than this are decided element by element in full past it. */
const MAX_ELEMENTS = 64;

/**
 * What a `some`/`every` condition decided for one element, keyed by the element's
 * position (its evidence paths name it) and then by the values its condition read.
 */
export class ElementMemo<T> {
  private readonly byIndex: Array<DecisionMemo<T> | undefined> = [];

  /** The memo of position `i`, or undefined past MAX_ELEMENTS. */
  at(i: number): DecisionMemo<T> | undefined {
    if (i >= MAX_ELEMENTS) return undefined;
    return (this.byIndex[i] ??= new DecisionMemo<T>());
  }
}
