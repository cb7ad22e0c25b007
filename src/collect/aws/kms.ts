/**
 * KMS keys behind the secrets of one account-region: ListAliases once (it resolves alias
 * references without a call per alias), then per distinct key DescribeKey and
 * GetKeyRotationStatus, plus GetKeyPolicy when the key belongs to the account scanned
 * (key policies cannot be read across accounts).
 */
import {
  DescribeKeyCommand, type DescribeKeyCommandOutput, GetKeyPolicyCommand, type GetKeyPolicyCommandOutput,
  GetKeyRotationStatusCommand, type GetKeyRotationStatusCommandOutput, ListAliasesCommand, type ListAliasesCommandOutput,
} from "@aws-sdk/client-kms";
import type { Coverage, KmsKey } from "../../inventory/types";
import { classifyError, errorName, type ScanContext } from "./context";
import { parsePolicy } from "./secrets";

/** IAM actions this module sends. */
export const KMS_ACTIONS = ["kms:ListAliases", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy"] as const;

interface AliasEntry {
  name: string;
  targetKeyId?: string;
}

const KEY_ARN = /^arn:aws[\w-]*:kms:([^:]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[\w-]*:kms:([^:]+):(\d{12}):(alias\/.+)$/;

/** Collects the keys that secrets of one account-region refer to, one call set per key. */
export class KeyCollector {
  private aliases?: Promise<AliasEntry[]>;
  private aliasError?: ReturnType<typeof classifyError>;
  private readonly byRef = new Map<string, Promise<KmsKey | undefined>>();
  private readonly byKey = new Map<string, Promise<KmsKey | undefined>>();
  private readonly errors: Array<ReturnType<typeof classifyError>> = [];

  constructor(private readonly ctx: ScanContext, private readonly accountId: string, private readonly region: string) {}

  /** Start ListAliases now (it runs beside ListSecrets). */
  start(): void {
    this.aliases ??= this.listAliases();
  }

  /** Note a key reference seen on a secret; the key is described once, whatever the spelling. */
  want(ref: string): void {
    if (this.byRef.has(ref)) return;
    this.start();
    this.byRef.set(ref, this.resolve(ref));
  }

  /** Wait for every key and return them with the account-region's kmsKeys coverage. */
  async finish(): Promise<{ keys: KmsKey[]; coverage: Coverage }> {
    this.start();
    await this.aliases;
    const keys = new Map<string, KmsKey>();
    for (const p of this.byKey.values()) {
      const k = await p;
      if (k) keys.set(k.id, k);
    }
    const first = this.aliasError ?? this.errors[0];
    const coverage: Coverage = first
      ? { accountId: this.accountId, region: this.region, kind: "kmsKeys", ...first, count: keys.size,
        message: `${this.errors.length + (this.aliasError ? 1 : 0)} KMS calls failed: ${first.message}` }
      : { accountId: this.accountId, region: this.region, kind: "kmsKeys", status: "collected", count: keys.size };
    return { keys: [...keys.values()], coverage };
  }

  private async listAliases(): Promise<AliasEntry[]> {
    const out: AliasEntry[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.ctx.send<ListAliasesCommandOutput>("kms", this.accountId, this.region, new ListAliasesCommand({ Limit: 100, Marker: marker }));
        for (const a of page.Aliases ?? []) if (a.AliasName) out.push({ name: a.AliasName, targetKeyId: a.TargetKeyId });
        marker = page.Truncated ? page.NextMarker : undefined;
      } while (marker);
    } catch (err) {
      this.aliasError = classifyError(err);
    }
    return out;
  }

  /** Turn a reference into the key's region, owner and id (aliases of this account-region via ListAliases) and describe it once. */
  private async resolve(ref: string): Promise<KmsKey | undefined> {
    let region = this.region;
    let owner = this.accountId;
    let id = ref;
    const keyArn = KEY_ARN.exec(ref) ?? ALIAS_ARN.exec(ref);
    if (keyArn) [, region, owner, id] = keyArn as unknown as [string, string, string, string];
    else if (!ref.startsWith("alias/") && ref.startsWith("arn:")) id = ref;
    const local = region === this.region && owner === this.accountId;
    if (local && id.startsWith("alias/")) {
      const alias = (await this.aliases)?.find((a) => a.name === id);
      if (alias?.targetKeyId) id = alias.targetKeyId;
    }
    const resolved = !id.startsWith("alias/") && !id.startsWith("arn:");
    const dedupe = resolved ? `${region}|${owner}|${id}` : `ref|${ref}`;
    let p = this.byKey.get(dedupe);
    if (!p) {
      // Outside this account-region the full reference is what KMS accepts (cross-account needs the ARN).
      p = this.describe(local ? id : ref, region, owner);
      this.byKey.set(dedupe, p);
    }
    return p;
  }

  private async describe(keyId: string, region: string, owner: string): Promise<KmsKey | undefined> {
    const acct = this.accountId;
    let meta: DescribeKeyCommandOutput["KeyMetadata"];
    try {
      meta = (await this.ctx.send<DescribeKeyCommandOutput>("kms", acct, region, new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    } catch (err) {
      if (errorName(err) !== "NotFoundException") this.errors.push(classifyError(err));
      return undefined;
    }
    if (!meta?.Arn || !meta.KeyId) return undefined;
    const keyAccount = meta.AWSAccountId ?? owner;
    const source = { kind: "live" as const, accountId: acct, region, api: "kms:DescribeKey" };
    const key: KmsKey = {
      id: meta.Arn, arn: meta.Arn, keyId: meta.KeyId, accountId: keyAccount, region, source,
      manager: meta.KeyManager === "AWS" ? "AWS" : "CUSTOMER",
      state: meta.KeyState, origin: meta.Origin, multiRegion: meta.MultiRegion ?? false,
      description: meta.Description,
    };
    if (meta.DeletionDate) key.deletionDate = new Date(meta.DeletionDate).toISOString();
    if (key.description === undefined) delete key.description;
    const unknowns: Record<string, string> = {};
    const sameAccount = keyAccount === acct;
    if (sameAccount && region === this.region) {
      const aliases = await this.aliases;
      if (this.aliasError) unknowns.aliases = `ListAliases ${this.aliasError.status}: ${this.aliasError.errorCode}`;
      else key.aliases = (aliases ?? []).filter((a) => a.targetKeyId === meta.KeyId).map((a) => a.name).sort();
    }
    const keyRef = meta.Arn;
    const [rotation, policy] = await Promise.all([
      this.ctx.send<GetKeyRotationStatusCommandOutput>("kms", acct, region, new GetKeyRotationStatusCommand({ KeyId: keyRef })).then(
        (r) => r, (err: unknown) => err as Error),
      sameAccount
        ? this.ctx.send<GetKeyPolicyCommandOutput>("kms", acct, region, new GetKeyPolicyCommand({ KeyId: meta.KeyId, PolicyName: "default" })).then(
          (r) => r, (err: unknown) => err as Error)
        : Promise.resolve(undefined),
    ]);
    if (rotation instanceof Error) {
      const c = classifyError(rotation);
      // A key pending deletion or disabled refuses the call (KMSInvalidStateException): a fact about the key, not a gap.
      if (c.errorCode !== "KMSInvalidStateException" && c.errorCode !== "UnsupportedOperationException") this.errors.push(c);
      unknowns.rotationEnabled = `GetKeyRotationStatus: ${c.errorCode}`;
    } else {
      key.rotationEnabled = rotation.KeyRotationEnabled ?? false;
      if (rotation.RotationPeriodInDays !== undefined) key.rotationPeriodDays = rotation.RotationPeriodInDays;
    }
    if (policy instanceof Error) {
      const c = classifyError(policy);
      this.errors.push(c);
      unknowns.policy = `GetKeyPolicy ${c.status}: ${c.errorCode}`;
    } else if (policy) {
      const parsed = parsePolicy(policy.Policy);
      if ("error" in parsed) unknowns.policy = parsed.error;
      else key.policy = parsed.policy;
    } else {
      unknowns.policy = `key belongs to account ${keyAccount}; its policy is readable only there`;
    }
    if (Object.keys(unknowns).length) key.unknowns = unknowns;
    return key;
  }
}
