import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createLocalCertificateAuthority } from "../ca/local.js";
import { createTestCsr } from "../crypto/test-csr.js";
import type { Endpoint } from "../domain/types.js";
import type { ManagementError } from "../management/errors.js";
import type { CertificateAuthority } from "../ports/certificate-authority.js";
import type { AcmeStorage } from "../ports/storage.js";
import { createAcmeServer } from "../server.js";
import { generateTestKey } from "../testing/acme-client.js";
import { createTestServer } from "../testing/test-server.js";
import { fakeClock } from "./management-fakes.js";
import { PROBLEM, setup } from "./setup.js";

const MINUTE = 60_000;

describe("endpoints.create with an idempotency token", () => {
  it("answers the same endpoint for the same token and input, and creates no second one", async () => {
    const { server } = await setup();
    const input = { name: "team-a", contact: "REQUIRED" as const, idempotencyToken: "req-1" };
    const first = (await server.endpoints.create(input))._unsafeUnwrap();
    // Defaults spelled out and tags reordered are the same request.
    const again = (
      await server.endpoints.create({ ...input, externalAccountBinding: "NOT_REQUIRED", certificateTags: [] })
    )._unsafeUnwrap();
    expect(again).toEqual(first);
    expect(first.idempotency).toMatchObject({
      token: "req-1",
      inputHash: expect.stringMatching(/^[\w-]{43}$/),
    });
    const all = (await server.endpoints.list())._unsafeUnwrap().endpoints;
    expect(all.filter((e) => e.id === first.id)).toHaveLength(1);
    expect(all).toHaveLength(2); // the setup's endpoint and this one
  });

  it("refuses the same token with different input, naming the token and the endpoint", async () => {
    const { server } = await setup();
    const first = (await server.endpoints.create({ name: "a", idempotencyToken: "tok" }))._unsafeUnwrap();
    const other = (await server.endpoints.create({ name: "b", idempotencyToken: "tok" }))._unsafeUnwrapErr();
    expect(other).toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(new RegExp(`"tok" was already used .*${first.id}.* different input`)),
    });
  });

  it("makes one endpoint when two creates race on one token", async () => {
    const { server } = await setup();
    const input = { name: "raced", idempotencyToken: "race-1" };
    const [a, b] = await Promise.all([server.endpoints.create(input), server.endpoints.create(input)]);
    expect(a._unsafeUnwrap().id).toBe(b._unsafeUnwrap().id);
    expect((await server.endpoints.list())._unsafeUnwrap().endpoints).toHaveLength(2);
  });

  it("applies the token rule when the insert loses the race after the token lookup", async () => {
    const storage = createMemoryStorage();
    const { server } = await createTestServer({ storage });
    const winner = (await server.endpoints.create({ name: "w", idempotencyToken: "late" }))._unsafeUnwrap();
    // A storage whose first token lookup misses: as if the winner inserted right after it.
    let misses = 1;
    const late: AcmeStorage = {
      ...storage,
      endpoints: {
        ...storage.endpoints,
        getByIdempotencyToken: (token) =>
          misses-- > 0 ? okAsync(undefined) : storage.endpoints.getByIdempotencyToken(token),
      },
    };
    const loser = createAcmeServer({
      storage: late,
      certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
      baseUrl: "https://acme.test/acme",
    });
    expect((await loser.endpoints.create({ name: "w", idempotencyToken: "late" }))._unsafeUnwrap().id).toBe(
      winner.id,
    );
    misses = 1;
    expect(
      (await loser.endpoints.create({ name: "x", idempotencyToken: "late" }))._unsafeUnwrapErr().code,
    ).toBe("Conflict");
  });

  it("refuses unusable tokens and unknown fields, naming the field", async () => {
    const { server } = await setup();
    for (const idempotencyToken of ["", "has space", "x".repeat(65)]) {
      expect((await server.endpoints.create({ idempotencyToken }))._unsafeUnwrapErr()).toMatchObject({
        code: "ValidationError",
        field: "idempotencyToken",
      });
    }
    const typo = (await server.endpoints.create({ contacts: "REQUIRED" } as never))._unsafeUnwrapErr();
    expect(typo).toMatchObject({
      field: "contacts",
      message: expect.stringMatching(/contact, .*certificateAuthority/),
    });
    const nested = (
      await server.endpoints.create({ certificateAuthority: { keyAlgorithms: [] } } as never)
    )._unsafeUnwrapErr();
    expect(nested).toMatchObject({ field: "certificateAuthority.keyAlgorithms" });
  });
});

