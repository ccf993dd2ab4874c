import { describe, expect, it } from "vitest";
import { jsonOf, PROBLEM, setup } from "./setup.js";

describe("directory (RFC 8555 §7.1.1)", () => {
  it("lists every resource of the endpoint and meta, with a nonce and no index link", async () => {
    const { server, endpoint } = await setup({}, { directoryMeta: { website: "https://example.test/acme" } });
    const response = await server.handle(new Request(endpoint.endpointUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get("replay-nonce")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(response.headers.get("link")).toBeNull();
    const base = endpoint.endpointUrl.replace(/\/directory$/, "");
    expect(await jsonOf(response)).toEqual({
      newNonce: `${base}/new-nonce`,
      newAccount: `${base}/new-account`,
      newOrder: `${base}/new-order`,
      revokeCert: `${base}/revoke-cert`,
      keyChange: `${base}/key-change`,
      meta: { externalAccountRequired: false, website: "https://example.test/acme" },
    });
  });

  it("answers 404 problem documents for unknown endpoints and resources", async () => {
    const { server, endpoint } = await setup();
    const unknownEndpoint = await server.handle(
      new Request("https://acme.test/acme/00000000-nope/directory"),
    );
    expect(unknownEndpoint.status).toBe(404);
    expect(unknownEndpoint.headers.get("content-type")).toBe("application/problem+json");
    expect((await jsonOf(unknownEndpoint)).type).toBe(PROBLEM("malformed"));
    const unknownResource = await server.handle(
      new Request(endpoint.endpointUrl.replace("directory", "nope")),
    );
    expect(unknownResource.status).toBe(404);
    expect(unknownResource.headers.get("replay-nonce")).not.toBeNull();
    const outside = await server.handle(new Request("https://acme.test/other/x"));
    expect(outside.status).toBe(404);
  });

  it("refuses POST on the directory and GET on POST-only resources with 405 and Allow", async () => {
    const { server, endpoint } = await setup();
    const post = await server.handle(new Request(endpoint.endpointUrl, { method: "POST", body: "{}" }));
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const get = await server.handle(new Request(endpoint.endpointUrl.replace("directory", "new-order")));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await jsonOf(get)).detail).toMatch(/POST-as-GET/);
  });
});

describe("newNonce (RFC 8555 §7.2)", () => {
  it("HEAD answers 200 and GET 204, each with a fresh nonce, no-store and the index link", async () => {
    const { server, endpoint } = await setup();
    const url = endpoint.endpointUrl.replace("directory", "new-nonce");
    const head = await server.handle(new Request(url, { method: "HEAD" }));
    const get = await server.handle(new Request(url));
    expect(head.status).toBe(200);
    expect(get.status).toBe(204);
    for (const r of [head, get]) {
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("link")).toBe(`<${endpoint.endpointUrl}>;rel="index"`);
    }
    expect(head.headers.get("replay-nonce")).not.toBe(get.headers.get("replay-nonce"));
  });
});

describe("newNonce when nonces cannot be stored", () => {
  it("answers serverInternal instead of a 200 without Replay-Nonce, and logs the cause", async () => {
    const { errAsync } = await import("neverthrow");
    const errors: string[] = [];
    const t = await setup({}, { logger: { error: (m) => void errors.push(m), warn: () => {} } });
    const broken = {
      ...t.storage.nonces,
      insert: () => errAsync({ type: "failure" as const, message: "disk full" }),
    };
    Object.assign(t.storage, { nonces: broken });
    const response = await t.server.handle(
      new Request(t.endpoint.endpointUrl.replace("directory", "new-nonce"), { method: "GET" }),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get("replay-nonce")).toBeNull();
    expect(await jsonOf(response)).toMatchObject({ type: PROBLEM("serverInternal") });
    expect(
      JSON.stringify(await jsonOf(await t.server.handle(new Request(t.endpoint.endpointUrl)))),
    ).not.toContain("disk full");
    expect(errors).toContain("storage failure while issuing a nonce");
  });
});
