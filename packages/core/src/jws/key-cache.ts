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
  readonly #entries = new Map<string, JwkKey>();
  constructor(readonly capacity = 10_000) {}

  get(thumbprint: string, jwk: JsonWebKeyPublic): Result<JwkKey, AcmeProblem> {
    const cached = this.#entries.get(thumbprint);
    if (cached !== undefined) {
      this.#entries.delete(thumbprint);
      this.#entries.set(thumbprint, cached);
      return ok(cached);
    }
    return keyFromJwk(jwk).map((key) => {
      this.#entries.set(thumbprint, key);
      if (this.#entries.size > this.capacity) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      return key;
    });
  }
}
