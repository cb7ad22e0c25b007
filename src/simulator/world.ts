/**
 * The world: the estate resolved into what the services serve (ARNs, ids, absolute dates,
 * resolved key references), indexed per account × region. Built once when the simulator
 * starts; relative dates are fixed against the clock at that moment.
 */
import type { Estate, EstateAccountRegion, EstateRead, EstateTrail } from "./estate";
import type { PrincipalRef } from "./refs";
import { hex, uuid } from "./rand";
import { endpointServiceName } from "./refs";
import { DAY, resolveDate } from "./time";
import type { CtEvent } from "./events";
import { addKey, policyText } from "./world-keys";

export { defaultKey, policyAccounts, policyText } from "./world-keys";

export interface RegionW {
  name: string;
  optInStatus: "opt-in-not-required" | "opted-in" | "not-opted-in";
}

export interface AccountW {
  id: string;
  name: string;
  email: string;
  status: "ACTIVE" | "SUSPENDED";
  joinedMs: number;
  joinedMethod: "INVITED" | "CREATED";
  roles: Set<string>;
}

export interface KeyW {
  id: string;
  arn: string;
  accountId: string;
  region: string;
  aliases: string[];
  description: string;
  manager: "CUSTOMER" | "AWS";
  state: string;
  deletionMs?: number;
  rotation: boolean;
  rotationPeriodDays: number;
  origin: string;
  multiRegion: boolean;
  keySpec: string;
  keyUsage: string;
  createdMs: number;
  /** The key policy as JSON text. */
  policy: string;
  /** Accounts (besides the owner) the policy lets use and describe the key. */
  allowAccounts: Set<string>;
}

export interface AliasW {
  name: string;
  arn: string;
  targetKeyId: string;
  createdMs: number;
}

export interface RotationW {
  enabled: boolean;
  lambdaArn?: string;
  afterDays?: number;
  schedule?: string;
  duration?: string;
  lastRotatedMs?: number;
  nextRotationMs?: number;
}

export interface ReplicaW {
  region: string;
  /** KmsKeyId as ReplicationStatus shows it (`alias/aws/secretsmanager` for the default key). */
  kmsKeyId: string;
  status: string;
  lastAccessedMs?: number;
}

export interface SecretW {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  isReplica: boolean;
  description?: string;
  /** KmsKeyId as served; undefined for the AWS managed key. */
  kmsKeyId?: string;
  key: KeyW;
  /** Present when the secret ever had rotation configured. */
  rotation?: RotationW;
  createdMs: number;
  lastChangedMs: number;
  lastAccessedMs?: number;
  deletedMs?: number;
  tags: Array<{ Key: string; Value: string }>;
  policy?: string;
  owningService?: string;
  replicas: ReplicaW[];
  primaryRegion?: string;
  /** Seed the version ids derive from (see `secretVersions`). */
  versionSeed: string;
}

export interface VpcW {
  id: string;
  ownerId: string;
  cidr: string;
  isDefault: boolean;
  state: string;
  tags: Array<{ Key: string; Value: string }>;
  dhcpOptionsId: string;
}

export interface EndpointW {
  id: string;
  vpcId: string;
  ownerId: string;
  serviceName: string;
  type: string;
  state: string;
  privateDns: boolean;
  policy?: string;
  subnetIds: string[];
  routeTableIds: string[];
  networkInterfaceIds: string[];
  createdMs: number;
  tags: Array<{ Key: string; Value: string }>;
}

export interface TrailW {
  name: string;
  arn: string;
  accountId: string;
  homeRegion: string;
  spec: EstateTrail;
  startLoggingMs: number;
}

export interface EdsW {
  id: string;
  arn: string;
  name: string;
  accountId: string;
  region: string;
  organizationEnabled: boolean;
  multiRegion: boolean;
  status: string;
  createdMs: number;
}

/** A read spec bound to the secret (primary or replica) it reads. */
export interface ReadW {
  secret: SecretW;
  spec: EstateRead;
  index: number;
  principal: PrincipalRef;
  endpointId?: string;
}

export interface AccountRegionW {
  accountId: string;
  region: string;
  /** Secrets served in this region (primaries and replicas), newest first. */
  secrets: SecretW[];
  secretByName: Map<string, SecretW>;
  secretByArn: Map<string, SecretW>;
  keys: KeyW[];
  keyById: Map<string, KeyW>;
  aliases: AliasW[];
  aliasByName: Map<string, AliasW>;
  vpcs: VpcW[];
  endpoints: EndpointW[];
  trails: TrailW[];
  eventDataStores: EdsW[];
  reads: ReadW[];
  /** CloudTrail events recorded here, newest first; expanded on first use. */
  events?: CtEvent[];
}

export interface World {
  seed: number;
  /** Simulator clock in ms. */
  clock: () => number;
  /** Clock value the estate's relative dates were resolved against. */
  startMs: number;
  organization?: { id: string; arn: string; managementAccountId: string; featureSet: string };
  regions: RegionW[];
  accounts: AccountW[];
  accountById: Map<string, AccountW>;
  accountRegions: Map<string, AccountRegionW>;
  /** The account-region holding `accountId`/`region`, created empty when the estate has none. */
  ar(accountId: string, region: string): AccountRegionW;
  keyByArn: Map<string, KeyW>;
  trails: TrailW[];
  eventDataStores: EdsW[];
}

