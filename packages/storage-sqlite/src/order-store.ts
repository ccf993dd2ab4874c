import type { Order, OrderStore, Page, PageRequest, StorageError } from "@acme-endpoints/core";
import { checkPageLimit, invalidCursor } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";
import { updateConflict } from "./errors.js";
import { decode, decodeRow, encode, nextVersion } from "./records.js";

export function createOrderStore(connection: Connection, runner: Runner): OrderStore {
  const find = (endpointId: string, id: string) =>
    decodeRow<Order>(
      connection.statement("SELECT data FROM orders WHERE endpoint_id = ? AND id = ?").get(endpointId, id),
    );

  return {
    insert: (order) =>
      runner.run(`inserting order ${order.id}`, () => {
        const data = encode(order);
        connection
          .statement("INSERT INTO orders (endpoint_id, id, account_id, version, data) VALUES (?, ?, ?, ?, ?)")
          .run(order.endpointId, order.id, order.accountId, order.version, data);
        return ok(decode<Order>(data));
      }),

    get: (endpointId, id) => runner.run("reading an order", () => ok(find(endpointId, id))),

    // One statement checks the version and writes: of two finalizes that read the same `ready`
    // order, in one process or two, exactly one moves it on. The account (the list's key) is
    // part of the condition: an order never moves to another account.
    update: (order) =>
      runner.run(`updating order ${order.id}`, () => {
        const next = nextVersion(order);
        const data = encode(next);
        const { changes } = connection
          .statement(
            "UPDATE orders SET version = ?, data = ? WHERE endpoint_id = ? AND id = ? AND version = ? AND account_id = ?",
          )
          .run(next.version, data, order.endpointId, order.id, order.version, order.accountId);
        if (changes === 0) {
          return err(updateConflict("order", order.id, find(order.endpointId, order.id), order));
        }
        return ok(decode<Order>(data));
      }),

    listByAccount: (endpointId, accountId, page) =>
      runner.run("listing an account's orders", () => listOrders(connection, endpointId, accountId, page)),
  };
}

/**
 * Oldest first is insertion order (`seq`); the cursor is the `seq` of a page's last order, so a
 * page costs O(limit) through the (endpoint_id, account_id, seq) index, whatever the history.
 */
function listOrders(
  connection: Connection,
  endpointId: string,
  accountId: string,
  page: PageRequest,
): Result<Page<Order>, StorageError> {
  return checkPageLimit(page.limit).andThen((limit) => {
    let after = 0;
    if (page.after !== undefined) {
      if (!/^\d{1,15}$/.test(page.after)) return err(invalidCursor(page.after));
      after = Number(page.after);
    }
    const rows = connection
      .statement(
        "SELECT seq, data FROM orders WHERE endpoint_id = ? AND account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      )
      .all(endpointId, accountId, after, limit + 1);
    const items = rows.slice(0, limit).map((row) => decode<Order>(row.data));
    const last = rows[limit - 1];
    return ok(rows.length > limit && last !== undefined ? { items, next: String(last.seq) } : { items });
  });
}
