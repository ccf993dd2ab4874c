/**
 * Attack corpus, HTTP requests (RFC 8555 §6.2, §6.3): media types, body sizes, methods, unknown
 * resources, HEAD/OPTIONS and oversized headers. The body limit is `limits.maxBodyBytes`
 * (README: 65,536 bytes by default, 413 above).
 *
 * OPTIONS: answered 405 with `Allow` and a problem document, like any other method a resource
 * does not take. We judge that a defined, correct answer (RFC 9110 §15.5.6) for an API that
 * serves no browsers; CORS preflight is not offered.
 */
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import {
  type AttackCase,
  attackTable,
  expectNoStateChange,
  expectServing,
  type IssuedArena,
  issuedArena,
  MAX_DETAIL_CHARS,
  post,
  type Reply,
  read,
} from "./harness.js";

const LIMIT = 65_536;
const ORDER = { identifiers: [{ type: "dns", value: "www.example.test" }] };

/** A newOrder JWS that the server would accept (it creates an order), as JSON text. */
async function acceptableOrder(a: IssuedArena, payload: unknown = ORDER) {
  const nonce = await a.nonce();
  const body = JSON.stringify(await a.acme.body(a.acme.directory.newOrder, payload, { nonce }));
  return { body, nonce };
}

/** `body` padded with trailing JSON whitespace to exactly `size` bytes. */
const padded = (body: string, size: number) => body + " ".repeat(size - Buffer.byteLength(body));

async function raw(a: IssuedArena, url: string, init: RequestInit = {}): Promise<Reply> {
  return read(await a.handle(new Request(url, init)));
}

function chunked(url: string, chunks: readonly string[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
  const init = { method: "POST", headers: { "content-type": "application/jose+json" }, body, duplex: "half" };
  return new Request(url, init as RequestInit);
}

/** The arena's account still has only the order it was issued through. */
async function onlyTheIssuedOrder(a: IssuedArena) {
  const account = String(a.accountUrl.split("/").pop());
  const page = await a.storage.orders.listByAccount(a.endpoint.id, account, { limit: 10 });
  expect(page._unsafeUnwrap().items).toHaveLength(1);
}

const MEDIA = /Content-Type must be application\/jose\+json/;

function mediaType(name: string, contentType: string | undefined, bug?: string): AttackCase<IssuedArena> {
  return {
    name,
    ...(bug === undefined ? {} : { bug }),
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      const headers: Record<string, string> =
        contentType === undefined ? {} : { "content-type": contentType };
      // A Uint8Array body makes no Content-Type of its own.
      const reply = await raw(a, a.acme.directory.newOrder, {
        method: "POST",
        headers,
        body: new TextEncoder().encode(body),
      });
      return { reply, nonce };
    },
    expect: { status: 415, type: "malformed", detail: MEDIA },
    nonce: "kept",
    after: onlyTheIssuedOrder,
  };
}

const TOO_LARGE = /larger than this server's limit of 65536 bytes/;

const POST_ONLY = [
  "account",
  "orders",
  "order",
  "finalize",
  "authorization",
  "challenge",
  "certificate",
] as const;
const POST_ONLY_FIXED = ["newAccount", "newOrder", "revokeCert", "keyChange"] as const;

