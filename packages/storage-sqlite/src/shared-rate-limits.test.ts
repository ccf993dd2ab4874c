import {
  createAcmeServer,
  createLocalCertificateAuthority,
  createStorageRateLimiter,
} from "@acme-endpoints/core";
import { createTestServer, TestAcmeClient } from "@acme-endpoints/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStorage, type SqliteStorage } from "./index.js";
import { tempDirectory } from "./test/temp-database.js";

// Issue 5: two server instances on one SQLite file count one limit together, through
// createStorageRateLimiter (the default memory limiter would let each allow its own burst).

const temp = tempDirectory();
const opened: SqliteStorage[] = [];
afterAll(async () => {
  for (const storage of opened) await storage.close();
  temp.remove();
});

function open(filename: string): SqliteStorage {
  const storage = createSqliteStorage({ filename })._unsafeUnwrap();
  opened.push(storage);
  return storage;
}

describe("createStorageRateLimiter over SQLite", () => {
  it("shares newOrdersPerAccount between two instances on one file", async () => {
    const file = temp.file();
    const first = open(file);
    const second = open(file);
    const clock = { now: () => new Date(Date.UTC(2030, 0, 1)) };
    const a = await createTestServer({
      storage: first,
      clock,
      rateLimiter: createStorageRateLimiter(first),
      endpoint: { rateLimits: { newOrdersPerAccount: { count: 2, windowMs: 60_000 } } },
    });
    const b = createAcmeServer({
      storage: second,
      clock,
      rateLimiter: createStorageRateLimiter(second),
      certificateAuthority: createLocalCertificateAuthority({ store: second.caMaterials }),
      baseUrl: "https://acme.test/acme",
    });

    // One client whose requests go to whichever instance the test picks, like a balancer.
    let target = a.server;
    const acme = await TestAcmeClient.create({
      fetch: (request) => target.handle(request),
      directoryUrl: a.endpoint.endpointUrl,
    });
    expect((await acme.register()).status).toBe(201);

    expect((await acme.newOrder(["a.example.test"])).status).toBe(201);
    target = b;
    expect((await acme.newOrder(["b.example.test"])).status).toBe(201);
    // The burst of 2 is spent across both instances: each refuses the third.
    const refusedByB = await acme.newOrder(["c.example.test"]);
    expect(refusedByB.status).toBe(429);
    expect(refusedByB.headers.get("retry-after")).toBe("30");
    target = a.server;
    expect((await acme.newOrder(["c.example.test"])).status).toBe(429);
  });
});
