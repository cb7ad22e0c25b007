/**
 * Prices for the cost report and the remediation plan's cost delta: rules/pricing.yaml
 * (us-east-1 defaults + per-region overrides), optionally overlaid by a user pricing
 * file and by `--price key=value` flags.
 */
import { join } from "node:path";
import { UserError } from "../util/errors";
import { parseYamlFile, type ParsedYaml } from "../util/yaml";
import { packageRoot } from "../version";

/** The unit prices of one region (USD). */
export interface Prices {
  /** Per secret per month; every replica is billed as a secret. */
  secretMonthly: number;
  /** Per 10,000 Secrets Manager API calls. */
  secretApiPer10k: number;
  /** Per customer managed KMS key per month. */
  kmsKeyMonthly: number;
  /** Per rotation of a key's material per month (the first and second rotation only). */
  kmsRotationMonthly: number;
  /** Rotations beyond this many are not billed (AWS: 2). */
  kmsRotationsBilledMax: number;
  /** A key plus its rotation surcharge never costs more than this per month (AWS: $3). */
  kmsKeyMonthlyCap: number;
  /** Per 10,000 symmetric KMS requests. */
  kmsRequestsPer10k: number;
  /** Interface VPC endpoint, per AZ per hour. */
  endpointAzHour: number;
  /** Interface VPC endpoint data processed, per GB (0 = ignore). */
  endpointDataPerGb: number;
  /** Billing hours in a month (AWS uses 730). */
  hoursPerMonth: number;
}

/** The names of every price, in display order. */
export const PRICE_KEYS: ReadonlyArray<keyof Prices> = [
  "secretMonthly", "secretApiPer10k", "kmsKeyMonthly", "kmsRotationMonthly", "kmsRotationsBilledMax",
  "kmsKeyMonthlyCap", "kmsRequestsPer10k", "endpointAzHour", "endpointDataPerGb", "hoursPerMonth",
];

/** The default (us-east-1) prices at the top level, plus per-region overrides. */
export interface Pricing extends Prices {
  /** Date the prices were read from the AWS pricing pages. */
  asOf: string;
  currency: string;
  /** Region -> the prices that differ there. */
  regions: Record<string, Partial<Prices>>;
  /** Files the prices came from, in the order applied. */
  files: string[];
}

/** Changes to apply on top of a pricing file (from code, a user file or `--price` flags). */
export type PricingOverrides = Partial<Prices> & { regions?: Record<string, Partial<Prices>>; asOf?: string };

/** The pricing file shipped with sm-audit. */
export function defaultPricingFile(): string {
  return join(packageRoot(), "rules", "pricing.yaml");
}

/**
 * Load the shipped prices, then `file` (if it is another file: fields it leaves out keep
 * the shipped values), then `overrides`. Bad values are UserErrors naming file, line and field.
 */
export function loadPricing(file?: string, overrides?: PricingOverrides): Pricing {
  const base = defaultPricingFile();
  const pricing = readPricingFile(base, undefined);
  if (file && file !== base) readPricingFile(file, pricing);
  if (overrides) applyOverrides(pricing, overrides, "overrides");
  return pricing;
}

/** The prices that apply in `region` (defaults with that region's overrides). */
export function priceFor(pricing: Pricing, region?: string): Prices {
  const out = {} as Prices;
  for (const k of PRICE_KEYS) out[k] = pricing[k];
  const r = region ? pricing.regions[region] : undefined;
  if (r) for (const k of PRICE_KEYS) if (r[k] !== undefined) out[k] = r[k] as number;
  return out;
}

/**
 * Monthly cost of one customer managed key whose material has been rotated `rotations`
 * times: $1 + $1 per rotation for the first two rotations, capped (AWS bills at most $3).
 */
export function kmsKeyMonthlyCost(prices: Prices, rotations: number): number {
  const billed = Math.min(Math.max(0, Math.floor(rotations)), prices.kmsRotationsBilledMax);
  return Math.min(prices.kmsKeyMonthlyCap, prices.kmsKeyMonthly + billed * prices.kmsRotationMonthly);
}