const cases: AttackCase<IssuedArena>[] = [
  // ── Content-Type (RFC 8555 §6.2: 415) ─────────────────────────────────────────────────
  mediaType("Content-Type application/json", "application/json"),
  mediaType("Content-Type text/plain", "text/plain"),
  mediaType("no Content-Type", undefined),
  mediaType("Content-Type application/jose (the compact serialization's type)", "application/jose"),
  mediaType("Content-Type application/jose+json-evil", "application/jose+json-evil"),
  mediaType("Content-Type multipart/form-data", "multipart/form-data; boundary=x"),
  mediaType("Content-Type of 64 KiB", "x".repeat(64 * 1024)),
  // ── body size (README: maxBodyBytes 65,536, 413 above) ────────────────────────────────
  {
    name: "body one byte over the limit",
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      return { reply: await post(a.handle, a.acme.directory.newOrder, padded(body, LIMIT + 1)), nonce };
    },
    expect: { status: 413, type: "malformed", detail: TOO_LARGE },
    nonce: "kept",
    after: onlyTheIssuedOrder,
  },
  {
    name: "Content-Length over the limit, small body",
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      const reply = await post(a.handle, a.acme.directory.newOrder, body, {
        "content-length": String(LIMIT + 1),
      });
      return { reply, nonce };
    },
    expect: { status: 413, type: "malformed", detail: TOO_LARGE },
    nonce: "kept",
    after: onlyTheIssuedOrder,
  },
  {
    name: "Content-Length that lies low (10) over a 70 KB body",
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      const reply = await post(a.handle, a.acme.directory.newOrder, padded(body, 70_000), {
        "content-length": "10",
      });
      return { reply, nonce };
    },
    expect: { status: 413, type: "malformed", detail: TOO_LARGE },
    nonce: "kept",
    after: onlyTheIssuedOrder,
  },
  {
    name: "chunked 70 KB body without Content-Length",
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      const big = padded(body, 70_000);
      const reply = await read(
        await a.handle(chunked(a.acme.directory.newOrder, [big.slice(0, 30_000), big.slice(30_000)])),
      );
      return { reply, nonce };
    },
    expect: { status: 413, type: "malformed", detail: TOO_LARGE },
    nonce: "kept",
    after: onlyTheIssuedOrder,
  },
  {
    name: "1 MiB body",
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      return { reply: await post(a.handle, a.acme.directory.newOrder, padded(body, 1 << 20)), nonce };
    },
    expect: { status: 413, type: "malformed", detail: TOO_LARGE },
    nonce: "kept",
  },
  {
    name: "Content-Length of 64 KiB digits",
    send: async (a) => {
      const { body, nonce } = await acceptableOrder(a);
      const reply = await post(a.handle, a.acme.directory.newOrder, body, {
        "content-length": "9".repeat(64 * 1024),
      });
      return { reply, nonce };
    },
    expect: { status: 413, type: "malformed", detail: TOO_LARGE },
    nonce: "kept",
  },
  // ── GET where POST-as-GET is required (RFC 8555 §6.3: 405 + Allow) ─────────────────────
  ...POST_ONLY.map(
    (resource): AttackCase<IssuedArena> => ({
      name: `GET on the ${resource} URL`,
      send: async (a) => ({ reply: await raw(a, a.urls[resource]) }),
      expect: {
        status: 405,
        type: "malformed",
        detail: /Method GET is not allowed here; use POST \(read resources with POST-as-GET/,
        headers: { Allow: "POST" },
      },
    }),
  ),
  ...POST_ONLY_FIXED.map(
    (resource): AttackCase<IssuedArena> => ({
      name: `GET on ${resource}`,
      send: async (a) => ({ reply: await raw(a, a.acme.directory[resource]) }),
      expect: {
        status: 405,
        type: "malformed",
        detail: /Method GET is not allowed here/,
        headers: { Allow: "POST" },
      },
    }),
  ),
  ...(
    [
      ["PUT", "order"],
      ["DELETE", "account"],
      ["PATCH", "account"],
      ["PROPFIND", "certificate"],
    ] as const
  ).map(
    ([method, resource]): AttackCase<IssuedArena> => ({
      name: `${method} on the ${resource} URL`,
      send: async (a) => ({ reply: await raw(a, a.urls[resource], { method }) }),
      expect: {
        status: 405,
        type: "malformed",
        detail: new RegExp(`Method ${method} is not allowed here; use POST`),
        headers: { Allow: "POST" },
      },
    }),
  ),
  {
    name: "POST on the directory",
    send: async (a) => ({ reply: await post(a.handle, a.endpoint.endpointUrl, "{}") }),
    expect: { status: 405, type: "malformed", detail: /use GET, HEAD/, headers: { Allow: "GET, HEAD" } },
  },
  {
    name: "POST on newNonce",
    send: async (a) => ({ reply: await post(a.handle, a.acme.directory.newNonce, "{}") }),
    expect: { status: 405, type: "malformed", detail: /use GET, HEAD/, headers: { Allow: "GET, HEAD" } },
  },
  // ── OPTIONS (405 + Allow, see the file comment) ──────────────────────────────────────
  {
    name: "OPTIONS on the directory",
    send: async (a) => ({ reply: await raw(a, a.endpoint.endpointUrl, { method: "OPTIONS" }) }),
    expect: {
      status: 405,
      type: "malformed",
      detail: /OPTIONS is not allowed/,
      headers: { Allow: "GET, HEAD" },
    },
  },
  {
    name: "OPTIONS on newOrder",
    send: async (a) => ({ reply: await raw(a, a.acme.directory.newOrder, { method: "OPTIONS" }) }),
    expect: { status: 405, type: "malformed", detail: /OPTIONS is not allowed/, headers: { Allow: "POST" } },
  },
  {
    name: "OPTIONS on the account URL",
    send: async (a) => ({ reply: await raw(a, a.urls.account, { method: "OPTIONS" }) }),
    expect: { status: 405, type: "malformed", detail: /OPTIONS is not allowed/, headers: { Allow: "POST" } },
  },
  // ── unknown resources (404) ──────────────────────────────────────────────────────────
  {
    name: "unknown resource name",
    send: async (a) => ({
      reply: await post(a.handle, a.endpoint.endpointUrl.replace(/directory$/, "admin"), "{}"),
    }),
    expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
  },
  // Once a 500: the route table lookup found Object.prototype members.
  ...["constructor", "toString", "__proto__"].map(
    (name): AttackCase<IssuedArena> => ({
      name: `a resource named ${name} (an Object.prototype member)`,
      send: async (a) => ({ reply: await raw(a, a.endpoint.endpointUrl.replace(/directory$/, name)) }),
      expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
    }),
  ),
  {
    name: "a path below finalize",
    send: async (a) => ({ reply: await post(a.handle, `${a.urls.finalize}/extra`, "{}") }),
    expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
  },
  {
    name: "a percent-encoded slash in an id",
    send: async (a) => ({ reply: await post(a.handle, `${a.urls.order}%2F..%2Fdirectory`, "{}") }),
    expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
  },
  {
    name: "a 65-character id segment",
    send: async (a) => ({
      reply: await post(a.handle, a.urls.order.replace(/[^/]+$/, "o".repeat(65)), "{}"),
    }),
    expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
  },
  {
    name: "an empty trailing segment",
    send: async (a) => ({ reply: await raw(a, a.endpoint.endpointUrl.replace(/directory$/, "")) }),
    expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
  },
  ...(["order", "authorization", "certificate"] as const).map(
    (what): AttackCase<IssuedArena> => ({
      name: `POST-as-GET of an unknown ${what} id`,
      send: async (a) => {
        const url = a.urls[what].replace(/[^/]+$/, "doesnotexist");
        const nonce = await a.nonce();
        return { reply: await post(a.handle, url, await a.acme.body(url, undefined, { nonce })), nonce };
      },
      expect: { status: 404, type: "malformed", detail: new RegExp(`No such ${what} at this endpoint`) },
      nonce: "consumed",
    }),
  ),
  {
    name: "POST-as-GET of an unknown challenge id",
    send: async (a) => {
      const url = a.urls.challenge.replace(/[^/]+$/, "doesnotexist");
      const nonce = await a.nonce();
      return { reply: await post(a.handle, url, await a.acme.body(url, undefined, { nonce })), nonce };
    },
    expect: { status: 404, type: "malformed", detail: /No such challenge at this endpoint/ },
    nonce: "consumed",
  },
  {
    name: "orders list with a forged 30 KiB page cursor",
    send: async (a) => {
      const url = `${a.urls.orders}?cursor=${"c".repeat(30 * 1024)}`;
      const nonce = await a.nonce();
      return { reply: await post(a.handle, url, await a.acme.body(url, undefined, { nonce })), nonce };
    },
    expect: { status: 400, type: "malformed", detail: /cursor/ },
    nonce: "consumed",
  },
  {
    name: "a 64 KiB path below the endpoint",
    send: async (a) => ({
      reply: await raw(a, `${a.endpoint.endpointUrl.replace(/directory$/, "")}${"p/".repeat(32 * 1024)}`),
    }),
    expect: { status: 404, type: "malformed", detail: /No ACME resource at this URL/ },
  },
];

