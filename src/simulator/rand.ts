/**
 * Deterministic pseudo-randomness: every id, suffix, timestamp jitter and fault decision the
 * simulator makes is a pure function of a seed and a name, so two runs over the same estate
 * serve byte-identical answers.
 */
import { hash32 } from "../util/hash";

export { hash32 };

/** A number in [0, 1) derived from `text` and `seed`. */
export function unit(text: string, seed = 0): number {
  return hash32(text, seed) / 4294967296;
}

/** Small seeded generator (mulberry32) for sequences where hashing each draw is awkward. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** `new Rng(seed).next` as a plain function: seeded numbers in [0, 1) for generators and tests. */
export function seededRandom(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_NUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** `length` characters drawn from `alphabet`, determined by `name`. */
export function token(name: string, length: number, alphabet: string = ALNUM): string {
  let out = "";
  let h = hash32(name);
  for (let i = 0; out.length < length; i++) {
    if (i % 4 === 0) h = hash32(`${name}#${i}`);
    out += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length);
  }
  return out;
}

/** Lower-case hex string of `length` digits determined by `name`. */
export function hex(name: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += hash32(`${name}/${i}`).toString(16).padStart(8, "0");
  return out.slice(0, length);
}

/** A version-4-shaped UUID determined by `name`. */
export function uuid(name: string): string {
  const h = hex(name, 32);
  const variant = "89ab"[parseInt(h[16] as string, 16) % 4] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The 6-character random suffix Secrets Manager appends to secret ARNs. */
export function secretSuffix(name: string): string {
  return token(name, 6, ALNUM);
}

/** IAM-style unique id (`AROA…`, `AIDA…`, `AKIA…`) of `length` characters after the prefix. */
export function iamId(prefix: string, name: string, length = 17): string {
  return prefix + token(name, length, UPPER_NUM);
}
