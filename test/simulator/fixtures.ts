/** A small estate and client settings shared by the simulator tests. */
import type { Estate } from "../../src/simulator";
import type { RunningSimulator } from "../../src/simulator";

export const MGMT = "111111111111";
export const SHARED = "222222222222";
export const PROD = "333333333333";
export const SHARED_KEY_ID = "0b3f5c7e-1111-4a2b-9c3d-00000000aaaa";

/** Client configuration for the real SDK v3 clients against the simulator. */
export function cfg(
  sim: RunningSimulator,
  region = "us-east-1",
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = sim.credentials,
  maxAttempts = 1,
): { endpoint: string; region: string; credentials: typeof credentials; maxAttempts: number } {
  return { endpoint: sim.url, region, credentials, maxAttempts };
}

/** Three accounts, two regions; 230 generated secrets in prod/us-east-1 for paging. */
export function smallEstate(): Estate {
  return {
    version: 1,
    name: "test estate",
    organization: { id: "o-testorg0001", managementAccountId: MGMT },
    regions: ["us-east-1", "us-west-2", { name: "ap-east-1", optInStatus: "not-opted-in" }],
    accounts: [
      { id: MGMT, name: "management", roles: ["OrganizationAccountAccessRole"], regions: { "us-east-1": { trails: [{ name: "org-trail", multiRegion: true, logging: true, logFileValidation: true, organizationTrail: true }], eventDataStores: [{ name: "org-lake", organizationEnabled: true }] } } },
      {
        id: SHARED,
        name: "shared-services",
        roles: ["SmAuditRole"],
        regions: {
          "us-east-1": {
            kmsKeys: [
              { id: SHARED_KEY_ID, alias: "org-secrets", rotation: true, allowAccounts: [PROD] },
              { id: "0b3f5c7e-1111-4a2b-9c3d-00000000bbbb", alias: "private", rotation: false },
            ],
          },
        },
      },
      {
        id: PROD,
        name: "phi-prod",
        roles: ["SmAuditRole"],
        regions: {
          "us-east-1": {
            kmsKeys: [
              { alias: "app", rotation: true, rotationPeriodDays: 180 },
              { alias: "doomed", state: "PendingDeletion", deletionDate: "+5d" },
            ],
            vpcs: [
              { name: "app", cidr: "10.1.0.0/16", endpoints: [{ id: "vpce-0aaaaaaaaaaaaaaa1", service: "secretsmanager" }, { service: "s3", type: "Gateway" }] },
              { name: "default", default: true },
              { name: "batch", endpoints: [{ service: "secretsmanager", privateDns: false }] },
            ],
            trails: [{ name: "local-trail", logging: false }],
            secrets: [
              { name: "bulk/app-{n:3}", repeat: 230, kmsKey: "alias/app", created: "-100d", tags: { Owner: "bulk" } },
              { name: "default-key-secret", created: "-10d", description: "uses aws/secretsmanager" },
              { name: "cross-account", kmsKey: `arn:aws:kms:us-east-1:${SHARED}:key/${SHARED_KEY_ID}`, created: "-20d" },
              {
                name: "patients/db",
                kmsKey: "alias/app",
                created: "-50d",
                rotation: { afterDays: 30, lastRotated: "-10d" },
                tags: { DataClassification: "phi", Owner: "patients" },
                policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] },
                replicas: [{ region: "us-west-2" }],
                reads: [
                  { principal: "role/patients-api", count: 120, spreadDays: 60, via: "vpce" },
                  { principal: "user/legacy", count: 3, last: "-2d" },
                  { principal: "root", count: 1, last: "-100d" },
                  { principal: `${MGMT}:role/ci`, count: 0, denied: 15, last: "-3d", spreadDays: 1 },
                ],
              },
              { name: "rds!db-1234", owningService: "rds", rotation: { schedule: "rate(7 days)" }, created: "-300d" },
              { name: "old/deleted", deleted: "-3d", created: "-400d" },
            ],
          },
        },
      },
    ],
  };
}
