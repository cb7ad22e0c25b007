/** Hashes shared across stages: a small stable string hash (sharding, simulator data) and file digests. */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

/** 32-bit FNV-1a of `text` mixed with `seed`, with murmur3's fmix32 so that close inputs give unrelated outputs; stable across platforms and Node versions. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** SHA-256 of a file, read in 1 MiB chunks (bundles hold files of hundreds of MB). */
export function sha256File(path: string): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}
