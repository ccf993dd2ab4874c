import { err, ok, type Result } from "neverthrow";
import type { Deps } from "../context.js";
import { randomBase64url } from "../crypto/random.js";
import type { StorageError } from "../ports/storage.js";

/**
 * RFC 8555 §6.5: nonces are single-use and, here, scoped to one endpoint: a nonce from
 * endpoint A is unknown to endpoint B. 128 random bits, base64url (§6.5.1).
 */
export function issueNonce(deps: Deps, endpointId: string): Promise<Result<string, StorageError>> {
  // No async function: one `then` on the insert's ResultAsync is the whole of the waiting (every
  // ACME response issues a nonce).
  try {
    const nonce = randomBase64url(16);
    const expiresAt = new Date(deps.clock.now().getTime() + deps.settings.nonceLifetimeMs);
    // Promise.resolve hands back the promise `then` makes as it is (the type says PromiseLike).
    return Promise.resolve(
      deps.storage.nonces
        .insert(endpointId, nonce, expiresAt)
        .then<Result<string, StorageError>, never>((stored) =>
          stored.isErr() ? err(stored.error) : ok(nonce),
        ),
    );
  } catch (cause) {
    return Promise.reject(cause);
  }
}
