/**
 * `sm-audit report <snapshot.json|findings.json>`: render the compliance report (HTML,
 * Markdown, JSON, CSV, JUnit, SARIF), optionally with a trend over earlier runs and as an
 * evidence bundle with a SHA-256 manifest. A snapshot is evaluated first.
 */
import { countByStatus, findingCount } from "../findings/rows";
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFindings } from "../findings/io";
import type { FindingsFile } from "../findings/types";
import type { Snapshot } from "../inventory/types";
import { writeSnapshot } from "../inventory/io";
import { loadRules } from "../policy/loader";
import type { RuleSet, Config } from "../policy/types";
import { writeManifest } from "../report/bundle";
import { type RowSelection, resolveRows } from "../report/csv";
import { COMPLIANCE_FORMATS, type ComplianceFormat, isIacSnapshot, isIacSource, writeComplianceReports } from "../report/index";
import { configFor, evaluateSnapshot, frameworkIds, readReportInput } from "../report/inputs";
import { buildTrend, historyFiles, renderTrendHtml, renderTrendMarkdown, trendPoint, type TrendModel } from "../report/trend";
import { EXIT, UserError } from "../util/errors";
import { writeJsonAtomic } from "../util/fs";
import { helpText, parseArgs, type FlagSpecs } from "./args";
import type { Command } from "./io";

