/**
 * The suppressions file: accepted risks, each with a reason, an owner and an expiry
 * date. An expired entry no longer applies and is reported with what it would match.
 */
import { compileGlob, type GlobMatcher } from "../policy/patterns";
import type { RuleSet } from "../policy/types";
import { UserError, UserErrors } from "../util/errors";
import { parseYamlFile } from "../util/yaml";
import { arrayRows, type FindingRows } from "./rows";
import type { ExpiredSuppression, Finding, SuppressionRef } from "./types";

export interface SuppressionEntry extends SuppressionRef {
  /** End of the expiry day (UTC), in ms. */
  expiresMs: number;
  match: GlobMatcher;
  line?: number;
}

export interface Suppressions {
  file: string;
  entries: SuppressionEntry[];
}

const KEYS = ["rule", "resource", "reason", "owner", "expires"];

/** Read and validate a suppressions file (a list, or `suppressions:` holding one). */
export function loadSuppressions(file: string): Suppressions {
  const doc = parseYamlFile(file);
  const root = doc.value;
  const nested = root && typeof root === "object" && !Array.isArray(root);
  const list = nested ? (root as Record<string, unknown>).suppressions : root ?? [];
  const base: Array<string | number> = nested ? ["suppressions"] : [];
  const errors: UserError[] = [];
  const err = (path: Array<string | number>, message: string): void => {
    errors.push(new UserError(message, { file, line: doc.lineOf(path), field: path.join(".") || undefined }));
  };
  if (nested) {
    for (const k of Object.keys(root as object)) if (k !== "suppressions") err([k], "unknown key; expected 'suppressions'");
  }
  if (!Array.isArray(list)) {
    err(base, "expected a list of entries {rule, resource, reason, owner, expires}");
    throw new UserErrors(errors);
  }
  const entries: SuppressionEntry[] = [];
  list.forEach((raw: unknown, i: number) => {
    const at = [...base, i];
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return err(at, "expected a mapping {rule, resource, reason, owner, expires}");
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!KEYS.includes(k)) err([...at, k], `unknown key; expected ${KEYS.join(", ")}`);
    let ok = true;
    for (const k of KEYS) {
      const v = e[k] instanceof Date ? (e[k] as Date).toISOString().slice(0, 10) : e[k];
      if (typeof v !== "string" || v.trim() === "") { err([...at, k], `missing or empty '${k}'`); ok = false; }
      else e[k] = v;
    }
    if (!ok) return;
    const expires = String(e.expires);
    const day = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T23:59:59.999Z`) : NaN;
    if (Number.isNaN(day)) return err([...at, "expires"], `expected a date YYYY-MM-DD, got '${expires}'`);
    const line = doc.lineOf(at);
    entries.push({
      rule: String(e.rule), resource: String(e.resource), reason: String(e.reason), owner: String(e.owner), expires,
      at: `${file}:${line ?? "?"}`, expiresMs: day, match: compileGlob(String(e.resource)), line,
    });
  });
  if (errors.length) throw new UserErrors(errors);
  return { file, entries };
}

/** Every entry must name a loaded rule: a typo would otherwise silently suppress nothing. */
export function checkSuppressionRules(s: Suppressions, rules: RuleSet): void {
  const errors = s.entries
    .filter((e) => !rules.byId.has(e.rule))
    .map((e) => new UserError(`no rule with id '${e.rule}'`, { file: s.file, line: e.line, field: "rule" }));
  if (errors.length) throw new UserErrors(errors);
}

/**
 * Mark failing and unknown findings matched by an active entry as suppressed; return
 * the expired entries with how many findings each would have matched.
 */
export function applySuppressions(findings: Finding[] | FindingRows, s: Suppressions, rules: RuleSet, now: number = Date.now()): ExpiredSuppression[] {
  checkSuppressionRules(s, rules);
  const rows = Array.isArray(findings) ? arrayRows(findings) : findings;
  const byRule = new Map<string, SuppressionEntry[]>();
  for (const e of s.entries) {
    const same = byRule.get(e.rule);
    if (same) same.push(e);
    else byRule.set(e.rule, [e]);
  }
  const expiredCount = new Map<SuppressionEntry, number>();
  for (const e of s.entries) if (e.expiresMs < now) expiredCount.set(e, 0);
  if (byRule.size) {
    for (let i = 0; i < rows.length; i++) {
      const status = rows.status(i);
      if (status !== "fail" && status !== "unknown") continue;
      const entries = byRule.get(rows.ruleId(i));
      if (!entries) continue;
      const resourceId = rows.resourceId(i);
      const resourceName = rows.resourceName(i);
      let active: SuppressionEntry | undefined;
      for (const e of entries) {
        if (!e.match(resourceId) && !(resourceName !== undefined && e.match(resourceName))) continue;
        if (e.expiresMs < now) expiredCount.set(e, (expiredCount.get(e) ?? 0) + 1);
        else active ??= e;
      }
      if (active) rows.suppress(i, { rule: active.rule, resource: active.resource, reason: active.reason, owner: active.owner, expires: active.expires, at: active.at });
    }
  }
  return [...expiredCount].map(([e, matched]) => ({ rule: e.rule, resource: e.resource, reason: e.reason, owner: e.owner, expires: e.expires, at: e.at, matched }));
}
