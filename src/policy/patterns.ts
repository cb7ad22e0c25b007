/**
 * Patterns that rules may use: `matches` regular expressions checked for safety at
 * load, and `like` globs matched by a linear-backtrack algorithm (no regex engine).
 */

/** Longest `matches` pattern accepted. */
export const MAX_PATTERN_LENGTH = 200;

/**
 * Why a regex pattern is unsafe or invalid, or undefined when it is fine. Nested
 * quantifiers (`(a+)+`, `(?:x*|y)*`) are refused because they backtrack exponentially.
 */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern is ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} allowed`;
  try {
    new RegExp(pattern);
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, "")}`;
  }
  // Each open group remembers whether it holds a quantifier; a quantified group that does is nested.
  const stack: boolean[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (/[1-9]/.test(pattern[i + 1] ?? "")) return "back-references are not allowed";
      i++;
      continue;
    }
    if (c === "[") {
      i++;
      if (pattern[i] === "]") i++;
      while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
      continue;
    }
    if (c === "(") {
      stack.push(false);
      continue;
    }
    if (c === ")") {
      const lastGroupHadQuantifier = stack.pop() ?? false;
      if (lastGroupHadQuantifier && stack.length) stack[stack.length - 1] = true;
      const next = pattern[i + 1];
      // `(a+)?` repeats at most once and is harmless; `*`, `+` and `{n,m}` are not.
      if (lastGroupHadQuantifier && (next === "*" || next === "+" || next === "{")) {
        return "nested quantifiers (e.g. (a+)+) can backtrack exponentially";
      }
      continue;
    }
    if (c === "*" || c === "+" || (c === "{" && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      if (stack.length) stack[stack.length - 1] = true;
      if (c === "{") i = pattern.indexOf("}", i);
      continue;
    }
  }
  return undefined;
}

/** A compiled glob: `*` matches any run (including empty), `?` one character. */
export type GlobMatcher = (s: string) => boolean;

/** Compile a glob; matching is O(n·m) at worst, never exponential. */
export function compileGlob(glob: string, caseInsensitive = false): GlobMatcher {
  const p = caseInsensitive ? glob.toLowerCase() : glob;
  if (!p.includes("*") && !p.includes("?")) {
    return caseInsensitive ? (s) => s.toLowerCase() === p : (s) => s === p;
  }
  return (input: string) => matchGlob(p, caseInsensitive ? input.toLowerCase() : input);
}

/** Match `s` against glob `p` (`*` any run, `?` one character), exactly as given; iterative, O(n·m) at worst. */
export function matchGlob(p: string, s: string): boolean {
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === "*") {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