const SPECS = {
  snapshot: { type: "string", help: "the snapshot the findings came from (included in a bundle)" },
  framework: { type: "string", help: "hipaa | pci | fsbp | all (default all)" },
  format: { type: "list", help: `formats: ${COMPLIANCE_FORMATS.join(",")} (default html,md,json,csv,junit; +sarif for code)` },
  out: { type: "string", help: "output directory (default sm-audit-out/reports; with --bundle only when given)" },
  history: { type: "string", help: "directory of earlier findings or snapshot files: adds a trend" },
  bundle: { type: "string", help: "write an evidence bundle (snapshot, findings, reports, manifest.json) to this new directory" },
  rules: { type: "list", help: "extra rule directories" },
  config: { type: "string", help: "sm-audit.yaml (default ./sm-audit.yaml when present)" },
  rows: { type: "string", help: "CSV/JUnit rows: all | issues | auto (default: all up to 1,048,575 findings, a spreadsheet's limit; issues beyond)" },
  "max-listed": { type: "number", help: "failing/unknown/suppressed findings listed per rule in HTML/MD/JSON (default 200)" },
  help: { type: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

const USAGE = "sm-audit report <snapshot.json|findings.json> [options]";
const DESCRIPTION = "Render compliance reports from a snapshot (evaluated first) or a findings file.";
const TITLES: Record<string, string> = { hipaa: "HIPAA", "pci-dss-4.0": "PCI DSS 4.0", fsbp: "FSBP" };

/** The `report` command. */
export const run: Command = async (argv, io) => {
  const { flags, positionals } = parseArgs(argv, SPECS, "report");
  if (flags.help) { io.out(helpText(USAGE, DESCRIPTION, SPECS)); return EXIT.OK; }
  if (positionals.length !== 1) throw new UserError(`expected one snapshot or findings file, got ${positionals.length} (usage: ${USAGE})`);
  const at = (p: string): string => resolve(io.cwd, p);
  for (const f of flags.format) if (!(COMPLIANCE_FORMATS as readonly string[]).includes(f)) throw new UserError(`unknown format '${f}'; expected ${COMPLIANCE_FORMATS.join(", ")}`, { field: "--format" });
  const fwIds = frameworkIds(flags.framework);
  const cap = flags["max-listed"];
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 0)) throw new UserError("expected a whole number >= 0", { field: "--max-listed" });

  const rowsFlag = flags.rows ?? "auto";
  if (!["all", "issues", "auto"].includes(rowsFlag)) throw new UserError(`expected all, issues or auto, got '${rowsFlag}'`, { field: "--rows" });

  const input = readReportInput(at(positionals[0]));
  const rules = loadRules(flags.rules.map(at));
  const config = configFor(io.cwd, flags.config);
  let snapshot: Snapshot | undefined;
  let snapshotFile: string | undefined;
  let findings: FindingsFile;
  if (input.kind === "snapshot") {
    if (flags.snapshot) throw new UserError("the input is already a snapshot; --snapshot is for findings input", { field: "--snapshot" });
    snapshot = input.snapshot;
    snapshotFile = input.file;
    findings = evaluateSnapshot(snapshot, input.file, rules, config);
  } else {
    findings = input.findings;
    if (flags.snapshot) {
      const s = readReportInput(at(flags.snapshot));
      if (s.kind !== "snapshot") throw new UserError("expected a snapshot file", { file: s.file, field: "--snapshot" });
      snapshot = s.snapshot;
      snapshotFile = s.file;
    }
  }
  const scoped = scope(findings, fwIds);
  const iac = snapshot ? isIacSnapshot(snapshot) : isIacSource(findings.snapshot?.source?.kind);
  const formats: ComplianceFormat[] = flags.format.length ? (flags.format as ComplianceFormat[]) : ["html", "md", "json", "csv", "junit", ...(iac ? ["sarif" as const] : [])];

  const trend = flags.history ? historyTrend(at(flags.history), findings, rules, config, fwIds) : undefined;
  const extraHtml = trend ? renderTrendHtml(trend, TITLES) : undefined;
  const extraMarkdown = trend ? renderTrendMarkdown(trend, TITLES) : undefined;
  const write = (dir: string): string[] => {
    const w = writeComplianceReports(dir, { findings: scoped, rules, frameworkIds: fwIds, formats, capPerRule: cap, extraHtml, extraMarkdown, rows: rowsFlag as RowSelection | "auto" });
    const paths = w.filter((x) => x.path).map((x) => x.path);
    if (trend) { const p = join(dir, "trend.json"); writeJsonAtomic(p, trend); paths.push(p); }
    return paths;
  };

  const written: string[] = [];
  const outDir = flags.out ? at(flags.out) : flags.bundle ? undefined : at("sm-audit-out/reports");
  if (outDir) written.push(...write(outDir));
  if (flags.bundle) {
    const dir = at(flags.bundle);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new UserError("bundle directory exists and is not empty; give a new directory", { file: dir, field: "--bundle" });
    mkdirSync(dir, { recursive: true });
    if (snapshotFile && snapshot) {
      // The snapshot's exact bytes, so its hash matches the one recorded in the findings.
      copyFileSync(snapshotFile, join(dir, "snapshot.json"));
    } else if (snapshot) writeSnapshot(join(dir, "snapshot.json"), snapshot);
    writeFindings(join(dir, "findings.json"), findings);
    write(join(dir, "reports"));
    const m = writeManifest(dir, { rulesDigest: findings.rulesDigest, snapshotGeneratedAt: findings.snapshot?.generatedAt, findingsGeneratedAt: findings.generatedAt });
    written.push(join(dir, "manifest.json"));
    io.err(`bundle: ${m.files.length} files hashed into ${join(dir, "manifest.json")}${snapshot ? "" : " (no snapshot: pass --snapshot to include it)"}`);
  }
  for (const p of written) io.out(p);
  if (resolveRows(rowsFlag as RowSelection | "auto", findingCount(scoped)) === "issues" && rowsFlag === "auto") {
    io.err(`report: ${findingCount(scoped)} findings exceed a spreadsheet's rows: findings.csv and junit.xml list the failing, unknown and suppressed ones (--rows all for every finding)`);
  }
  const s = countByStatus(scoped);
  io.err(`report: ${findingCount(scoped)} findings (${s.fail} fail, ${s.unknown} unknown, ${s.pass} pass, ${s.suppressed} suppressed, ${s.not_applicable} n/a)${findings.coverageGaps.length ? `; ${findings.coverageGaps.length} coverage gap(s): incomplete` : ""}`);
  return EXIT.OK;
};

/** Only the findings mapped to the chosen frameworks (all when none chosen). */
function scope(f: FindingsFile, ids: string[]): FindingsFile {
  if (!ids.length) return f;
  return { ...f, findings: f.findings.filter((x) => ids.some((id) => (x.controls?.[id]?.length ?? 0) > 0)) };
}

function historyTrend(dir: string, current: FindingsFile, rules: RuleSet, config: Config, fwIds: string[]): TrendModel {
  const points = historyFiles(dir).map((file) => {
    const input = readReportInput(file);
    const f = input.kind === "findings" ? input.findings : evaluateSnapshot(input.snapshot, file, rules, config);
    return trendPoint(f, file);
  });
  points.push(trendPoint(current, "(this report)"));
  return buildTrend(points, fwIds);
}
