/**
 * Render every report format for a generated 100,000-secret snapshot and its findings (from
 * the real policy engine), recording time per format and output sizes.
 * Targets: all formats < 10 s in total, compliance.html < 15 MB. Wall time depends on the
 * shared machine's load, so CPU time (user + system of this process) and bytes are recorded too.
 */
import { rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { analyzeSnapshot } from "../src/analyze/index";
import { emptySnapshot } from "../src/inventory/io";
import type { KmsKey, ReadStat, Secret, Snapshot } from "../src/inventory/types";
import { evaluateAnalyzed } from "../src/policy/evaluate";
import { loadRules } from "../src/policy/loader";
import { seededRandom } from "../src/simulator/rand";
import { buildCost } from "../src/report/cost";
import { type WrittenReport, writeComplianceReports, writeCostReports } from "../src/report/index";
import { loadPricing } from "../src/report/pricing";
import { writeJsonAtomic } from "../src/util/fs";
import { recordReadmeRow } from "../test/reliability/fault-figures";

const SECRETS = 100_000;
const ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];
const NOW = "2026-11-01T00:00:00Z";
const DAY = 86_400_000;

/** The figures before the per-finding formats were made lean and streamed (2026-11-23, load 3.5). */
const BEFORE = {
  renderTotalMs: 17134, renderTotalCpuMs: 13962, outputMb: 790,
  ms: { model: 1381, html: 81, csv: 2894, junit: 3606, sarif: 7577, "cost-model": 1534 },
  mb: { html: 2.9, csv: 230.4, junit: 299.6, sarif: 259.7 },
};

const daysAgo = (n: number): string => new Date(Date.parse(NOW) - n * DAY).toISOString();

/** 20 account-regions × 5,000 secrets with keys, endpoints, tags and reads. */
function generate(): Snapshot {
  const r = seededRandom(7);
  const snap = emptySnapshot({ kind: "live", readsWindowDays: 30, readsMethod: "lookup-events" }, NOW);
  snap.accounts = ACCOUNTS.map((id) => ({ id }));
  snap.regions = REGIONS;
  const per = SECRETS / (ACCOUNTS.length * REGIONS.length);
  for (const acct of ACCOUNTS) for (const region of REGIONS) {
    const live = (api: string) => ({ kind: "live" as const, accountId: acct, region, api });
    const keys: KmsKey[] = [];
    for (let k = 0; k < 5; k++) {
      const arn = `arn:aws:kms:${region}:${acct}:key/${k}0000000-0000-4000-8000-${acct}`;
      keys.push({ id: arn, arn, accountId: acct, region, source: live("kms:DescribeKey"), manager: "CUSTOMER", state: "Enabled", rotationEnabled: k % 2 === 0, aliases: [`alias/k${k}`] });
    }
    snap.kmsKeys.push(...keys);
    const subnets = ["a", "b", "c"].map((z) => `subnet-${acct.slice(0, 3)}${region}${z}`);
    snap.vpcs.push({
      id: `arn:aws:ec2:${region}:${acct}:vpc/vpc-${acct}`, vpcId: `vpc-${acct}`, accountId: acct, region, source: live("ec2:DescribeVpcs"), subnetIds: subnets, isDefault: false,
      endpoints: r() < 0.5 ? [{ id: `vpce-${acct}${region}`, serviceName: `com.amazonaws.${region}.secretsmanager`, type: "Interface", state: "available", privateDns: true, subnetIds: subnets, source: live("ec2:DescribeVpcEndpoints") }] : [],
    });
    for (const kind of ["secrets", "kmsKeys", "vpcs", "trails", "reads"] as const) snap.coverage.push({ accountId: acct, region, kind, status: "collected" });
    for (let i = 0; i < per; i++) {
      const name = `${["app", "db", "api", "svc"][i % 4]}/${region}/secret-${i}${i % 1000 === 0 ? "<b>&\"" : ""}`;
      const arn = `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-${i.toString(36).padStart(6, "0")}`;
      const s: Secret = {
        id: arn, arn, name, accountId: acct, region, source: live("secretsmanager:ListSecrets"),
        kmsKeyId: r() < 0.3 ? null : keys[Math.floor(r() * keys.length)].arn,
        rotation: r() < 0.6 ? { enabled: true, afterDays: [30, 90, 120][i % 3], lastRotated: daysAgo(Math.floor(r() * 150)), lambdaArn: `arn:aws:lambda:${region}:${acct}:function:rotate` } : { enabled: false },
        created: daysAgo(100 + Math.floor(r() * 900)), lastAccessed: r() < 0.85 ? daysAgo(Math.floor(r() * 200)) : undefined, primaryRegion: region,
        tags: r() < 0.8 ? { Owner: `team-${i % 17}`, CostCenter: `cc-${i % 9}`, DataClassification: ["phi", "pci", "internal"][i % 3] } : {},
        policy: null,
      };
      if (i % 97 === 0) s.deleted = daysAgo(3);
      if (i % 50 === 0) s.replicas = [{ region: region === "us-east-1" ? "us-west-2" : "us-east-1", kmsKeyId: null }];
      snap.secrets.push(s);
      if (r() < 0.5) {
        const n = 1 + Math.floor(r() * 3);
        for (let p = 0; p < n; p++) {
          const count = Math.floor(r() * (r() < 0.05 ? 200_000 : 2_000));
          const read: ReadStat = { secretId: arn, accountId: acct, region, principal: `arn:aws:iam::${acct}:role/app-${p}`, principalType: "AssumedRole", count, deniedCount: r() < 0.02 ? 20 : 0, viaVpceCount: Math.floor(count / 2), awsServiceCount: 0, firstSeen: daysAgo(29), lastSeen: daysAgo(1) };
          snap.reads.push(read);
        }
      }
    }
  }
  return snap;
}

