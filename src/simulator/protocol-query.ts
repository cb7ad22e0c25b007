/**
 * The AWS query protocols: a form-encoded POST (`Action=…&Version=…`) answered in XML.
 * STS wraps results in `<XResult>` and errors in `<ErrorResponse>`; EC2 puts results
 * directly under `<XResponse>` with lists of `<item>` and errors in `<Response><Errors>`.
 */
import type { ServerResponse } from "node:http";
import type { SimError } from "./errors";

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";
export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Form fields of a query request. */
export function parseForm(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) out.set(k, v);
  return out;
}

/** Values of a flattened EC2 list: `Prefix.1`, `Prefix.2`, … */
export function formList(form: Map<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; form.has(`${prefix}.${i}`); i++) out.push(form.get(`${prefix}.${i}`) as string);
  return out;
}

/** EC2 filters: `Filter.N.Name` with `Filter.N.Value.M`. */
export function formFilters(form: Map<string, string>): Array<{ name: string; values: string[] }> {
  const out: Array<{ name: string; values: string[] }> = [];
  for (let i = 1; form.has(`Filter.${i}.Name`); i++) {
    out.push({ name: form.get(`Filter.${i}.Name`) as string, values: formList(form, `Filter.${i}.Value`) });
  }
  return out;
}

/** XML-escape text content. */
export function esc(value: string | number | boolean): string {
  return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** `<tag>escaped value</tag>`, or nothing when the value is undefined. */
export function leaf(tag: string, value: string | number | boolean | undefined): string {
  return value === undefined ? "" : `<${tag}>${esc(value)}</${tag}>`;
}

/** `<tag>inner</tag>` with already-built XML inside. */
export function node(tag: string, inner: string): string {
  return `<${tag}>${inner}</${tag}>`;
}

/** An EC2 list: `<tag><item>…</item>…</tag>`. */
export function itemSet(tag: string, items: string[]): string {
  return items.length ? `<${tag}>${items.map((i) => `<item>${i}</item>`).join("")}</${tag}>` : `<${tag}/>`;
}

/** EC2 tagSet. */
export function tagSet(tags: Array<{ Key: string; Value: string }>): string {
  return itemSet("tagSet", tags.map((t) => leaf("key", t.Key) + leaf("value", t.Value)));
}

function send(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "content-length": Buffer.byteLength(xml), "x-amzn-requestid": requestId });
  res.end(xml);
}

export function sendEc2(res: ServerResponse, action: string, inner: string, requestId: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${leaf("requestId", requestId)}${inner}</${action}Response>`;
  send(res, 200, xml, requestId);
}

export function sendEc2Error(res: ServerResponse, err: SimError, requestId: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${leaf("Code", err.code)}${leaf("Message", err.message)}</Error></Errors>${leaf("RequestID", requestId)}</Response>`;
  send(res, err.status, xml, requestId);
}

export function sendSts(res: ServerResponse, action: string, inner: string, requestId: string): void {
  const xml = `<${action}Response xmlns="${STS_XMLNS}">\n  <${action}Result>${inner}</${action}Result>\n  <ResponseMetadata>${leaf("RequestId", requestId)}</ResponseMetadata>\n</${action}Response>\n`;
  send(res, 200, xml, requestId);
}

export function sendStsError(res: ServerResponse, err: SimError, requestId: string): void {
  const xml = `<ErrorResponse xmlns="${STS_XMLNS}">\n  <Error>${leaf("Type", err.faultType)}${leaf("Code", err.code)}${leaf("Message", err.message)}</Error>\n  ${leaf("RequestId", requestId)}\n</ErrorResponse>\n`;
  send(res, err.status, xml, requestId);
}
