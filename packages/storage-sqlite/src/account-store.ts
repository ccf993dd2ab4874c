import type { Account, AccountStore } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

export function createAccountStore(connection: Connection, runner: Runner): AccountStore {
  const find = (endpointId: string, id: string) =>
    decodeRow<Account>(
      connection.statement("SELECT data FROM accounts WHERE endpoint_id = ? AND id = ?").get(endpointId, id),
    );

  return {
    // UNIQUE (endpoint_id, thumbprint): of two inserts with one key, even from two processes,
    // the second is a conflict.
    insert: (account) =>
      runner.run(`inserting account ${account.id}`, () => {
        const data = encode(account);
        connection
          .statement(
            "INSERT INTO accounts (endpoint_id, id, thumbprint, version, data) VALUES (?, ?, ?, ?, ?)",
          )
          .run(account.endpointId, account.id, account.thumbprint, account.version, data);
        return ok(decode<Account>(data));
      }),

    get: (endpointId, id) => runner.run("reading an account", () => ok(find(endpointId, id))),

    getByThumbprint: (endpointId, thumbprint) =>
      runner.run("reading an account by key thumbprint", () =>
        ok(
          decodeRow<Account>(
            connection
              .statement("SELECT data FROM accounts WHERE endpoint_id = ? AND thumbprint = ?")
              .get(endpointId, thumbprint),
          ),
        ),
      ),

    // A key change (RFC 8555 §7.3.5) moves the thumbprint; a taken one breaks the UNIQUE rule.
    update: (account) =>
      runner.run(`updating account ${account.id}`, () => {
        const next = nextVersion(account);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE accounts SET thumbprint = ?, version = ?, data = ? WHERE endpoint_id = ? AND id = ? AND version = ?",
          )
          .run(next.thumbprint, next.version, data, account.endpointId, account.id, account.version);
        if (changes === 0) {
          return err(updateConflict("account", account.id, find(account.endpointId, account.id), account));
        }
        return ok(decode<Account>(data));
      }),
  };
}
