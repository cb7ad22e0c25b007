/**
 * Large seeded estates for benchmarks and scale tests: many accounts × regions and up to
 * 100,000 secrets with the same mix of good and bad practice as the sample estate.
 */
import type { Estate, EstateAccount, EstateAccountRegion, EstateSecret, FaultConfig } from "./estate";
import { markValid } from "./load";
import { Rng, hex, uuid } from "./rand";

export interface GenerateEstateOptions {
  seed: number;
  /** Number of accounts, the management account included (≥ 2). */
  accounts: number;
  regions: string[];
  /** Total secrets, spread over the member accounts × regions. */
  secrets: number;
  /** Mean successful CloudTrail reads per read secret (default 3; 0 = no read events). */
  readsPerSecret?: number;
  name?: string;
  /** An organization-wide CloudTrail Lake event data store in the management account (default true). */
  lake?: boolean;
  faults?: Partial<FaultConfig>;
}

/** Profiles and their weights: most secrets are fine, each bad practice is common enough to show up. */
const PROFILES: Array<[string, number]> = [
  ["good", 30],
  ["rotation-off", 8],
  ["rotation-slow", 5],
  ["cron", 4],
  ["overdue", 4],
  ["never-rotated", 5],
  ["unused", 6],
  ["default-key", 8],
  ["cmk-no-rotation", 5],
  ["cross-account-key", 4],
  ["bad-key", 2],
  ["public-policy", 2],
  ["foreign-principal", 3],
  ["wildcard-policy", 2],
  ["phi-guarded", 4],
  ["phi-open", 4],
  ["rds", 3],
  ["replica", 4],
  ["deleted", 2],
  ["untagged", 5],
];
const TOTAL_WEIGHT = PROFILES.reduce((s, [, w]) => s + w, 0);
const APPS = ["patients", "claims", "billing", "scheduling", "pharmacy", "lab", "imaging", "portal", "payments", "identity"];
const KINDS = ["db/master", "db/app", "api-key", "oauth-client", "smtp", "jwt-signing", "partner-sftp", "cache"];

function accountId(i: number): string {
  return String(100000000000 + i * 1111111 + 7).slice(0, 12);
}

