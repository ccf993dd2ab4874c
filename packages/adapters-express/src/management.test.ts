import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AcmeStorage,
  createAcmeServer,
  createLocalCertificateAuthority,
  createStaticDnsResolver,
} from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { type Authorize, bearerToken, managementRouter } from "./index.js";

const TOKEN = "test-admin-token-0123456789abcdef";
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

interface Options {
  readonly authorize?: Authorize;
  readonly storage?: AcmeStorage;
  readonly errors?: unknown[][];
}

/** The admin API under /admin of an Express app on an ephemeral loopback port. */
async function start(options: Options = {}) {
  const dns = createStaticDnsResolver();
  const storage = options.storage ?? createMemoryStorage();
  const server = createAcmeServer({
    storage,
    certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
    baseUrl: "https://acme.test/acme",
    dns,
  });
  const app = express();
  const errors = options.errors ?? [];
  app.use(
    "/admin",
    managementRouter(server, {
      authorize: options.authorize ?? bearerToken(TOKEN),
      maxBodyBytes: 4096,
      logger: { error: (...args) => errors.push(args) },
    }),
  );
  app.use((_req, res) => {
    res.status(404).send("host app 404");
  });
  const listener = app.listen(0, "127.0.0.1");
  servers.push(listener);
  await new Promise((r) => listener.once("listening", r));
  const { port } = listener.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}/admin`;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const sent: Record<string, string> = {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    };
    if (sent.authorization === "") delete sent.authorization; // "" means: send none
    const response = await fetch(`${base}${path}`, {
      method,
      headers: sent,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test bodies are read field by field
    const json: any =
      text.length > 0 && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, json };
  }
  return { server, call, base, dns, errors };
}

/** One request per route, with ids that need not exist: authentication comes before all else. */
const EVERY_ROUTE: [string, string][] = [
  ["POST", "/endpoints"],
  ["GET", "/endpoints"],
  ["GET", "/endpoints/e1"],
  ["PATCH", "/endpoints/e1"],
  ["DELETE", "/endpoints/e1"],
  ["GET", "/endpoints/e1/tags"],
  ["POST", "/endpoints/e1/tags"],
  ["DELETE", "/endpoints/e1/tags?keys=a"],
  ["POST", "/endpoints/e1/domains"],
  ["GET", "/endpoints/e1/domains"],
  ["POST", "/endpoints/e1/domains/validate"],
  ["POST", "/endpoints/e1/domains/revalidate"],
  ["GET", "/endpoints/e1/domains/d1"],
  ["DELETE", "/endpoints/e1/domains/d1"],
  ["POST", "/endpoints/e1/domains/d1/approve"],
  ["POST", "/endpoints/e1/domains/d1/validate"],
  ["POST", "/endpoints/e1/eab"],
  ["GET", "/endpoints/e1/eab"],
  ["DELETE", "/endpoints/e1/eab/k1"],
  ["GET", "/no-such-route"],
];

describe("managementRouter authentication", () => {
  it("refuses to be built without authorize, and bearerToken refuses short secrets", () => {
    const server = createAcmeServer({
      storage: createMemoryStorage(),
      certificateAuthority: createLocalCertificateAuthority({ store: createMemoryStorage().caMaterials }),
      baseUrl: "https://acme.test/acme",
    });
    expect(() => managementRouter(server, {} as never)).toThrow(TypeError);
    expect(() => managementRouter(server, undefined as never)).toThrow(/authorize/);
    expect(() => bearerToken("short")).toThrow(TypeError);
  });

  it("answers 401 with WWW-Authenticate on every route without or with wrong credentials", async () => {
    const { call } = await start();
    for (const [method, path] of EVERY_ROUTE) {
      const missing = await call(method, path, undefined, { authorization: "" });
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="acme-endpoints"');
      expect(missing.headers.get("cache-control"), `${method} ${path}`).toBe("no-store");
      expect(missing.json).toMatchObject({ error: "Unauthorized" });
      for (const authorization of [
        `Bearer ${TOKEN}x`,
        `Basic ${TOKEN}`,
        "Bearer",
        `Bearer ${TOKEN.slice(1)}`,
      ]) {
        const wrong = await call(method, path, undefined, { authorization });
        expect(wrong.status, `${method} ${path} ${authorization}`).toBe(401);
        expect(wrong.headers.get("www-authenticate")).toMatch(
          /^Bearer realm="acme-endpoints", error="invalid_token"$/,
        );
      }
    }
  });

  it("does nothing for an unauthenticated request, not even reading its body", async () => {
    const { call } = await start();
    const refused = await call("POST", "/endpoints", "{not json", {
      authorization: "Bearer nope-nope-nope-nope",
    });
    expect(refused.status).toBe(401);
    expect((await call("GET", "/endpoints")).json.endpoints).toEqual([]);
  });

  it("answers 403 when authorize says forbidden, 500 without detail when it throws", async () => {
    const errors: unknown[][] = [];
    const readOnly: Authorize = (req) => {
      if (req.get("x-explode") !== undefined) throw new Error("secret internals");
      return req.method === "GET" ? true : "forbidden";
    };
    const { call } = await start({ authorize: readOnly, errors });
    const forbidden = await call("POST", "/endpoints", { name: "x" });
    expect(forbidden).toMatchObject({ status: 403, json: { error: "Forbidden" } });
    expect((await call("GET", "/endpoints")).json.endpoints).toEqual([]);
    const exploded = await call("GET", "/endpoints", undefined, { "x-explode": "1" });
    expect(exploded.status).toBe(500);
    expect(JSON.stringify(exploded.json)).not.toContain("secret internals");
    expect(errors).toHaveLength(1);
  });
});

describe("managementRouter endpoints", () => {
  it("creates (201, Location, idempotent), lists in pages, describes, updates and deletes", async () => {
    const { call } = await start();
    const created = await call("POST", "/endpoints", {
      name: "web",
      contact: "REQUIRED",
      idempotencyToken: "t-1",
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      status: "ACTIVE",
      contact: "REQUIRED",
      tags: [{ key: "Name", value: "web" }],
    });
    const id = created.json.id as string;
    expect(created.headers.get("location")).toBe(`/admin/endpoints/${id}`);
    expect(created.json.endpointUrl).toBe(`https://acme.test/acme/${id}/directory`);
    expect(created.headers.get("cache-control")).toBe("no-store");

    const replay = await call("POST", "/endpoints", {
      name: "web",
      contact: "REQUIRED",
      idempotencyToken: "t-1",
    });
    expect(replay.json.id).toBe(id);
    const clash = await call("POST", "/endpoints", { name: "other", idempotencyToken: "t-1" });
    expect(clash).toMatchObject({
      status: 409,
      json: { error: "Conflict", message: expect.stringMatching(/different input/) },
    });

    await call("POST", "/endpoints", { name: "second" });
    const first = await call("GET", "/endpoints?pageSize=1");
    expect(first.json.endpoints).toHaveLength(1);
    const next = await call(
      "GET",
      `/endpoints?pageSize=1&nextToken=${encodeURIComponent(first.json.nextToken)}`,
    );
    expect(next.json.endpoints).toHaveLength(1);
    expect(next.json.endpoints[0].id).not.toBe(first.json.endpoints[0].id);
    expect(next.json.nextToken).toBeUndefined();
    expect(await call("GET", "/endpoints?pageSize=0")).toMatchObject({
      status: 400,
      json: { error: "ValidationError", field: "pageSize", message: expect.stringMatching(/1 to 100/) },
    });
    expect((await call("GET", "/endpoints?nextToken=forged")).json).toMatchObject({ field: "nextToken" });

    expect((await call("GET", `/endpoints/${id}`)).json).toEqual(created.json);
    const updated = await call("PATCH", `/endpoints/${id}`, { contact: "NOT_REQUIRED" });
    expect(updated).toMatchObject({
      status: 200,
      json: { contact: "NOT_REQUIRED", version: created.json.version + 1 },
    });
    expect(await call("PATCH", `/endpoints/${id}`, { contact: "MAYBE" })).toMatchObject({
      status: 400,
      json: {
        error: "ValidationError",
        field: "contact",
        message: expect.stringMatching(/REQUIRED, NOT_REQUIRED/),
      },
    });

    const deleted = await call("DELETE", `/endpoints/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBe("");
    expect(await call("GET", `/endpoints/${id}`)).toMatchObject({ status: 404, json: { error: "NotFound" } });
    expect((await call("DELETE", `/endpoints/${id}`)).status).toBe(404);
    expect((await call("PATCH", "/endpoints/nope", { contact: "REQUIRED" })).status).toBe(404);
  });

  it("adds, lists and removes tags", async () => {
    const { call } = await start();
    const id = (await call("POST", "/endpoints", { name: "t" })).json.id as string;
    const tagged = await call("POST", `/endpoints/${id}/tags`, {
      tags: [
        { key: "env", value: "prod" },
        { key: "team", value: "pki" },
      ],
    });
    expect(tagged).toMatchObject({
      status: 200,
      json: {
        tags: [
          { key: "Name", value: "t" },
          { key: "env", value: "prod" },
          { key: "team", value: "pki" },
        ],
      },
    });
    const left = await call("DELETE", `/endpoints/${id}/tags?keys=env,team`);
    expect(left.json).toEqual({ tags: [{ key: "Name", value: "t" }] });
    expect((await call("GET", `/endpoints/${id}/tags`)).json).toEqual(left.json);
    expect(await call("DELETE", `/endpoints/${id}/tags`)).toMatchObject({
      status: 400,
      json: { field: "keys" },
    });
    expect(await call("POST", `/endpoints/${id}/tags`, { tags: [{ key: "" }] })).toMatchObject({
      status: 400,
      json: { field: "tags[0].key" },
    });
  });
});

describe("managementRouter domains and EAB", () => {
  it("creates a DNS validation, validates it once published, approves, re-validates and deletes", async () => {
    const { call, dns } = await start();
    const id = (await call("POST", "/endpoints", { name: "d" })).json.id as string;
    const created = await call("POST", `/endpoints/${id}/domains`, {
      domainName: "Example.ORG",
      scope: { subdomains: true },
    });
    expect(created).toMatchObject({
      status: 201,
      json: { domainName: "example.org", status: "PENDING_VALIDATION", validationRecord: { type: "CNAME" } },
    });
    const domainId = created.json.id as string;
    expect(created.headers.get("location")).toBe(`/admin/endpoints/${id}/domains/${domainId}`);
    const unpublished = await call("POST", `/endpoints/${id}/domains/${domainId}/validate`);
    expect(unpublished.json.status).toBe("PENDING_VALIDATION");

    dns.set("CNAME", created.json.validationRecord.name, [created.json.validationRecord.value]);
    const validated = await call("POST", `/endpoints/${id}/domains/${domainId}/validate`);
    expect(validated).toMatchObject({ status: 200, json: { status: "SUCCESS", validationMethod: "DNS" } });
    expect(await call("POST", `/endpoints/${id}/domains/${domainId}/validate`)).toMatchObject({
      status: 409,
      json: { error: "Conflict", message: expect.stringMatching(/already SUCCESS/) },
    });

    const other = (await call("POST", `/endpoints/${id}/domains`, { domainName: "other.org" })).json;
    dns.set("CNAME", other.validationRecord.name, [other.validationRecord.value]);
    const pending = await call("POST", `/endpoints/${id}/domains/validate`);
    expect(
      pending.json.domains.map((d: { domainName: string; status: string }) => [d.domainName, d.status]),
    ).toEqual([["other.org", "SUCCESS"]]);

    dns.delete(created.json.validationRecord.name);
    const revalidated = await call("POST", `/endpoints/${id}/domains/revalidate`);
    const gone = revalidated.json.domains.find((d: { id: string }) => d.id === domainId);
    expect(gone).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringMatching(/Coverage revoked/),
    });

    const approved = await call("POST", `/endpoints/${id}/domains/${domainId}/approve`);
    expect(approved.json).toMatchObject({ status: "SUCCESS", validationMethod: "MANUAL" });
    expect((await call("GET", `/endpoints/${id}/domains/${domainId}`)).json).toEqual(approved.json);
    expect((await call("GET", `/endpoints/${id}/domains`)).json.domains).toHaveLength(2);
    expect((await call("DELETE", `/endpoints/${id}/domains/${domainId}`)).status).toBe(204);
    expect((await call("GET", `/endpoints/${id}/domains/${domainId}`)).status).toBe(404);
    expect((await call("POST", `/endpoints/${id}/domains/${domainId}/approve`)).status).toBe(404);
    expect(await call("POST", `/endpoints/${id}/domains`, { domainName: "*.bad.org" })).toMatchObject({
      status: 400,
      json: { error: "ValidationError", field: "domainName" },
    });
    expect((await call("POST", `/endpoints/${id}/domains`, { domainName: "other.org" })).status).toBe(409);
    expect((await call("GET", "/endpoints/nope/domains")).status).toBe(404);
  });

  it("creates EAB credentials (HMAC key once), lists them without it, revokes", async () => {
    const { call } = await start();
    const id = (await call("POST", "/endpoints", { name: "e" })).json.id as string;
    const created = await call("POST", `/endpoints/${id}/eab`, { tags: [{ key: "holder", value: "ci" }] });
    expect(created).toMatchObject({
      status: 201,
      json: { status: "ACTIVE", hmacKey: expect.stringMatching(/^[\w-]{43}$/) },
    });
    expect(created.headers.get("cache-control")).toBe("no-store");
    const keyId = created.json.keyId as string;
    const listed = await call("GET", `/endpoints/${id}/eab`);
    expect(listed.json.keys).toHaveLength(1);
    expect(listed.json.keys[0]).toMatchObject({ keyId, status: "ACTIVE" });
    expect(JSON.stringify(listed.json)).not.toContain(created.json.hmacKey);
    const revoked = await call("DELETE", `/endpoints/${id}/eab/${keyId}`);
    expect(revoked).toMatchObject({ status: 200, json: { keyId, status: "REVOKED" } });
    expect(revoked.json.hmacKey).toBeUndefined();
    expect((await call("DELETE", `/endpoints/${id}/eab/nope`)).status).toBe(404);
    expect(await call("POST", `/endpoints/${id}/eab`, { expiresAt: "2000-01-01T00:00:00Z" })).toMatchObject({
      status: 400,
      json: { field: "expiresAt", message: expect.stringMatching(/future/) },
    });
  });
});

describe("managementRouter bodies and failures", () => {
  it("answers 400 for malformed or non-object JSON, 415 for other types, 413 above the limit", async () => {
    const { call } = await start();
    expect(await call("POST", "/endpoints", "{oops")).toMatchObject({
      status: 400,
      json: { field: "body", error: "ValidationError" },
    });
    expect(await call("POST", "/endpoints", [1, 2])).toMatchObject({ status: 400, json: { field: "body" } });
    expect(await call("POST", "/endpoints", "null")).toMatchObject({ status: 400, json: { field: "body" } });
    const form = await call("POST", "/endpoints", "name=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form).toMatchObject({ status: 415, json: { error: "UnsupportedMediaType" } });
    const big = await call("POST", "/endpoints", { name: "x".repeat(5000) });
    expect(big).toMatchObject({ status: 413, json: { error: "PayloadTooLarge" } });
    expect((await call("GET", "/endpoints")).json.endpoints).toEqual([]);
    expect(await call("POST", "/endpoints", { nmae: "typo" })).toMatchObject({
      status: 400,
      json: { field: "nmae" },
    });
    expect(await call("GET", "/elsewhere")).toMatchObject({ status: 404, json: { error: "NotFound" } });
  });

  it("answers a storage failure with 500 and no internals, and logs it", async () => {
    const storage = createMemoryStorage();
    const broken: AcmeStorage = {
      ...storage,
      endpoints: {
        ...storage.endpoints,
        // An out-of-range limit makes an err to rewrite: this package does not depend on neverthrow.
        list: () =>
          storage.endpoints
            .list({ limit: 0 })
            .mapErr(() => ({ type: "failure" as const, message: "disk full at /var/lib/acme/secret.db" })),
      },
    };
    const errors: unknown[][] = [];
    const { call } = await start({ storage: broken, errors });
    const failed = await call("GET", "/endpoints");
    expect(failed).toMatchObject({ status: 500, json: { error: "StorageFailure" } });
    expect(JSON.stringify(failed.json)).not.toContain("secret.db");
    expect(JSON.stringify(errors)).toContain("secret.db");
  });
});