/** A server whose CA provisioning waits until `finish()`: the endpoint stays CREATING meanwhile. */
function gatedServer() {
  const storage = createMemoryStorage();
  const local = createLocalCertificateAuthority({ store: storage.caMaterials });
  let started: (id: string) => void = () => {};
  const provisioning = new Promise<string>((r) => {
    started = r;
  });
  let finish: () => void = () => {};
  const gate = new Promise<void>((r) => {
    finish = r;
  });
  const certificateAuthority: CertificateAuthority = {
    issue: local.issue,
    provision: (id) => {
      started(id);
      return ResultAsync.fromSafePromise(gate).andThen(() => local.provision(id));
    },
  };
  const clock = fakeClock();
  const server = createAcmeServer({
    storage,
    certificateAuthority,
    clock,
    baseUrl: "https://acme.test/acme",
  });
  return { server, storage, clock, provisioning, finish };
}

describe("endpoint status lifecycle", () => {
  it("is CREATING while the CA provisions, refusing changes, then ACTIVE", async () => {
    const { server, provisioning, finish } = gatedServer();
    const created = server.endpoints.create({ name: "slow" });
    const id = await provisioning;
    expect((await server.endpoints.describe(id))._unsafeUnwrap().status).toBe("CREATING");
    const directory = await server.handle(new Request(`https://acme.test/acme/${id}/directory`));
    expect(directory.status).toBe(503);
    for (const attempt of [
      server.endpoints.update({ endpointId: id, contact: "REQUIRED" }),
      server.endpoints.tag({ endpointId: id, tags: [{ key: "k", value: "v" }] }),
      server.endpoints.delete(id),
    ]) {
      expect((await attempt)._unsafeUnwrapErr()).toMatchObject({
        code: "Conflict",
        message: expect.stringMatching(/still being created \(CREATING\)/),
      });
    }
    finish();
    const endpoint = (await created)._unsafeUnwrap();
    expect(endpoint).toMatchObject({ id, status: "ACTIVE", tags: [{ key: "Name", value: "slow" }] });
  });

  it("lets delete take over a create interrupted for endpointOperationTimeoutMs", async () => {
    const { server, clock, provisioning } = gatedServer();
    void server.endpoints.create({ name: "stuck" });
    const id = await provisioning; // never finished: the process "died"
    clock.advance(9 * MINUTE);
    expect((await server.endpoints.delete(id))._unsafeUnwrapErr().code).toBe("Conflict");
    clock.advance(MINUTE);
    (await server.endpoints.delete(id))._unsafeUnwrap();
    expect((await server.endpoints.describe(id))._unsafeUnwrapErr().code).toBe("NotFound");
  });

  it("records a CA that throws as FAILED; FAILED endpoints take tags and deletes, not updates", async () => {
    const storage = createMemoryStorage();
    const server = createAcmeServer({
      storage,
      baseUrl: "https://acme.test/acme",
      logger: { error: () => {}, warn: () => {} },
      certificateAuthority: {
        ...createLocalCertificateAuthority({ store: storage.caMaterials }),
        provision: () => {
          throw new Error("driver bug");
        },
      },
    });
    const endpoint = (await server.endpoints.create({ name: "f" }))._unsafeUnwrap();
    expect(endpoint).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringMatching(/failed unexpectedly/),
    });
    const update = (
      await server.endpoints.update({ endpointId: endpoint.id, contact: "REQUIRED" })
    )._unsafeUnwrapErr();
    expect(update).toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/FAILED .*only ACTIVE/),
    });
    const tags = (
      await server.endpoints.tag({ endpointId: endpoint.id, tags: [{ key: "triage", value: "1" }] })
    )._unsafeUnwrap();
    expect(tags).toContainEqual({ key: "triage", value: "1" });
    (await server.endpoints.delete(endpoint.id))._unsafeUnwrap();
  });

  it("answers Conflict to any change while DELETING, and NotFound once gone", async () => {
    const clock = fakeClock();
    const { server, storage, endpoint } = await setup({}, { clock });
    const current = (await storage.endpoints.get(endpoint.id))._unsafeUnwrap() as Endpoint;
    // A delete in flight (another request, another process): DELETING, not yet removed.
    await storage.endpoints.update({ ...current, status: "DELETING", updatedAt: clock.now().toISOString() });
    const attempts = [
      server.endpoints.delete(endpoint.id),
      server.endpoints.update({ endpointId: endpoint.id, contact: "REQUIRED" }),
      server.endpoints.untag({ endpointId: endpoint.id, tagKeys: ["Name"] }),
      server.domains.create({ endpointId: endpoint.id, domainName: "new.test" }),
      server.domains.add({ endpointId: endpoint.id, domainName: "new.test" }),
      server.eab.create({ endpointId: endpoint.id }),
    ];
    for (const attempt of attempts) {
      expect((await attempt)._unsafeUnwrapErr()).toMatchObject({
        code: "Conflict",
        message: expect.stringMatching(/being deleted \(DELETING\)/),
      });
    }
    const directory = await server.handle(new Request(endpoint.endpointUrl));
    expect(directory.status).toBe(404);
    clock.advance(10 * MINUTE); // the other delete died: this one finishes it
    (await server.endpoints.delete(endpoint.id))._unsafeUnwrap();
    expect((await server.endpoints.delete(endpoint.id))._unsafeUnwrapErr().code).toBe("NotFound");
    expect((await server.endpoints.delete("no-such-endpoint"))._unsafeUnwrapErr()).toMatchObject({
      code: "NotFound",
      message: "No endpoint no-such-endpoint.",
    });
  });
});

