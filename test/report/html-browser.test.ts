/**
 * Opens the HTML reports in headless Chromium (Debian `chromium`, driven by playwright-core):
 * no console errors, no network, hostile names render as text, the filters narrow the rows.
 * Screenshots go to test-output/. Without /usr/bin/chromium this test FAILS (CI installs it).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRules } from "../../src/policy/loader";
import { buildCost } from "../../src/report/cost";
import { writeComplianceReports, writeCostReports } from "../../src/report/index";
import { evaluateSnapshot } from "../../src/report/inputs";
import { loadPricing } from "../../src/report/pricing";
import { HOSTILE_NAME, estate, tempDir } from "./fixtures";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = resolve(__dirname, "../../test-output");

let browser: Browser;
let dir: string;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  dir = tempDir("smr-html-");
  const snap = estate();
  writeFileSync(join(dir, "snapshot.json"), JSON.stringify(snap));
  const rules = loadRules();
  const findings = evaluateSnapshot(snap, join(dir, "snapshot.json"), rules, { params: {} });
  writeComplianceReports(dir, { findings, rules, formats: ["html"] });
  writeCostReports(dir, buildCost(snap, { pricing: loadPricing(), findings, tagKey: "CostCenter" }), ["html"]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Open a report, recording console errors, page errors and every non-file request. */
async function open(file: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => { if (!/^(file|data):/.test(r.url())) requests.push(r.url()); });
  await page.goto(pathToFileURL(join(dir, file)).href, { waitUntil: "load" });
  return { page, problems, requests };
}

const visibleRows = (page: Page): Promise<number> =>
  page.$$eval("#findings tbody tr[data-status]", (rows) => rows.filter((r) => !(r as HTMLElement).hidden).length);

describe("compliance.html in Chromium", () => {
  it("loads offline without errors, renders hostile names as text, and filters rows", async () => {
    const { page, problems, requests } = await open("compliance.html");
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    // The hostile name is shown literally and created no elements.
    expect(await page.$$eval("img", (els) => els.length)).toBe(0);
    expect(await page.$$eval("script", (els) => els.length)).toBe(1);
    expect(await page.evaluate(() => document.body.textContent ?? "")).toContain(HOSTILE_NAME);
    expect(await page.$$eval("svg.chart", (els) => els.length)).toBeGreaterThanOrEqual(3);

    const total = await visibleRows(page);
    const fails = await page.$$eval("#findings tbody tr[data-status='fail']", (r) => r.length);
    expect(total).toBeGreaterThan(fails);
    expect(fails).toBeGreaterThan(0);
    await page.selectOption("#f-status", "fail");
    expect(await visibleRows(page)).toBe(fails);
    expect(await page.textContent("#f-count")).toBe(`showing ${fails} of ${total} listed findings`);

    await page.selectOption("#f-status", "");
    const accounts = await page.$$eval("#f-account option", (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(accounts.length).toBeGreaterThanOrEqual(2);
    const inFirst = await page.$$eval(`#findings tbody tr[data-account='${accounts[0]}']`, (r) => r.length);
    await page.selectOption("#f-account", accounts[0]);
    expect(await visibleRows(page)).toBe(inFirst);
    expect(inFirst).toBeLessThan(total);

    await page.selectOption("#f-account", "");
    await page.selectOption("#f-severity", "critical");
    const critical = await page.$$eval("#findings tbody tr[data-severity='critical']", (r) => r.length);
    expect(await visibleRows(page)).toBe(critical);
    await page.selectOption("#f-severity", "");

    await page.fill("#f-text", "app/api");
    const byText = await visibleRows(page);
    expect(byText).toBeGreaterThan(0);
    expect(byText).toBeLessThan(total);
    await page.fill("#f-text", "");
    expect(await visibleRows(page)).toBe(total);

    await page.screenshot({ path: join(SHOTS, "report-compliance.png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    await page.screenshot({ path: join(SHOTS, "report-compliance-print.png"), fullPage: true });
    await page.close();
  }, 60_000);

  it("cost.html loads offline without errors", async () => {
    const { page, problems, requests } = await open("cost.html");
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.textContent("body")).toContain("$21.90");
    await page.screenshot({ path: join(SHOTS, "report-cost.png"), fullPage: true });
    await page.close();
  }, 60_000);
});