/** Generate a deterministic estate; 100k secrets take well under a few seconds. */
export function generateEstate(opts: GenerateEstateOptions): Estate {
  if (opts.accounts < 2) throw new Error("generateEstate needs at least 2 accounts (management + one member)");
  if (!opts.regions.length) throw new Error("generateEstate needs at least one region");
  const rng = new Rng(opts.seed);
  const ids = Array.from({ length: opts.accounts }, (_, i) => accountId(i + 1));
  const mgmt = ids[0] as string;
  const shared = ids[1] as string;
  const sharedKeyId = (region: string): string => uuid(`${opts.seed}/shared-key/${region}`);
  const readsPerSecret = opts.readsPerSecret ?? 3;
  const accounts: EstateAccount[] = ids.map((id, ai) => {
    const regions: Record<string, EstateAccountRegion> = {};
    opts.regions.forEach((region, ri) => {
      const hasEndpoint = (ai + ri) % 3 !== 2;
      regions[region] = {
        kmsKeys: [
          { alias: "app-secrets", rotation: true, description: "application secrets" },
          { alias: "legacy-secrets", rotation: false, description: "legacy key, rotation never enabled" },
          ...(ai % 7 === 3 ? [{ alias: "retired", state: "PendingDeletion" as const, deletionDate: "+5d" }] : []),
          ...(ai % 7 === 5 ? [{ alias: "retired", state: "Disabled" as const }] : []),
          ...(id === shared ? [{ id: sharedKeyId(region), alias: "org-shared-secrets", rotation: true, allowAccounts: ids.filter((x) => x !== shared) }] : []),
        ],
        vpcs: [
          { name: "default", default: true, cidr: "172.31.0.0/16" },
          {
            name: `app-${region}`,
            cidr: `10.${ai % 250}.0.0/16`,
            endpoints: [
              ...(hasEndpoint ? [{ id: `vpce-0${hex(`${opts.seed}/sm/${id}/${region}`, 16)}`, service: "secretsmanager", privateDns: (ai + ri) % 5 !== 4 }] : []),
              { service: "s3", type: "Gateway" as const },
            ],
          },
        ],
        secrets: [],
      };
      if (ri === 0 && id !== mgmt && ai % 4 === 1) {
        regions[region].trails = [{ name: "account-trail", multiRegion: ai % 8 !== 5, logging: true, logFileValidation: ai % 3 !== 0 }];
      }
    });
    const first = regions[opts.regions[0] as string] as EstateAccountRegion;
    if (id === mgmt) {
      first.trails = [{ name: "org-trail", multiRegion: true, logging: true, logFileValidation: true, organizationTrail: ai === 0 && opts.accounts % 5 !== 0 }];
      if (opts.lake ?? true) first.eventDataStores = [{ name: "org-lake", organizationEnabled: true, multiRegion: true }];
    }
    return { id, name: id === mgmt ? "management" : id === shared ? "shared-services" : `workload-${ai}`, roles: ["OrganizationAccountAccessRole", "SmAuditRole"], regions };
  });

  const members = accounts.slice(1);
  const slots = members.flatMap((a) => opts.regions.map((r) => ({ account: a, region: r })));
  for (let i = 0; i < opts.secrets; i++) {
    const slot = slots[i % slots.length] as { account: EstateAccount; region: string };
    const ar = slot.account.regions?.[slot.region] as EstateAccountRegion;
    const endpoint = (ar.vpcs?.[1]?.endpoints ?? []).find((e) => e.service === "secretsmanager")?.id;
    (ar.secrets as EstateSecret[]).push(makeSecret(i, slot.account, slot.region, endpoint, rng, readsPerSecret, opts, sharedKeyId(slot.region), shared, mgmt));
  }
  return markValid<Estate>({
    version: 1,
    name: opts.name ?? `generated estate (seed ${opts.seed}, ${opts.secrets} secrets)`,
    seed: opts.seed,
    organization: { id: `o-gen${String(opts.seed).padStart(7, "0").slice(-7)}x`, managementAccountId: mgmt },
    regions: [...opts.regions],
    accounts,
    ...(opts.faults ? { faults: opts.faults } : {}),
  });
}

function pickProfile(rng: Rng): string {
  let x = rng.next() * TOTAL_WEIGHT;
  for (const [name, w] of PROFILES) {
    x -= w;
    if (x < 0) return name;
  }
  return "good";
}

