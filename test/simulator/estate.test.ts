import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ListSecretsCommand, SecretsManagerClient, paginateListSecrets } from "@aws-sdk/client-secrets-manager";
import { EstateError, generateEstate, loadEstate, parseEstate, runSimulatorCommand, startSimulator, validateEstate } from "../../src/simulator";
import { parseFaultSpec, parseSimulatorArgs } from "../../src/simulator/main";
import { cfg } from "./fixtures";

const ACME = join(__dirname, "../../examples/estates/acme-health.yaml");

const VALID = `version: 1
regions: [us-east-1]
accounts:
  - id: "111111111111"
    name: one
    regions:
      us-east-1:
        kmsKeys:
          - { alias: app }
        secrets:
          - name: a
            kmsKey: alias/app
`;

function errorOf(text: string): EstateError {
  try {
    parseEstate(text, "estate.yaml");
  } catch (err) {
    if (err instanceof EstateError) return err;
    throw err;
  }
  throw new Error("expected an EstateError");
}

describe("estate validation", () => {
  it("accepts a minimal estate", () => {
    expect(parseEstate(VALID).accounts[0]?.id).toBe("111111111111");
  });

  it("names file, line and field for schema errors", () => {
    const err = errorOf(VALID.replace("kmsKey: alias/app", "kmsKey: alias/app\n            rotaton: { afterDays: 30 }"));
    expect(err).toMatchObject({ file: "estate.yaml", line: 13, field: "accounts[0].regions.us-east-1.secrets[0].rotaton" });
    expect(err.message).toBe('estate.yaml:13: accounts[0].regions.us-east-1.secrets[0].rotaton: unknown field "rotaton"');
  });

  it("explains unquoted account ids and bad dates", () => {
    const err = errorOf(VALID.replace('id: "111111111111"', "id: 111111111111").replace("name: a\n", "name: a\n            created: yesterday\n"));
    expect(err.issues.map((i) => [i.line, i.field])).toEqual([
      [4, "accounts[0].id"],
      [12, "accounts[0].regions.us-east-1.secrets[0].created"],
    ]);
    expect(err.issues[0]?.message).toMatch(/quote account ids/);
    expect(err.issues[1]?.message).toMatch(/not a date: "yesterday"/);
  });

  it("checks references: an alias that does not exist", () => {
    const err = errorOf(VALID.replace("kmsKey: alias/app", "kmsKey: alias/missing"));
    expect(err).toMatchObject({ line: 12, field: "accounts[0].regions.us-east-1.secrets[0].kmsKey" });
    expect(err.message).toMatch(/alias missing is not defined in 111111111111\/us-east-1/);
  });

  it("reports YAML syntax errors with their line", () => {
    const err = errorOf("version: 1\nregions: [us-east-1\naccounts: []\n");
    expect(err.file).toBe("estate.yaml");
    expect(err.line).toBeGreaterThan(0);
  });

  it("loads a file and names it", () => {
    const dir = mkdtempSync(join(tmpdir(), "estate-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, VALID.replace("version: 1", "version: 2"));
    expect(() => loadEstate(file)).toThrow(`${file}:1: version: must be 1`);
  });
});

describe("the Acme Health estate", () => {
  it("loads, has ≥ 4 accounts in 3 regions and a few hundred secrets with the planned mix", async () => {
    const estate = loadEstate(ACME);
    expect(estate.accounts.length).toBeGreaterThanOrEqual(4);
    const sim = await startSimulator({ estate });
    let total = 0;
    let defaultKey = 0;
    const classified = new Set<string>();
    for (const account of estate.accounts) {
      for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
        const sm = new SecretsManagerClient(cfg(sim, region, sim.credentialsFor(account.id), 3));
        for await (const page of paginateListSecrets({ client: sm }, { IncludePlannedDeletion: true })) {
          for (const s of page.SecretList ?? []) {
            if (s.PrimaryRegion && s.PrimaryRegion !== region) continue;
            total++;
            if (!s.KmsKeyId) defaultKey++;
            const cls = s.Tags?.find((t) => t.Key === "DataClassification")?.Value;
            if (cls === "phi" || cls === "pci") classified.add(cls);
          }
        }
        sm.destroy();
      }
    }
    expect(total).toBeGreaterThanOrEqual(250);
    expect(defaultKey).toBeGreaterThan(20);
    expect([...classified].sort()).toEqual(["pci", "phi"]);
    const prod = new SecretsManagerClient(cfg(sim, "us-east-1", sim.credentialsFor("434567890123")));
    const rds = await prod.send(new ListSecretsCommand({ Filters: [{ Key: "owning-service", Values: ["rds"] }] }));
    expect(rds.SecretList?.map((s) => s.Name?.slice(0, 4))).toEqual(["rds!", "rds!"]);
    prod.destroy();
    await sim.close();
  });
});

describe("generateEstate", () => {
  it("is deterministic and valid", () => {
    const opts = { seed: 7, accounts: 6, regions: ["us-east-1", "eu-west-1"], secrets: 400 };
    const a = generateEstate(opts);
    expect(JSON.stringify(generateEstate(opts))).toBe(JSON.stringify(a));
    expect(() => validateEstate(JSON.parse(JSON.stringify(a)))).not.toThrow();
    const count = a.accounts.flatMap((x) => Object.values(x.regions ?? {})).reduce((n, r) => n + (r?.secrets?.length ?? 0), 0);
    expect(count).toBe(400);
    expect(JSON.stringify(generateEstate({ ...opts, seed: 8 }))).not.toBe(JSON.stringify(a));
  });

  it("builds 100,000 secrets in a few seconds", () => {
    const t0 = performance.now();
    const e = generateEstate({ seed: 1, accounts: 40, regions: ["us-east-1", "us-west-2", "eu-west-1"], secrets: 100_000, readsPerSecret: 2 });
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(e.accounts.flatMap((x) => Object.values(x.regions ?? {})).reduce((n, r) => n + (r?.secrets?.length ?? 0), 0)).toBe(100_000);
  });
});

describe("simulator command", () => {
  it("parses options and fault specs", () => {
    const args = parseSimulatorArgs(["--estate", "e.yaml", "--port=4566", "--time-scale", "10", "--faults", "throttle=0.1,slow=0.2:300,deny=111111111111/*/*/ListSecrets,ttl=60"]);
    expect(args).toMatchObject({ estate: "e.yaml", port: 4566, timeScale: 10 });
    expect(args.faults).toEqual({ throttleRate: 0.1, slowRate: 0.2, slowMs: 300, credentialTtlSeconds: 60, accessDenied: [{ account: "111111111111", operation: "ListSecrets" }] });
    expect(() => parseFaultSpec("bogus=1")).toThrow(/unknown fault/);
    expect(() => parseSimulatorArgs([])).toThrow(/--estate is required/);
  });

  it("serves an estate, prints the environment lines and stops", async () => {
    const out: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), isTTY: false, cwd: process.cwd(), env: {} };
    const run = runSimulatorCommand(["--estate", ACME], io, stopped);
    await vitestWaitFor(() => out.some((l) => l.startsWith("export AWS_ENDPOINT_URL=")));
    const url = out.find((l) => l.startsWith("export AWS_ENDPOINT_URL="))!.split("=")[1]!;
    expect((await (await fetch(`${url}/_sim/health`)).json()).ok).toBe(true);
    expect(out).toContain("export AWS_ACCESS_KEY_ID=AKIASIMULATOR0000000");
    stop();
    expect(await run).toBe(0);
    expect(await runSimulatorCommand(["--estate", "/nonexistent.yaml"], io)).toBe(2);
  });
});

async function vitestWaitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error("timed out");
}
