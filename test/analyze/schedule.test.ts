import { describe, expect, it } from "vitest";
import { scheduleInterval } from "../../src/analyze/schedule";

const asOf = "2025-06-01T00:00:00Z";
const gap = (e: string): number => {
  const r = scheduleInterval(e, asOf);
  if (!r.ok) throw new Error(r.reason);
  return r.intervalDays;
};

describe("scheduleInterval", () => {
  it("reads rate() in days and hours", () => {
    expect(scheduleInterval("rate(10 days)", asOf)).toEqual({ ok: true, kind: "rate", intervalDays: 10 });
    expect(gap("rate(12 hours)")).toBe(0.5);
    expect(gap("rate(1 day)")).toBe(1);
  });

  it("monthly on the 1st: longest gap is a 31-day month", () => {
    expect(gap("cron(0 8 1 * ? *)")).toBe(31);
  });

  it("weekly on Monday: 7 days", () => {
    expect(gap("cron(0 0 ? * MON *)")).toBe(7);
    expect(gap("cron(0 0 ? * 2 *)")).toBe(7);
  });

  it("quarterly (months 1/3 = Jan, Apr, Jul, Oct): longest gap 92", () => {
    expect(gap("cron(0 0 1 1/3 ? *)")).toBe(92);
  });

  it("every fourth month (1/4 = Jan, May, Sep): longest gap 123, Sep 1 → Jan 1 is 122, May 1 → Sep 1 is 123", () => {
    expect(gap("cron(0 0 1 1/4 ? *)")).toBe(123);
  });

  it("last Friday of the month: 35 days at most", () => {
    expect(gap("cron(0 0 ? * 6L *)")).toBe(35);
    expect(gap("cron(0 0 ? * FRIL *)")).toBe(35);
  });

  it("second Tuesday (#) and last day (L) and nearest weekday (W)", () => {
    expect(gap("cron(0 0 ? * 3#2 *)")).toBe(35);
    expect(gap("cron(0 0 L * ? *)")).toBe(31);
    const w = gap("cron(0 0 15W * ? *)");
    expect(w).toBeGreaterThan(31);
    expect(w).toBeLessThanOrEqual(33);
  });

  it("several runs a day: the overnight gap decides", () => {
    expect(gap("cron(0 8,20 * * ? *)")).toBe(0.5);
    expect(gap("cron(0 6 ? * MON-FRI *)")).toBe(3);
  });

  it("names, lists and ranges in the month field", () => {
    expect(gap("cron(0 0 1 JAN,JUL ? *)")).toBe(184);
    expect(gap("cron(0 0 1 JAN-JUN ? *)")).toBe(214);
  });

  it("a schedule that stops (bounded year) shows the silence after its last run", () => {
    expect(gap("cron(0 0 1 * ? 2025)")).toBeGreaterThan(1000);
  });

  it("unparsable schedules are unknown with a reason", () => {
    expect(scheduleInterval("cron(0 0 1 * MON *)", asOf)).toEqual({
      ok: false,
      reason: "cannot parse cron(0 0 1 * MON *): day-of-month and day-of-week both set (one of them must be ?)",
    });
    for (const e of ["cron(0 0 * *)", "cron(61 0 1 * ? *)", "cron(0 0 1 FOO ? *)", "rate(0 days)", "rate(5 minutes)", "every day", "cron(0 0 ? * 9#2 *)", "cron(0 0 1 * ? 1900)"]) {
      const r = scheduleInterval(e, asOf);
      expect(r.ok, e).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^cannot parse/);
    }
  });
});
