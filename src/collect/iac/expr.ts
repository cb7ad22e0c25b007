/**
 * A small reader for Terraform expressions as hcl2json and cdktf emit them: template
 * strings with `${...}` interpolations whose insides are HCL expressions. It evaluates
 * what is literal (strings, numbers, objects, tuples, `jsonencode`, a few pure
 * functions) and turns everything else into a `Ref` (a reference to another resource's
 * attribute) or an `Unknown` carrying a reason that names the expression. It never
 * guesses: an operator, a conditional on an unknown, a `for` expression are unknown.
 */

/** A value that cannot be known from the code, with the reason and the expression text. */
export class Unknown {
  constructor(readonly reason: string, readonly text: string) {}
}

/** A reference to an attribute of another resource or data source (`aws_kms_key.app.arn`). */
export class Ref {
  /** `address` is the full Terraform address (module prefix included); `attr` the attribute path. */
  constructor(readonly address: string, readonly attr: string, readonly text: string) {}
}

/** An evaluated expression. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Unknown | Ref;

/** Resolves the roots of traversals (`var.x`, `local.y`, `aws_kms_key.app.arn`, `module.m.out`). */
export interface Scope {
  /** `segments` is the whole traversal, e.g. ["aws_kms_key", "app", "arn"]; `text` its source. */
  traverse(segments: Array<string | number>, text: string): Value;
}

/** True when `v` is a plain object value (not a Ref, Unknown, array or null). */
export function isObject(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Ref);
}

/** True when the value, or anything inside it, is unresolved. */
export function hasUnresolved(v: Value): boolean {
  if (v instanceof Unknown || v instanceof Ref) return true;
  if (Array.isArray(v)) return v.some(hasUnresolved);
  if (isObject(v)) return Object.values(v).some(hasUnresolved);
  return false;
}

/** The first Unknown found inside a value, if any. */
export function firstUnknown(v: Value): Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (Array.isArray(v)) for (const x of v) { const u = firstUnknown(x); if (u) return u; }
  if (isObject(v)) for (const x of Object.values(v)) { const u = firstUnknown(x); if (u) return u; }
  return undefined;
}

/** Evaluate a template string (`"acme-${var.env}"`, `"${aws_kms_key.app.arn}"`, or a plain literal). */
export function evalTemplate(str: string, scope: Scope): Value {
  if (!str.includes("${") && !str.includes("%{")) return str;
  const parts = splitTemplate(str);
  if (parts === undefined) return new Unknown(`cannot read template "${str}"`, str);
  if (parts.length === 1 && typeof parts[0] !== "string") return evalExpr(parts[0].expr, scope);
  let out = "";
  for (const p of parts) {
    if (typeof p === "string") { out += p; continue; }
    const v = evalExpr(p.expr, scope);
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out += String(v);
    else if (v instanceof Unknown) return new Unknown(v.reason, str);
    else if (v instanceof Ref) return new Ref(v.address, v.attr, str);
    else return new Unknown(`template "${str}" interpolates a non-string value`, str);
  }
  return out;
}

type TemplatePart = string | { expr: string };

/** Split a template into literal text and `${...}` expressions; `$${` is a literal `${`. */
function splitTemplate(str: string): TemplatePart[] | undefined {
  const parts: TemplatePart[] = [];
  let lit = "";
  let i = 0;
  while (i < str.length) {
    if (str.startsWith("$${", i)) { lit += "${"; i += 3; continue; }
    if (str.startsWith("%%{", i)) { lit += "%{"; i += 3; continue; }
    if (str.startsWith("%{", i)) return undefined;
    if (str.startsWith("${", i)) {
      const end = matchClose(str, i + 2);
      if (end < 0) return undefined;
      if (lit) parts.push(lit);
      lit = "";
      parts.push({ expr: str.slice(i + 2, end).replace(/^~|~$/g, "") });
      i = end + 1;
      continue;
    }
    lit += str[i++];
  }
  if (lit || parts.length === 0) parts.push(lit);
  return parts;
}

/** Index of the `}` closing an interpolation opened just before `from`, skipping nested strings and braces. */
function matchClose(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') { i = skipString(s, i); if (i < 0) return -1; continue; }
    if (c === "{") depth++;
    else if (c === "}") { if (depth === 0) return i; depth--; }
  }
  return -1;
}

/** Index of the closing quote of the string starting at `start`, honouring escapes and nested templates. */
function skipString(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") { i++; continue; }
    if (c === '"') return i;
    if (c === "$" && s[i + 1] === "{") { const e = matchClose(s, i + 2); if (e < 0) return -1; i = e; }
  }
  return -1;
}

type Tok =
  | { t: "num"; v: number }
  | { t: "str"; v: string }
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "eof" };

