/**
 * The projected state: the snapshot as it will be once the plan is applied. Re-evaluating
 * it closes the loop — every finding an action claims to close must then pass. Values
 * come from the same plan objects the stacks are built from (the policy document, the
 * key policy, the rotation interval), so what is checked is what is deployed.
 */
import type { KmsKey, PolicyDocument, Snapshot, Source } from "../inventory/types";
import { indexSnapshot } from "./resolve";
import type {
  CloudTrailParams, CmkParams, KeyRotationParams, RemediationAction, RemediationPlan, ResourcePolicyParams,
  RotationParams, VpcEndpointParams,
} from "./types";
import { validatePlan } from "./validate";

const DAY_MS = 86_400_000;

function projectedSource(a: RemediationAction, api: string): Source {
  return { kind: "live", accountId: a.accountId, region: a.region, api: `sm-audit:projected:${api}` };
}

/** Drop unknowns at `path` or below it: the plan sets the value. */
function forget(r: { unknowns?: Record<string, string> }, ...paths: string[]): void {
  if (!r.unknowns) return;
  for (const key of Object.keys(r.unknowns)) {
    if (paths.some((p) => key === p || key.startsWith(`${p}.`))) delete r.unknowns[key];
  }
}

/** Resolve `<planned:ID>` and `<var:NAME>` references to the values the projection uses. */
function resolveRefs<T>(value: T, planned: Map<string, string>): T {
  const one = (s: string): string => {
    const p = /^<planned:(.+)>$/.exec(s);
    if (p) return planned.get(p[1]) ?? s;
    const v = /^<var:(.+)>$/.exec(s);
    // The value is supplied when the stack is applied; the projection stands in for it.
    if (v) return `vpce-var-${v[1]}`;
    return s;
  };
  const walk = (x: unknown): unknown => {
    if (typeof x === "string") return one(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  return walk(value) as T;
}

/**
 * Apply every action of `plan` to a deep copy of `snapshot` (see the module comment). The
 * plan is checked against plan.schema.json first: it may come straight from a file.
 */
export function projectSnapshot(snapshot: Snapshot, plan: RemediationPlan): Snapshot {
  validatePlan(plan, "remediation plan");
  const snap = structuredClone(snapshot);
  // Indexed on the copy: the actions below change these secrets in place.
  const secretByArn = indexSnapshot(snap).secrets;
  const planned = new Map<string, string>();
  for (const a of plan.actions) {
    if (a.kind === "add-vpc-endpoint") planned.set(a.id, (a.params as VpcEndpointParams).plannedId);
  }
  const cmkByRegion = new Map<string, CmkParams>();
  for (const a of plan.actions) if (a.kind === "use-customer-managed-key") cmkByRegion.set(`${a.accountId}:${a.region}`, a.params as CmkParams);
  const now = Date.parse(snapshot.generatedAt);

  for (const a of plan.actions) {
    switch (a.kind) {
      case "enable-rotation":
      case "shorten-rotation": {
        const p = a.params as RotationParams;
        const s = secretByArn.get(p.secretArn);
        if (!s) break;
        const prev = s.rotation;
        s.rotation = {
          enabled: true,
          ...(p.lambdaArn && !p.lambdaArn.startsWith("<var:") ? { lambdaArn: p.lambdaArn } : prev?.lambdaArn ? { lambdaArn: prev.lambdaArn } : {}),
          afterDays: p.afterDays,
          ...(prev?.duration ? { duration: prev.duration } : {}),
          ...(p.rotateImmediately
            ? { lastRotated: snapshot.generatedAt, nextRotation: new Date(now + p.afterDays * DAY_MS).toISOString() }
            : prev?.lastRotated ? { lastRotated: prev.lastRotated } : {}),
        };
        forget(s, "rotation");
        break;
      }
      case "use-customer-managed-key": {
        const p = a.params as CmkParams;
        snap.kmsKeys.push(plannedKey(a, p));
        for (const ps of p.secrets) {
          const s = secretByArn.get(ps.arn);
          if (!s) continue;
          s.kmsKeyId = p.plannedArn;
          forget(s, "kmsKeyId");
          for (const r of s.replicas ?? []) {
            const there = cmkByRegion.get(`${a.accountId}:${r.region}`);
            if (there) r.kmsKeyId = there.plannedArn;
          }
          forget(s, "replicas");
        }
        break;
      }
      case "enable-key-rotation": {
        const p = a.params as KeyRotationParams;
        const k = snap.kmsKeys.find((x) => x.arn === p.keyArn || x.id === p.keyArn || (x.keyId === p.keyId && x.accountId === a.accountId && x.region === a.region));
        if (!k) break;
        k.rotationEnabled = true;
        k.rotationPeriodDays = p.rotationPeriodDays;
        forget(k, "rotationEnabled", "rotationPeriodDays");
        break;
      }
      case "replace-resource-policy": {
        const p = a.params as ResourcePolicyParams;
        const s = secretByArn.get(p.secretArn);
        if (!s) break;
        s.policy = resolveRefs<PolicyDocument>(p.document, planned);
        s.blockPublicPolicy = p.blockPublicPolicy;
        forget(s, "policy", "blockPublicPolicy");
        break;
      }
      case "add-vpc-endpoint": {
        const p = a.params as VpcEndpointParams;
        const vpc = snap.vpcs.find((v) => (v.vpcId ?? v.id) === p.vpcId && v.accountId === a.accountId && v.region === a.region);
        if (!vpc) break;
        const fields = {
          serviceName: p.serviceName, type: "Interface", state: "available", privateDns: true,
          subnetIds: p.subnetIds.filter((x) => !x.startsWith("<")), securityGroupIds: p.securityGroupIds.filter((x) => !x.startsWith("<")),
        };
        const existing = p.existingEndpointId ? vpc.endpoints.find((e) => e.id === p.existingEndpointId) : undefined;
        if (existing) {
          Object.assign(existing, fields);
          forget(existing, "state", "privateDns", "serviceName", "type");
        } else {
          vpc.endpoints.push({ id: p.plannedId, ...fields, policy: null, source: projectedSource(a, "vpc-endpoint") });
        }
        break;
      }
      case "add-cloudtrail": {
        const p = a.params as CloudTrailParams;
        snap.trails.push({
          id: p.plannedArn, arn: p.plannedArn, name: p.trailName, accountId: a.accountId, region: a.region,
          homeRegion: p.homeRegion, isMultiRegion: true, isOrganizationTrail: false, logging: true,
          logFileValidation: true, managementEvents: { read: true, write: true }, kmsKeyId: null,
          s3Bucket: p.bucketName, source: projectedSource(a, "cloudtrail"),
        });
        break;
      }
    }
  }
  return snap;
}

function plannedKey(a: RemediationAction, p: CmkParams): KmsKey {
  return {
    id: p.plannedArn, arn: p.plannedArn, keyId: p.plannedArn.split("/").pop(),
    accountId: a.accountId, region: a.region, manager: "CUSTOMER", state: "Enabled",
    rotationEnabled: true, rotationPeriodDays: p.rotationPeriodDays, origin: "AWS_KMS", multiRegion: false,
    aliases: [p.alias], policy: p.keyPolicy, description: p.description, source: projectedSource(a, "kms-key"),
  };
}
