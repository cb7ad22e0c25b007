/**
 * Dates in an estate are either absolute (ISO-8601) or relative to the simulator clock
 * (`-30d`, `+7d`, `-12h`, `now`), so a checked-in estate stays realistic as time passes.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Accepted relative spellings: sign, number, unit (s, m, h, d, w, y = 365 days). */
export const RELATIVE_DATE = /^([+-])(\d+(?:\.\d+)?)([smhdwy])$/;
/** Accepted absolute spellings: a date or a date-time with optional fraction and zone. */
export const ABSOLUTE_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const UNIT_MS: Record<string, number> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY, y: 365 * DAY };

/** True when `spec` is a date the estate format accepts. */
export function isDateSpec(spec: string): boolean {
  if (spec === "now" || RELATIVE_DATE.test(spec)) return true;
  return ABSOLUTE_DATE.test(spec) && !Number.isNaN(Date.parse(normalizeAbsolute(spec)));
}

/** Milliseconds since the epoch for `spec`, relative dates counted from `nowMs`. */
export function resolveDate(spec: string | Date, nowMs: number): number {
  if (spec instanceof Date) return spec.getTime();
  if (spec === "now") return nowMs;
  const rel = RELATIVE_DATE.exec(spec);
  if (rel) {
    const sign = rel[1] === "-" ? -1 : 1;
    return nowMs + sign * Number(rel[2]) * (UNIT_MS[rel[3] as string] as number);
  }
  const ms = Date.parse(normalizeAbsolute(spec));
  if (Number.isNaN(ms)) throw new Error(`not a date: ${spec}`);
  return ms;
}

/** A date with no zone is UTC, as AWS shows dates. */
function normalizeAbsolute(spec: string): string {
  const s = spec.replace(" ", "T");
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00Z`;
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(s)) return s;
  return `${s}Z`;
}

/** Midnight UTC of the day holding `ms` (Secrets Manager reports LastAccessedDate as a date only). */
export function midnightUtc(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Epoch seconds, the JSON 1.1 timestamp form. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** ISO-8601 without milliseconds (`2026-11-23T10:00:00Z`), as CloudTrail and EC2 print them. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** ISO-8601 with milliseconds. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `YYYY-MM-DD HH:MM:SS.mmm` form CloudTrail Lake returns for eventTime. */
export function lakeTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** A clock that starts at `start` and advances with real time. */
export function makeClock(start: Date | undefined): () => number {
  if (!start) return () => Date.now();
  const offset = start.getTime() - Date.now();
  return () => Date.now() + offset;
}
