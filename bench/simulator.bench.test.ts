/**
 * Simulator capacity: generate a 100,000-secret estate, start the simulator on it, and sweep
 * every account-region with paginated ListSecrets through the real SDK (quotas lifted with a
 * large timeScale). Records generation, start-up and serving figures in
 * bench/results/simulator.json. Targets: generate < 3 s, start < 10 s. The sweep runs the
 * SDK clients in the same process, so pages/s is bounded by the SDK's own parsing (the server
 * spends about 1 ms per 100-secret page).
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import { SecretsManagerClient, paginateListSecrets } from "@aws-sdk/client-secrets-manager";
import { generateEstate, startSimulator } from "../src/simulator";
import { writeJsonAtomic } from "../src/util/fs";

const SECRETS = 100_000;
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];

it("serves a 100k-secret estate", async () => {
  let t = performance.now();
  const estate = generateEstate({ seed: 1, accounts: 26, regions: REGIONS, secrets: SECRETS, readsPerSecret: 3 });
  const generateMs = performance.now() - t;
  t = performance.now();
  const sim = await startSimulator({ estate, timeScale: 1000 });
  const startMs = performance.now() - t;
  const heapMb = process.memoryUsage().heapUsed / 1e6;
  t = performance.now();
  let pages = 0;
  let listed = 0;
  const units = estate.accounts.slice(1).flatMap((a) => REGIONS.map((region) => ({ account: a.id, region })));
  const worker = async (): Promise<void> => {
    for (let u = units.shift(); u; u = units.shift()) {
      const sm = new SecretsManagerClient({ endpoint: sim.url, region: u.region, credentials: sim.credentialsFor(u.account), maxAttempts: 3 });
      for await (const page of paginateListSecrets({ client: sm }, { IncludePlannedDeletion: true })) {
        pages++;
        listed += page.SecretList?.length ?? 0;
      }
      sm.destroy();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const sweepMs = performance.now() - t;
  const stats = sim.stats();
  await sim.close();
  const figures = {
    secrets: SECRETS,
    accounts: estate.accounts.length,
    regions: REGIONS.length,
    generateMs: Math.round(generateMs),
    startMs: Math.round(startMs),
    heapAfterStartMb: Math.round(heapMb),
    listSecretsPages: pages,
    secretsListed: listed,
    sweepMs: Math.round(sweepMs),
    pagesPerSecond: Math.round((pages / sweepMs) * 1000),
    peakInFlight: stats.peakInFlight,
    recorded: new Date().toISOString().slice(0, 10),
  };
  writeJsonAtomic(join(__dirname, "results", "simulator.json"), figures);
  console.log(figures);
  // Times are recorded, not asserted (a loaded machine must not fail a benchmark); the count is checked.
  expect(listed).toBeGreaterThanOrEqual(SECRETS);
});
