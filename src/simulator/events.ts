/**
 * CloudTrail GetSecretValue events, expanded deterministically from the estate's compact
 * read specs: timestamps spread over the window, AccessDenied reads in bursts, secretId
 * written as a name, a partial ARN or a full ARN, identities shaped like real CloudTrail.
 */
import { hash32, hex, iamId, unit, uuid } from "./rand";
import type { PrincipalRef } from "./refs";
import { DAY, SECOND, isoSeconds, resolveDate } from "./time";
import type { AccountRegionW, ReadW, SecretW, World } from "./world";

export interface ResolvedPrincipal {
  type: "AssumedRole" | "IAMUser" | "Root" | "AWSService";
  accountId?: string;
  arn?: string;
  principalId?: string;
  accessKeyId?: string;
  /** The Username CloudTrail event history shows. */
  userName?: string;
  roleName?: string;
  roleArn?: string;
  roleId?: string;
  invokedBy?: string;
}

export interface CtEvent {
  id: string;
  timeMs: number;
  /** Account whose trail recorded it: the secret's owner. */
  accountId: string;
  region: string;
  secret: SecretW;
  /** requestParameters.secretId as the caller wrote it. */
  secretId: string;
  principal: ResolvedPrincipal;
  denied: boolean;
  vpceId?: string;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  sessionStartMs: number;
}

const USER_AGENTS = [
  "aws-sdk-java/2.25.40 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11",
  "aws-sdk-js/3.600.0 ua/2.0 os/linux#5.10.220 lang/js md/nodejs#20.15.0 api/secrets-manager#3.600.0",
  "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.131",
  "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython exec-env#SSOCredentials cfg/retry-mode#standard md/installer#exe",
  "aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.32.1",
];

/** The events recorded in an account-region, newest first (expanded and cached on first use). */
export function eventsOf(world: World, ar: AccountRegionW): CtEvent[] {
  if (!ar.events) {
    const out: CtEvent[] = [];
    for (const read of ar.reads) expandRead(world, ar, read, out);
    out.sort((a, b) => b.timeMs - a.timeMs || (a.id < b.id ? -1 : 1));
    ar.events = out;
  }
  return ar.events;
}

function expandRead(world: World, ar: AccountRegionW, read: ReadW, out: CtEvent[]): void {
  const { spec, secret } = read;
  const seedName = `${world.seed}/read/${secret.arn}/${read.index}`;
  const count = spec.count ?? 1;
  const denied = spec.denied ?? 0;
  const last = Math.min(resolveDate(spec.last ?? "-1h", world.startMs), world.startMs);
  const spread = (spec.spreadDays ?? 30) * DAY;
  const principal = resolvePrincipal(read.principal, secret.accountId, `${seedName}/p`, spec.session);
  const vpceId = principal.type === "AWSService" ? undefined : read.endpointId;
  const sourceIp = principal.type === "AWSService" ? (principal.invokedBy as string) : (spec.sourceIp ?? ipFor(seedName, vpceId !== undefined));
  const userAgent = principal.type === "AWSService" ? (principal.invokedBy as string) : (USER_AGENTS[hash32(seedName) % USER_AGENTS.length] as string);
  const mode = spec.secretId ?? "mixed";
  const make = (i: number, timeMs: number, isDenied: boolean): CtEvent => ({
    id: uuid(`${seedName}/${i}`),
    timeMs: Math.round(timeMs / SECOND) * SECOND,
    accountId: secret.accountId,
    region: ar.region,
    secret,
    secretId: secretIdOf(secret, mode, hash32(`${seedName}/id/${i}`)),
    principal,
    denied: isDenied,
    vpceId,
    sourceIp,
    userAgent,
    requestId: uuid(`${seedName}/req/${i}`),
    sessionStartMs: timeMs - (hash32(`${seedName}/s/${i}`) % 3000) * SECOND,
  });
  for (let i = 0; i < count; i++) {
    const slot = spread / count;
    const jitter = i === 0 ? 0 : unit(`${seedName}/j/${i}`) * slot * 0.9;
    out.push(make(i, last - i * slot - jitter, false));
  }
  // Denied reads come in a burst: a misconfigured client retrying within minutes.
  const burstAt = last - unit(`${seedName}/burst`) * spread * 0.8;
  for (let j = 0; j < denied; j++) {
    out.push(make(count + j, burstAt - j * (20 + unit(`${seedName}/d/${j}`) * 40) * SECOND, true));
  }
}

