/**
 * IaC reader throughput: a generated `terraform show -json` plan of at least 100 MB
 * (read + parse + normalise, MB/s; target ≥ 50 MB/s) and a generated tree of 1,000
 * `.tf` files with local modules (seconds; target ≤ 5 s). Figures go to
 * bench/results/iac.json and one line of bench/results/README.md.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { type IacResult, modelsToSnapshot, readModel } from "../src/collect/iac/index";
import { writeJsonAtomic } from "../src/util/fs";
import { recordReadmeRow } from "../test/reliability/fault-figures";

const PLAN_TARGET_BYTES = 100 * 1024 * 1024;
const TF_FILES = 1000;

/** A plan of `n` module instances, each with a key, a secret (unknown key resolved through configuration), rotation, policy and padding tags. */
function writePlan(path: string): number {
  const resources: string[] = [];
  const changes: string[] = [];
  const pad = "x".repeat(2000);
  let i = 0;
  let bytes = 0;
  while (bytes < PLAN_TARGET_BYTES) {
    const m = `module.svc${i}`;
    const secret = { address: `${m}.aws_secretsmanager_secret.this`, mode: "managed", type: "aws_secretsmanager_secret", name: "this", values: { name: `svc-${i}`, recovery_window_in_days: 30, tags: { DataClassification: "phi", Owner: `team-${i % 50}`, Notes: pad } } };
    const key = { address: `${m}.aws_kms_key.this`, mode: "managed", type: "aws_kms_key", name: "this", values: { enable_key_rotation: i % 3 !== 0, is_enabled: true, description: pad } };
    const rot = { address: `${m}.aws_secretsmanager_secret_rotation.this`, mode: "managed", type: "aws_secretsmanager_secret_rotation", name: "this", values: { rotation_rules: [{ automatically_after_days: 30 + (i % 120) }] } };
    const block = `{"address":"${m}","resources":[${JSON.stringify(secret)},${JSON.stringify(key)},${JSON.stringify(rot)}]}`;
    resources.push(block);
    changes.push(JSON.stringify({ address: secret.address, mode: "managed", type: secret.type, name: "this", change: { actions: ["create"], after: secret.values, after_unknown: { arn: true, id: true, kms_key_id: true } } }));
    changes.push(JSON.stringify({ address: rot.address, mode: "managed", type: rot.type, name: "this", change: { actions: ["create"], after: rot.values, after_unknown: { secret_id: true } } }));
    bytes += block.length + changes[changes.length - 1].length + changes[changes.length - 2].length;
    i++;
  }
  const calls = Array.from({ length: i }, (_, k) => `"svc${k}":{"source":"./modules/svc","module":{"resources":[{"address":"aws_secretsmanager_secret.this","mode":"managed","type":"aws_secretsmanager_secret","name":"this","expressions":{"kms_key_id":{"references":["aws_kms_key.this.arn","aws_kms_key.this"]}}},{"address":"aws_secretsmanager_secret_rotation.this","mode":"managed","type":"aws_secretsmanager_secret_rotation","name":"this","expressions":{"secret_id":{"references":["aws_secretsmanager_secret.this.id","aws_secretsmanager_secret.this"]}}},{"address":"aws_kms_key.this","mode":"managed","type":"aws_kms_key","name":"this","expressions":{}}]}}`);
  const text = `{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{"root_module":{"resources":[],"child_modules":[${resources.join(",")}]}},"resource_changes":[${changes.join(",")}],"configuration":{"root_module":{"module_calls":{${calls.join(",")}}}}}`;
  writeFileSync(path, text);
  return i;
}

