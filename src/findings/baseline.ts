/** Baseline diff: which failing findings are new, which were already there, which are fixed. */
import type { Finding, FindingsFile } from "./types";

/**
 * Mark each current failing or unknown finding `new` or `unchanged` against the
 * baseline's findings of the same id and status; return the baseline's failing findings
 * that now pass, no longer apply or are gone, marked `fixed`.
 */
export function applyBaseline(findings: Finding[], baseline: FindingsFile): Finding[] {
  const before = new Map<string, Finding>();
  for (const f of baseline.findings) before.set(f.id, f);
  const now = new Map<string, Finding>();
  for (const f of findings) {
    now.set(f.id, f);
    if (f.status !== "fail" && f.status !== "unknown") continue;
    const b = before.get(f.id);
    f.baseline = b && b.status === f.status ? "unchanged" : "new";
  }
  const fixed: Finding[] = [];
  for (const b of baseline.findings) {
    if (b.status !== "fail") continue;
    const cur = now.get(b.id);
    if (!cur || cur.status === "pass" || cur.status === "not_applicable") fixed.push({ ...b, baseline: "fixed" });
  }
  return fixed;
}