describe("endpoints.update", () => {
  it("changes settings for the next ACME request; issued certificates keep their tags", async () => {
    const { server, storage, client, endpoint } = await setup({
      certificateTags: [{ key: "team", value: "a" }],
    });
    const acme = await client();
    const before = await acme.issue(["www.example.test"]);
    const updated = (
      await server.endpoints.update({
        endpointId: endpoint.id,
        contact: "REQUIRED",
        certificateAuthority: { allowedKeyAlgorithms: ["RSA_2048"] },
        certificateTags: [{ key: "team", value: "b" }],
      })
    )._unsafeUnwrap();
    expect(updated).toMatchObject({
      contact: "REQUIRED",
      certificateAuthority: { allowedKeyAlgorithms: ["RSA_2048"] },
      version: endpoint.version + 1,
      endpointUrl: endpoint.endpointUrl,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(endpoint.updatedAt));

    const newcomer = await client();
    expect((await newcomer.register({ termsOfServiceAgreed: true })).body).toMatchObject({
      type: PROBLEM("invalidContact"),
    });
    const order = await acme.newOrder(["www.example.test"]);
    const ecCsr = createTestCsr({
      privateKey: generateTestKey("P-256").privateKey,
      dnsNames: ["www.example.test"],
    });
    expect((await acme.finalize(order.body, ecCsr)).body).toMatchObject({ type: PROBLEM("badCSR") });
    const after = await acme.issue(["www.example.test"], "RSA-2048");

    const serial = (url: unknown) => String(url).split("/").pop() ?? "";
    const tagsOf = async (url: unknown) =>
      (await storage.certificates.get(endpoint.id, serial(url)))._unsafeUnwrap()?.tags;
    expect(await tagsOf(before.order.certificate)).toEqual([{ key: "team", value: "a" }]);
    expect(await tagsOf(after.order.certificate)).toEqual([{ key: "team", value: "b" }]);
  });

  it("removes key enforcement with certificateAuthority {} and leaves absent fields alone", async () => {
    const { server, endpoint } = await setup({
      contact: "REQUIRED",
      certificateAuthority: { allowedKeyAlgorithms: ["EC_prime256v1"] },
    });
    const updated = (
      await server.endpoints.update({ endpointId: endpoint.id, certificateAuthority: {} })
    )._unsafeUnwrap();
    expect(updated.certificateAuthority).toEqual({});
    expect(updated.contact).toBe("REQUIRED");
    const unchanged = (await server.endpoints.update({ endpointId: endpoint.id }))._unsafeUnwrap();
    expect(unchanged.version).toBe(updated.version);
  });

  it("names the field and the allowed values; NotFound for an unknown endpoint", async () => {
    const { server, endpoint } = await setup();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ contact: "SOMETIMES" }, "contact", /REQUIRED, NOT_REQUIRED/],
      [{ externalAccountBinding: true }, "externalAccountBinding", /REQUIRED, NOT_REQUIRED/],
      [{ authorizationBehavior: "LIVE" }, "authorizationBehavior", /PRE_APPROVED/],
      [{ certificateAuthority: ["RSA_2048"] }, "certificateAuthority", /allowedKeyAlgorithms/],
      [{ certificateTags: [{ key: "k", value: 7 }] }, "certificateTags[0].value", /at most 256/],
      [{ name: "renamed" }, "name", /endpointId, authorizationBehavior/],
    ];
    for (const [input, field, message] of cases) {
      const error = (
        await server.endpoints.update({ endpointId: endpoint.id, ...input } as never)
      )._unsafeUnwrapErr();
      expect(error, field).toMatchObject({
        code: "ValidationError",
        field,
        message: expect.stringMatching(message),
      });
    }
    expect(
      (await server.endpoints.update({ endpointId: "nope", contact: "REQUIRED" }))._unsafeUnwrapErr(),
    ).toMatchObject({
      code: "NotFound",
    });
  });

  it("answers Conflict when another request changed the endpoint since it was read", async () => {
    const storage = createMemoryStorage();
    // A storage where, right after `update` reads the endpoint, another request writes it.
    let meddle: ((e: Endpoint) => ResultAsync<unknown, unknown>) | undefined;
    const racy: AcmeStorage = {
      ...storage,
      endpoints: {
        ...storage.endpoints,
        get: (id) =>
          storage.endpoints.get(id).andThen((read) => {
            const other = meddle;
            meddle = undefined;
            return other === undefined || read === undefined
              ? okAsync(read)
              : other(read)
                  .orElse(() => okAsync(undefined))
                  .map(() => read);
          }),
      },
    };
    const { server, endpoint } = await createTestServer({ storage: racy });
    meddle = (read) => storage.endpoints.update({ ...read, contact: "REQUIRED" });
    const lost = (
      await server.endpoints.update({ endpointId: endpoint.id, certificateTags: [] })
    )._unsafeUnwrapErr();
    expect(lost).toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/changed by another request/),
    });
    expect((await server.endpoints.describe(endpoint.id))._unsafeUnwrap().contact).toBe("REQUIRED");
  });
});