describe("attack corpus: HTTP requests", () => {
  attackTable(cases, { arena: () => issuedArena() });

  describe("without an endpoint (no nonce to give)", () => {
    const noEndpoint: [string, (a: IssuedArena) => string, RegExp][] = [
      [
        "an unknown endpoint id",
        (a) => a.endpoint.endpointUrl.replace(a.endpoint.id, "no-such-endpoint"),
        /No ACME endpoint no-such-endpoint exists here/,
      ],
      [
        "a path outside the base URL",
        () => "https://acme.test/elsewhere/directory",
        /No ACME resource at this URL/,
      ],
      ["the base URL itself", () => "https://acme.test/acme", /No ACME resource at this URL/],
      [
        "an endpoint id of 64 KiB",
        () => `https://acme.test/acme/${"e".repeat(64 * 1024)}/directory`,
        /No ACME resource at this URL/,
      ],
    ];
    for (const [name, url, detail] of noEndpoint) {
      it(name, async () => {
        const a = await issuedArena();
        const reply = await raw(a, url(a));
        expect(reply.status).toBe(404);
        expect(reply.headers.get("content-type")).toBe("application/problem+json");
        expect(reply.body).toMatchObject({ type: "urn:ietf:params:acme:error:malformed", status: 404 });
        expect(String(reply.body?.detail)).toMatch(detail);
        expect(String(reply.body?.detail).length).toBeLessThanOrEqual(MAX_DETAIL_CHARS);
        expectNoStateChange(a);
        await expectServing(a);
      });
    }
  });

  describe("HEAD (RFC 9110 §9.3.2: the headers of a GET, never content)", () => {
    it("HEAD on newOrder: 405, Allow: POST, no content", async () => {
      const a = await issuedArena();
      const reply = await raw(a, a.acme.directory.newOrder, { method: "HEAD" });
      expect(reply.status).toBe(405);
      expect(reply.headers.get("allow")).toBe("POST");
      expect(reply.headers.get("content-type")).toBe("application/problem+json");
      expect(reply.text).toBe("");
      expectNoStateChange(a);
    });

    it("HEAD on an unknown resource and an unknown endpoint: 404, no content", async () => {
      const a = await issuedArena();
      for (const url of [
        a.endpoint.endpointUrl.replace(/directory$/, "nope"),
        a.endpoint.endpointUrl.replace(a.endpoint.id, "no-such-endpoint"),
      ]) {
        const reply = await raw(a, url, { method: "HEAD" });
        expect(reply.status, url).toBe(404);
        expect(reply.text, url).toBe("");
      }
    });
  });

  describe("huge and numerous headers are answered, not crashed on", () => {
    it("a 64 KiB unrelated header on a good request: the request succeeds", async () => {
      const a = await issuedArena();
      const { body } = await acceptableOrder(a);
      const reply = await post(a.handle, a.acme.directory.newOrder, body, {
        "x-filler": "f".repeat(64 * 1024),
      });
      expect(reply.status).toBe(201);
      await expectServing(a);
    });

    it("a thousand headers on a good request: the request succeeds", async () => {
      const a = await issuedArena();
      const { body } = await acceptableOrder(a);
      const headers = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`x-h${i}`, String(i)]));
      const reply = await post(a.handle, a.acme.directory.newOrder, body, headers);
      expect(reply.status).toBe(201);
    });
  });

  describe("controls: what the limits let through", () => {
    it("a body of exactly maxBodyBytes is accepted", async () => {
      const a = await issuedArena();
      const { body } = await acceptableOrder(a);
      const reply = await post(a.handle, a.acme.directory.newOrder, padded(body, LIMIT));
      expect(reply.status).toBe(201);
    });

    it("Content-Type with parameters and in upper case is still application/jose+json", async () => {
      const a = await issuedArena();
      for (const type of ["application/jose+json; charset=utf-8", "APPLICATION/JOSE+JSON"]) {
        const { body } = await acceptableOrder(a);
        expect(
          (await post(a.handle, a.acme.directory.newOrder, body, { "content-type": type })).status,
          type,
        ).toBe(201);
      }
    });

    it("HEAD on the directory and newNonce answers 200 without content", async () => {
      const a = await issuedArena();
      for (const url of [a.endpoint.endpointUrl, a.acme.directory.newNonce]) {
        const reply = await raw(a, url, { method: "HEAD" });
        expect(reply.status, url).toBe(200);
        expect(reply.text, url).toBe("");
        expect(reply.headers.get("replay-nonce"), url).not.toBeNull();
      }
    });
  });
});
