/**
 * Redaction of secret values found in code. A literal secret is stored only as a
 * fingerprint (12 hex chars of its SHA-256), and every output `check` writes passes
 * through a scrubber that replaces any literal it was told about, so that a value
 * in code can never reach a message, a SARIF snippet, Markdown or JSON.
 */
import { createHash } from "node:crypto";

/** The fingerprint of a secret value: first 12 hex characters of its SHA-256. */
export function fingerprint(value: string | Uint8Array): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}

/** The text that stands in for a redacted value. */
export function redactedText(value: string): string {
  return `[redacted sha256:${fingerprint(value)}]`;
}

/** Shortest literal the scrubber replaces: shorter strings ("1", "db") would mangle ordinary text. */
export const MIN_SCRUB_LENGTH = 4;

/** Replaces known secret literals (and their JSON-escaped forms) in any text. */
export class Scrubber {
  private readonly needles: Array<{ find: string; replace: string }> = [];
  private readonly finds = new Set<string>();
  private sorted = true;

  /** Register a literal that must never be output. */
  add(value: string): void {
    if (value.length < MIN_SCRUB_LENGTH) return;
    const replace = redactedText(value);
    for (const find of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
      if (this.finds.has(find)) continue;
      this.finds.add(find);
      this.needles.push({ find, replace });
      this.sorted = false;
    }
  }

  /** Number of registered literals (forms included). */
  get size(): number {
    return this.needles.length;
  }

  /** Replace every registered literal in `text`. */
  scrub(text: string): string {
    if (!this.sorted) {
      // Longest first, so a literal that contains another is replaced whole (sorted once, not per literal added).
      this.needles.sort((a, b) => b.find.length - a.find.length);
      this.sorted = true;
    }
    let out = text;
    for (const n of this.needles) if (out.includes(n.find)) out = out.split(n.find).join(n.replace);
    return out;
  }

  /** Deep-scrub a JSON-like value (strings replaced; structure kept). */
  scrubValue<T>(value: T): T {
    if (this.needles.length === 0) return value;
    return JSON.parse(this.scrub(JSON.stringify(value))) as T;
  }
}
