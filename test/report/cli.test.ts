/** The report, cost and verify-bundle commands, run in-process on the fixture estate. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { run as cost } from "../../src/cli/cost";
import { run as report } from "../../src/cli/report";
import { run as verify } from "../../src/cli/verify-bundle";
import { loadRules } from "../../src/policy/loader";
import { writeDefaultReports } from "../../src/report/index";
import { evaluateSnapshot } from "../../src/report/inputs";
import { UserError } from "../../src/util/errors";
import { captureIO, estate, findingsFixture, tempDir } from "./fixtures";

let dir: string;
beforeAll(() => {
  dir = tempDir("smr-cli-");
  writeFileSync(join(dir, "snapshot.json"), JSON.stringify(estate(), null, 2));
  writeFileSync(join(dir, "findings.json"), JSON.stringify(findingsFixture(), null, 2));
});

describe("report", () => {
  it("evaluates a snapshot and writes every default format", async () => {
    const io = captureIO(dir);
    expect(await report(["snapshot.json", "--out", "r1"], io)).toBe(0);
    for (const f of ["compliance.html", "compliance.md", "compliance.json", "findings.csv", "junit.xml"]) expect(existsSync(join(dir, "r1", f))).toBe(true);
    const model = JSON.parse(readFileSync(join(dir, "r1", "compliance.json"), "utf8"));
    expect(model.frameworks.map((f: { id: string }) => f.id).sort()).toEqual(["fsbp", "hipaa", "pci-dss-4.0"]);
    expect(model.coverageGaps).toHaveLength(1);
    expect(io.stderr.join("\n")).toContain("coverage gap");
  });

  it("limits to one framework with --framework pci", async () => {
    const io = captureIO(dir);
    expect(await report(["findings.json", "--framework", "pci", "--format", "json,csv", "--out", "r2"], io)).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, "r2", "compliance.json"), "utf8"));
    expect(model.frameworks.map((f: { id: string }) => f.id)).toEqual(["pci-dss-4.0"]);
    const rows = readFileSync(join(dir, "r2", "findings.csv"), "utf8").trim().split("\r\n");
    expect(rows).toHaveLength(1 + 8); // all fixture findings map to PCI
    await expect(report(["findings.json", "--framework", "sox"], captureIO(dir))).rejects.toThrow(/expected hipaa, pci, fsbp or all/);
  });

  it("writes SARIF 2.1.0 through the IaC engineer's toSarif", async () => {
    expect(await report(["findings.json", "--format", "sarif", "--out", "r4"], captureIO(dir))).toBe(0);
    const sarif = JSON.parse(readFileSync(join(dir, "r4", "findings.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
  });

  it("adds a trend from --history", async () => {
    const hist = join(dir, "hist");
    mkdirSync(hist, { recursive: true });
    const older = findingsFixture();
    older.snapshot.generatedAt = "2026-09-01T00:00:00.000Z";
    older.findings = older.findings.map((f) => ({ ...f, status: "fail" }));
    writeFileSync(join(hist, "2026-09.json"), JSON.stringify(older));
    const snap = estate();
    snap.generatedAt = "2026-10-01T00:00:00.000Z";
    writeFileSync(join(hist, "2026-10-snapshot.json"), JSON.stringify(snap));
    expect(await report(["findings.json", "--history", "hist", "--format", "html,md", "--out", "r3"], captureIO(dir))).toBe(0);
    const trend = JSON.parse(readFileSync(join(dir, "r3", "trend.json"), "utf8"));
    expect(trend.points.map((p: { at: string }) => p.at.slice(0, 10))).toEqual(["2026-09-01", "2026-10-01", "2026-11-01"]);
    expect(trend.points[0].frameworks.hipaa.fail).toBe(8);
    expect(trend.points[2].frameworks.hipaa.fail).toBe(2);
    expect(readFileSync(join(dir, "r3", "compliance.html"), "utf8")).toContain('id="trend"');
    expect(readFileSync(join(dir, "r3", "compliance.md"), "utf8")).toContain("## Trend");
  });

  it("rejects a file that is neither a snapshot nor findings, naming it", async () => {
    writeFileSync(join(dir, "other.json"), JSON.stringify({ schemaVersion: "1.0", hello: 1 }));
    const err = await report(["other.json"], captureIO(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toMatch(/other\.json:1: neither a snapshot/);
    expect((err as UserError).exitCode).toBe(2);
  });
});

describe("evidence bundle", () => {
  it("writes a bundle that verifies, and detects a changed byte, a missing file and an added file", async () => {
    expect(await report(["findings.json", "--snapshot", "snapshot.json", "--bundle", "bundle"], captureIO(dir))).toBe(0);
    const b = join(dir, "bundle");
    const manifest = JSON.parse(readFileSync(join(b, "manifest.json"), "utf8"));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(["snapshot.json", "findings.json", "reports/compliance.html", "reports/junit.xml"]));
    expect(manifest.rulesDigest).toBe("f".repeat(64));
    expect(readFileSync(join(b, "snapshot.json"), "utf8")).toBe(readFileSync(join(dir, "snapshot.json"), "utf8"));

    const ok = captureIO(dir);
    expect(await verify(["bundle"], ok)).toBe(0);
    expect(ok.stdout.join("")).toContain("ok");

    // Flip one byte of one report.
    const md = join(b, "reports", "compliance.md");
    const bytes = readFileSync(md);
    bytes[100] ^= 1;
    writeFileSync(md, bytes);
    const bad = captureIO(dir);
    expect(await verify(["bundle"], bad)).toBe(1);
    expect(bad.stderr).toEqual(["changed: reports/compliance.md"]);
    bytes[100] ^= 1;
    writeFileSync(md, bytes);
    expect(await verify(["bundle"], captureIO(dir))).toBe(0);

    appendFileSync(join(b, "extra.txt"), "x");
    rmSync(join(b, "reports", "junit.xml"));
    const two = captureIO(dir);
    expect(await verify(["bundle"], two)).toBe(1);
    expect(two.stderr).toEqual(["missing: reports/junit.xml", "not in manifest: extra.txt"]);

    rmSync(join(b, "manifest.json"));
    const gone = await verify(["bundle"], captureIO(dir)).catch((e: unknown) => e);
    expect((gone as UserError).exitCode).toBe(2);
    writeFileSync(join(b, "manifest.json"), "{not json");
    expect(((await verify(["bundle"], captureIO(dir)).catch((e: unknown) => e)) as UserError).exitCode).toBe(2);
    await expect(report(["findings.json", "--bundle", "bundle"], captureIO(dir))).rejects.toThrow(/not empty/);
  });
});

describe("cost", () => {
  it("writes html, md and json with --price, --tag and --plan", async () => {
    writeFileSync(join(dir, "plan.json"), JSON.stringify({ actions: [{ id: "x", kind: "add-vpc-endpoint", accountId: "222222222222", region: "eu-west-1", monthlyCostDelta: 24.09, costNote: "3 AZ" }] }));
    const io = captureIO(dir);
    expect(await cost(["snapshot.json", "--price", "endpointAzHour=0.02", "--tag", "CostCenter", "--plan", "plan.json", "--out", "c1"], io)).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "c1", "cost.json"), "utf8"));
    expect(json.lines.find((l: { category: string }) => l.category === "endpoints").monthly).toBeCloseTo(43.8, 9);
    expect(json.plan.monthlyDelta).toBe(24.09);
    expect(readFileSync(join(dir, "c1", "cost.md"), "utf8")).toContain("## By tag CostCenter");
    expect(io.stderr[0]).toMatch(/^cost: \$\d/);
    await expect(cost(["findings.json"], captureIO(dir))).rejects.toThrow(/expected a snapshot/);
    await expect(cost(["snapshot.json", "--price", "bogus=1"], captureIO(dir))).rejects.toThrow(/unknown price/);
  });
});

describe("writeDefaultReports", () => {
  it("writes the default set under <out>/reports and returns the paths", async () => {
    const rules = loadRules();
    const findings = evaluateSnapshot(estate(), join(dir, "snapshot.json"), rules, { params: {} });
    const out = join(dir, "default");
    const paths = writeDefaultReports(out, { snapshot: estate(), findings, rules });
    expect(paths.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      "reports/compliance.html", "reports/compliance.json", "reports/compliance.md", "reports/cost.html", "reports/cost.json", "reports/cost.md", "reports/findings.csv", "reports/junit.xml",
    ]);
    for (const p of paths) expect(existsSync(p)).toBe(true);
  });
});
