/** Message templates: `{path}` placeholders compiled once per rule, filled per finding. */
import { redact } from "./condition";
import { getter } from "./read";
import type { Params } from "./types";

/** Fills a template for one view. */
export type MessageFn = (view: unknown, reason: string | undefined) => string;

const PLACEHOLDER = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z0-9_$:/-]+)*$/;

/** Problems of a template (unbalanced braces, malformed or undeclared placeholders). */
export function templateProblems(template: string, params: Params): string[] {
  const problems: string[] = [];
  const re = /\{([^{}]*)\}|[{}]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(template))) {
    if (m[1] === undefined) {
      problems.push(`unbalanced '${m[0]}' at character ${m.index + 1}`);
      continue;
    }
    const name = m[1].trim();
    if (!PLACEHOLDER.test(name)) problems.push(`placeholder {${m[1]}} is not a dotted path`);
    else if (name.startsWith("params.") && !Object.hasOwn(params, name.slice(7))) problems.push(`placeholder {${name}} names an undeclared param`);
  }
  return problems;
}

/** Compile a template (already checked by templateProblems). */
export function compileMessage(template: string, params: Params): MessageFn {
  const parts: Array<string | ((view: unknown, reason: string | undefined) => string)> = [];
  let last = 0;
  const re = /\{([^{}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(template))) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    const name = m[1].trim();
    if (name === "reason") parts.push((_v, reason) => reason ?? "no reason recorded");
    else if (name.startsWith("params.")) {
      const text = show(params[name.slice(7)], name);
      parts.push(text);
    } else {
      const get = getter(name.split("."));
      parts.push((v) => show(get(v), name));
    }
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  if (parts.every((p) => typeof p === "string")) {
    const fixed = parts.join("");
    return () => fixed;
  }
  // join() yields one flat string: a large run keeps millions of messages, and a flat
  // string is smaller than the tree of concatenation nodes that += builds.
  return (view, reason) => {
    const out: string[] = new Array<string>(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      out[i] = typeof p === "string" ? p : p(view, reason);
    }
    return out.join("");
  };
}

/** A value as text in a message: lists joined with `, `, numbers rounded, unknown shown as such. */
export function show(value: unknown, path = ""): string {
  const v = redact(path, value);
  if (v === undefined || v === null) return v === null ? "none" : "unknown";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(1);
  if (Array.isArray(v)) return v.length ? v.map((x) => show(x)).join(", ") : "none";
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.principal === "string") return o.principal;
    if (typeof o.id === "string") return o.id;
    return JSON.stringify(v);
  }
  return String(v);
}

/** A rule title with `{param}` / `{params.param}` placeholders filled from the effective params. */
export function fillTitle(title: string, params: Params): string {
  return title.replace(/\{\s*(?:params\.)?([A-Za-z][A-Za-z0-9_]*)\s*\}/g, (m, name: string) => (Object.hasOwn(params, name) ? show(params[name]) : m));
}

/** Problems of a title: its placeholders may only name declared params. */
export function titleProblems(title: string, params: Params): string[] {
  const problems: string[] = [];
  for (const m of title.matchAll(/\{([^{}]*)\}/g)) {
    const name = m[1].trim().replace(/^params\./, "");
    if (!Object.hasOwn(params, name)) problems.push(`title placeholder {${m[1]}} is not a declared param`);
  }
  return problems;
}
