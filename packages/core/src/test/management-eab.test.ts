import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { describe, expect, it } from "vitest";
import type { ExternalAccountKey } from "../domain/types.js";
import type { AcmeStorage } from "../ports/storage.js";
import { createTestServer } from "../testing/test-server.js";
import { fakeClock } from "./management-fakes.js";
import { setup } from "./setup.js";

const DAY = 86_400_000;

describe("eab (external account binding credentials)", () => {
  it("never hands out a key id or HMAC key starting with '-' (a client would read it as a flag)", async () => {
    const { server, endpoint } = await setup();
    for (let i = 0; i < 300; i++) {
      const { keyId, hmacKey } = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
      expect(keyId.startsWith("-") || hmacKey.startsWith("-"), `${keyId} ${hmacKey}`).toBe(false);
    }
  });

  it("creates a key id and a 256-bit base64url HMAC key, shown only by create", async () => {
    const clock = fakeClock();
    const { server, storage, endpoint } = await setup({}, { clock });
    const expiresAt = new Date(clock.now().getTime() + 30 * DAY).toISOString();
    const created = (
      await server.eab.create({ endpointId: endpoint.id, expiresAt, tags: [{ key: "holder", value: "ops" }] })
    )._unsafeUnwrap();
    expect(created).toMatchObject({
      endpointId: endpoint.id,
      status: "ACTIVE",
      expiresAt,
      tags: [{ key: "holder", value: "ops" }],
      createdAt: clock.now().toISOString(),
    });
    expect(created.hmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.hmacKey, "base64url")).toHaveLength(32);
    // Stored as needed to verify bindings (newAccount reads it from storage).
    const stored = (await storage.externalAccountKeys.get(endpoint.id, created.keyId))._unsafeUnwrap();
    expect(stored?.hmacKey).toBe(created.hmacKey);

    const second = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
    expect(second.keyId).not.toBe(created.keyId);
    expect(second.hmacKey).not.toBe(created.hmacKey);
    expect(second.expiresAt).toBeUndefined();

    const listed = (await server.eab.list({ endpointId: endpoint.id }))._unsafeUnwrap();
    expect(listed.map((k) => k.keyId).sort()).toEqual([created.keyId, second.keyId].sort());
    for (const key of listed) expect(Object.keys(key)).not.toContain("hmacKey");
    expect(JSON.stringify(listed)).not.toContain(created.hmacKey);
  });

  it("refuses expiresAt that is not a future ISO date-time, and unknown fields", async () => {
    const clock = fakeClock(Date.parse("2030-06-01T00:00:00Z"));
    const { server, endpoint } = await setup({}, { clock });
    const endpointId = endpoint.id;
    for (const expiresAt of [
      "2030-06-01T00:00:00Z",
      "2029-01-01T00:00:00Z",
      "2031-01-01",
      "tomorrow",
      1e13,
    ]) {
      expect(
        (await server.eab.create({ endpointId, expiresAt } as never))._unsafeUnwrapErr(),
        String(expiresAt),
      ).toMatchObject({
        code: "ValidationError",
        field: "expiresAt",
      });
    }
    const offset = (
      await server.eab.create({ endpointId, expiresAt: "2030-06-01T02:00:00+01:00" })
    )._unsafeUnwrap();
    expect(offset.expiresAt).toBe("2030-06-01T01:00:00.000Z");
    expect(
      (await server.eab.create({ endpointId, hmacKey: "mine" } as never))._unsafeUnwrapErr(),
    ).toMatchObject({
      field: "hmacKey",
    });
    expect(
      (await server.eab.create({ endpointId, tags: [{ key: "" }] } as never))._unsafeUnwrapErr(),
    ).toMatchObject({
      field: "tags[0].key",
    });
    expect((await server.eab.create({ endpointId: "nope" }))._unsafeUnwrapErr().code).toBe("NotFound");
  });

  it("revokes: REVOKED with revokedAt, idempotently, without the HMAC key; NotFound elsewhere", async () => {
    const clock = fakeClock();
    const { server, endpoint } = await setup({}, { clock });
    const other = (await server.endpoints.create({ name: "other" }))._unsafeUnwrap();
    const key = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
    clock.advance(DAY);
    const revoked = (await server.eab.revoke({ endpointId: endpoint.id, keyId: key.keyId }))._unsafeUnwrap();
    expect(revoked).toMatchObject({
      keyId: key.keyId,
      status: "REVOKED",
      revokedAt: clock.now().toISOString(),
    });
    expect(Object.keys(revoked)).not.toContain("hmacKey");
    clock.advance(DAY);
    expect((await server.eab.revoke({ endpointId: endpoint.id, keyId: key.keyId }))._unsafeUnwrap()).toEqual(
      revoked,
    );
    expect((await server.eab.list({ endpointId: endpoint.id }))._unsafeUnwrap()).toEqual([revoked]);
    // A key id of endpoint A means nothing at endpoint B.
    expect(
      (await server.eab.revoke({ endpointId: other.id, keyId: key.keyId }))._unsafeUnwrapErr(),
    ).toMatchObject({
      code: "NotFound",
      message: `No external account key ${key.keyId} in endpoint ${other.id}.`,
    });
    expect((await server.eab.revoke({ endpointId: "nope", keyId: key.keyId }))._unsafeUnwrapErr().code).toBe(
      "NotFound",
    );
  });

  it("still revokes when a concurrent use of the key bumped its version", async () => {
    const storage = createMemoryStorage();
    let bumps = 2; // two reads in a row are stale: the revoke must try again each time
    const busy: AcmeStorage = {
      ...storage,
      externalAccountKeys: {
        ...storage.externalAccountKeys,
        get: (endpointId, keyId) =>
          storage.externalAccountKeys.get(endpointId, keyId).andThen((read) => {
            if (read === undefined || bumps-- <= 0) return storage.externalAccountKeys.get(endpointId, keyId);
            // Another request (newAccount binding an account) writes lastUsedAt after our read.
            const used: ExternalAccountKey = { ...read, lastUsedAt: new Date().toISOString() };
            return storage.externalAccountKeys.update(used).map(() => read);
          }),
      },
    };
    const { server, endpoint } = await createTestServer({ storage: busy });
    const key = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
    const revoked = (await server.eab.revoke({ endpointId: endpoint.id, keyId: key.keyId }))._unsafeUnwrap();
    expect(revoked).toMatchObject({ status: "REVOKED", lastUsedAt: expect.any(String) });
    expect(bumps).toBeLessThan(0);
  });

  it("goes with its endpoint", async () => {
    const { server, storage, endpoint } = await setup();
    const key = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
    (await server.endpoints.delete(endpoint.id))._unsafeUnwrap();
    expect((await storage.externalAccountKeys.get(endpoint.id, key.keyId))._unsafeUnwrap()).toBeUndefined();
    expect((await server.eab.list({ endpointId: endpoint.id }))._unsafeUnwrapErr().code).toBe("NotFound");
  });
});