/** Parse `--price key=value` and `--price <region>.key=value` flags into overrides. */
export function parsePriceFlags(flags: readonly string[]): PricingOverrides {
  const out: PricingOverrides = {};
  for (const flag of flags) {
    const m = /^(?:([a-z0-9-]+)\.)?([A-Za-z0-9]+)=(.+)$/.exec(flag.trim());
    if (!m) throw new UserError(`expected key=value or region.key=value, got '${flag}'`, { field: "--price" });
    const [, region, key, raw] = m;
    if (!(PRICE_KEYS as readonly string[]).includes(key)) {
      throw new UserError(`unknown price '${key}'; known: ${PRICE_KEYS.join(", ")}`, { field: "--price" });
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new UserError(`price must be a number >= 0, got '${raw}'`, { field: `--price ${key}` });
    if (region) {
      out.regions ??= {};
      (out.regions[region] ??= {})[key as keyof Prices] = value;
    } else {
      out[key as keyof Prices] = value;
    }
  }
  return out;
}

function readPricingFile(file: string, into: Pricing | undefined): Pricing {
  const doc = parseYamlFile(file);
  const v = doc.value;
  if (!isRecord(v)) throw new UserError("expected a mapping with 'defaults' (and optional 'regions')", { file, line: 1 });
  for (const key of Object.keys(v)) {
    if (!["asOf", "currency", "defaults", "regions"].includes(key)) {
      throw new UserError(`unknown field; expected asOf, currency, defaults or regions`, { file, line: doc.lineOf([key]), field: key });
    }
  }
  const pricing: Pricing = into ?? ({ asOf: "", currency: "USD", regions: {}, files: [] } as unknown as Pricing);
  if (v.asOf !== undefined) pricing.asOf = stringField(v.asOf, doc, file, "asOf");
  if (v.currency !== undefined) {
    const c = stringField(v.currency, doc, file, "currency");
    if (c !== "USD") throw new UserError(`only USD prices are supported, got '${c}'`, { file, line: doc.lineOf(["currency"]), field: "currency" });
    pricing.currency = c;
  }
  const defaults = readPrices(v.defaults, doc, file, ["defaults"]);
  for (const [k, value] of Object.entries(defaults)) pricing[k as keyof Prices] = value;
  if (!into) {
    const missing = PRICE_KEYS.filter((k) => typeof pricing[k] !== "number");
    if (missing.length) throw new UserError(`missing prices: ${missing.join(", ")}`, { file, line: doc.lineOf(["defaults"]), field: "defaults" });
  }
  if (v.regions !== undefined) {
    if (!isRecord(v.regions)) throw new UserError("expected a mapping of region -> prices", { file, line: doc.lineOf(["regions"]), field: "regions" });
    for (const [region, prices] of Object.entries(v.regions)) {
      pricing.regions[region] = { ...pricing.regions[region], ...readPrices(prices, doc, file, ["regions", region]) };
    }
  }
  pricing.files.push(file);
  return pricing;
}

function readPrices(value: unknown, doc: ParsedYaml, file: string, at: string[]): Partial<Prices> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new UserError("expected a mapping of price name -> number", { file, line: doc.lineOf(at), field: at.join(".") });
  const out: Partial<Prices> = {};
  for (const [k, raw] of Object.entries(value)) {
    const path = [...at, k];
    if (!(PRICE_KEYS as readonly string[]).includes(k)) {
      throw new UserError(`unknown price; known: ${PRICE_KEYS.join(", ")}`, { file, line: doc.lineOf(path), field: path.join(".") });
    }
    if (typeof raw !== "number" || !Number.isFinite(raw) || raw < 0) {
      throw new UserError(`expected a number >= 0, got ${JSON.stringify(raw)}`, { file, line: doc.lineOf(path), field: path.join(".") });
    }
    if (k === "hoursPerMonth" && raw === 0) throw new UserError("expected a number > 0", { file, line: doc.lineOf(path), field: path.join(".") });
    out[k as keyof Prices] = raw;
  }
  return out;
}

function applyOverrides(pricing: Pricing, o: PricingOverrides, label: string): void {
  for (const k of PRICE_KEYS) {
    const value = o[k];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new UserError(`expected a number >= 0`, { subject: label, field: k });
    pricing[k] = value;
  }
  if (o.asOf) pricing.asOf = o.asOf;
  for (const [region, prices] of Object.entries(o.regions ?? {})) {
    pricing.regions[region] = { ...pricing.regions[region], ...prices };
  }
}

function stringField(value: unknown, doc: ParsedYaml, file: string, field: string): string {
  if (typeof value === "string") return value;
  // YAML reads an unquoted 2026-11-01 as a string with yaml 2's core schema, but be lenient with dates.
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  throw new UserError(`expected a string, got ${JSON.stringify(value)}`, { file, line: doc.lineOf([field]), field });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
