import { describe, expect, it } from "vitest";
import type { AcmeEvent, EventSink } from "../ports/events.js";
import { setup } from "./setup.js";

function collector(): EventSink & { readonly events: AcmeEvent[] } {
  const events: AcmeEvent[] = [];
  return { events, emit: (event) => void events.push(event) };
}

describe("events", () => {
  it("reports the account, order, revocation and endpoint lifecycle with endpoint and time", async () => {
    const sink = collector();
    const { client, server, endpoint } = await setup({}, { events: sink });
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const der =
      /-----BEGIN CERTIFICATE-----([^-]+)-----END/.exec(issued.certificatePem)?.[1]?.replace(/\s+/g, "") ??
      "";
    await acme.send(acme.directory.revokeCert, {
      certificate: Buffer.from(der, "base64").toString("base64url"),
      reason: 1,
    });
    await acme.send(String(acme.accountUrl), { status: "deactivated" });
    (await server.endpoints.delete(endpoint.id))._unsafeUnwrap();

    const types = sink.events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "endpoint.statusChanged",
        "account.created",
        "order.created",
        "certificate.revoked",
        "account.deactivated",
      ]),
    );
    for (const event of sink.events) {
      expect(event.endpointId).toBe(endpoint.id);
      expect(Number.isNaN(Date.parse(event.at))).toBe(false);
    }
    const statuses = sink.events.flatMap((e) =>
      e.type === "endpoint.statusChanged" ? [`${e.from ?? ""}>${e.to}`] : [],
    );
    expect(statuses).toEqual([">CREATING", "CREATING>ACTIVE", "ACTIVE>DELETING", "DELETING>DELETED"]);
    const order = sink.events.find((e) => e.type === "order.created");
    expect(order).toMatchObject({ identifiers: [{ type: "dns", value: "example.test" }] });
    expect(sink.events.find((e) => e.type === "certificate.revoked")).toMatchObject({ reason: 1 });
  });

  it("counts every finalize: certificate.issued, or issuanceFailed with its reason", async () => {
    const sink = collector();
    const { client } = await setup(
      { certificateAuthority: { allowedKeyAlgorithms: ["EC_prime256v1"] } },
      { events: sink },
    );
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const { createTestCsr } = await import("../crypto/test-csr.js");
    const { generateTestKey } = await import("../testing/acme-client.js");
    const rsa = await acme.newOrder(["example.test"]);
    await acme.finalize(
      rsa.body,
      createTestCsr({ privateKey: generateTestKey("RSA-2048").privateKey, dnsNames: ["example.test"] }),
    );
    const mismatch = await acme.newOrder(["example.test"]);
    await acme.finalize(
      mismatch.body,
      createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: ["other.example.test"] }),
    );
    await acme.finalize(
      issued.order,
      createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: ["example.test"] }),
    );

    const serial = String(issued.order.certificate).split("/").pop();
    expect(sink.events.filter((e) => e.type === "certificate.issued")).toEqual([
      expect.objectContaining({ serial, identifiers: [{ type: "dns", value: "example.test" }] }),
    ]);
    const reasons = sink.events.flatMap((e) => (e.type === "certificate.issuanceFailed" ? [e.reason] : []));
    expect(reasons).toEqual(["keyAlgorithm", "identifierMismatch", "orderNotReady"]);
  });

  it("keeps serving when a sink throws, rejects or never answers", async () => {
    const errors: string[] = [];
    const logger = { error: (m: string) => void errors.push(m), warn: () => {} };
    const sinks: EventSink[] = [
      {
        emit: () => {
          throw new Error("boom");
        },
      },
      { emit: () => Promise.reject(new Error("nope")) },
      { emit: () => new Promise<void>(() => {}) },
    ];
    const { client } = await setup({}, { events: sinks, logger });
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    expect(issued.order.status).toBe("valid");
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual(expect.arrayContaining(["event sink threw", "event sink rejected"]));
  });

  it("never puts secrets in events", async () => {
    const sink = collector();
    const { client, server, endpoint } = await setup(
      { externalAccountBinding: "REQUIRED" },
      { events: sink },
    );
    const credentials = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
    const acme = await client();
    const { signExternalAccountBinding } = await import("../testing/acme-client.js");
    const binding = signExternalAccountBinding({
      keyId: credentials.keyId,
      hmacKey: credentials.hmacKey,
      url: acme.directory.newAccount,
      accountKey: acme.accountKey,
    });
    expect((await acme.register({ externalAccountBinding: binding })).status).toBe(201);
    const text = JSON.stringify(sink.events);
    expect(text).toContain(credentials.keyId);
    expect(text).not.toContain(credentials.hmacKey);
    expect(text).not.toContain(binding.signature);
  });
  it("hands a sink that names its types only those, and every type to one that names none", async () => {
    const all = collector();
    const issuedOnly = { ...collector(), types: ["certificate.issued"] as const };
    const { client } = await setup({}, { events: [all, issuedOnly] });
    await (await client()).issue(["example.test"]);
    expect(all.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["account.created", "order.created", "certificate.issued"]),
    );
    expect(issuedOnly.events.map((e) => e.type)).toEqual(["certificate.issued"]);
  });
});
