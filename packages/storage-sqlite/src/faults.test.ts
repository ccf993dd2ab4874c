import type { Logger } from "@acme-endpoints/core";
import { createTestServer, type TestAcmeClient } from "@acme-endpoints/core/testing";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStorage, type SqliteStorage } from "./index.js";
import { tempDirectory } from "./test/temp-database.js";

// Storage faults seen through ACME: the client gets serverInternal, the operator's log gets
// SQLite's reason, nothing half-written stays, and the server works again once the fault is gone.

const temp = tempDirectory();
afterAll(() => temp.remove());
let count = 0;

interface Logged {
  readonly level: "error" | "warn";
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

let storage: SqliteStorage;
let logs: Logged[];
let acme: TestAcmeClient;

beforeEach(async () => {
  storage = createSqliteStorage({ filename: temp.file(`faults-${++count}.sqlite`) })._unsafeUnwrap();
  logs = [];
  const logger: Logger = {
    error: (message, fields) => logs.push({ level: "error", message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: "warn", message, ...(fields ? { fields } : {}) }),
  };
  const { client } = await createTestServer({ storage, logger });
  acme = await client();
  await acme.register();
});
afterEach(() => storage.close());

const rows = (table: string) =>
  (storage.database.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** 100 names (the most one order may have): newOrder writes 100 authorizations and the order. */
const MANY_NAMES = Array.from({ length: 100 }, (_, i) => `host-${i}.example.test`);

function expectServerInternal(response: { status: number; body: unknown }, hidden: RegExp): void {
  expect(response.status).toBe(500);
  expect(response.body).toMatchObject({ type: "urn:ietf:params:acme:error:serverInternal" });
  expect(JSON.stringify(response.body)).not.toMatch(hidden);
  expect(JSON.stringify(response.body)).not.toMatch(/SQLITE|sqlite/);
}

function expectLogged(reason: RegExp): void {
  const failures = logs.filter((entry) => entry.level === "error" && /storage failure/.test(entry.message));
  expect(failures.map((entry) => String(entry.fields?.message))).toContainEqual(
    expect.stringMatching(reason),
  );
}

describe("a full disk", () => {
  it("answers serverInternal, logs SQLite's reason, keeps nothing of the failed order, and recovers", async () => {
    const orders = rows("orders");
    const authorizations = rows("authorizations");
    storage.database.pragma(`max_page_count = ${storage.database.pragma("page_count", { simple: true })}`);

    expectServerInternal(await acme.newOrder(MANY_NAMES), /disk is full/);
    expectLogged(/database or disk is full/);
    // The authorizations were written first, in the same transaction: rolled back with it.
    expect(rows("authorizations")).toBe(authorizations);
    expect(rows("orders")).toBe(orders);
    expect(storage.database.inTransaction).toBe(false);

    storage.database.pragma("max_page_count = 1073741823");
    const placed = await acme.newOrder(MANY_NAMES);
    expect(placed.status).toBe(201);
    expect(rows("authorizations")).toBe(authorizations + MANY_NAMES.length);
    const issued = await acme.issue(["www.example.test"]);
    expect(issued.order.status).toBe("valid");
  });
});

describe("a read-only database", () => {
  it("answers serverInternal, logs SQLite's reason, writes nothing, and recovers once writable", async () => {
    const orders = rows("orders");
    // What a database whose file or disk turned read-only under the server answers.
    storage.database.pragma("query_only = ON");

    expectServerInternal(await acme.newOrder(["www.example.test"]), /readonly/);
    expectLogged(/attempt to write a readonly database/);
    expect(rows("orders")).toBe(orders);

    storage.database.pragma("query_only = OFF");
    const issued = await acme.issue(["www.example.test"]);
    expect(issued.order.status).toBe("valid");
    expect(rows("orders")).toBe(orders + 1);
  });

  it("serves reads from a file opened read-only and answers every write with a failure", async () => {
    const file = storage.database.name;
    const endpoint = (await storage.endpoints.list({ limit: 1 }))._unsafeUnwrap().items[0]!;
    const readonly = createSqliteStorage({ filename: file, readonly: true })._unsafeUnwrap();
    expect((await readonly.endpoints.get(endpoint.id))._unsafeUnwrap()).toEqual(endpoint);
    const write = await readonly.nonces.insert(endpoint.id, "n", new Date(Date.now() + 60_000));
    expect(write._unsafeUnwrapErr()).toMatchObject({ type: "failure" });
    expect(write._unsafeUnwrapErr().message).toMatch(/readonly/);
    const tx = await readonly.transaction((t) => t.endpoints.update({ ...endpoint, status: "FAILED" }));
    expect(tx._unsafeUnwrapErr()).toMatchObject({ type: "failure" });
    expect((await storage.endpoints.get(endpoint.id))._unsafeUnwrap()).toEqual(endpoint);
    await readonly.close();
  });
});
