import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAcmeServer, createLocalCertificateAuthority } from "@acme-endpoints/core";
import { createTestServer, TestAcmeClient } from "@acme-endpoints/core/testing";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { acmeRouter } from "./index.js";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** An Express app on an ephemeral loopback port with ACME under `mountPath`. */
async function start(configure: (app: express.Express) => void, mountPath = "/acme") {
  const app = express();
  configure(app);
  const listener = app.listen(0, "127.0.0.1");
  servers.push(listener);
  await new Promise((r) => listener.once("listening", r));
  const { port } = listener.address() as AddressInfo;
  const { server, endpoint } = await createTestServer({
    storage: createMemoryStorage(),
    baseUrl: `http://127.0.0.1:${port}${mountPath}`,
    endpoint: { name: "express" },
  });
  app.use(mountPath, acmeRouter(server));
  app.use((_req, res) => {
    res.status(404).send("host app 404");
  });
  const client = await TestAcmeClient.create({ fetch: (r) => fetch(r), directoryUrl: endpoint.endpointUrl });
  return { client, endpoint, port };
}

describe("acmeRouter", () => {
  it("issues a certificate over real HTTP, mounted at a nested path beside express.json()", async () => {
    const { client } = await start((app) => app.use(express.json()), "/pki/acme");
    const issued = await client.issue(["www.example.test"]);
    expect(issued.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(issued.certificatePem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it("works when the host's body parser already consumed the JOSE body", async () => {
    const { client } = await start((app) => app.use(express.json({ type: "*/*" })));
    const issued = await client.issue(["example.test"]);
    expect(issued.order.status).toBe("valid");
  });

  it("passes Replay-Nonce, several Link headers and problem documents through", async () => {
    const { client } = await start(() => {});
    await client.register();
    const order = await client.newOrder(["example.test"]);
    const [authz] = order.body.authorizations as string[];
    const read = await client.send<{ challenges: { url: string }[] }>(String(authz), undefined);
    const challenge = await client.send(String(read.body.challenges[0]?.url), {});
    expect(challenge.headers.get("link")).toMatch(/rel="up".*rel="index"/);
    expect(challenge.headers.get("replay-nonce")).toBeTruthy();
    const refused = await client.newOrder(["other.test"]);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
  });

  it("leaves paths outside the mount to the host app", async () => {
    const { port } = await start(() => {});
    const response = await fetch(`http://127.0.0.1:${port}/elsewhere`);
    expect(await response.text()).toBe("host app 404");
  });
});

describe("acmeRouter client address", () => {
  it("passes the client address, so per-IP rate limits apply over real HTTP (RFC 8555 §6.6)", async () => {
    const app = express();
    const listener = app.listen(0, "127.0.0.1");
    servers.push(listener);
    await new Promise((r) => listener.once("listening", r));
    const { port } = listener.address() as AddressInfo;
    const storage = createMemoryStorage();
    const server = createAcmeServer({
      storage,
      certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
      baseUrl: `http://127.0.0.1:${port}/acme`,
    });
    const seen: (string | undefined)[] = [];
    app.use(
      "/acme",
      acmeRouter({
        handleHttp: (request, options) => {
          seen.push(options?.clientAddress);
          return server.handleHttp(request, options);
        },
      }),
    );
    const endpoint = (
      await server.endpoints.create({ rateLimits: { newAccountsPerIp: { count: 1, windowMs: 60_000 } } })
    )._unsafeUnwrap();
    const client = () =>
      TestAcmeClient.create({ fetch: (r) => fetch(r), directoryUrl: endpoint.endpointUrl });
    expect((await (await client()).register()).status).toBe(201);
    const refused = await (await client()).register();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.body).toMatchObject({ type: "urn:ietf:params:acme:error:rateLimited" });
    expect(seen.length).toBeGreaterThan(0);
    for (const address of seen) expect(address).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});

describe("acmeRouter behind a proxy", () => {
  /** What core is handed for one GET with `headers`, on an app that trusts proxies or not. */
  async function handedToCore(trustProxy: boolean, headers: Record<string, string>) {
    const app = express();
    if (trustProxy) app.set("trust proxy", true);
    const seen: { url: string; clientAddress: string | undefined }[] = [];
    app.use(
      "/acme",
      acmeRouter({
        handleHttp: async (request, options) => {
          seen.push({ url: request.url, clientAddress: options?.clientAddress });
          return { status: 204, headers: [] };
        },
      }),
    );
    const listener = app.listen(0, "127.0.0.1");
    servers.push(listener);
    await new Promise((r) => listener.once("listening", r));
    const { port } = listener.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/acme/e1/directory`, { headers });
    expect(response.status).toBe(204);
    return { port, ...seen[0] };
  }

  const forwarded = { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" };

  it("follows X-Forwarded-For and X-Forwarded-Proto when the app trusts its proxy", async () => {
    const { port, url, clientAddress } = await handedToCore(true, forwarded);
    expect(url).toBe(`https://127.0.0.1:${port}/acme/e1/directory`);
    expect(clientAddress).toBe("203.0.113.7");
  });

  it("ignores them otherwise, so a client cannot choose its rate-limit address", async () => {
    for (const [trust, headers] of [
      [false, forwarded],
      [true, {}],
      [false, {}],
    ] as const) {
      const { port, url, clientAddress } = await handedToCore(trust, headers);
      expect(url).toBe(`http://127.0.0.1:${port}/acme/e1/directory`);
      expect(clientAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
  });
});
