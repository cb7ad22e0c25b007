/**
 * JUnit XML: one <testsuite> per rule, one <testcase> per rule × resource.
 * - fail            → <failure type="fail">
 * - unknown         → <error type="unknown">: the check could not be decided. JUnit's
 *                     "error" means exactly that (the test could not run to a verdict), and
 *                     every CI system counts errors as not green, so unknown never passes.
 * - suppressed      → <skipped> with the suppression's reason, owner and expiry
 * - not_applicable  → <skipped> with the reason
 * - pass            → an empty testcase
 * Streamed: suites are written rule by rule from an index, never as one big string.
 * A failure's or error's body is what the message attribute does not already say: the reason,
 * the code location and the evidence (severity and title are the suite's properties, the
 * resource is the testcase name), so each listed finding costs a few hundred bytes.
 * With rows = "issues" only fail / unknown / suppressed get a testcase each; the passing and
 * not-applicable resources of a rule are one summary testcase (passing, or skipped when all n/a).
 */
import { rowsOf } from "../findings/rows";
import type { Finding, FindingsFile } from "../findings/types";
import { formatSource, formatValue } from "./compliance";
import type { RowSelection } from "./csv";
import { escapeXml } from "./escape";
import { AtomicStreamWriter } from "../util/atomic-stream";
import { type MessageOf, readMessage } from "./stream";

/** Write the findings as JUnit XML to `path` (atomically); returns bytes written. */
export function writeJunit(path: string, file: FindingsFile, rows: RowSelection = "all", messageOf: MessageOf = readMessage): number {
  const issuesOnly = rows === "issues";
  const byRule = new Map<string, { first: number; idx: number[]; pass: number; na: number }>();
  // Counted from the rows: only the findings listed are made (columnar files hold millions).
  const found = rowsOf(file);
  for (let i = 0; i < found.length; i++) {
    const ruleId = found.ruleId(i);
    const status = found.status(i);
    let r = byRule.get(ruleId);
    if (!r) byRule.set(ruleId, (r = { first: i, idx: [], pass: 0, na: 0 }));
    if (!issuesOnly || (status !== "pass" && status !== "not_applicable")) r.idx.push(i);
    else if (status === "pass") r.pass++;
    else r.na++;
  }
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = [...byRule.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ruleId, r]) => {
    const { idx, first } = r;
    const summary = issuesOnly && r.pass + r.na > 0 ? { pass: r.pass, na: r.na } : undefined;
    const c = { tests: idx.length + (summary ? 1 : 0), failures: 0, errors: 0, skipped: summary && summary.pass === 0 ? 1 : 0 };
    for (const i of idx) {
      const s = found.status(i);
      if (s === "fail") c.failures++;
      else if (s === "unknown") c.errors++;
      else if (s === "suppressed" || s === "not_applicable") c.skipped++;
    }
    totals.tests += c.tests; totals.failures += c.failures; totals.errors += c.errors; totals.skipped += c.skipped;
    return { ruleId, idx, first, summary, c };
  });
  const w = new AtomicStreamWriter(path);
  try {
    w.write('<?xml version="1.0" encoding="UTF-8"?>\n');
    w.write(`<testsuites name="sm-audit" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" timestamp="${escapeXml(file.generatedAt)}">\n`);
    for (const { ruleId, idx, first: firstIndex, summary, c } of suites) {
      const first = found.at(firstIndex);
      w.write(`  <testsuite name="${escapeXml(ruleId)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" timestamp="${escapeXml(file.generatedAt)}">\n`);
      w.write(`    <properties><property name="title" value="${escapeXml(first.title)}"/><property name="severity" value="${escapeXml(first.severity)}"/></properties>\n`);
      const classAttr = ` classname="${escapeXml(ruleId)}"`;
      for (const i of idx) w.write(testcase(found.at(i), classAttr, messageOf));
      if (summary) {
        const name = `${summary.pass} passing and ${summary.na} not-applicable resources (counted, not listed)`;
        w.write(`    <testcase classname="${escapeXml(ruleId)}" name="${escapeXml(name)}">${summary.pass === 0 ? `<skipped message="all ${summary.na} not applicable"/>` : ""}</testcase>\n`);
      }
      w.write("  </testsuite>\n");
    }
    w.write("</testsuites>\n");
    return w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
}

function testcase(f: Finding, classAttr: string, messageOf: MessageOf): string {
  // The resource id is unique (an ARN, a Terraform address); the name is added only when the id does not already hold it.
  const name = f.resourceName && !f.resourceId.includes(f.resourceName) ? `${f.resourceName} (${f.resourceId})` : f.resourceId;
  const src = f.source;
  const fileAttr = src?.kind === "iac" ? ` file="${escapeXml(src.file)}"${src.line ? ` line="${src.line}"` : ""}` : "";
  const open = `    <testcase${classAttr} name="${escapeXml(name)}"${fileAttr}`;
  switch (f.status) {
    case "pass":
      return `${open}/>\n`;
    case "fail":
      return `${open}><failure type="fail" message="${escapeXml(messageOf(f))}">${escapeXml(details(f))}</failure></testcase>\n`;
    case "unknown":
      return `${open}><error type="unknown" message="${escapeXml(messageOf(f))}">${escapeXml(details(f))}</error></testcase>\n`;
    case "suppressed": {
      const s = f.suppression;
      const why = s ? `suppressed (would be ${f.suppressedStatus ?? "fail"}): ${s.reason}; owner ${s.owner}; expires ${s.expires}` : "suppressed";
      return `${open}><skipped message="${escapeXml(why)}"/></testcase>\n`;
    }
    default:
      return `${open}><skipped message="${escapeXml(`not applicable: ${f.reason ?? messageOf(f)}`)}"/></testcase>\n`;
  }
}

/** Reason, code location and evidence, one per line. */
function details(f: Finding): string {
  let out = f.reason ? `reason: ${f.reason}` : "";
  if (f.source?.kind === "iac") out += `${out ? "\n" : ""}where: ${formatSource(f.source)}`;
  for (const e of f.evidence ?? []) out += `${out ? "\n" : ""}${e.path} = ${formatValue(e)}${e.source ? `  [${formatSource(e.source)}]` : ""}`;
  return out;
}
