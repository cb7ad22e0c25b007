/**
 * The value-read guard: sm-audit is value-blind by construction. Every Secrets Manager
 * client the scanner creates carries this middleware, which refuses the commands that
 * return secret values before anything is signed or sent.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Commands that return secret values; never sent by sm-audit. */
export const VALUE_READ_COMMANDS: readonly string[] = ["GetSecretValueCommand", "BatchGetSecretValueCommand"];

/** The wire names (`X-Amz-Target` operations) of the same operations. */
const VALUE_READ_TARGETS = ["secretsmanager.GetSecretValue", "secretsmanager.BatchGetSecretValue"];

/** Thrown when code tries to send a value-reading command through a guarded client. */
export class ValueReadRefused extends Error {
  constructor(readonly command: string) {
    super(`sm-audit never reads secret values: ${command} refused before sending`);
    this.name = "ValueReadRefused";
  }
}

const GUARDED = new WeakSet<object>();

/**
 * Add the guard to `client`: by command name at `initialize`, and again by the request's
 * `X-Amz-Target` header at `build`, so a hand-made command with another name is caught too.
 */
export function addValueReadGuard(client: SecretsManagerClient): void {
  if (GUARDED.has(client)) return;
  GUARDED.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "";
      if (VALUE_READ_COMMANDS.includes(name)) throw new ValueReadRefused(name);
      return next(args);
    },
    { step: "initialize", priority: "high", name: "smAuditValueReadGuard" },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      const headers = request.headers ?? {};
      for (const [key, value] of Object.entries(headers)) {
        if (key.toLowerCase() === "x-amz-target" && VALUE_READ_TARGETS.includes(value)) throw new ValueReadRefused(value);
      }
      return next(args);
    },
    { step: "build", priority: "low", name: "smAuditValueReadWireGuard" },
  );
}
