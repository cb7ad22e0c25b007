/**
 * Facts many secrets share, computed once and shared between their views. A 100k-secret
 * estate has a few dozen distinct key references and mostly no policy or reads: building
 * each of those facts per secret made every view ~30% larger, and the garbage collector's
 * copying of them was a third of the analysis time.
 *
 * Shared facts are frozen: views are read-only for rules and reports, and a write to a
 * shared fact would otherwise change every view holding it. They serialise exactly as
 * the per-secret objects they replace (same keys, order and values).
 */
import type { KeyFacts, PolicyFacts, ReadFacts } from "./facts";
import { resolveKeyInto, type KeyIndex } from "./keys";

/** The facts of one key reference in one account-region, with what resolving it records. */
interface KeyMemo {
  facts: KeyFacts;
  /** Unknowns as written under `facts.key`: full path, reason, path, reason … */
  unknowns: string[];
  /** The snapshot id of the key found, when it has one. */
  keyId: string | undefined;
}

/** Key facts memoised by account → region → reference (undefined and "" kept apart, as resolveKey does). */
export class KeyMemos {
  private readonly byAccount = new Map<string | undefined, Map<string | undefined, Map<string | null, KeyMemo>>>();
  private lastAccount: string | undefined;
  private lastRegion: string | undefined;
  private last: Map<string | null, KeyMemo> | undefined;

  constructor(private readonly index: KeyIndex) {}

  /**
   * `resolveKeyInto(index, ref, account, region, undefined, out, "facts.key", keyIds)` for
   * a secret's own key, with the facts object shared between the secrets it fits.
   */
  secretKey(ref: string | null, account: string | undefined, region: string | undefined, out: Record<string, string>, keyIds: string[]): KeyFacts {
    let refs = this.last;
    if (!refs || account !== this.lastAccount || region !== this.lastRegion) {
      let regions = this.byAccount.get(account);
      if (!regions) this.byAccount.set(account, (regions = new Map()));
      refs = regions.get(region);
      if (!refs) regions.set(region, (refs = new Map()));
      this.last = refs;
      this.lastAccount = account;
      this.lastRegion = region;
    }
    let memo = refs.get(ref);
    if (!memo) {
      const written: Record<string, string> = {};
      const ids: string[] = [];
      const facts = Object.freeze(resolveKeyInto(this.index, ref, account, region, undefined, written, "facts.key", ids));
      const unknowns: string[] = [];
      for (const path in written) unknowns.push(path, written[path]);
      memo = { facts, unknowns, keyId: ids.length > 0 ? ids[0] : undefined };
      refs.set(ref, memo);
    }
    for (let i = 0; i < memo.unknowns.length; i += 2) out[memo.unknowns[i]] = memo.unknowns[i + 1];
    if (memo.keyId !== undefined) keyIds.push(memo.keyId);
    return memo.facts;
  }
}

/** One tag set: the tags object views share, and its keys sorted. */
export interface TagSet {
  tags: Record<string, string> | undefined;
  /** `Object.keys(tags).sort()`, frozen (an empty list when there are no tags). */
  keys: string[];
}

/** Trie points made for tag contents; past this (tags that name each secret) new sets are not shared. */
const MAX_TAG_NODES = 50_000;

/** A point of the content trie: tokens alternate key, value, key, value … */
class TagNode {
  readonly next = new Map<string, TagNode>();
  set: TagSet | undefined = undefined;
}

/**
 * Tag sets by content (the same keys and values in the same order): the views of secrets
 * tagged alike share one tags object — the first such secret's own, as read from the
 * snapshot (views are read-only) — and one sorted key list. The memo of decisions
 * (policy/memo.ts) keys objects by identity, so this is what lets it find them. Contents
 * are looked up in a trie of their keys and values, so nothing is built per secret.
 */
export class TagSets {
  private readonly root = new TagNode();
  private nodes = 0;

  /** The set with `tags`' content (made from `tags` when new). */
  of(tags: Record<string, string> | undefined): TagSet {
    if (tags === undefined || tags === null) return NO_TAGS;
    const node = this.find(tags);
    let set = node?.set;
    if (set === undefined) {
      set = { tags, keys: Object.freeze(sortedKeys(tags)) as string[] };
      if (node !== undefined) node.set = set;
    }
    return set;
  }

  /** The trie point of `tags`' content (made when missing), or undefined for a value that is not a string or a full trie. */
  private find(tags: Record<string, string>): TagNode | undefined {
    let node: TagNode | undefined = this.root;
    for (const k in tags) {
      const v = tags[k];
      if (typeof v !== "string") return undefined;
      node = this.step(this.step(node, k), v);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private step(node: TagNode | undefined, token: string): TagNode | undefined {
    if (node === undefined) return undefined;
    let next = node.next.get(token);
    if (next === undefined) {
      if (this.nodes >= MAX_TAG_NODES) return undefined;
      node.next.set(token, (next = new TagNode()));
      this.nodes++;
    }
    return next;
  }
}

const NO_TAGS: TagSet = Object.freeze({ tags: undefined, keys: Object.freeze([]) as unknown as string[] });

/**
 * `Object.keys(o).sort()`: the default sort orders strings by UTF-16 code units, which
 * `<` does too. Insertion sort for the usual handful of tags avoids the work area
 * Array.prototype.sort allocates per call.
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

/** A frozen empty list, for the facts lists most secrets leave empty. */
export const EMPTY_LIST: never[] = Object.freeze([]) as unknown as never[];

/** Policy facts of a secret without a document; `present` is true only for a falsy non-null value. */
export function emptyPolicyFacts(present: boolean): PolicyFacts {
  return present ? POLICY_FALSY : POLICY_NONE;
}

function policyFacts(present: boolean): PolicyFacts {
  return Object.freeze({
    present,
    public: false,
    publicStatements: EMPTY_LIST,
    principals: EMPTY_LIST,
    foreignPrincipals: EMPTY_LIST,
    wildcardActionGrants: EMPTY_LIST,
    usesNotPrincipal: false,
    usesNotAction: false,
    requiresSourceVpce: false,
    allowedVpces: EMPTY_LIST,
  });
}
const POLICY_NONE = policyFacts(false);
const POLICY_FALSY = policyFacts(true);

/** Read facts of a secret no read was recorded for. */
export const NO_READ_FACTS: ReadFacts = Object.freeze({
  total: 0,
  denied: 0,
  viaVpce: 0,
  awsService: 0,
  outsideVpce: 0,
  maxDeniedByPrincipal: 0,
  principals: EMPTY_LIST,
  sinceDeletion: 0,
});
