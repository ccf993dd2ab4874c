import type { NonceStore } from "@acme-endpoints/core";
import { ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";

/** Every this many inserts, one bounded prune of expired nonces. */
export const NONCE_PRUNE_EVERY = 100;
/** At most this many expired nonces go per prune: more than arrive meanwhile, so the table stays small. */
export const NONCE_PRUNE_BATCH = 1000;

export function createNonceStore(connection: Connection, runner: Runner): NonceStore {
  /*
   * "Expired" is judged by the latest `now` consumes were asked about (the server's clock, which
   * tests may fake), never by this machine's clock. Best effort: a prune that fails leaves the
   * rows for the next one and does not fail the insert.
   */
  const prune = (): void => {
    connection.noncesSincePrune = 0;
    if (connection.latestNow === 0) return;
    try {
      connection
        .statement(
          `DELETE FROM nonces WHERE (endpoint_id, nonce) IN
             (SELECT endpoint_id, nonce FROM nonces WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
        )
        .run(connection.latestNow, NONCE_PRUNE_BATCH);
    } catch {
      // pruned next time
    }
  };

  return {
    insert: (endpointId, nonce, expiresAt) =>
      runner.run("inserting a nonce", () => {
        connection
          .statement("INSERT INTO nonces (endpoint_id, nonce, expires_at) VALUES (?, ?, ?)")
          .run(endpointId, nonce, expiresAt.getTime());
        if (++connection.noncesSincePrune >= NONCE_PRUNE_EVERY) prune();
        return ok(undefined);
      }),

    // One statement finds and removes a good nonce: of any number of consumes, in any number
    // of processes, exactly one deletes the row. An expired nonce is left for the prune: it
    // answers false now and ever after, as if it were gone.
    consume: (endpointId, nonce, now) =>
      runner.run("consuming a nonce", () => {
        const at = now.getTime();
        if (at > connection.latestNow) connection.latestNow = at;
        const { changes } = connection
          .statement("DELETE FROM nonces WHERE endpoint_id = ? AND nonce = ? AND expires_at >= ?")
          .run(endpointId, nonce, at);
        return ok(changes > 0);
      }),
  };
}