function ipFor(seedName: string, private_: boolean): string {
  const h = hash32(`${seedName}/ip`);
  if (private_) return `10.${(h >>> 16) % 64}.${(h >>> 8) % 256}.${(h % 250) + 4}`;
  const nets = ["203.0.113", "198.51.100", "192.0.2"];
  return `${nets[h % nets.length]}.${(h >>> 8) % 250 + 2}`;
}

function secretIdOf(secret: SecretW, mode: string, h: number): string {
  const partial = secret.arn.slice(0, -7);
  const choice = mode === "mixed" ? ["name", "partial-arn", "arn"][h % 3] : mode;
  return choice === "name" ? secret.name : choice === "partial-arn" ? partial : secret.arn;
}

/** Identity fields of a read principal (ids are stable for the same principal). */
export function resolvePrincipal(ref: PrincipalRef, ownerAccount: string, seedName: string, session?: string): ResolvedPrincipal {
  if (ref.type === "AWSService") return { type: "AWSService", invokedBy: ref.service };
  const accountId = ref.account ?? ownerAccount;
  if (ref.type === "Root") {
    return { type: "Root", accountId, arn: `arn:aws:iam::${accountId}:root`, principalId: accountId, accessKeyId: iamId("AKIA", `${accountId}/root`, 16), userName: "root" };
  }
  if (ref.type === "IAMUser") {
    const who = `${accountId}/user/${ref.user}`;
    return {
      type: "IAMUser",
      accountId,
      arn: `arn:aws:iam::${accountId}:user/${ref.user}`,
      principalId: iamId("AIDA", who),
      accessKeyId: iamId("AKIA", who, 16),
      userName: ref.user,
    };
  }
  const roleId = iamId("AROA", `${accountId}/role/${ref.role}`);
  const sessionName = ref.session ?? session ?? `${ref.role.toLowerCase().slice(0, 24)}-${hex(seedName, 8)}`;
  return {
    type: "AssumedRole",
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${ref.role}/${sessionName}`,
    principalId: `${roleId}:${sessionName}`,
    accessKeyId: iamId("ASIA", `${seedName}/key`, 16),
    userName: sessionName,
    roleName: ref.role,
    roleArn: `arn:aws:iam::${accountId}:role/${ref.role}`,
    roleId,
  };
}

/** The `userIdentity` block of a CloudTrail record. */
export function userIdentity(e: CtEvent): Record<string, unknown> {
  const p = e.principal;
  if (p.type === "AWSService") return { type: "AWSService", invokedBy: p.invokedBy };
  const base: Record<string, unknown> = { type: p.type, principalId: p.principalId, arn: p.arn, accountId: p.accountId, accessKeyId: p.accessKeyId };
  if (p.type === "IAMUser") base.userName = p.userName;
  if (p.type === "AssumedRole") {
    base.sessionContext = {
      sessionIssuer: { type: "Role", principalId: p.roleId, arn: p.roleArn, accountId: p.accountId, userName: p.roleName },
      webIdFederationData: {},
      attributes: { creationDate: isoSeconds(e.sessionStartMs), mfaAuthenticated: "false" },
    };
  }
  return base;
}

/** The full CloudTrail record of an event, as the JSON text CloudTrail stores. */
export function cloudTrailEventJson(e: CtEvent): string {
  const record: Record<string, unknown> = {
    eventVersion: "1.09",
    userIdentity: userIdentity(e),
    eventTime: isoSeconds(e.timeMs),
    eventSource: "secretsmanager.amazonaws.com",
    eventName: "GetSecretValue",
    awsRegion: e.region,
    sourceIPAddress: e.sourceIp,
    userAgent: e.userAgent,
  };
  if (e.denied) {
    record.errorCode = "AccessDenied";
    record.errorMessage = `User: ${e.principal.arn ?? e.principal.invokedBy} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${e.secretId} because no identity-based policy allows the secretsmanager:GetSecretValue action`;
  }
  record.requestParameters = { secretId: e.secretId };
  record.responseElements = null;
  record.requestID = e.requestId;
  record.eventID = e.id;
  record.readOnly = true;
  record.resources = [{ accountId: e.accountId, type: "AWS::SecretsManager::Secret", ARN: e.secret.arn }];
  record.eventType = "AwsApiCall";
  record.managementEvent = true;
  record.recipientAccountId = e.accountId;
  if (e.vpceId) {
    record.vpcEndpointId = e.vpceId;
    record.vpcEndpointAccountId = e.accountId;
  }
  record.eventCategory = "Management";
  if (e.principal.type !== "AWSService") {
    record.tlsDetails = {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `secretsmanager.${e.region}.amazonaws.com`,
    };
  }
  return JSON.stringify(record);
}
