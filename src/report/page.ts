/**
 * The HTML page shell shared by every HTML report: reports/page.html with reports/report.css
 * and reports/filter.js inlined, so the output is one self-contained file. A Content-Security-
 * Policy allows only the one inline script (by its hash) and no network at all, so even a
 * value that escaped escaping could neither run nor fetch anything.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../util/errors";
import { TOOL, packageRoot } from "../version";
import { escapeHtml } from "./escape";

const cache = new Map<string, string>();

/** Read one asset of reports/ (cached for the process). */
export function reportAsset(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    const file = join(packageRoot(), "reports", name);
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UserError(`report asset missing: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
    }
    cache.set(name, text);
  }
  return text;
}

export interface PageParts {
  title: string;
  body: string;
  /** Whether to include the filter script. */
  filters?: boolean;
}

/** Assemble a complete, self-contained HTML document. */
export function renderPage(p: PageParts): string {
  const script = p.filters ? reportAsset("filter.js") : "";
  const hash = createHash("sha256").update(`\n${script}\n`, "utf8").digest("base64");
  const values: Record<string, string> = {
    title: escapeHtml(p.title),
    generator: escapeHtml(`${TOOL.name} ${TOOL.version}`),
    css: reportAsset("report.css"),
    scriptHash: p.filters ? `'sha256-${hash}'` : "'none'",
    // No filters, no script element at all (an empty one would itself violate script-src 'none').
    scriptTag: p.filters ? `<script>\n${script}\n</script>` : "",
    body: p.body,
  };
  // One pass over the template: substituted text is never scanned again for placeholders.
  return reportAsset("page.html").replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}
