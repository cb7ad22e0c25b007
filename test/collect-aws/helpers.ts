/** Shared helpers of the live-collector tests: a small estate, a simulator and a scan through the real SDK. */
import { startSimulator, type RunningSimulator } from "../../src/simulator/server";
import type { Estate } from "../../src/simulator/estate";
import type { FaultConfig } from "../../src/simulator/estate";
import { type AwsScanOptions, type AwsScanResult, scanAws } from "../../src/collect/aws/scan";

export const MGMT = "111111111111";
export const PROD = "222222222222";
export const DEV = "333333333333";
export const ROLE = "OrganizationAccountAccessRole";

/** A three-account organization over two regions with a few secrets, keys, VPCs, trails and reads. */
export function smallEstate(extra: Partial<Estate> = {}): Estate {
  return {
    version: 1,
    name: "test",
    seed: 7,
    organization: { id: "o-test123456", managementAccountId: MGMT },
    regions: ["us-east-1", "eu-west-1"],
    accounts: [
      {
        id: MGMT, name: "management",
        regions: {
          "us-east-1": {
            trails: [{ name: "org-trail", multiRegion: true, organizationTrail: true, logFileValidation: true }],
          },
        },
      },
      {
        id: PROD, name: "prod",
        regions: {
          "us-east-1": {
            kmsKeys: [{ alias: "alias/app", rotation: true }],
            secrets: [
              { name: "prod/db", kmsKey: "alias/app", rotation: { enabled: true, afterDays: 30, lastRotated: "-3d" }, tags: { DataClassification: "phi" },
                replicas: [{ region: "eu-west-1", kmsKey: "alias/eu-app" }],
                reads: [
                  { principal: "role/app", count: 5, secretId: "name", via: "vpce" },
                  { principal: "role/app", count: 3, secretId: "partial-arn" },
                  { principal: "role/app", count: 2, secretId: "arn" },
                  { principal: "user/alice", count: 1, denied: 2 },
                ] },
              { name: "prod/api", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }] } },
            ],
            vpcs: [{ id: "vpc-0a1b2c3d", endpoints: [{ service: "secretsmanager", privateDns: true }] }],
          },
          "eu-west-1": { kmsKeys: [{ alias: "alias/eu-app", rotation: false }] },
        },
      },
      {
        id: DEV, name: "dev",
        regions: { "us-east-1": { secrets: [{ name: "dev/db" }] } },
      },
    ],
    ...extra,
  };
}

/** Start a simulator with quotas scaled by `timeScale` (tests run fast) and the given faults. */
export function sim(estate: Estate, o: { timeScale?: number; faults?: Partial<FaultConfig> } = {}): Promise<RunningSimulator> {
  return startSimulator({ estate, timeScale: o.timeScale ?? 20, faults: { emptyPageRate: 0, ...o.faults } });
}

/** Scan the whole simulated organization through the real collectors. */
export function scanSim(s: RunningSimulator, o: Partial<AwsScanOptions> = {}): Promise<AwsScanResult> {
  return scanAws({
    credentials: s.credentials,
    endpoint: s.url,
    organization: true,
    roleName: ROLE,
    defaultRegion: "us-east-1",
    readsDays: 30,
    readsPageBudget: 200,
    concurrency: 8,
    maxAttempts: 8,
    quotaScale: 20,
    ...o,
  });
}
