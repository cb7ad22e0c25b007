/**
 * Secrets of one account-region with the minimal call plan: ListSecrets pages (100 per
 * page, planned deletions included) carry everything but the resource policy, so the only
 * per-secret call is GetResourcePolicy. Never DescribeSecret, never a value read.
 */
import {
  GetResourcePolicyCommand, type GetResourcePolicyCommandOutput, ListSecretsCommand, type ListSecretsCommandOutput, type SecretListEntry,
} from "@aws-sdk/client-secrets-manager";
import type { Coverage, PolicyDocument, Secret } from "../../inventory/types";
import { classifyError, errorName, type ScanContext } from "./context";
import { TaskWindow } from "./pacing";

/** IAM actions this module sends. */
export const SECRET_ACTIONS = ["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"] as const;

/** GetResourcePolicy calls kept in flight per account-region: enough to saturate its quota. */
const POLICY_WINDOW = 128;

/** What the secrets collector produced for one account-region. */
export interface SecretsResult {
  secrets: Secret[];
  coverage: Coverage[];
}

/** Parse a policy document from its JSON text; a single statement object becomes a list. */
export function parsePolicy(text: string | undefined | null): { policy: PolicyDocument | null } | { error: string } {
  if (text === undefined || text === null || text.trim() === "") return { policy: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "policy is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "policy is not a JSON object" };
  const doc = value as { Statement?: unknown };
  const st = doc.Statement;
  const statements = Array.isArray(st) ? st : st && typeof st === "object" ? [st] : null;
  if (!statements) return { error: "policy has no Statement" };
  return { policy: { ...(value as object), Statement: statements } as PolicyDocument };
}

const iso = (d: Date | undefined): string | undefined => (d ? new Date(d).toISOString() : undefined);

/** A ListSecrets entry as an inventory secret (policy filled in later). */
export function secretFromEntry(e: SecretListEntry, accountId: string, region: string): Secret {
  const source = { kind: "live" as const, accountId, region, api: "secretsmanager:ListSecrets" };
  const rules = e.RotationRules;
  const secret: Secret = {
    id: e.ARN ?? `arn:aws:secretsmanager:${region}:${accountId}:secret:${e.Name}`,
    arn: e.ARN,
    name: e.Name ?? "",
    accountId,
    region,
    source,
    kmsKeyId: e.KmsKeyId ?? null,
    rotation: {
      enabled: e.RotationEnabled === true,
      lambdaArn: e.RotationLambdaARN,
      afterDays: rules?.AutomaticallyAfterDays,
      scheduleExpression: rules?.ScheduleExpression,
      duration: rules?.Duration,
      lastRotated: iso(e.LastRotatedDate),
      nextRotation: iso(e.NextRotationDate),
    },
    lastAccessed: iso(e.LastAccessedDate),
    created: iso(e.CreatedDate),
    lastChanged: iso(e.LastChangedDate),
    deleted: iso(e.DeletedDate),
    primaryRegion: e.PrimaryRegion ?? region,
    tags: Object.fromEntries((e.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? ""])),
    owningService: e.OwningService,
  };
  if (e.Description !== undefined) secret.description = e.Description;
  for (const k of Object.keys(secret.rotation ?? {}) as Array<keyof NonNullable<Secret["rotation"]>>) {
    if (secret.rotation?.[k] === undefined) delete secret.rotation?.[k];
  }
  for (const k of ["lastAccessed", "created", "lastChanged", "deleted", "owningService", "arn"] as const) {
    if (secret[k] === undefined) delete secret[k];
  }
  return secret;
}

/**
 * Collect the secrets of `accountId`/`region`, streaming: each ListSecrets page feeds
 * GetResourcePolicy calls, and the next page is read only while few calls are waiting.
 * `onKeyRef` sees every KMS key reference as soon as its page arrives.
 */
