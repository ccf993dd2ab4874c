import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeAccount, makeEndpoint } from "@acme-endpoints/core/testing";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { APPLICATION_ID, createSqliteStorage, SCHEMA_VERSION, type SqliteStorage } from "./index.js";
import { tempDirectory } from "./test/temp-database.js";

const temp = tempDirectory();
afterAll(() => temp.remove());
let count = 0;
const freshFile = () => temp.file(`open-${++count}.sqlite`);

function open(filename: string, extra: { synchronous?: "NORMAL" | "FULL" } = {}): SqliteStorage {
  const opened = createSqliteStorage({ filename, ...extra });
  if (opened.isErr()) throw new Error(opened.error.message);
  return opened.value;
}

function digest(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** A database file whose header says what `pragmas` set, and nothing else. */
function databaseWith(pragmas: readonly string[]): string {
  const file = freshFile();
  const db = new Database(file);
  for (const pragma of pragmas) db.pragma(pragma);
  db.close();
  return file;
}

describe("createSqliteStorage: opening", () => {
  it("creates the file with the current schema, in WAL mode with synchronous=NORMAL", async () => {
    const storage = open(freshFile());
    expect(storage.database.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(storage.database.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    expect(storage.database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(storage.database.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    expect(Number(storage.database.pragma("busy_timeout", { simple: true }))).toBeGreaterThan(0);
    await storage.close();
  });

  it("syncs every commit with synchronous: FULL", async () => {
    const storage = open(freshFile(), { synchronous: "FULL" });
    expect(storage.database.pragma("synchronous", { simple: true })).toBe(2); // FULL
    await storage.close();
  });

  it("keeps what was written when the file is opened again", async () => {
    const file = freshFile();
    const first = open(file);
    const endpoint = makeEndpoint();
    const account = makeAccount(endpoint);
    (await first.endpoints.insert(endpoint))._unsafeUnwrap();
    (await first.accounts.insert(account))._unsafeUnwrap();
    (await first.caMaterials.putIfAbsent("local-ca/root", "PEM"))._unsafeUnwrap();
    await first.close();

    const second = open(file);
    expect((await second.endpoints.get(endpoint.id))._unsafeUnwrap()).toEqual(endpoint);
    expect((await second.accounts.getByThumbprint(endpoint.id, account.thumbprint))._unsafeUnwrap()).toEqual(
      account,
    );
    expect((await second.caMaterials.get("local-ca/root"))._unsafeUnwrap()).toBe("PEM");
    await second.close();
  });

  it("works over a better-sqlite3 connection the caller opened, and leaves it open on close", async () => {
    const db = new Database(freshFile());
    const opened = createSqliteStorage({ database: db });
    expect(opened.isOk()).toBe(true);
    const storage = opened._unsafeUnwrap();
    (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
    await storage.close();
    expect(db.open).toBe(true);
    expect(db.prepare("SELECT count(*) AS n FROM endpoints").get()).toEqual({ n: 1 });
    expect((await storage.endpoints.list({ limit: 1 }))._unsafeUnwrapErr()).toMatchObject({
      type: "failure",
    });
    db.close();
  });

  it("answers OpenFailed, without throwing, when the file cannot be opened", () => {
    const missingDirectory = createSqliteStorage({ filename: join(temp.dir, "no-such-dir", "acme.sqlite") });
    expect(missingDirectory._unsafeUnwrapErr()).toMatchObject({ code: "OpenFailed" });
    expect(missingDirectory._unsafeUnwrapErr().message).toContain("no-such-dir");

    const garbage = freshFile();
    writeFileSync(garbage, "this is not a database, just some text that is long enough ".repeat(100));
    const notADatabase = createSqliteStorage({ filename: garbage });
    expect(notADatabase._unsafeUnwrapErr()).toMatchObject({ code: "OpenFailed" });
    expect(notADatabase._unsafeUnwrapErr().message).toMatch(/not a database/);
  });

  it("refuses a schema newer than it knows with SchemaTooNew, leaving the file byte for byte as it was", () => {
    const file = databaseWith([`application_id = ${APPLICATION_ID}`, `user_version = ${SCHEMA_VERSION + 1}`]);
    const before = digest(file);
    const opened = createSqliteStorage({ filename: file });
    expect(opened._unsafeUnwrapErr()).toMatchObject({ code: "SchemaTooNew" });
    expect(opened._unsafeUnwrapErr().message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(digest(file)).toBe(before);
  });

  it("refuses another application's database with ForeignDatabase, leaving it as it was", () => {
    for (const pragmas of [["user_version = 7"], ["application_id = 1234"]]) {
      const file = databaseWith(pragmas);
      const before = digest(file);
      expect(createSqliteStorage({ filename: file })._unsafeUnwrapErr()).toMatchObject({
        code: "ForeignDatabase",
      });
      expect(digest(file)).toBe(before);
    }
  });

  it("answers MigrationFailed for a read-only file that needs migrating, and changes nothing", () => {
    const file = databaseWith(["journal_mode = WAL"]);
    const opened = createSqliteStorage({ filename: file, readonly: true });
    expect(opened._unsafeUnwrapErr()).toMatchObject({ code: "MigrationFailed" });
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema").get()).toEqual({ n: 0 });
    db.close();
  });

  it("shares one file between two storages: each reads what the other wrote", async () => {
    const file = freshFile();
    const a = open(file);
    const b = open(file);
    const endpoint = (await a.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
    expect((await b.endpoints.get(endpoint.id))._unsafeUnwrap()).toEqual(endpoint);
    await a.close();
    await b.close();
  });
});
