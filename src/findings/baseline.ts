/** Baseline diff: which failing findings are new, which were already there, which are fixed. */
import { arrayRows, type FindingRows } from "./rows";
import type { Finding, FindingsFile } from "./types";

/**
 * Mark each current failing or unknown finding `new` or `unchanged` against the
 * baseline's findings of the same id and status; return the baseline's failing findings
 * that now pass, no longer apply or are gone, marked `fixed`.
 */
export function applyBaseline(findings: Finding[] | FindingRows, baseline: FindingsFile): Finding[] {
  const rows = Array.isArray(findings) ? arrayRows(findings) : findings;
  const before = new Map<string, Finding>();
  for (const f of baseline.findings) before.set(f.id, f);
  const now = new Map<string, string>();
  for (let i = 0; i < rows.length; i++) {
    const id = rows.id(i);
    const status = rows.status(i);
    now.set(id, status);
    if (status !== "fail" && status !== "unknown") continue;
    const b = before.get(id);
    rows.setBaseline(i, b && b.status === status ? "unchanged" : "new");
  }
  const fixed: Finding[] = [];
  for (const b of baseline.findings) {
    if (b.status !== "fail") continue;
    const cur = now.get(b.id);
    if (cur === undefined || cur === "pass" || cur === "not_applicable") fixed.push({ ...b, baseline: "fixed" });
  }
  return fixed;
}