export async function collectSecrets(ctx: ScanContext, accountId: string, region: string, onKeyRef: (ref: string) => void): Promise<SecretsResult> {
  const secrets: Secret[] = [];
  const coverage: Coverage[] = [];
  const window = new TaskWindow(POLICY_WINDOW);
  let policyErrors: ReturnType<typeof classifyError> | undefined;
  let policiesDenied = 0;
  let policiesFailed = 0;
  let token: string | undefined;
  try {
    do {
      const page = await ctx.send<ListSecretsCommandOutput>("secretsmanager", accountId, region,
        new ListSecretsCommand({ MaxResults: 100, IncludePlannedDeletion: true, NextToken: token }));
      for (const entry of page.SecretList ?? []) {
        const secret = secretFromEntry(entry, accountId, region);
        secrets.push(secret);
        if (secret.kmsKeyId) onKeyRef(secret.kmsKeyId);
        await window.add(async () => {
          const r = await resourcePolicy(ctx, secret);
          if (r) {
            policyErrors ??= r;
            if (r.status === "denied") policiesDenied++;
            else policiesFailed++;
          }
        });
      }
      token = page.NextToken || undefined;
    } while (token);
    coverage.push({ accountId, region, kind: "secrets", status: "collected", count: secrets.length });
  } catch (err) {
    const c = classifyError(err);
    coverage.push({ accountId, region, kind: "secrets", ...c, count: secrets.length });
  }
  await window.drain();
  const withPolicy = secrets.length - policiesDenied - policiesFailed;
  if (policyErrors) {
    coverage.push({
      accountId, region, kind: "resourcePolicies", status: policiesDenied ? "denied" : "failed", errorCode: policyErrors.errorCode,
      message: `${policiesDenied + policiesFailed} of ${secrets.length} resource policies not read: ${policyErrors.message}`, count: withPolicy,
    });
  } else if (coverage[0]?.status === "collected") {
    coverage.push({ accountId, region, kind: "resourcePolicies", status: "collected", count: withPolicy });
  } else {
    // Policies of secrets that could not be listed are missing for the same reason.
    const listing = coverage[0] as Coverage;
    coverage.push({ accountId, region, kind: "resourcePolicies", status: listing.status, errorCode: listing.errorCode, message: "secrets could not be listed", count: withPolicy });
  }
  return { secrets, coverage };
}

/** Fill `secret.policy`; returns the error classification when the policy stays unknown. */
async function resourcePolicy(ctx: ScanContext, secret: Secret): Promise<ReturnType<typeof classifyError> | undefined> {
  const { accountId = "", region = "" } = secret;
  try {
    const out = await ctx.send<GetResourcePolicyCommandOutput>("secretsmanager", accountId, region, new GetResourcePolicyCommand({ SecretId: secret.id }));
    const parsed = parsePolicy(out.ResourcePolicy);
    if ("error" in parsed) secret.unknowns = { ...secret.unknowns, policy: parsed.error };
    else secret.policy = parsed.policy;
    secret.attributeSources = { ...secret.attributeSources, policy: { kind: "live", accountId, region, api: "secretsmanager:GetResourcePolicy" } };
    return undefined;
  } catch (err) {
    const name = errorName(err);
    // A secret deleted (or scheduled for deletion) between the list and this call: its policy is unknown, the scan is not incomplete.
    if (name === "ResourceNotFoundException" || (name === "InvalidRequestException" && secret.deleted)) {
      secret.unknowns = { ...secret.unknowns, policy: `GetResourcePolicy: ${name}` };
      return undefined;
    }
    const c = classifyError(err);
    secret.unknowns = { ...secret.unknowns, policy: `GetResourcePolicy ${c.status}: ${c.errorCode}` };
    return c;
  }
}

/**
 * Fill each primary's `replicas[]` from the replicas found in the other regions scanned
 * (a replica is listed in its own region, with its own KmsKeyId and PrimaryRegion).
 * `complete` says whether every enabled region was scanned; otherwise the list is unknown.
 */
export function assembleReplicas(secrets: Secret[], complete: boolean, scannedRegions: string[], incompleteReason?: string): void {
  const byArn = new Map<string, Secret>();
  for (const s of secrets) if (s.region === s.primaryRegion) byArn.set(s.id, s);
  for (const s of secrets) {
    if (!s.region || !s.primaryRegion || s.region === s.primaryRegion) continue;
    const primaryArn = s.id.replace(`:secretsmanager:${s.region}:`, `:secretsmanager:${s.primaryRegion}:`);
    const primary = byArn.get(primaryArn);
    if (!primary) continue;
    (primary.replicas ??= []).push({ region: s.region, kmsKeyId: s.kmsKeyId ?? null });
  }
  for (const s of secrets) {
    if (s.region !== s.primaryRegion) continue;
    s.replicas?.sort((a, b) => a.region.localeCompare(b.region));
    if (!complete) {
      s.unknowns = { ...s.unknowns, replicas: incompleteReason ?? `only regions ${scannedRegions.join(", ")} were scanned; replicas elsewhere are not listed` };
    } else {
      s.replicas ??= [];
    }
  }
}
