import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloudTrailClient,
  DescribeQueryCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetQueryResultsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  StartQueryCommand,
  type Event,
} from "@aws-sdk/client-cloudtrail";
import { startSimulator, type RunningSimulator } from "../../src/simulator";
import { MGMT, PROD, cfg, smallEstate } from "./fixtures";

/** The fields of a CloudTrail record these tests read. */
interface CtRecord {
  eventSource: string;
  eventName: string;
  errorCode?: string;
  vpcEndpointId?: string;
  recipientAccountId: string;
  awsRegion: string;
  requestParameters: { secretId: string };
  userIdentity: { type: string; accountId?: string; accessKeyId?: string; sessionContext?: { sessionIssuer?: { userName?: string } } };
}

let sim: RunningSimulator;
let ct: CloudTrailClient;
const DAY = 86_400_000;

beforeAll(async () => {
  // LookupEvents allows 2 requests/s; time-scale 20 keeps the paging test fast.
  sim = await startSimulator({ estate: smallEstate(), timeScale: 20 });
  ct = new CloudTrailClient(cfg(sim, "us-east-1", sim.credentialsFor(PROD)));
});
afterAll(async () => {
  ct.destroy();
  await sim.close();
});

describe("trails", () => {
  it("shows the account's own trail and the organization trail, with status and selectors", async () => {
    const trails = (await ct.send(new DescribeTrailsCommand({}))).trailList ?? [];
    expect(trails.map((t) => [t.Name, t.IsOrganizationTrail, t.IsMultiRegionTrail])).toEqual([
      ["org-trail", true, true],
      ["local-trail", false, false],
    ]);
    const org = trails[0]!;
    expect(org.TrailARN).toBe(`arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`);
    expect((await ct.send(new GetTrailStatusCommand({ Name: org.TrailARN }))).IsLogging).toBe(true);
    expect((await ct.send(new GetTrailStatusCommand({ Name: "local-trail" }))).IsLogging).toBe(false);
    const sel = await ct.send(new GetEventSelectorsCommand({ TrailName: "local-trail" }));
    expect(sel.EventSelectors).toEqual([{ ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]);
    // A multi-region trail shows up as a shadow trail in other regions.
    const west = new CloudTrailClient(cfg(sim, "us-west-2", sim.credentialsFor(PROD)));
    expect(((await west.send(new DescribeTrailsCommand({}))).trailList ?? []).map((t) => [t.Name, t.HomeRegion])).toEqual([["org-trail", "us-east-1"]]);
    expect(((await west.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList ?? [])).toEqual([]);
    west.destroy();
    await expect(ct.send(new GetTrailStatusCommand({ Name: "nope" }))).rejects.toMatchObject({ name: "TrailNotFoundException" });
  });
});

describe("LookupEvents", () => {
  it("pages GetSecretValue events (≤ 50 per page) within the last 90 days, newest first", async () => {
    const events: Event[] = [];
    let token: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetSecretValue" }], NextToken: token }));
      sizes.push(page.Events?.length ?? 0);
      events.push(...(page.Events ?? []));
      token = page.NextToken;
    } while (token);
    // 120 role reads + 3 user reads + 15 denied; the root read 100 days ago is outside the window.
    expect(events.length).toBe(138);
    expect(sizes).toEqual([50, 50, 38]);
    const times = events.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(Math.min(...times)).toBeGreaterThan(sim.now().getTime() - 90 * DAY);
  });

  it("carries real-looking CloudTrail records: identities, endpoint, denied reads, mixed secretId forms", async () => {
    const page = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetSecretValue" }], MaxResults: 50 }));
    const records = (page.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as CtRecord);
    const viaVpce = records.filter((r) => r.vpcEndpointId === "vpce-0aaaaaaaaaaaaaaa1");
    expect(viaVpce.length).toBeGreaterThan(0);
    expect(viaVpce[0]).toMatchObject({ eventSource: "secretsmanager.amazonaws.com", eventName: "GetSecretValue", recipientAccountId: PROD, awsRegion: "us-east-1" });
    expect(viaVpce[0].userIdentity).toMatchObject({ type: "AssumedRole", sessionContext: { sessionIssuer: { userName: "patients-api" } } });
    const ids = new Set(records.map((r) => r.requestParameters.secretId.startsWith("arn:") ? (r.requestParameters.secretId.match(/-[A-Za-z0-9]{6}$/) ? "arn" : "partial") : "name"));
    expect(ids.size).toBeGreaterThan(1);
    const all = await allEvents();
    const deniedRecords = all.filter((r) => r.errorCode === "AccessDenied");
    expect(deniedRecords).toHaveLength(15);
    expect(deniedRecords[0].userIdentity.accountId).toBe(MGMT);
    const user = all.find((r) => r.userIdentity.type === "IAMUser");
    expect(user?.userIdentity.accessKeyId).toMatch(/^AKIA/);
    expect(user?.vpcEndpointId).toBeUndefined();
  });

  it("enforces one lookup attribute and MaxResults ≤ 50", async () => {
    await expect(ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "a" }, { AttributeKey: "Username", AttributeValue: "b" }] }))).rejects.toMatchObject({ name: "InvalidLookupAttributesException" });
    await expect(ct.send(new LookupEventsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: "InvalidMaxResultsException" });
  });
});