export function tagList(tags: Record<string, string> | undefined): Array<{ Key: string; Value: string }> {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** Build the account, region and non-secret parts of the world; secrets are added by `addSecrets`. */
export function buildWorldBase(estate: Estate, seed: number, clock: () => number): World {
  const startMs = clock();
  const at = (spec: string | undefined, fallback: number): number => (spec === undefined ? fallback : resolveDate(spec, startMs));
  const regions: RegionW[] = estate.regions.map((r) =>
    typeof r === "string" ? { name: r, optInStatus: "opt-in-not-required" } : { name: r.name, optInStatus: r.optInStatus ?? "opt-in-not-required" },
  );
  const accounts: AccountW[] = estate.accounts.map((a) => ({
    id: a.id,
    name: a.name,
    email: a.email ?? `aws+${a.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}@example.com`,
    status: a.status ?? "ACTIVE",
    joinedMs: at(a.joined, startMs - 900 * DAY),
    joinedMethod: a.joinedMethod ?? (a.id === estate.organization?.managementAccountId ? "INVITED" : "CREATED"),
    roles: new Set(a.roles ?? ["OrganizationAccountAccessRole"]),
  }));
  const accountRegions = new Map<string, AccountRegionW>();
  const world: World = {
    seed,
    clock,
    startMs,
    regions,
    accounts,
    accountById: new Map(accounts.map((a) => [a.id, a])),
    accountRegions,
    ar(accountId, region) {
      const key = `${accountId}/${region}`;
      let ar = accountRegions.get(key);
      if (!ar) {
        ar = emptyAccountRegion(accountId, region);
        accountRegions.set(key, ar);
      }
      return ar;
    },
    keyByArn: new Map(),
    trails: [],
    eventDataStores: [],
  };
  if (estate.organization) {
    const o = estate.organization;
    world.organization = {
      id: o.id,
      arn: `arn:aws:organizations::${o.managementAccountId}:organization/${o.id}`,
      managementAccountId: o.managementAccountId,
      featureSet: o.featureSet ?? "ALL",
    };
  }
  for (const account of estate.accounts) {
    for (const [region, spec] of Object.entries(account.regions ?? {})) {
      addRegionResources(world, world.ar(account.id, region), spec ?? {}, at);
    }
  }
  return world;
}

function emptyAccountRegion(accountId: string, region: string): AccountRegionW {
  return {
    accountId,
    region,
    secrets: [],
    secretByName: new Map(),
    secretByArn: new Map(),
    keys: [],
    keyById: new Map(),
    aliases: [],
    aliasByName: new Map(),
    vpcs: [],
    endpoints: [],
    trails: [],
    eventDataStores: [],
    reads: [],
  };
}

function addRegionResources(world: World, ar: AccountRegionW, spec: EstateAccountRegion, at: (s: string | undefined, f: number) => number): void {
  const { accountId, region } = ar;
  const seed = world.seed;
  for (const k of spec.kmsKeys ?? []) addKey(world, ar, k, at);
  (spec.vpcs ?? []).forEach((v, vi) => {
    const vpcId = v.id ?? `vpc-0${hex(`${seed}/vpc/${accountId}/${region}/${vi}`, 16)}`;
    const tags = tagList(v.tags);
    if (v.name && !v.tags?.Name) tags.unshift({ Key: "Name", Value: v.name });
    ar.vpcs.push({
      id: vpcId,
      ownerId: accountId,
      cidr: v.cidr ?? (v.default ? "172.31.0.0/16" : `10.${vi % 256}.0.0/16`),
      isDefault: v.default ?? false,
      state: v.state ?? "available",
      tags,
      dhcpOptionsId: `dopt-0${hex(`${seed}/dopt/${accountId}/${region}`, 16)}`,
    });
    (v.endpoints ?? []).forEach((e, ei) => {
      const base = `${seed}/vpce/${accountId}/${region}/${vi}/${ei}`;
      const type = e.type ?? "Interface";
      const subnets = type === "Interface" ? (e.subnets ?? 2) : 0;
      const serviceName = endpointServiceName(e.service, region);
      ar.endpoints.push({
        id: e.id ?? `vpce-0${hex(base, 16)}`,
        vpcId,
        ownerId: accountId,
        serviceName,
        type,
        state: e.state ?? "available",
        privateDns: type === "Interface" ? (e.privateDns ?? true) : false,
        policy: policyText(e.policy) ?? defaultEndpointPolicy(),
        subnetIds: Array.from({ length: subnets }, (_, i) => `subnet-0${hex(`${base}/subnet/${i}`, 16)}`),
        routeTableIds: type === "Gateway" ? [`rtb-0${hex(`${base}/rtb`, 16)}`] : [],
        networkInterfaceIds: Array.from({ length: subnets }, (_, i) => `eni-0${hex(`${base}/eni/${i}`, 16)}`),
        createdMs: at(e.created, world.startMs - 200 * DAY),
        tags: tagList(e.tags),
      });
    });
  });
  for (const t of spec.trails ?? []) {
    const trail: TrailW = {
      name: t.name,
      arn: `arn:aws:cloudtrail:${region}:${accountId}:trail/${t.name}`,
      accountId,
      homeRegion: region,
      spec: t,
      startLoggingMs: world.startMs - 400 * DAY,
    };
    ar.trails.push(trail);
    world.trails.push(trail);
  }
  for (const e of spec.eventDataStores ?? []) {
    const id = e.id ?? uuid(`${seed}/eds/${accountId}/${region}/${e.name}`);
    const eds: EdsW = {
      id,
      arn: `arn:aws:cloudtrail:${region}:${accountId}:eventdatastore/${id}`,
      name: e.name,
      accountId,
      region,
      organizationEnabled: e.organizationEnabled ?? false,
      multiRegion: e.multiRegion ?? true,
      status: e.status ?? "ENABLED",
      createdMs: world.startMs - 300 * DAY,
    };
    ar.eventDataStores.push(eds);
    world.eventDataStores.push(eds);
  }
}

function defaultEndpointPolicy(): string {
  return JSON.stringify({ Statement: [{ Action: "*", Effect: "Allow", Principal: "*", Resource: "*" }] });
}