function tokenize(src: string): Tok[] | string {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\r") { i++; continue; }
    if (c === "\n") { toks.push({ t: "op", v: "\n" }); i++; continue; }
    if (c === "#" || (c === "/" && src[i + 1] === "/")) { while (i < src.length && src[i] !== "\n") i++; continue; }
    if (c === "/" && src[i + 1] === "*") { const e = src.indexOf("*/", i + 2); i = e < 0 ? src.length : e + 2; continue; }
    if (c === '"') {
      const e = skipString(src, i);
      if (e < 0) return "unterminated string";
      toks.push({ t: "str", v: unescape(src.slice(i + 1, e)) });
      i = e + 1;
      continue;
    }
    if (c === "<" && src[i + 1] === "<") return "heredoc inside an expression";
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 40));
      const text = m ? m[0] : c;
      toks.push({ t: "num", v: Number(text) });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i, i + 256));
      const text = m ? m[0] : c;
      toks.push({ t: "id", v: text });
      i += text.length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["==", "!=", "<=", ">=", "&&", "||", "=>", "..."].includes(src.slice(i, i + 3) === "..." ? "..." : two)) {
      const v = src.slice(i, i + 3) === "..." ? "..." : two;
      toks.push({ t: "op", v });
      i += v.length;
      continue;
    }
    if ("{}[](),.=:?!<>+-*/%".includes(c)) { toks.push({ t: "op", v: c }); i++; continue; }
    return `unexpected character '${c}'`;
  }
  toks.push({ t: "eof" });
  return toks;
}

/** Tokens by source text (read-only once made): a module called many times repeats the same expressions. */
const tokenCache = new Map<string, Tok[] | string>();
const TOKEN_CACHE_MAX = 50_000;

function tokensOf(src: string): Tok[] | string {
  let toks = tokenCache.get(src);
  if (toks === undefined) {
    toks = tokenize(src);
    if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
    tokenCache.set(src, toks);
  }
  return toks;
}

