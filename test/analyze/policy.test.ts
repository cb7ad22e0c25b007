import { describe, expect, it } from "vitest";
import { analyzePolicy, globMatch } from "../../src/analyze/policy";
import type { PolicyDocument } from "../../src/inventory/types";

const OWN = "111111111111";
const doc = (...Statement: unknown[]): PolicyDocument => ({ Version: "2012-10-17", Statement } as unknown as PolicyDocument);
const read = { Action: "secretsmanager:GetSecretValue", Resource: "*" };

describe("analyzePolicy", () => {
  it("no policy: nothing granted, not public", () => {
    const f = analyzePolicy(null, { accountId: OWN });
    expect(f).toMatchObject({ present: false, public: false, principals: [], requiresSourceVpce: false });
  });

  it("Principal * and {AWS: *} without condition are public; a single statement object is accepted", () => {
    const single = { Version: "2012-10-17", Statement: { Sid: "Open", Effect: "Allow", Principal: "*", ...read } } as unknown as PolicyDocument;
    expect(analyzePolicy(single, { accountId: OWN })).toMatchObject({ public: true, publicStatements: ["Open"] });
    const f = analyzePolicy(doc({ Effect: "Allow", Principal: { AWS: ["*"] }, ...read }), { accountId: OWN });
    expect(f.public).toBe(true);
    expect(f.publicStatements).toEqual(["#0"]);
    expect(f.foreignPrincipals).toHaveLength(1);
  });

  it("a restricting condition (case-insensitive keys, ForAnyValue) makes a wildcard non-public", () => {
    for (const cond of [
      { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
      { "ForAnyValue:StringLike": { "AWS:PRINCIPALORGPATHS": "o-abc123/r-1/ou-1/*" } },
      { StringEquals: { "aws:SourceVpce": "vpce-0123" } },
      { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OWN}:role/app-*` } },
    ]) {
      const f = analyzePolicy(doc({ Effect: "Allow", Principal: "*", ...read, Condition: cond }), { accountId: OWN });
      expect(f.public, JSON.stringify(cond)).toBe(false);
      expect(f.principals[0].restricted).toBe(true);
    }
  });

  it("conditions that do not restrict: value *, negations, IfExists, other keys", () => {
    for (const cond of [
      { StringLike: { "aws:PrincipalOrgID": "*" } },
      { StringNotEquals: { "aws:SourceVpce": "vpce-0123" } },
      { StringEqualsIfExists: { "aws:SourceVpce": "vpce-0123" } },
      { Bool: { "aws:SecureTransport": "true" } },
    ]) {
      expect(analyzePolicy(doc({ Effect: "Allow", Principal: "*", ...read, Condition: cond }), { accountId: OWN }).public, JSON.stringify(cond)).toBe(true);
    }
  });

  it("NotPrincipal in an Allow is treated as public", () => {
    const f = analyzePolicy(doc({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${OWN}:role/x` }, ...read }), { accountId: OWN });
    expect(f).toMatchObject({ public: true, usesNotPrincipal: true });
  });

  it("classifies principals and their accounts", () => {
    const f = analyzePolicy(
      doc({
        Effect: "Allow",
        Principal: {
          AWS: ["222222222222", `arn:aws:iam::${OWN}:root`, "arn:aws:iam::333333333333:role/reader", "arn:aws:sts::444444444444:assumed-role/r/sess", "arn:aws:iam::555555555555:user/bob"],
          Service: "lambda.amazonaws.com",
          Federated: "cognito-identity.amazonaws.com",
          CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        },
        ...read,
      }),
      { accountId: OWN, organizationAccounts: new Set([OWN, "222222222222"]) },
    );
    const by = Object.fromEntries(f.principals.map((p) => [p.principal, p]));
    expect(by["222222222222"]).toMatchObject({ kind: "account", accountId: "222222222222", sameAccount: false, inOrganization: true });
    expect(by[`arn:aws:iam::${OWN}:root`]).toMatchObject({ kind: "root", sameAccount: true });
    expect(by["arn:aws:iam::333333333333:role/reader"]).toMatchObject({ kind: "role", inOrganization: false });
    expect(by["arn:aws:sts::444444444444:assumed-role/r/sess"]).toMatchObject({ kind: "role", accountId: "444444444444" });
    expect(by["arn:aws:iam::555555555555:user/bob"].kind).toBe("user");
    expect(by["lambda.amazonaws.com"]).toMatchObject({ kind: "service", inOrganization: false });
    expect(by["cognito-identity.amazonaws.com"].kind).toBe("federated");
    expect(by["79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"]).toMatchObject({ kind: "canonical", sameAccount: false });
    expect(f.foreignPrincipals.map((p) => p.principal)).not.toContain(`arn:aws:iam::${OWN}:root`);
    expect(f.public).toBe(false);
  });

  it("organization membership: unknown without org data, true under PrincipalOrgID, false for another org id", () => {
    const p = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:role/x" }, ...read };
    expect(analyzePolicy(doc(p), { accountId: OWN }).principals[0].inOrganization).toBeUndefined();
    const withOrg = { ...p, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } };
    expect(analyzePolicy(doc(withOrg), { accountId: OWN }).principals[0].inOrganization).toBe(true);
    expect(analyzePolicy(doc(withOrg), { accountId: OWN, organizationId: "o-zzz999" }).principals[0].inOrganization).toBe(false);
  });

  it("service principals take their account from SourceAccount / SourceArn", () => {
    const f = analyzePolicy(
      doc({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, ...read, Condition: { StringEquals: { "aws:SourceAccount": OWN } } }),
      { accountId: OWN },
    );
    expect(f.principals[0]).toMatchObject({ accountId: OWN, sameAccount: true, restricted: true });
    expect(f.foreignPrincipals).toHaveLength(0);
  });

  it("wildcard-action grants: * and secretsmanager:* (any case) except to the own root; NotAction counts", () => {
    const f = analyzePolicy(
      doc(
        { Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: "secretsmanager:*", Resource: "*" },
        { Sid: "App", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWN}:role/app` }, Action: ["SecretsManager:*"], Resource: "*" },
        { Sid: "Get", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWN}:role/ro` }, Action: "secretsmanager:Get*", Resource: "*" },
        { Sid: "Not", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWN}:role/na` }, NotAction: "secretsmanager:DeleteSecret", Resource: "*" },
      ),
      { accountId: OWN },
    );
    expect(f.wildcardActionGrants.map((p) => p.statement)).toEqual(["App", "Not"]);
    expect(f.usesNotAction).toBe(true);
  });

  it("requiresSourceVpce: a Deny to * on reads unless from an allowed endpoint; an Allow on SourceVpce is not enough", () => {
    const deny = {
      Sid: "DenyOutsideVpce",
      Effect: "Deny",
      Principal: "*",
      Action: "secretsmanager:Get*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:sourceVpce": ["vpce-0a1b", "vpce-2c3d"] } },
    };
    expect(analyzePolicy(doc(deny), { accountId: OWN })).toMatchObject({ requiresSourceVpce: true, allowedVpces: ["vpce-0a1b", "vpce-2c3d"] });
    const allowOnly = { Effect: "Allow", Principal: "*", ...read, Condition: { StringEquals: { "aws:SourceVpce": "vpce-0a1b" } } };
    expect(analyzePolicy(doc(allowOnly), { accountId: OWN }).requiresSourceVpce).toBe(false);
    const notGet = { ...deny, Action: "secretsmanager:PutSecretValue" };
    expect(analyzePolicy(doc(notGet), { accountId: OWN }).requiresSourceVpce).toBe(false);
    const exempted = { ...deny, Condition: { ...deny.Condition, StringNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin" } } };
    expect(analyzePolicy(doc(exempted), { accountId: OWN }).requiresSourceVpce).toBe(false);
    const serviceExempt = { ...deny, Condition: { StringNotEqualsIfExists: { "aws:SourceVpc": "vpc-1" }, Bool: { "aws:PrincipalIsAWSService": "false" } } };
    expect(analyzePolicy(doc(serviceExempt), { accountId: OWN })).toMatchObject({ requiresSourceVpce: true, allowedVpces: ["vpc-1"] });
  });
});

describe("globMatch", () => {
  it("matches IAM action wildcards case-insensitively", () => {
    expect(globMatch("secretsmanager:Get*", "secretsmanager:GetSecretValue")).toBe(true);
    expect(globMatch("secretsmanager:*Value", "SECRETSMANAGER:getsecretvalue")).toBe(true);
    expect(globMatch("secretsmanager:?etSecretValue", "secretsmanager:GetSecretValue")).toBe(true);
    expect(globMatch("secretsmanager:Describe*", "secretsmanager:GetSecretValue")).toBe(false);
    expect(globMatch("*", "anything")).toBe(true);
  });
});
