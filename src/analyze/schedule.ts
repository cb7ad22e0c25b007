/**
 * Rotation schedules → the longest gap between two scheduled runs, in days.
 *
 * Secrets Manager accepts `AutomaticallyAfterDays`, `rate(N days|hours)` and the
 * six-field EventBridge `cron(min hour day-of-month month day-of-week year)`. A cron
 * schedule's longest gap depends on the calendar (31-day months, leap years, "last
 * Friday"), so it is measured by enumerating the matching days over a four-year span
 * rather than estimated: four years always contain one leap year and every weekday /
 * month-length combination that can recur.
 */

/** The result of reading one schedule: the longest gap, or why it cannot be known. */
export type ScheduleResult =
  | { ok: true; kind: "days" | "rate" | "cron"; intervalDays: number }
  | { ok: false; reason: string };

const DAY_MS = 86_400_000;
const SPAN_YEARS = 4;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

class CronError extends Error {}

/** Longest gap of a rotation expression (`rate(...)` or `cron(...)`), measured from `asOf`'s year. */
export function scheduleInterval(expression: string, asOf: string): ScheduleResult {
  const text = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/i.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    if (n <= 0) return { ok: false, reason: `cannot parse ${text}: the rate must be positive` };
    const days = rate[2].toLowerCase().startsWith("hour") ? n / 24 : n;
    return { ok: true, kind: "rate", intervalDays: round(days) };
  }
  const cron = /^cron\((.*)\)$/i.exec(text);
  if (!cron) return { ok: false, reason: `cannot parse ${text}: expected rate(N days|hours) or cron(...)` };
  try {
    const year = new Date(asOf).getUTCFullYear();
    const startYear = Number.isFinite(year) ? year : 2024;
    return { ok: true, kind: "cron", intervalDays: cronLongestGapDays(cron[1], startYear) };
  } catch (err) {
    if (err instanceof CronError) return { ok: false, reason: `cannot parse ${text}: ${err.message}` };
    throw err;
  }
}

/**
 * Cache: many secrets share one schedule, and enumeration costs ~1,500 day checks. Keyed
 * by reference time, then expression: no key string is built (and hashed) per secret.
 */
const cache = new Map<string, Map<string, ScheduleResult>>();

/** `scheduleInterval` memoised by expression and reference time. */
export function cachedScheduleInterval(expression: string, asOf: string): ScheduleResult {
  let byExpression = cache.get(asOf);
  if (!byExpression) {
    // A run has one reference time; a long-lived process (tests) sees a few.
    if (cache.size >= 16) cache.clear();
    cache.set(asOf, (byExpression = new Map()));
  }
  let hit = byExpression.get(expression);
  if (!hit) {
    hit = scheduleInterval(expression, asOf);
    if (byExpression.size >= 10_000) byExpression.clear();
    byExpression.set(expression, hit);
  }
  return hit;
}

function round(days: number): number {
  return Math.round(days * 10_000) / 10_000;
}

