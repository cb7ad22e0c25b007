/**
 * JSON parsing for large IaC inputs (plans of hundreds of MB). The shared
 * `parseJsonText` walks every character in JavaScript to bound the nesting depth
 * before `JSON.parse`; here the same bound is checked by jumping between structural
 * characters with a native regex and `indexOf`, which is several times faster on
 * string-heavy plans. Any input that fails the fast path (too deep, or invalid
 * JSON) is handed to `parseJsonText`, so errors stay exactly the same.
 */
import { MAX_JSON_DEPTH, parseJsonText } from "../../util/fs";

/** Brackets and quotes: the only characters the depth bound depends on outside strings. */
const STRUCTURAL = /["{}[\]]/g;

/**
 * True when no bracket outside a string is nested deeper than MAX_JSON_DEPTH, under the
 * same string rules as `parseJsonText` (a backslash inside a string escapes the next character).
 */
export function withinJsonDepth(text: string): boolean {
  const re = STRUCTURAL;
  re.lastIndex = 0;
  let depth = 0;
  while (re.test(text)) {
    const i = re.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A quote closes the string when the run of backslashes just before it has even length.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return true; // unterminated string: nothing after it is structural
        let k = j - 1;
        while (text.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      re.lastIndex = j + 1;
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return false;
    } else depth--;
  }
  return true;
}

/** Parse JSON text exactly as `parseJsonText` does (same value, same UserErrors), faster on large inputs. */
export function parseLargeJson(text: string, file: string): unknown {
  if (withinJsonDepth(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Fall through: parseJsonText builds the error with its line number.
    }
  }
  return parseJsonText(text, file);
}