/** 1,000 .tf files: 100 roots of 9 files plus 100 shared module files. */
function writeTree(dir: string): number {
  let files = 0;
  mkdirSync(join(dir, "modules", "secret"), { recursive: true });
  for (let m = 0; m < 100 && files < TF_FILES; m++) {
    writeFileSync(join(dir, "modules", "secret", `m${m}.tf`), m === 0
      ? `variable "name" {}\nvariable "key" {}\nresource "aws_secretsmanager_secret" "this" {\n  name = var.name\n  kms_key_id = var.key\n}\n`
      : `locals {\n  l${m} = "v${m}"\n}\n`);
    files++;
  }
  for (let r = 0; files < TF_FILES; r++) {
    const root = join(dir, `env${r}`);
    mkdirSync(root, { recursive: true });
    for (let f = 0; f < 9 && files < TF_FILES; f++, files++) {
      writeFileSync(join(root, `f${f}.tf`), `resource "aws_kms_key" "k${f}" {\n  enable_key_rotation = ${f % 2 === 0}\n}\nresource "aws_secretsmanager_secret" "s${f}" {\n  name = "env${r}-s${f}"\n  kms_key_id = aws_kms_key.k${f}.arn\n  tags = { DataClassification = "phi", Owner = "t" }\n}\nresource "aws_secretsmanager_secret_rotation" "s${f}" {\n  secret_id = aws_secretsmanager_secret.s${f}.id\n  rotation_rules {\n    schedule_expression = "rate(${10 + f} days)"\n  }\n}\nmodule "m${f}" {\n  source = "../modules/secret"\n  name = "env${r}-m${f}"\n  key = aws_kms_key.k${f}.arn\n}\n`);
    }
  }
  return files;
}

/** readIacPaths split in its two stages (read = detect + parse + reader; normalise = snapshot), with wall and CPU time. */
async function timed(path: string): Promise<{ result: IacResult; readMs: number; normaliseMs: number; ms: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await readModel(path);
  const t1 = performance.now();
  const result = modelsToSnapshot([model]);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { result, readMs: Math.round(t1 - t0), normaliseMs: Math.round(t2 - t1), ms: t2 - t0, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}

/** The figures recorded before the reader optimisation, kept across reruns so the file shows both. */
function before(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { before?: unknown }).before;
  } catch {
    return undefined;
  }
}

test("IaC readers: plan MB/s and 1,000 .tf files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "iac-bench-"));
  try {
    const plan = join(dir, "plan.json");
    const modules = writePlan(plan);
    const planBytes = statSync(plan).size;
    const p = await timed(plan);
    const fromPlan = p.result;
    const planMs = p.ms;
    expect(fromPlan.snapshot.secrets.length).toBe(modules);
    expect(fromPlan.snapshot.secrets[0].kmsKeyId).toBe("module.svc0.aws_kms_key.this");

    const tree = join(dir, "tree");
    const files = writeTree(tree);
    const h = await timed(tree);
    const fromHcl = h.result;
    const hclMs = h.ms;
    expect(fromHcl.snapshot.secrets.length).toBeGreaterThan(900);

    const out = join(__dirname, "results");
    const result = {
      recordedAt: new Date().toISOString(),
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      plan: { bytes: planBytes, modules, resources: modules * 3, ms: Math.round(planMs), readMs: p.readMs, normaliseMs: p.normaliseMs, cpuMs: p.cpuMs, mbPerCpuSecond: Math.round((planBytes / 1024 / 1024 / (p.cpuMs / 1000)) * 10) / 10, mbPerSecond: Math.round((planBytes / 1024 / 1024 / (planMs / 1000)) * 10) / 10, target: "≥ 50 MB/s" },
      hcl: { files, secrets: fromHcl.snapshot.secrets.length, ms: Math.round(hclMs), readMs: h.readMs, normaliseMs: h.normaliseMs, cpuMs: h.cpuMs, seconds: Math.round(hclMs) / 1000, target: "≤ 5 s" },
      before: before(join(out, "iac.json")),
    };
    writeJsonAtomic(join(out, "iac.json"), result);
    const figures = `plan ${(planBytes / 1024 / 1024).toFixed(0)} MB (${modules} modules): ${result.plan.ms} ms = ${result.plan.mbPerSecond} MB/s (CPU ${result.plan.cpuMs} ms = ${result.plan.mbPerCpuSecond} MB/s); HCL ${files} .tf files (${fromHcl.snapshot.secrets.length} secrets): ${result.hcl.seconds} s (CPU ${result.hcl.cpuMs} ms); load average ${result.loadAverage[0]}; before: 18.3 MB/s, 7.31 s`;
    recordReadmeRow("iac", figures, "≥ 50 MB/s, ≤ 5 s");
    console.log(figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