/** A parsed numeric field: the set of allowed values. */
function parseField(text: string, min: number, max: number, names: string[] | undefined, label: string): Set<number> {
  const out = new Set<number>();
  const value = (token: string): number => {
    const upper = token.toUpperCase();
    const named = names ? names.indexOf(upper) : -1;
    // Weekday names map to 1..7 (SUN=1) and month names to 1..12.
    if (named >= 0) return named + 1;
    if (!/^\d+$/.test(token)) throw new CronError(`${label} value "${token}" is not understood`);
    const n = Number(token);
    if (n < min || n > max) throw new CronError(`${label} value ${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(",")) {
    if (part === "") throw new CronError(`${label} has an empty list item`);
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined) throw new CronError(`${label} "${part}" has two steps`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new CronError(`${label} step "${stepText}" is not a positive number`);
    let lo: number;
    let hi: number;
    if (range === "*") {
      lo = min;
      hi = max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      lo = value(a);
      hi = value(b);
      if (hi < lo) throw new CronError(`${label} range "${range}" runs backwards`);
    } else {
      lo = value(range);
      // `5/10` means from 5 every 10 up to the field's maximum.
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

type DayMatcher = (y: number, m: number, d: number, dow: number, daysInMonth: number) => boolean;

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function weekdayOf(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
}

/** The weekday (Mon–Fri) nearest to `day` within the same month, as EventBridge's `W` defines it. */
function nearestWeekday(y: number, m: number, day: number, dim: number): number {
  const target = Math.min(day, dim);
  const wd = weekdayOf(y, m, target);
  if (wd >= 2 && wd <= 6) return target;
  if (wd === 7) return target === 1 ? 3 : target - 1; // Saturday: Friday before, or Monday after the 1st
  return target === dim ? target - 2 : target + 1; // Sunday: Monday after, or Friday before the month's end
}

function dayOfMonthMatcher(text: string): DayMatcher {
  if (text === "L") return (_y, _m, d, _w, dim) => d === dim;
  if (text === "LW") {
    return (y, m, d, _w, dim) => d === nearestWeekday(y, m, dim, dim);
  }
  const w = /^(\d+)W$/.exec(text);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) throw new CronError(`day-of-month value ${day} is outside 1-31`);
    return (y, m, d, _w, dim) => d === nearestWeekday(y, m, day, dim);
  }
  if (/[LW#]/i.test(text)) throw new CronError(`day-of-month "${text}" is not understood`);
  const set = parseField(text, 1, 31, undefined, "day-of-month");
  return (_y, _m, d) => set.has(d);
}

function dayOfWeekMatcher(text: string): DayMatcher {
  if (text.toUpperCase() === "L") return (_y, _m, _d, dow) => dow === 7;
  const last = /^([A-Za-z]{3}|\d)L$/.exec(text);
  if (last) {
    const wd = parseField(last[1], 1, 7, WEEKDAYS, "day-of-week").values().next().value as number;
    return (_y, _m, d, dow, dim) => dow === wd && d + 7 > dim;
  }
  const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(text);
  if (nth) {
    const wd = parseField(nth[1], 1, 7, WEEKDAYS, "day-of-week").values().next().value as number;
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronError(`day-of-week "${text}": the occurrence must be 1-5`);
    return (_y, _m, d, dow) => dow === wd && Math.ceil(d / 7) === n;
  }
  if (/[LW#]/i.test(text)) throw new CronError(`day-of-week "${text}" is not understood`);
  const set = parseField(text, 1, 7, WEEKDAYS, "day-of-week");
  return (_y, _m, _d, dow) => set.has(dow);
}

/** Longest gap in days between consecutive runs of a six-field cron body, over four years from `startYear`. */
export function cronLongestGapDays(body: string, startYear: number): number {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new CronError(`expected 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`);
  const [minF, hourF, domF, monthF, dowF, yearF] = fields;
  const domAny = domF === "?";
  const dowAny = dowF === "?";
  if (!domAny && !dowAny) throw new CronError("day-of-month and day-of-week both set (one of them must be ?)");
  if (domAny && dowAny) throw new CronError("day-of-month and day-of-week are both ? (one of them must be set)");
  if (minF.includes("?") || hourF.includes("?") || monthF.includes("?") || yearF.includes("?")) {
    throw new CronError("? is only allowed in day-of-month or day-of-week");
  }
  const minutes = [...parseField(minF, 0, 59, undefined, "minutes")].sort((a, b) => a - b);
  const hours = [...parseField(hourF, 0, 23, undefined, "hours")].sort((a, b) => a - b);
  const months = parseField(monthF, 1, 12, MONTHS, "month");
  const years = parseField(yearF, 1970, 2199, undefined, "year");
  const dayMatch = domAny ? dayOfWeekMatcher(dowF) : dayOfMonthMatcher(domF);

  // Times of day in minutes: identical for every matching day, so only the first and
  // last matter across days, and the largest step between them within a day.
  const times: number[] = [];
  for (const h of hours) for (const m of minutes) times.push(h * 60 + m);
  const first = times[0];
  const lastTime = times[times.length - 1];
  let withinDay = 0;
  for (let i = 1; i < times.length; i++) withinDay = Math.max(withinDay, times[i] - times[i - 1]);

  const start = Date.UTC(startYear, 0, 1);
  const end = Date.UTC(startYear + SPAN_YEARS, 0, 1);
  let prevDay: number | undefined;
  let firstDay: number | undefined;
  let longestMin = 0;
  for (let t = start; t < end; t += DAY_MS) {
    const date = new Date(t);
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth() + 1;
    if (!years.has(y) || !months.has(m)) continue;
    const d = date.getUTCDate();
    if (!dayMatch(y, m, d, date.getUTCDay() + 1, daysIn(y, m))) continue;
    const dayIndex = (t - start) / DAY_MS;
    if (prevDay !== undefined) longestMin = Math.max(longestMin, (dayIndex - prevDay) * 1440 + first - lastTime);
    else firstDay = dayIndex;
    prevDay = dayIndex;
  }
  if (prevDay === undefined || firstDay === undefined) {
    throw new CronError(`it never runs between ${startYear} and ${startYear + SPAN_YEARS - 1}`);
  }
  // Gaps that reach the span's edges are lower bounds of real gaps: counting them never
  // overstates a repeating schedule, and it exposes one that stops (a bounded year field).
  const spanMin = ((end - start) / DAY_MS) * 1440;
  longestMin = Math.max(longestMin, withinDay, firstDay * 1440 + first, spanMin - (prevDay * 1440 + lastTime));
  return round(longestMin / 1440);
}