async function allEvents(): Promise<Array<CtRecord>> {
  const out: Array<CtRecord> = [];
  let token: string | undefined;
  do {
    const page = await ct.send(new LookupEventsCommand({ NextToken: token }));
    out.push(...(page.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as CtRecord));
    token = page.NextToken;
  } while (token);
  return out;
}

describe("CloudTrail Lake", () => {
  it("runs the documented aggregate query over the organization event data store", async () => {
    const mgmt = new CloudTrailClient(cfg(sim));
    const eds = "org-lake";
    const since = new Date(sim.now().getTime() - 365 * DAY).toISOString().replace("T", " ").slice(0, 19);
    // Exactly the query documented in src/simulator/README.md.
    const sql = `SELECT element_at(requestParameters, 'secretId') AS secretId, recipientAccountId, awsRegion,
       userIdentity.arn AS principalArn, userIdentity.type AS principalType,
       userIdentity.accessKeyId AS accessKeyId, vpcEndpointId, sourceIPAddress, errorCode,
       COUNT(*) AS reads, MIN(eventTime) AS firstSeen, MAX(eventTime) AS lastSeen
FROM ${eds}
WHERE eventSource = 'secretsmanager.amazonaws.com' AND eventName = 'GetSecretValue'
  AND eventTime >= '${since}'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
    const { QueryId } = await mgmt.send(new StartQueryCommand({ QueryStatement: sql }));
    expect((await mgmt.send(new DescribeQueryCommand({ QueryId }))).QueryStatus).toBe("RUNNING");
    const res = await mgmt.send(new GetQueryResultsCommand({ QueryId }));
    expect(res.QueryStatus).toBe("FINISHED");
    const rows = (res.QueryResultRows ?? []).map((row) => Object.assign({}, ...row) as Record<string, string>);
    const total = rows.reduce((s, r) => s + Number(r.reads), 0);
    expect(total).toBe(139); // the root read 100 days ago is in Lake, unlike LookupEvents
    const top = rows.reduce((a, b) => (Number(b.reads) > Number(a.reads) ? b : a));
    expect(top).toMatchObject({ principalType: "AssumedRole", vpcEndpointId: "vpce-0aaaaaaaaaaaaaaa1", errorCode: "" });
    expect(top.firstSeen < top.lastSeen).toBe(true);
    expect(rows.some((r) => r.principalType === "Root")).toBe(true);
    expect(rows.find((r) => r.errorCode === "AccessDenied")?.principalArn).toContain(`${MGMT}:assumed-role/ci/`);
    expect(Object.keys(Object.assign({}, ...(res.QueryResultRows?.[0] ?? [])))).toEqual([
      "secretId", "recipientAccountId", "awsRegion", "principalArn", "principalType", "accessKeyId", "vpcEndpointId", "sourceIPAddress", "errorCode", "reads", "firstSeen", "lastSeen",
    ]);
    await expect(mgmt.send(new StartQueryCommand({ QueryStatement: "DELETE FROM x" }))).rejects.toMatchObject({ name: "InvalidQueryStatementException" });
    mgmt.destroy();
  });
});