it("renders every format for 100,000 secrets", () => {
  const snapshot = generate();
  const rules = loadRules();
  const t0 = performance.now();
  const analyzed = analyzeSnapshot(snapshot);
  const findings = evaluateAnalyzed(snapshot, analyzed, { rules });
  const evaluateMs = performance.now() - t0;

  const dir = join(tmpdir(), `sm-audit-report-bench-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const start = performance.now();
  const written: WrittenReport[] = writeComplianceReports(dir, { findings, rules, formats: ["html", "md", "json", "csv", "junit", "sarif"] });
  const c0 = performance.now();
  const cpu0 = process.cpuUsage();
  const cost = buildCost(snapshot, { pricing: loadPricing(), findings, tagKey: "CostCenter", analyzed });
  const cpu = process.cpuUsage(cpu0);
  written.push({ format: "cost-model", path: "", bytes: 0, ms: performance.now() - c0, cpuMs: (cpu.user + cpu.system) / 1000 });
  written.push(...writeCostReports(dir, cost, ["html", "md", "json"]));
  const totalMs = performance.now() - start;
  const totalCpuMs = written.reduce((sum, w) => sum + (w.cpuMs ?? 0), 0);
  // Every finding in CSV and JUnit (--rows all), for comparison with the default (auto) above.
  const full = writeComplianceReports(dir, { findings, rules, formats: ["csv", "junit"], rows: "all" });
  const statuses: Record<string, number> = {};
  for (const f of findings.findings) statuses[f.status] = (statuses[f.status] ?? 0) + 1;

  const html = written.find((w) => w.format === "html");
  const figures = {
    secrets: snapshot.secrets.length,
    findings: findings.findings.length,
    evaluateMs: Math.round(evaluateMs),
    statuses,
    rows: "auto (past 1,048,575 findings: CSV and JUnit list fail/unknown/suppressed, passes counted; SARIF lists fail/unknown/suppressed, compact and lean past 100,000 findings)",
    renderTotalMs: Math.round(totalMs),
    renderTotalCpuMs: Math.round(totalCpuMs),
    outputMb: Math.round(written.reduce((sum, w) => sum + w.bytes, 0) / 1e5) / 10,
    before: BEFORE,
    loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
    everyFindingCsvJunit: full.map((w) => ({ format: w.format, ms: Math.round(w.ms), cpuMs: Math.round(w.cpuMs ?? 0), bytes: w.bytes, mb: Math.round((w.bytes / 1e6) * 10) / 10 })),
    formats: written.map((w) => ({ format: w.format, ms: Math.round(w.ms), cpuMs: Math.round(w.cpuMs ?? 0), bytes: w.bytes, mb: Math.round((w.bytes / 1e6) * 10) / 10 })),
    peakRssMb: Math.round(process.memoryUsage().rss / 1e6),
    targets: { renderTotalMs: 10_000, htmlBytes: 15_000_000 },
    recorded: new Date().toISOString().slice(0, 10),
  };
  writeJsonAtomic(join(__dirname, "results", "report.json"), figures);
  const per = figures.formats.map((f) => `${f.format} ${f.ms} ms${f.bytes ? `/${f.mb} MB` : ""}`).join(", ");
  const fullText = figures.everyFindingCsvJunit.map((f) => `${f.format} ${f.ms} ms/${f.mb} MB`).join(", ");
  recordReadmeRow("report", `${figures.secrets} secrets, ${figures.findings} findings: all formats ${figures.renderTotalMs} ms wall / ${figures.renderTotalCpuMs} ms CPU, ${figures.outputMb} MB at load ${figures.loadAverage[0]} on 2 cores (${per}; CSV/JUnit rows auto = issues only); with every finding in CSV/JUnit: ${fullText}; before: ${BEFORE.renderTotalMs} ms wall / ${BEFORE.renderTotalCpuMs} ms CPU, ${BEFORE.outputMb} MB`, "< 10 s, HTML < 15 MB");
  rmSync(dir, { recursive: true, force: true });
  expect(html?.bytes).toBeGreaterThan(0);
  expect(findings.findings.length).toBeGreaterThan(SECRETS);
}, 900_000);
