import type { StorageError } from "@acme-endpoints/core";
import { makeAccount, makeCertificate, makeEndpoint, makeOrder } from "@acme-endpoints/core/testing";
import type { Result } from "neverthrow";
import { err, ok, ResultAsync, safeTry } from "neverthrow";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStorage, type SqliteStorage } from "./index.js";
import { NONCE_PRUNE_BATCH, NONCE_PRUNE_EVERY } from "./nonce-store.js";
import { tempDirectory } from "./test/temp-database.js";

const temp = tempDirectory();
afterAll(() => temp.remove());
let count = 0;
let storage: SqliteStorage;

beforeEach(() => {
  storage = createSqliteStorage({ filename: temp.file(`tx-${++count}.sqlite`) })._unsafeUnwrap();
});
afterEach(() => storage.close());

const pause = (ms: number) => ResultAsync.fromSafePromise(new Promise<void>((r) => setTimeout(r, ms)));
const rows = (table: string) =>
  (storage.database.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("transactions over one connection", () => {
  it("keeps single operations made during a transaction out of it: they wait, and outlive its rollback", async () => {
    const endpoint = (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
    const inside = makeAccount(endpoint);
    const outside = makeAccount(endpoint);
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    const rolledBack = storage.transaction((tx) =>
      tx.accounts
        .insert(inside)
        .andThen(() => {
          wrote();
          return pause(30);
        })
        .andThen(() => err("changed its mind")),
    );
    await written;
    // Issued while the transaction is open, between its write and its rollback.
    const [sawInside, insertedOutside] = await Promise.all([
      storage.accounts.get(endpoint.id, inside.id),
      storage.accounts.insert(outside),
    ]);
    expect((await rolledBack)._unsafeUnwrapErr()).toBe("changed its mind");
    expect(sawInside._unsafeUnwrap()).toBeUndefined();
    expect(insertedOutside._unsafeUnwrap()).toEqual(outside);
    expect((await storage.accounts.get(endpoint.id, outside.id))._unsafeUnwrap()).toEqual(outside);
    expect((await storage.accounts.get(endpoint.id, inside.id))._unsafeUnwrap()).toBeUndefined();
    expect(storage.database.inTransaction).toBe(false);
  });

  it("answers a failure and keeps nothing when SQLite rolls back by itself (disk full) and the work carries on", async () => {
    const { account } = await seed();
    const order = (await storage.orders.insert(makeOrder(account)))._unsafeUnwrap();
    fillTheDisk();
    const later = makeAccount({ id: account.endpointId });
    const seen: Result<unknown, StorageError>[] = [];
    const answer = await storage.transaction((tx) =>
      safeTry(async function* () {
        yield* tx.orders.update({ ...order, status: "ready" });
        // Too big for the pages left: SQLITE_FULL, and SQLite ends the transaction.
        seen.push(await tx.certificates.insert(makeCertificate(order, { chainPem: "x".repeat(200_000) })));
        // A careless work ignores that and writes on: this must not be committed on its own.
        seen.push(await tx.accounts.insert(later));
        return ok("done");
      }),
    );
    expect(seen.map((result) => result.isErr() && result.error.type)).toEqual(["failure", "failure"]);
    expect(answer._unsafeUnwrapErr()).toMatchObject({ type: "failure" });
    roomToGrow();
    expect((await storage.orders.get(order.endpointId, order.id))._unsafeUnwrap()).toEqual(order);
    expect((await storage.accounts.get(later.endpointId, later.id))._unsafeUnwrap()).toBeUndefined();
    expect(storage.database.inTransaction).toBe(false);
  });

  it("waits for a running transaction on close, then answers failures instead of throwing", async () => {
    const endpoint = makeEndpoint();
    const running = storage.transaction((tx) => pause(20).andThen(() => tx.endpoints.insert(endpoint)));
    await storage.close();
    expect((await running).isOk()).toBe(true);
    const late = await storage.endpoints.get(endpoint.id);
    expect(late._unsafeUnwrapErr()).toMatchObject({ type: "failure" });
    const lateTx = await storage.transaction((tx) => tx.endpoints.get(endpoint.id));
    expect(lateTx._unsafeUnwrapErr()).toMatchObject({ type: "failure" });
  });
});

describe("nonces", () => {
  it("prunes expired nonces as new ones come in, keeping the live ones", async () => {
    const endpoint = (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
    const now = new Date("2025-06-01T00:00:00.000Z");
    const expired = new Date(now.getTime() - 1);
    const live = new Date(now.getTime() + 60_000);
    const insert = storage.database.prepare(
      "INSERT INTO nonces (endpoint_id, nonce, expires_at) VALUES (?, ?, ?)",
    );
    storage.database.transaction(() => {
      for (let i = 0; i < 2 * NONCE_PRUNE_BATCH; i++) insert.run(endpoint.id, `old-${i}`, expired.getTime());
    })();
    // The server's clock is known from consumes; then inserts prune, a bounded batch at a time.
    expect((await storage.nonces.consume(endpoint.id, "unknown", now))._unsafeUnwrap()).toBe(false);
    for (let i = 0; i < 2 * NONCE_PRUNE_EVERY; i++) {
      (await storage.nonces.insert(endpoint.id, `new-${i}`, live))._unsafeUnwrap();
    }
    expect(rows("nonces")).toBe(2 * NONCE_PRUNE_EVERY);
    expect((await storage.nonces.consume(endpoint.id, "new-0", now))._unsafeUnwrap()).toBe(true);
  });
});

async function seed() {
  const endpoint = (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
  const account = (await storage.accounts.insert(makeAccount(endpoint)))._unsafeUnwrap();
  return { endpoint, account };
}

/** No page beyond the current ones: the next write that needs a page fails with SQLITE_FULL. */
function fillTheDisk(): void {
  const pages = storage.database.pragma("page_count", { simple: true });
  storage.database.pragma(`max_page_count = ${pages}`);
}

function roomToGrow(): void {
  storage.database.pragma("max_page_count = 1073741823");
}
