import { err, ok, type Result } from "neverthrow";
import type { Deps } from "../context.js";
import { randomBase64url } from "../crypto/random.js";
import type { StorageError } from "../ports/storage.js";

/**
 * RFC 8555 §6.5: nonces are single-use and, here, scoped to one endpoint: a nonce from
 * endpoint A is unknown to endpoint B. 128 random bits, base64url (§6.5.1).
 */
export async function issueNonce(deps: Deps, endpointId: string): Promise<Result<string, StorageError>> {
  const nonce = randomBase64url(16);
  const expiresAt = new Date(deps.clock.now().getTime() + deps.settings.nonceLifetimeMs);
  const stored = await deps.storage.nonces.insert(endpointId, nonce, expiresAt);
  return stored.isErr() ? err(stored.error) : ok(nonce);
}
