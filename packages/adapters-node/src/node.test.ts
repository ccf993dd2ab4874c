import { createServer, request as httpRequest, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { createTestServer, TestAcmeClient } from "@acme-endpoints/core/testing";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHandler, writeNodeResponse } from "./index.js";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A bare node:http server on an ephemeral loopback port, answering ACME under /acme. */
async function start() {
  let handler: ReturnType<typeof nodeHandler> = (_req, res) => res.writeHead(503).end();
  const listener = createServer((req, res) => handler(req, res));
  servers.push(listener);
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const { port } = listener.address() as AddressInfo;
  const { server, endpoint } = await createTestServer({
    storage: createMemoryStorage(),
    baseUrl: `http://127.0.0.1:${port}/acme`,
    limits: { maxBodyBytes: 4096 },
    endpoint: { name: "node" },
  });
  handler = nodeHandler(server);
  const client = await TestAcmeClient.create({ fetch: (r) => fetch(r), directoryUrl: endpoint.endpointUrl });
  return { client, port };
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** POSTs `chunks` with Transfer-Encoding: chunked (no Content-Length), one write each. */
function postChunked(url: string, chunks: readonly string[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/jose+json" } });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("nodeHandler", () => {
  it("issues a certificate over real HTTP", async () => {
    const { client } = await start();
    const issued = await client.issue(["www.example.test"]);
    expect(issued.order.status).toBe("valid");
    expect(issued.certificatePem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it("reads a chunked body", async () => {
    const { client } = await start();
    const jws = JSON.stringify(await client.body(client.directory.newAccount, {}, { useJwk: true }));
    const third = Math.ceil(jws.length / 3);
    const answer = await postChunked(client.directory.newAccount, [
      jws.slice(0, third),
      jws.slice(third, 2 * third),
      jws.slice(2 * third),
    ]);
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toMatch(/\/acme\/.+/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: "valid" });
  });

  it("refuses an oversized chunked body with 413 and closes the connection", async () => {
    const { client } = await start();
    const answer = await postChunked(client.directory.newAccount, Array(8).fill("x".repeat(1024)));
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe("close");
    expect(JSON.parse(answer.body)).toMatchObject({ type: "urn:ietf:params:acme:error:malformed" });
  });

  it("answers HEAD with headers only, and splits Link fields", async () => {
    const { client } = await start();
    const head = await fetch(client.directory.newNonce, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("replay-nonce")).toMatch(/^[\w-]{22}$/);
    expect(head.headers.get("cache-control")).toBe("no-store");
    expect(await head.text()).toBe("");

    await client.register();
    const order = await client.newOrder(["example.test"]);
    const [authz] = order.body.authorizations as string[];
    const read = await client.send<{ challenges: { url: string }[] }>(String(authz), undefined);
    const challenge = await client.send(String(read.body.challenges[0]?.url), {});
    expect(challenge.headers.get("link")).toMatch(/rel="up".*rel="index"/);
  });

  it("answers 404 problems for paths outside the server's base URL", async () => {
    const { port } = await start();
    const response = await fetch(`http://127.0.0.1:${port}/elsewhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("writeNodeResponse", () => {
  // Alone, and beside a header the host set before (which node merges with core's).
  it.each([
    ["no header set before", false],
    ["beside headers the host set before", true],
  ])("sends each Link as its own field, %s", async (_name, hostHeader) => {
    const listener = createServer((req, res) => {
      if (hostHeader) res.setHeader("x-host", "kept");
      writeNodeResponse(
        {
          status: 201,
          headers: [
            ["link", '<https://a.test/up>;rel="up"'],
            ["link", '<https://a.test/dir>;rel="index"'],
            ["replay-nonce", "abc"],
          ],
          body: "é",
        },
        req,
        res,
      );
    });
    servers.push(listener);
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    const { port } = listener.address() as AddressInfo;
    const answer = await new Promise<{ status: number; raw: string[] }>((resolve, reject) => {
      httpRequest(`http://127.0.0.1:${port}/`, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders });
      })
        .on("error", reject)
        .end();
    });
    const { raw } = answer;
    const fields = (name: string) => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === name);
    expect(answer.status).toBe(201);
    expect(fields("link")).toEqual(['<https://a.test/up>;rel="up"', '<https://a.test/dir>;rel="index"']);
    expect(fields("replay-nonce")).toEqual(["abc"]);
    expect(fields("x-host")).toEqual(hostHeader ? ["kept"] : []);
    // Bytes, not characters: "é" is two octets in UTF-8.
    expect(fields("content-length")).toEqual(["2"]);
  });
});

describe("nodeHandler client address", () => {
  it("passes the socket's remote address to handle (for per-IP rate limits)", async () => {
    const seen: (string | undefined)[] = [];
    const listener = createServer(
      nodeHandler({
        handleHttp: async (_request, options) => {
          seen.push(options?.clientAddress);
          return { status: 200, headers: [["content-type", "text/plain"]], body: "ok" };
        },
      }),
    );
    servers.push(listener);
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    const { port } = listener.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/acme/x/directory`);
    expect(await response.text()).toBe("ok");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});

describe("nodeHandler request bodies", () => {
  /** A server whose handler reads the body (limit `limit`) and reports what the read gave. */
  async function reading(limit: number) {
    const outcomes: string[] = [];
    let reported: () => void = () => {};
    const done = new Promise<void>((r) => {
      reported = r;
    });
    const listener = createServer(
      nodeHandler({
        handleHttp: async (request) => {
          try {
            const body = await request.readBody(limit);
            outcomes.push(body === undefined ? "too large" : `read ${Buffer.from(body).toString()}`);
          } catch (e) {
            outcomes.push(`rejected: ${(e as Error).message}`);
          }
          reported();
          return { status: 200, headers: [["content-type", "text/plain"]], body: "ok" };
        },
      }),
    );
    servers.push(listener);
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    return { port: (listener.address() as AddressInfo).port, outcomes, done };
  }

  it("reads a body sent in several chunks, whole and in order", async () => {
    const { port, outcomes } = await reading(100);
    const answer = await postChunked(`http://127.0.0.1:${port}/`, ["ab", "cd", "ef"]);
    expect(answer.body).toBe("ok");
    expect(outcomes).toEqual(["read abcdef"]);
  });

  it("rejects the read when the client goes away before the body ends (no hang)", async () => {
    const { port, outcomes, done } = await reading(100);
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n0123456789");
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await done;
    expect(outcomes).toEqual(["rejected: the connection closed before the request body ended"]);
  });

  it("answers undefined past the limit and keeps draining the rest", async () => {
    const { port, outcomes } = await reading(3);
    const answer = await postChunked(`http://127.0.0.1:${port}/`, ["ab", "cd", "ef"]);
    expect(answer.body).toBe("ok");
    expect(answer.headers.connection).toBe("close");
    expect(outcomes).toEqual(["too large"]);
  });
});
