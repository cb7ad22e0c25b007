/**
 * Finds where a JSON text first goes wrong. Node 20's JSON.parse often reports no
 * position, and an error must name the line; this scanner is iterative, so deep
 * nesting cannot overflow the stack.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Offset of the first syntax error in `text`, or -1 when the text is valid JSON. */
export function locateJsonError(text: string): number {
  let i = 0;
  // Each stack entry is the container we are in: "{" or "[".
  const stack: string[] = [];
  // What the scanner expects next.
  let expect: "value" | "key" | "colon" | "commaOrEnd" | "valueOrEnd" | "keyOrEnd" = "value";
  const skip = () => { while (i < text.length && WS.has(text.charCodeAt(i))) i++; };
  const match = (re: RegExp) => { re.lastIndex = i; const m = re.exec(text); if (!m) return false; i += m[0].length; return true; };
  for (;;) {
    skip();
    if (i >= text.length) return stack.length === 0 && expect === "commaOrEnd" ? -1 : i;
    const c = text[i];
    if (expect === "commaOrEnd" && stack.length === 0) return i;
    if (expect === "key" || expect === "keyOrEnd") {
      if (c === "}" && expect === "keyOrEnd") { stack.pop(); i++; expect = "commaOrEnd"; continue; }
      if (!match(STRING)) return i;
      expect = "colon";
      continue;
    }
    if (expect === "colon") {
      if (c !== ":") return i;
      i++; expect = "value";
      continue;
    }
    if (expect === "commaOrEnd") {
      const top = stack[stack.length - 1];
      if (c === ",") { i++; expect = top === "{" ? "key" : "value"; continue; }
      if ((c === "}" && top === "{") || (c === "]" && top === "[")) { stack.pop(); i++; continue; }
      return i;
    }
    // value or valueOrEnd
    if (c === "]" && expect === "valueOrEnd") { stack.pop(); i++; expect = "commaOrEnd"; continue; }
    if (c === "{") { stack.push("{"); i++; expect = "keyOrEnd"; continue; }
    if (c === "[") { stack.push("["); i++; expect = "valueOrEnd"; continue; }
    if (c === '"') { if (!match(STRING)) return i; expect = "commaOrEnd"; continue; }
    if (text.startsWith("true", i)) { i += 4; expect = "commaOrEnd"; continue; }
    if (text.startsWith("false", i)) { i += 5; expect = "commaOrEnd"; continue; }
    if (text.startsWith("null", i)) { i += 4; expect = "commaOrEnd"; continue; }
    if (match(NUMBER)) { expect = "commaOrEnd"; continue; }
    return i;
  }
}