function unescape(s: string): string {
  return s.replace(/\\(["\\nrt]|u[0-9a-fA-F]{4})/g, (_m, e: string) => {
    if (e === "n") return "\n";
    if (e === "r") return "\r";
    if (e === "t") return "\t";
    if (e.startsWith("u")) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e;
  });
}

/** Evaluate one HCL expression (the inside of `${...}`). */
export function evalExpr(src: string, scope: Scope): Value {
  const toks = tokensOf(src);
  const text = src.trim();
  if (typeof toks === "string") return new Unknown(`cannot read expression '${text}': ${toks}`, text);
  const p = new Parser(toks, scope, src);
  const v = p.expr();
  p.skipNl();
  if (!p.at("eof")) return new Unknown(`cannot read expression '${text}'`, text);
  return v instanceof Unknown && v.text === "" ? new Unknown(v.reason, text) : v;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly scope: Scope, private readonly src: string) {}

  private peek(): Tok { return this.toks[this.i]; }
  at(t: Tok["t"], v?: string): boolean {
    const k = this.peek();
    return k.t === t && (v === undefined || ("v" in k && k.v === v));
  }
  skipNl(): void { while (this.at("op", "\n")) this.i++; }
  private eat(v: string): boolean {
    if (this.at("op", v)) { this.i++; return true; }
    return false;
  }
  private fail(reason: string): Unknown {
    // Consume the rest so the caller reports the whole expression.
    this.i = this.toks.length - 1;
    return new Unknown(reason, this.src.trim());
  }

  expr(): Value {
    const cond = this.binary();
    if (!this.eat("?")) return cond;
    this.skipNl();
    const a = this.expr();
    this.skipNl();
    if (!this.eat(":")) return this.fail("cannot read conditional expression");
    this.skipNl();
    const b = this.expr();
    if (cond === true) return a;
    if (cond === false) return b;
    return new Unknown(`conditional '${this.src.trim()}' ${dependsOn(cond)}`, this.src.trim());
  }

  private binary(): Value {
    let left = this.unary();
    const ops = ["==", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%"];
    while (ops.some((o) => this.at("op", o))) {
      const op = (this.peek() as { v: string }).v;
      this.i++;
      this.skipNl();
      const right = this.unary();
      left = binaryOp(op, left, right, this.src.trim());
    }
    return left;
  }

  private unary(): Value {
    if (this.eat("!")) {
      const v = this.unary();
      return typeof v === "boolean" ? !v : new Unknown(`cannot evaluate '${this.src.trim()}'`, this.src.trim());
    }
    if (this.eat("-")) {
      const v = this.unary();
      return typeof v === "number" ? -v : new Unknown(`cannot evaluate '${this.src.trim()}'`, this.src.trim());
    }
    return this.postfix();
  }

  private postfix(): Value {
    const k = this.peek();
    if (k.t === "id" && !["true", "false", "null"].includes(k.v) && this.toks[this.i + 1].t === "op" && (this.toks[this.i + 1] as { v: string }).v === "(") {
      return this.call(k.v);
    }
    if (k.t === "id" && !["true", "false", "null"].includes(k.v)) return this.traversal();
    let v = this.primary();
    while (this.at("op", "[") || this.at("op", ".")) {
      const seg = this.segment();
      if (seg === undefined) return this.fail(`cannot read '${this.src.trim()}'`);
      v = index(v, seg, this.src.trim());
    }
    return v;
  }

  private segment(): string | number | undefined {
    if (this.eat(".")) {
      const k = this.peek();
      this.i++;
      if (k.t === "id") return k.v;
      if (k.t === "num") return k.v;
      return undefined;
    }
    this.eat("[");
    const key = this.expr();
    if (!this.eat("]")) return undefined;
    return typeof key === "string" || typeof key === "number" ? key : undefined;
  }

  private traversal(): Value {
    const segs: Array<string | number> = [(this.peek() as { v: string }).v];
    this.i++;
    while (this.at("op", ".") || this.at("op", "[")) {
      if (this.at("op", ".") && this.toks[this.i + 1].t === "op") return this.fail(`splat expression '${this.src.trim()}' is not evaluated`);
      if (this.at("op", "[") && this.toks[this.i + 1].t === "op" && (this.toks[this.i + 1] as { v: string }).v === "*") return this.fail(`splat expression '${this.src.trim()}' is not evaluated`);
      const seg = this.segment();
      if (seg === undefined) return this.fail(`index in '${this.src.trim()}' is not known from the code`);
      segs.push(seg);
    }
    return this.scope.traverse(segs, traversalText(segs));
  }

  private call(name: string): Value {
    this.i += 2;
    const args: Value[] = [];
    this.skipNl();
    while (!this.at("op", ")")) {
      if (this.at("eof")) return this.fail(`unterminated call to ${name}()`);
      args.push(this.expr());
      this.skipNl();
      this.eat("...");
      if (!this.eat(",")) { this.skipNl(); break; }
      this.skipNl();
    }
    if (!this.eat(")")) return this.fail(`unterminated call to ${name}()`);
    return callFunction(name, args, this.src.trim());
  }

  private primary(): Value {
    const k = this.peek();
    if (k.t === "num") { this.i++; return k.v; }
    if (k.t === "str") { this.i++; return evalTemplate(k.v, this.scope); }
    if (k.t === "id") {
      this.i++;
      return k.v === "true" ? true : k.v === "false" ? false : null;
    }
    if (this.eat("(")) {
      this.skipNl();
      const v = this.expr();
      this.skipNl();
      return this.eat(")") ? v : this.fail("unbalanced parentheses");
    }
    if (this.eat("[")) return this.tuple();
    if (this.eat("{")) return this.object();
    return this.fail(`cannot read expression '${this.src.trim()}'`);
  }

  private tuple(): Value {
    this.skipNl();
    if (this.at("id", "for")) return this.fail(`for expression '${this.src.trim()}' is not evaluated`);
    const out: Value[] = [];
    while (!this.eat("]")) {
      if (this.at("eof")) return this.fail("unterminated list");
      out.push(this.expr());
      this.skipNl();
      this.eat(",");
      this.skipNl();
    }
    return out;
  }

  private object(): Value {
    this.skipNl();
    if (this.at("id", "for")) return this.fail(`for expression '${this.src.trim()}' is not evaluated`);
    const out: { [k: string]: Value } = {};
    while (!this.eat("}")) {
      if (this.at("eof")) return this.fail("unterminated object");
      const k = this.peek();
      let key: Value;
      if (k.t === "id" && this.toks[this.i + 1].t === "op" && ["=", ":"].includes((this.toks[this.i + 1] as { v: string }).v)) { key = k.v; this.i++; }
      else key = this.expr();
      if (!this.eat("=") && !this.eat(":")) return this.fail("expected '=' in object");
      this.skipNl();
      const v = this.expr();
      if (typeof key !== "string" && typeof key !== "number") return new Unknown(`object key in '${this.src.trim()}' is not known from the code`, this.src.trim());
      out[String(key)] = v;
      this.skipNl();
      this.eat(",");
      this.skipNl();
    }
    return out;
  }
}

/** The source text of a traversal, e.g. `aws_kms_key.app.arn` or `var.list[0]`. */
export function traversalText(segs: ReadonlyArray<string | number>): string {
  return segs.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** Index a value by one segment; unresolved values stay unresolved with a longer path. */
export function index(v: Value, seg: string | number, text: string): Value {
  if (v instanceof Unknown) return v;
  if (v instanceof Ref) return new Ref(v.address, `${v.attr}${typeof seg === "number" ? `[${seg}]` : `.${seg}`}`, text);
  if (Array.isArray(v) && typeof seg === "number") return seg < v.length ? v[seg] : new Unknown(`index ${seg} is out of range in '${text}'`, text);
  if (isObject(v) && String(seg) in v) return v[String(seg)];
  return new Unknown(`'${text}' has no attribute ${String(seg)}`, text);
}

function binaryOp(op: string, a: Value, b: Value, text: string): Value {
  const known = (x: Value) => typeof x === "string" || typeof x === "number" || typeof x === "boolean" || x === null;
  if (!known(a) || !known(b)) return new Unknown(`'${text}' ${dependsOn(known(a) ? b : a)}`, text);
  switch (op) {
    case "==": return a === b;
    case "!=": return a !== b;
    case "&&": return a === true && b === true;
    case "||": return a === true || b === true;
    default:
      if (typeof a === "number" && typeof b === "number") {
        if (op === "+") return a + b;
        if (op === "-") return a - b;
        if (op === "*") return a * b;
        if (op === "/") return a / b;
        if (op === "<") return a < b;
        if (op === ">") return a > b;
        if (op === "<=") return a <= b;
        if (op === ">=") return a >= b;
      }
      return new Unknown(`operator ${op} in '${text}' is not evaluated`, text);
  }
}

/** Why an expression built on `v` is not known, naming the reference it waits on when there is one. */
function dependsOn(v: Value): string {
  if (v instanceof Ref) return `depends on ${v.text}, which is known only after apply`;
  const u = firstUnknown(v);
  if (u) return `depends on ${u.text || "a value not known from the code"} (${u.reason})`;
  return "depends on a value not known from the code";
}

/** Render a value as JSON; unresolved parts become their `${expression}` text so a policy stays readable. */
export function toJsonValue(v: Value): unknown {
  if (v instanceof Unknown || v instanceof Ref) return "${" + v.text + "}";
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}

/** Turn a plain JSON value (from jsondecode or a plan) into a Value. */
function fromJson(x: unknown): Value {
  if (x === null || typeof x === "string" || typeof x === "number" || typeof x === "boolean") return x;
  if (Array.isArray(x)) return x.map(fromJson);
  if (typeof x === "object") return Object.fromEntries(Object.entries(x as Record<string, unknown>).map(([k, y]) => [k, fromJson(y)]));
  return null;
}

function callFunction(name: string, args: Value[], text: string): Value {
  const unknown = (why: string) => new Unknown(why, text);
  const first = args[0];
  switch (name) {
    case "jsonencode":
      // Placeholders keep a policy document with unresolved ARNs readable; the principals that matter are usually literal.
      return first === undefined ? unknown("jsonencode() needs an argument") : JSON.stringify(toJsonValue(first));
    case "jsondecode":
      if (typeof first !== "string") return first instanceof Unknown ? first : unknown(`'${text}' decodes a value not known from the code`);
      try { return fromJson(JSON.parse(first)); } catch { return unknown(`'${text}' is not valid JSON`); }
    case "tostring": case "tonumber": case "tobool": case "tolist": case "toset": case "tomap": case "sensitive": case "nonsensitive":
      return first === undefined ? unknown(`${name}() needs an argument`) : first;
    case "lower": case "upper": case "trimspace":
      if (typeof first !== "string") return first instanceof Unknown || first instanceof Ref ? unknown(`'${text}' depends on a value not known from the code`) : unknown(`${name}() needs a string`);
      return name === "lower" ? first.toLowerCase() : name === "upper" ? first.toUpperCase() : first.trim();
    case "length":
      if (typeof first === "string" || Array.isArray(first)) return first.length;
      if (isObject(first)) return Object.keys(first).length;
      return unknown(`'${text}' ${dependsOn(first ?? null)}`);
    case "concat":
      if (args.every(Array.isArray)) return (args as Value[][]).flat();
      return unknown(`'${text}' depends on a value not known from the code`);
    case "merge":
      if (args.every(isObject)) return Object.assign({}, ...args) as { [k: string]: Value };
      return unknown(`'${text}' depends on a value not known from the code`);
    case "join":
      if (typeof first === "string" && Array.isArray(args[1]) && args[1].every((x) => typeof x === "string")) return (args[1] as string[]).join(first);
      return unknown(`'${text}' depends on a value not known from the code`);
    case "format":
      if (typeof first === "string" && args.slice(1).every((x) => typeof x === "string" || typeof x === "number")) {
        let n = 1;
        return first.replace(/%[sd%]/g, (m) => (m === "%%" ? "%" : String(args[n++])));
      }
      return unknown(`'${text}' depends on a value not known from the code`);
    default:
      return unknown(`function ${name}() in '${text}' is not evaluated`);
  }
}