function makeSecret(
  i: number,
  account: EstateAccount,
  region: string,
  endpoint: string | undefined,
  rng: Rng,
  readsPerSecret: number,
  opts: GenerateEstateOptions,
  sharedKeyId: string,
  shared: string,
  mgmt: string,
): EstateSecret {
  let profile = pickProfile(rng);
  if (profile === "replica" && opts.regions.length < 2) profile = "good";
  if (profile === "cross-account-key" && account.id === shared) profile = "good";
  const app = rng.pick(APPS);
  const s: EstateSecret = {
    name: `${app}/${rng.pick(["prod", "prod", "staging", "dev"])}/${rng.pick(KINDS)}-${i}`,
    kmsKey: "alias/app-secrets",
    created: `-${rng.int(30, 900)}d`,
    rotation: { afterDays: rng.pick([30, 30, 60, 90]) },
    tags: { Owner: `team-${app}`, DataClassification: rng.pick(["internal", "internal", "confidential"]), CostCenter: `cc-${rng.int(100, 140)}` },
  };
  let readsVia: string | undefined = endpoint ? "vpce" : undefined;
  let used = true;
  switch (profile) {
    case "rotation-off":
      s.rotation = { enabled: false, afterDays: 30, lastRotated: `-${rng.int(120, 400)}d` };
      break;
    case "rotation-slow":
      s.rotation = { afterDays: 180 };
      break;
    case "cron":
      s.rotation = { schedule: rng.pick(["cron(0 4 ? * SUN *)", "cron(0 2 1 * ? *)", "cron(0 3 1 1/6 ? *)"]), duration: "3h" };
      break;
    case "overdue":
      s.rotation = { afterDays: 30, lastRotated: `-${rng.int(45, 120)}d`, nextRotation: `-${rng.int(5, 14)}d` };
      break;
    case "never-rotated":
      delete s.rotation;
      s.created = `-${rng.int(200, 1200)}d`;
      break;
    case "unused":
      used = false;
      s.lastAccessed = rng.chance(0.5) ? null : `-${rng.int(100, 400)}d`;
      break;
    case "default-key":
      delete s.kmsKey;
      break;
    case "cmk-no-rotation":
      s.kmsKey = "alias/legacy-secrets";
      break;
    case "cross-account-key":
      s.kmsKey = `arn:aws:kms:${region}:${shared}:key/${sharedKeyId}`;
      break;
    case "bad-key": {
      const retired = account.regions?.[region]?.kmsKeys?.find((k) => k.alias === "retired");
      if (retired) s.kmsKey = "alias/retired";
      break;
    }
    case "public-policy":
      s.policy = policy([{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }]);
      break;
    case "foreign-principal":
      s.policy = policy([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${rng.pick(["999988887777", "444455556666"])}:role/partner-sync` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }]);
      break;
    case "wildcard-policy":
      s.policy = policy([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account.id}:role/ops-admin` }, Action: "secretsmanager:*", Resource: "*" }]);
      break;
    case "phi-guarded":
    case "phi-open": {
      const cls = rng.pick(["phi", "pci"]);
      s.tags = { ...s.tags, DataClassification: cls };
      if (profile === "phi-guarded" && endpoint) {
        s.policy = policy([
          { Sid: "DenyOutsideVpce", Effect: "Deny", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringNotEquals: { "aws:SourceVpce": endpoint } } },
        ]);
      } else {
        readsVia = undefined;
      }
      break;
    }
    case "rds":
      s.name = `rds!db-${uuid(`${opts.seed}/rds/${i}`)}`;
      s.owningService = "rds";
      s.rotation = { schedule: "rate(7 days)" };
      s.description = "The secret associated with the primary RDS DB instance";
      break;
    case "replica": {
      const other = opts.regions.find((r) => r !== region) as string;
      s.replicas = [{ region: other, ...(rng.chance(0.5) ? { kmsKey: "alias/app-secrets" } : {}) }];
      break;
    }
    case "deleted":
      s.deleted = `-${rng.int(1, 6)}d`;
      used = rng.chance(0.5);
      break;
    case "untagged":
      s.tags = rng.chance(0.5) ? {} : { Owner: `team-${app}` };
      break;
  }
  if (used && readsPerSecret > 0) {
    const count = Math.max(1, Math.round(readsPerSecret * (0.5 + rng.next())));
    const reads: NonNullable<EstateSecret["reads"]> = [{ principal: `role/${app}-service`, count, spreadDays: 30, last: `-${rng.int(1, 20)}h`, ...(readsVia ? { via: readsVia } : {}) }];
    if (profile === "deleted") reads[0] = { ...reads[0], last: "-2h", spreadDays: 1 } as (typeof reads)[0];
    if (rng.chance(0.05)) reads.push({ principal: "user/legacy-batch", count: rng.int(1, 5), spreadDays: 20 });
    if (rng.chance(0.01)) reads.push({ principal: "root", count: 1, last: `-${rng.int(2, 20)}d` });
    if (rng.chance(0.03)) reads.push({ principal: `${mgmt}:role/ci-deployer`, count: 0, denied: rng.int(12, 40) });
    s.reads = reads;
  }
  return s;
}

function policy(statements: Array<Record<string, unknown>>): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: statements };
}
