/**
 * Fast, exact parsing of the ISO-8601 timestamps snapshots hold. `Date.parse` dominated
 * the analysis of large estates (several dates per secret), so the common UTC shapes are
 * read digit by digit here; anything else goes to `Date.parse`, which stays the reference.
 */

const DAY_MS = 86_400_000;

/** Two or more ASCII digits at `s[i..i+n)` as a number, or -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (d may run past the month's end, as in Date.parse). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Milliseconds since the epoch of `text`, exactly as `Date.parse` returns them (NaN when
 * unparsable). `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS.sssZ` are read
 * directly; every other shape (offsets, hour 24, other precisions) is left to `Date.parse`.
 */
export function parseIsoMs(text: string): number {
  // Parsed JSON can hold anything where a date belongs: non-strings keep Date.parse's coercion.
  if (typeof text !== "string") return Date.parse(text);
  const n = text.length;
  if ((n === 10 || n === 20 || n === 24) && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const y = digits(text, 0, 4);
    const mo = digits(text, 5, 2);
    const d = digits(text, 8, 2);
    // Day 29-31 of a shorter month rolls over in Date.parse, which daysFromCivil reproduces.
    if (y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31) {
      const day = daysFromCivil(y, mo, d) * DAY_MS;
      if (n === 10) return day;
      if (
        text.charCodeAt(10) === 84 /* T */ &&
        text.charCodeAt(13) === 58 &&
        text.charCodeAt(16) === 58 &&
        text.charCodeAt(n - 1) === 90 /* Z */ &&
        (n === 20 || text.charCodeAt(19) === 46)
      ) {
        const h = digits(text, 11, 2);
        const mi = digits(text, 14, 2);
        const s = digits(text, 17, 2);
        const ms = n === 24 ? digits(text, 20, 3) : 0;
        if (h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && ms >= 0) {
          return day + ((h * 60 + mi) * 60 + s) * 1000 + ms;
        }
      }
    }
  }
  return Date.parse(text);
}