describe("endpoint tags", () => {
  it("adds, overwrites, renames through Name, removes and lists", async () => {
    const { server, endpoint } = await setup({ name: "first", tags: [{ key: "env", value: "dev" }] });
    const endpointId = endpoint.id;
    const tagged = (
      await server.endpoints.tag({
        endpointId,
        tags: [
          { key: "env", value: "prod" },
          { key: "owner", value: "pki" },
          { key: "Name", value: "second" },
        ],
      })
    )._unsafeUnwrap();
    expect(tagged).toEqual([
      { key: "Name", value: "second" },
      { key: "env", value: "prod" },
      { key: "owner", value: "pki" },
    ]);
    const left = (
      await server.endpoints.untag({ endpointId, tagKeys: ["env", "not-there"] })
    )._unsafeUnwrap();
    expect(left.map((t) => t.key).sort()).toEqual(["Name", "owner"]);
    expect((await server.endpoints.listTags({ endpointId }))._unsafeUnwrap()).toEqual(left);
    expect((await server.endpoints.describe(endpointId))._unsafeUnwrap().tags).toEqual(left);
  });

  it("refuses bad tags, more than 50, and an empty Name; NotFound for an unknown endpoint", async () => {
    const { server, endpoint } = await setup();
    const endpointId = endpoint.id;
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const cases: [ResultAsync<unknown, ManagementError>, string][] = [
      [server.endpoints.tag({ endpointId, tags: [] }), "tags"],
      [server.endpoints.tag({ endpointId, tags: many }), "tags"], // 50 + the Name tag
      [server.endpoints.tag({ endpointId, tags: [{ key: "", value: "v" }] }), "tags[0].key"],
      [server.endpoints.tag({ endpointId, tags: [{ key: "Name", value: "" }] }), "tags[0].value"],
      [server.endpoints.untag({ endpointId, tagKeys: [] }), "tagKeys"],
      [server.endpoints.untag({ endpointId, tagKeys: ["ok", ""] }), "tagKeys[1]"],
    ];
    for (const [attempt, field] of cases) {
      expect((await attempt)._unsafeUnwrapErr(), field).toMatchObject({ code: "ValidationError", field });
    }
    expect((await server.endpoints.listTags({ endpointId: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      code: "NotFound",
    });
  });
});
