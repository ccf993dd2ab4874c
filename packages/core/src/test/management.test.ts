import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createLocalCertificateAuthority } from "../ca/local.js";
import { createAcmeServer } from "../server.js";
import { jsonOf, setup } from "./setup.js";

describe("endpoints management API", () => {
  it("creates ACTIVE endpoints with their directory URL, Name tag and settings", async () => {
    const { server } = await setup();
    const created = await server.endpoints.create({
      name: "team-a",
      contact: "REQUIRED",
      certificateAuthority: { allowedKeyAlgorithms: ["EC_prime256v1", "RSA_2048"] },
      certificateTags: [{ key: "cost-center", value: "42" }],
      tags: [{ key: "env", value: "dev" }],
    });
    const endpoint = created._unsafeUnwrap();
    expect(endpoint).toMatchObject({
      status: "ACTIVE",
      authorizationBehavior: "PRE_APPROVED",
      contact: "REQUIRED",
      certificateAuthority: { allowedKeyAlgorithms: ["EC_prime256v1", "RSA_2048"] },
      certificateTags: [{ key: "cost-center", value: "42" }],
      tags: [
        { key: "Name", value: "team-a" },
        { key: "env", value: "dev" },
      ],
      endpointUrl: `https://acme.test/acme/${endpoint.id}/directory`,
      arn: `arn:acme-endpoints:acme-endpoint/${endpoint.id}`,
    });
    expect(endpoint.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.endpoints.describe(endpoint.id))._unsafeUnwrap()).toEqual(endpoint);
  });

  it("names the field and the allowed values on bad input", async () => {
    const { server } = await setup();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ contact: "MAYBE" }, "contact", /REQUIRED, NOT_REQUIRED/],
      [{ authorizationBehavior: "LIVE" }, "authorizationBehavior", /PRE_APPROVED/],
      [
        { certificateAuthority: { allowedKeyAlgorithms: ["RSA_1024"] } },
        "certificateAuthority.allowedKeyAlgorithms",
        /RSA_2048, EC_prime256v1, EC_secp384r1/,
      ],
      [{ tags: [{ key: "", value: "x" }] }, "tags[0].key", /1 to 128/],
      [{ name: "" }, "name", /1 to 256/],
    ];
    for (const [input, field, message] of cases) {
      const error = (await server.endpoints.create(input as never))._unsafeUnwrapErr();
      expect(error, field).toMatchObject({
        code: "ValidationError",
        field,
        message: expect.stringMatching(message),
      });
    }
  });

  it("lists endpoints a page at a time with an opaque nextToken", async () => {
    const { server } = await setup();
    for (let i = 0; i < 4; i++) (await server.endpoints.create({ name: `e${i}` }))._unsafeUnwrap();
    const first = (await server.endpoints.list({ pageSize: 3 }))._unsafeUnwrap();
    expect(first.endpoints).toHaveLength(3);
    expect(first.nextToken).toBeDefined();
    const second = (
      await server.endpoints.list({ pageSize: 3, nextToken: String(first.nextToken) })
    )._unsafeUnwrap();
    expect(second.endpoints).toHaveLength(2);
    expect(second.nextToken).toBeUndefined();
    const ids = [...first.endpoints, ...second.endpoints].map((e) => e.id);
    expect(new Set(ids).size).toBe(5);
    expect((await server.endpoints.list({ pageSize: 0 }))._unsafeUnwrapErr()).toMatchObject({
      field: "pageSize",
    });
  });

  it("marks an endpoint FAILED with the CA's reason when provisioning fails", async () => {
    const storage = createMemoryStorage();
    const local = createLocalCertificateAuthority({ store: storage.caMaterials });
    const server = createAcmeServer({
      storage,
      baseUrl: "https://acme.test/acme",
      certificateAuthority: {
        issue: local.issue,
        provision: () => errAsync({ type: "caFailure", message: "HSM offline" }),
      },
    });
    const endpoint = (await server.endpoints.create({ name: "x" }))._unsafeUnwrap();
    expect(endpoint).toMatchObject({ status: "FAILED", failureReason: "HSM offline" });
    const response = await server.handle(new Request(endpoint.endpointUrl));
    expect(response.status).toBe(503);
    expect((await jsonOf(response)).detail).toMatch(/HSM offline/);
  });

  it("deletes an endpoint with its accounts and domains; certificates stay", async () => {
    const { server, client, storage, endpoint } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    (await server.endpoints.delete(endpoint.id))._unsafeUnwrap();
    const serial = String(issued.order.certificate).split("/").pop() ?? "";
    expect((await storage.certificates.get(endpoint.id, serial))._unsafeUnwrap()).toBeDefined();
    const accountId = String(acme.accountUrl).split("/").pop() ?? "";
    expect((await storage.accounts.get(endpoint.id, accountId))._unsafeUnwrap()).toBeUndefined();
    expect((await storage.domainValidations.listByEndpoint(endpoint.id))._unsafeUnwrap()).toEqual([]);
    expect((await server.endpoints.delete(endpoint.id))._unsafeUnwrapErr().code).toBe("NotFound");
  });
});

describe("domains management API", () => {
  it("normalizes names (case, trailing dot, IDN) and refuses invalid ones and duplicates", async () => {
    const { server, endpoint } = await setup();
    const added = (
      await server.domains.add({ endpointId: endpoint.id, domainName: "Bücher.Example.ORG." })
    )._unsafeUnwrap();
    expect(added).toMatchObject({
      domainName: "xn--bcher-kva.example.org",
      status: "SUCCESS",
      validationMethod: "MANUAL",
      scope: { exactDomain: true, subdomains: false, wildcards: false },
    });
    const duplicate = (
      await server.domains.add({ endpointId: endpoint.id, domainName: "bücher.example.org" })
    )._unsafeUnwrapErr();
    expect(duplicate.code).toBe("Conflict");
    for (const domainName of ["*.example.org", "a..b", "localhost", "under_score.example"]) {
      const error = (await server.domains.add({ endpointId: endpoint.id, domainName }))._unsafeUnwrapErr();
      expect(error, domainName).toMatchObject({ code: "ValidationError", field: "domainName" });
    }
    const unknown = (
      await server.domains.add({ endpointId: "nope", domainName: "a.example" })
    )._unsafeUnwrapErr();
    expect(unknown.code).toBe("NotFound");
    const list = (await server.domains.list({ endpointId: endpoint.id }))._unsafeUnwrap();
    expect(list.map((d) => d.domainName).sort()).toEqual(["example.test", "xn--bcher-kva.example.org"]);
    (await server.domains.delete({ endpointId: endpoint.id, domainValidationId: added.id }))._unsafeUnwrap();
    expect(
      (
        await server.domains.delete({ endpointId: endpoint.id, domainValidationId: added.id })
      )._unsafeUnwrapErr().code,
    ).toBe("NotFound");
  });
});
