import { describe, expect, it } from "vitest";
import { createAuditLog } from "../events/audit-log.js";
import { generateTestKey, publicJwk, signExternalAccountBinding, signJws } from "../testing/acme-client.js";
import { setup } from "./setup.js";

describe("audit log", () => {
  it("writes a JSON line per event with endpoint and account, and never a secret", async () => {
    const lines: string[] = [];
    const { client, server, endpoint } = await setup(
      { externalAccountBinding: "REQUIRED" },
      { events: createAuditLog({ write: (line) => lines.push(line) }) },
    );
    const credentials = (await server.eab.create({ endpointId: endpoint.id }))._unsafeUnwrap();
    const acme = await client();
    const binding = signExternalAccountBinding({
      keyId: credentials.keyId,
      hmacKey: credentials.hmacKey,
      url: acme.directory.newAccount,
      accountKey: acme.accountKey,
    });
    await acme.register({ externalAccountBinding: binding });
    const issued = await acme.issue(["example.test"]);
    const der =
      /-----BEGIN CERTIFICATE-----([^-]+)-----END/.exec(issued.certificatePem)?.[1]?.replace(/\s+/g, "") ??
      "";
    await acme.send(acme.directory.revokeCert, {
      certificate: Buffer.from(der, "base64").toString("base64url"),
    });
    const newKey = generateTestKey("P-256").privateKey;
    const inner = await signJws(
      newKey,
      { url: acme.directory.keyChange, jwk: publicJwk(newKey) },
      {
        account: acme.accountUrl,
        oldKey: publicJwk(acme.accountKey),
      },
    );
    expect((await acme.send(acme.directory.keyChange, inner)).status).toBe(200);
    await server.endpoints.tag({ endpointId: endpoint.id, tags: [{ key: "team", value: "pki" }] });
    await server.eab.revoke({ endpointId: endpoint.id, keyId: credentials.keyId });

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const accountId = String(acme.accountUrl).split("/").pop();
    expect(records.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "externalAccountKey.created",
        "account.created",
        "order.created",
        "certificate.issued",
        "certificate.revoked",
        "account.keyChanged",
        "endpoint.updated",
        "externalAccountKey.revoked",
      ]),
    );
    for (const record of records) {
      expect(record).toMatchObject({ audit: true, endpointId: endpoint.id });
      expect(typeof record.at).toBe("string");
    }
    expect(records.find((r) => r.type === "account.created")).toMatchObject({
      accountId,
      externalAccountKeyId: credentials.keyId,
    });
    const text = lines.join("\n");
    const privateParts = [acme.accountKey, newKey, issued.certificateKey].map((key) =>
      String((key.export({ format: "jwk" }) as { d?: string }).d),
    );
    for (const secret of [credentials.hmacKey, binding.signature, ...privateParts]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("request ids", () => {
  it("tie an event to its request: the host's x-request-id, else one of the server's", async () => {
    const lines: string[] = [];
    const { client } = await setup({}, { events: createAuditLog({ write: (line) => lines.push(line) }) });
    const acme = await client();
    const body = await acme.body(acme.directory.newAccount, {}, { useJwk: true });
    const response = await acme.fetch(
      new Request(acme.directory.newAccount, {
        method: "POST",
        headers: { "content-type": "application/jose+json", "x-request-id": "req-42" },
        body: JSON.stringify(body),
      }),
    );
    expect(response.status).toBe(201);
    const created = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.type === "account.created");
    expect(created[0]?.requestId).toBe("req-42");
  });

  it("make one of the server's when the host sends none", async () => {
    const lines: string[] = [];
    const { client } = await setup({}, { events: createAuditLog({ write: (line) => lines.push(line) }) });
    const acme = await client();
    await acme.issue(["example.test"]);
    const ids = lines.map((l) => (JSON.parse(l) as { requestId?: string }).requestId).filter(Boolean);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
