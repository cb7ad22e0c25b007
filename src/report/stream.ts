/** Reading finding messages once per render when several formats share them. */
import type { Finding } from "../findings/types";

/** Reads a finding's message: the evaluator fills its template on every read. */
export type MessageOf = (f: Finding) => string;

/** Read the message each time (one format, or rows too many to keep). */
export const readMessage: MessageOf = (f) => f.message;

/** Read each message once and share it between the formats rendered from one findings file (issues only: a few hundred thousand). */
export function messageCache(): MessageOf {
  const seen = new Map<Finding, string>();
  return (f) => {
    let m = seen.get(f);
    if (m === undefined) seen.set(f, (m = f.message));
    return m;
  };
}
