/** CSV, JUnit, Markdown, HTML and the compliance model on the hand-made findings fixture. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Framework } from "../../src/policy/types";
import { buildCompliance } from "../../src/report/compliance";
import { CSV_COLUMNS, CSV_ISSUE_COLUMNS, resolveRows, writeFindingsCsv } from "../../src/report/csv";
import { csvField, escapeHtml, escapeXml } from "../../src/report/escape";
import { renderComplianceHtml } from "../../src/report/html";
import { writeJunit } from "../../src/report/junit";
import { renderComplianceMarkdown } from "../../src/report/markdown";
import { toSarif, writeSarif } from "../../src/report/sarif";
import { AtomicStreamWriter } from "../../src/util/atomic-stream";
import { messageCache } from "../../src/report/stream";
import { A1, A2, HOSTILE_NAME, findingsFixture, tempDir } from "./fixtures";

/** A strict RFC 4180 reader (CRLF records, quoted fields with doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === "") { quoted = true; i++; continue; }
    if (c === ",") { row.push(field); field = ""; i++; continue; }
    if (c === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i += 2; continue; }
    if (c === '"' || c === "\n" || c === "\r") throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    field += c; i++;
  }
  if (field !== "" || row.length) throw new Error("last record not terminated by CRLF");
  return rows;
}

describe("CSV", () => {
  it("quotes per RFC 4180 and guards formula cells", () => {
    expect(csvField('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvField("=1+2")).toBe("'=1+2");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\t=x")).toBe("'\t=x");
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField("plain")).toBe("plain");
  });

  it("writes one row per finding that a strict reader reads back", () => {
    const f = findingsFixture();
    const path = join(tempDir(), "findings.csv");
    writeFindingsCsv(path, f);
    const rows = parseCsv(readFileSync(path, "utf8"));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(f.findings.length + 1);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const name = CSV_COLUMNS.indexOf("resource_name");
    const calc = rows.find((r) => r[name].includes("calc"));
    expect(calc?.[name]).toBe("'=cmd|' /C calc'!A0");
    const hostile = rows.find((r) => r[name].includes("<script>"));
    expect(hostile?.[name]).toBe(HOSTILE_NAME);
    // No cell a spreadsheet would evaluate.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@]/);
    const supp = rows.find((r) => r[CSV_COLUMNS.indexOf("status")] === "suppressed");
    expect(supp?.[CSV_COLUMNS.indexOf("suppression")]).toContain('=HYPERLINK("http://evil")');
  });
});

describe("issues-only rows", () => {
  it("CSV keeps fail, unknown and suppressed; JUnit counts the rest in one testcase per rule", () => {
    const f = findingsFixture();
    const d = tempDir();
    writeFindingsCsv(join(d, "i.csv"), f, "issues");
    const rows = parseCsv(readFileSync(join(d, "i.csv"), "utf8"));
    // Issues-only files leave out the per-rule constants title and controls (deliberate: a quarter of the bytes at scale).
    expect(rows[0]).toEqual([...CSV_ISSUE_COLUMNS]);
    expect(rows[0]).not.toContain("title");
    for (const r of rows) expect(r).toHaveLength(CSV_ISSUE_COLUMNS.length);
    expect(rows.slice(1).map((r) => r[CSV_ISSUE_COLUMNS.indexOf("status")]).sort()).toEqual(["fail", "fail", "suppressed", "unknown"]);
    const supp = rows.find((r) => r[CSV_ISSUE_COLUMNS.indexOf("status")] === "suppressed");
    expect(supp?.[CSV_ISSUE_COLUMNS.indexOf("suppression")]).toContain('=HYPERLINK("http://evil")');
    for (const r of rows.slice(1)) expect(["critical", "high", "medium", "low", "info"]).toContain(r[CSV_ISSUE_COLUMNS.indexOf("severity")]);
    writeJunit(join(d, "i.xml"), f, "issues");
    const xml = readFileSync(join(d, "i.xml"), "utf8");
    expect(xml).toContain('<testsuites name="sm-audit" tests="6" failures="2" errors="1" skipped="1"');
    expect(xml).toContain('name="2 passing and 0 not-applicable resources (counted, not listed)"');
    expect(xml).toContain('name="1 passing and 1 not-applicable resources (counted, not listed)"');
    expect(resolveRows("auto", 1_048_575)).toBe("all");
    expect(resolveRows("auto", 1_048_576)).toBe("issues");
  });
});

describe("JUnit", () => {
  it("has one testcase per rule × resource: failure, error (unknown) and skipped", () => {
    const f = findingsFixture();
    const path = join(tempDir(), "junit.xml");
    writeJunit(path, f);
    const xml = readFileSync(path, "utf8");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sm-audit" tests="8" failures="2" errors="1" skipped="2"')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(8);
    expect(xml.match(/<failure type="fail"/g)).toHaveLength(2);
    expect(xml.match(/<error type="unknown"/g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(2);
    expect(xml).toContain('<testsuite name="secret-unused" tests="4" failures="1" errors="1" skipped="0"');
    expect(xml).toContain('<testsuite name="secret-policy-not-public" tests="4" failures="1" errors="0" skipped="2"');
    // Hostile names are escaped: no raw markup from inputs.
    expect(xml).not.toContain("<script>");
    expect(xml).toContain(escapeXml(HOSTILE_NAME));
    expect(escapeXml("a\u0001b\uffffc")).toBe("a\ufffdb\ufffdc");
    // Balanced elements.
    expect(xml.match(/<testsuite /g)?.length).toBe(xml.match(/<\/testsuite>/g)?.length);
  });
});

const FW: Framework[] = [{
  id: "hipaa", title: "HIPAA Security Rule", file: "x", rulesByRequirement: new Map([["164.312(a)(1)", ["secret-policy-not-public"]]]),
  requirements: [
    { id: "164.312(a)(1)", title: "Access control", text: "t", kind: "standard" },
    { id: "164.308(a)(4)(ii)(C)", title: "Access establishment", text: "t", kind: "addressable" },
    { id: "164.312(c)(1)", title: "Integrity", text: "t", kind: "standard" },
  ],
}];

describe("compliance model", () => {
  it("counts per framework → requirement → rule, marks manual requirements, breaks down by account and severity", () => {
    const m = buildCompliance(findingsFixture(), FW);
    expect(m.totals).toEqual({ pass: 3, fail: 2, unknown: 1, suppressed: 1, not_applicable: 1, total: 8 });
    expect(m.passRate).toBe(3 / 6);
    const [fw] = m.frameworks;
    const byId = Object.fromEntries(fw.requirements.map((r) => [r.id, r]));
    expect(byId["164.312(a)(1)"]).toMatchObject({ status: "fail", rules: ["secret-policy-not-public"], counts: { pass: 1, fail: 1, suppressed: 1, not_applicable: 1, unknown: 0 } });
    // Mapped through the findings' own controls as well.
    expect(byId["164.308(a)(4)(ii)(C)"]).toMatchObject({ status: "fail", rules: ["secret-unused"], counts: { pass: 2, fail: 1, unknown: 1 } });
    expect(byId["164.312(c)(1)"]).toMatchObject({ status: "manual", manual: true });
    expect(fw.requirementsByStatus).toMatchObject({ fail: 2, manual: 1 });
    expect(m.accounts.map((a) => [a.accountId, a.counts.fail])).toEqual([[A1, 2], [A2, 0]]);
    expect(m.bySeverity.critical).toMatchObject({ fail: 1, pass: 1, suppressed: 1 });
    expect(m.coverageGaps).toHaveLength(1);
  });

  it("caps the listed findings per rule and counts the rest", () => {
    const m = buildCompliance(findingsFixture(), FW, { capPerRule: 1 });
    const r = m.rules.find((x) => x.id === "secret-unused");
    expect(r?.listed.map((x) => x.status)).toEqual(["fail"]);
    expect(r?.omitted).toBe(1); // the unknown one
    expect(renderComplianceMarkdown(m)).toContain("…and 1 more not listed here");
  });
});

describe("HTML and Markdown escaping", () => {
  it("never emits input markup", () => {
    const html = renderComplianceHtml(buildCompliance(findingsFixture(), FW));
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>old</b>");
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    expect(html).toContain("&lt;b&gt;old&lt;/b&gt;");
    expect(html.match(/<script>/g)).toHaveLength(1);
    // No CDN, no fonts, no links out (input text may mention URLs; it is escaped text, not an attribute).
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?[a-z]+:/i);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain("Content-Security-Policy");
    const md = renderComplianceMarkdown(buildCompliance(findingsFixture(), FW));
    expect(md).not.toContain("<script>");
    expect(md).not.toContain("<img");
    // Coverage gaps and expired suppressions come before the summary.
    expect(md.indexOf("## Coverage gaps")).toBeLessThan(md.indexOf("## Summary"));
    expect(md.indexOf("## Expired suppressions")).toBeLessThan(md.indexOf("## Summary"));
  });
});

describe("SARIF streamed past the compact threshold", () => {
  it("is the same log as toSarif without each result's properties, compact, with passes left out", () => {
    const f = findingsFixture();
    // Code locations (with and without a line or address) and baseline states take the other branches.
    const fails = f.findings.filter((x) => x.status === "fail" || x.status === "unknown");
    fails[0].source = { kind: "iac", file: "infra/main.tf", line: 12, address: "aws_secretsmanager_secret.a" };
    fails[0].baseline = "new";
    fails[1].source = { kind: "iac", file: "infra/\"odd\".tf", address: "aws_kms_key.k", constructPath: "stack/key" };
    fails[1].baseline = "unchanged";
    const path = join(tempDir(), "findings.sarif");
    const bytes = writeSarif(path, f, [], { lean: true, cwd: "/repo", repoRoot: "/repo" });
    const text = readFileSync(path, "utf8");
    expect(Buffer.byteLength(text)).toBe(bytes);
    expect(text.split("\n")).toHaveLength(2); // one line of JSON + the final newline
    const streamed = JSON.parse(text);
    const full = toSarif(f, [], { cwd: "/repo", repoRoot: "/repo" });
    for (const r of full.runs[0].results) delete r.properties;
    expect(streamed).toEqual(JSON.parse(JSON.stringify(full)));
    const results = streamed.runs[0].results as Array<{ kind: string; suppressions?: unknown[] }>;
    // fail ×2 and unknown ×1 are results, the suppressed fail is one with its suppression; pass and n/a are not.
    expect(results.map((r) => r.kind).sort()).toEqual(["fail", "fail", "fail", "review"]);
    expect(results.filter((r) => r.suppressions)).toHaveLength(1);
    // Small runs stay indented for review.
    writeSarif(path, f, []);
    expect(readFileSync(path, "utf8")).toContain('\n  "version": "2.1.0"');
  });
});

describe("streamed writing", () => {
  it("encodes multi-byte text across buffer boundaries and text larger than the buffer exactly", () => {
    const path = join(tempDir(), "s.txt");
    const w = new AtomicStreamWriter(path);
    const parts: string[] = [];
    for (let i = 0; i < 60_000; i++) parts.push(`${i}:é€😀<${"x".repeat(i % 7)}>\n`);
    parts.push("ü".repeat(1_500_000)); // larger than the writer's buffer
    parts.push("end");
    for (const p of parts) w.write(p);
    const bytes = w.close();
    const text = readFileSync(path, "utf8");
    expect(text).toBe(parts.join(""));
    expect(bytes).toBe(Buffer.byteLength(text));
  });

  it("reads each finding's message once when formats share a cache", () => {
    let reads = 0;
    const f = { get message() { reads++; return "m"; } } as unknown as Parameters<ReturnType<typeof messageCache>>[0];
    const m = messageCache();
    expect([m(f), m(f), m(f)]).toEqual(["m", "m", "m"]);
    expect(reads).toBe(1);
  });
});
