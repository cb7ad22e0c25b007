/**
 * estate.ts (the TypeScript shape) and estate.schema.json are kept side by side: this builds an
 * estate that sets every field of every type (`Required<…>` makes tsc insist) and validates it,
 * so a field added to one and not the other fails here.
 */
import { describe, expect, it } from "vitest";
import {
  validateEstate,
  type EstateAccount,
  type EstateAccountRegion,
  type EstateAdvancedEventSelector,
  type EstateEndpoint,
  type EstateEventDataStore,
  type EstateEventSelector,
  type EstateKmsKey,
  type EstateOrganization,
  type EstateRead,
  type EstateReplica,
  type EstateRotation,
  type EstateSecret,
  type EstateTrail,
  type EstateVpc,
  type Estate,
  type FaultConfig,
  type FaultScope,
} from "../../src/simulator";

const scope: Required<FaultScope> = { account: "111111111111", region: "us-east-1", service: "kms", operation: "DescribeKey" };
const faults: Required<FaultConfig> = {
  throttleRate: 0.1, serverErrorRate: 0.1, slowRate: 0.1, slowMs: 10, dropRate: 0, scope, accessDenied: [scope], credentialTtlSeconds: 60, emptyPageRate: 0.2,
};
const rotation: Required<EstateRotation> = { enabled: true, lambda: "rotator", afterDays: 30, schedule: "rate(30 days)", duration: "3h", lastRotated: "-10d", nextRotation: "+20d" };
const replica: Required<EstateReplica> = { region: "us-west-2", kmsKey: "alias/west", status: "InSync" };
const read: Required<EstateRead> = {
  principal: "role/app", count: 2, denied: 1, spreadDays: 5, last: "-1h", via: "vpce", sourceIp: "10.0.0.5", secretId: "mixed", region: "us-east-1", session: "app-session",
};
const secret: Required<EstateSecret> = {
  name: "app/{n}", repeat: 2, description: "d", kmsKey: "alias/app", rotation, created: "-100d", lastChanged: "-10d", lastAccessed: "-1d",
  deleted: "-1d", recoveryWindowDays: 7, tags: { Owner: "me" }, policy: { Version: "2012-10-17", Statement: [] }, owningService: "rds", replicas: [replica], reads: [read],
};
const key: Required<EstateKmsKey> = {
  id: "0b3f5c7e-1111-4a2b-9c3d-00000000cccc", alias: ["app"], description: "k", manager: "CUSTOMER", state: "Enabled", deletionDate: "+7d", rotation: true,
  rotationPeriodDays: 365, origin: "AWS_KMS", multiRegion: false, keySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", created: "-1y", allowAccounts: ["222222222222"], policy: "{}",
};
const endpoint: Required<EstateEndpoint> = { id: "vpce-0123456789abcdef0", service: "secretsmanager", type: "Interface", state: "available", privateDns: true, policy: {}, subnets: 2, created: "-5d", tags: {} };
const vpc: Required<EstateVpc> = { id: "vpc-0123456789abcdef0", name: "app", cidr: "10.0.0.0/16", default: false, state: "available", tags: {}, endpoints: [endpoint] };
const selector: Required<EstateEventSelector> = { readWriteType: "All", includeManagementEvents: true, excludeManagementEventSources: ["kms.amazonaws.com"], dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] };
const advanced: Required<EstateAdvancedEventSelector> = {
  name: "mgmt", fieldSelectors: [{ field: "eventCategory", equals: ["Management"], notEquals: [], startsWith: [], notStartsWith: [], endsWith: [], notEndsWith: [] }],
};
const trail: Required<EstateTrail> = {
  name: "trail", multiRegion: true, logging: true, logFileValidation: true, organizationTrail: true, includeGlobalServiceEvents: true, s3Bucket: "b", kmsKey: "k",
  cloudWatchLogsGroup: "g", eventSelectors: [selector], advancedEventSelectors: [advanced],
};
const eds: Required<EstateEventDataStore> = { name: "lake", id: "5c1f0e9a-2b3d-4e6f-8a9b-0c1d2e3f4a5b", organizationEnabled: true, multiRegion: true, status: "ENABLED" };
const east: Required<EstateAccountRegion> = { secrets: [secret], kmsKeys: [key], vpcs: [vpc], trails: [trail], eventDataStores: [eds] };
const account: Required<EstateAccount> = {
  id: "111111111111", name: "one", email: "a@b.example", status: "ACTIVE", joined: "-2y", joinedMethod: "CREATED", roles: ["R"],
  regions: { "us-east-1": east, "us-west-2": { kmsKeys: [{ alias: "west" }] } },
};
const organization: Required<EstateOrganization> = { id: "o-abcdefghij", managementAccountId: "111111111111", featureSet: "ALL" };
const estate: Required<Estate> = {
  version: 1, name: "n", description: "d", seed: 1, organization, regions: ["us-east-1", { name: "us-west-2", optInStatus: "opted-in" }], accounts: [account, { id: "222222222222", name: "two" }], faults,
};

describe("estate.schema.json and estate.ts agree", () => {
  it("accepts an estate that sets every field", () => {
    expect(() => validateEstate(estate)).not.toThrow();
  });
});
