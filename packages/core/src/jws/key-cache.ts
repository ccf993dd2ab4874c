import { ok, type Result } from "neverthrow";
import type { JsonWebKeyPublic } from "../domain/types.js";
import type { AcmeProblem } from "../problems.js";
import { type JwkKey, keyFromJwk } from "./keys.js";

/**
 * Account verification keys by JWK thumbprint. Importing a JWK costs more than the verify
 * itself, and a thumbprint names exactly one key, so entries never go stale; the cache is
 * bounded (least recently used out) so it cannot grow with the number of accounts.
 */
export class KeyCache {
  // Each key in its (immutable) ok Result, so that a hit allocates nothing.
  readonly #entries = new Map<string, Result<JwkKey, AcmeProblem>>();
  /** The thumbprint used last: already the newest entry, so a hit on it need not move it. */
  #newest: string | undefined;
  constructor(readonly capacity = 10_000) {}

  get(thumbprint: string, jwk: JsonWebKeyPublic): Result<JwkKey, AcmeProblem> {
    const cached = this.#entries.get(thumbprint);
    if (cached !== undefined) {
      if (thumbprint !== this.#newest) {
        this.#entries.delete(thumbprint);
        this.#entries.set(thumbprint, cached);
        this.#newest = thumbprint;
      }
      return cached;
    }
    const imported = keyFromJwk(jwk);
    if (imported.isErr()) return imported;
    const entry = ok<JwkKey, AcmeProblem>(imported.value);
    this.#entries.set(thumbprint, entry);
    this.#newest = thumbprint;
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return entry;
  }
}
