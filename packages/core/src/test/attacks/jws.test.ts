/**
 * Attack corpus, JWS (RFC 8555 §6.2–6.5, RFC 7515): every way a request's signature envelope
 * can lie. Each row ends in a precise problem document, with no account or order created, the
 * request's nonce spent only as documented, and the server still serving.
 *
 * Duplicate members (RFC 7515 §5.2: reject, or use only the lexically last one): we decide to
 * refuse them as `malformed`. JSON.parse silently keeps the last member, so anything that reads
 * the same bytes with another parser (a proxy, a log pipeline, an audit tool) can see another
 * `alg`, `url` or `protected` than the server did.
 */
import { Buffer } from "node:buffer";
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect } from "vitest";
import { generateTestKey, publicJwk, signJws } from "../../testing/acme-client.js";
import {
  type Arena,
  type AttackCase,
  arena,
  attackTable,
  b64,
  type Flattened,
  post,
  type Reply,
  signText,
  thumbprint,
} from "./harness.js";

const ORDER = { identifiers: [{ type: "dns", value: "example.test" }] };
const ACCEPTED = ["ES256", "ES384", "ES512", "RS256", "EdDSA"];
const NOT_ACCEPTED = /is not accepted; use one of ES256, ES384, ES512, RS256, EdDSA/;
/** RFC 8555 §6.2: the answer to every JWS algorithm this server refuses. */
const ALG_NOT_ACCEPTED = {
  status: 400,
  type: "badSignatureAlgorithm",
  detail: NOT_ACCEPTED,
  extra: { algorithms: ACCEPTED },
} as const;

type Sent = { reply: Reply; nonce: string };

/** A newOrder request of the arena's account (kid), with `header` members merged over the usual. */
async function order(
  a: Arena,
  options: { header?: Record<string, unknown>; key?: KeyObject; payload?: unknown; url?: string } = {},
): Promise<Sent> {
  const nonce = await a.nonce();
  const target = a.acme.directory.newOrder;
  const body = await a.acme.body(options.url ?? target, options.payload ?? ORDER, {
    nonce,
    ...(options.key ? { key: options.key } : {}),
    ...(options.header ? { header: options.header } : {}),
  });
  return { reply: await post(a.handle, target, body), nonce };
}

/** A newAccount request signed by `key` (a stranger unless given), its public key in `jwk`. */
async function register(
  a: Arena,
  options: { key?: KeyObject; header?: Record<string, unknown>; payload?: unknown } = {},
): Promise<Sent> {
  const nonce = await a.nonce();
  const target = a.acme.directory.newAccount;
  const key = options.key ?? generateTestKey("P-256").privateKey;
  const body = await signJws(
    key,
    { nonce, url: target, jwk: publicJwk(key), ...options.header },
    options.payload ?? { termsOfServiceAgreed: true },
  );
  return { reply: await post(a.handle, target, body), nonce };
}

/** A newOrder JWS over exactly these header and payload texts, signed by the account key. */
async function orderText(a: Arena, header: (nonce: string) => string, payload: string | Uint8Array) {
  const nonce = await a.nonce();
  const body = signText(a.acme.accountKey, header(nonce), payload);
  return { body, nonce };
}

const kidHeader = (a: Arena, nonce: string, extra: Record<string, unknown> = {}) => ({
  alg: "ES256",
  nonce,
  url: a.acme.directory.newOrder,
  kid: a.accountUrl,
  ...extra,
});

/** A well-signed newOrder body, then `tamper` applied to its flattened members. */
async function tampered(a: Arena, tamper: (f: Flattened) => Flattened | string): Promise<Sent> {
  const nonce = await a.nonce();
  const body = await a.acme.body(a.acme.directory.newOrder, ORDER, { nonce });
  return { reply: await post(a.handle, a.acme.directory.newOrder, tamper(body)), nonce };
}

/** No account exists for these keys after the attack (newAccount attacks). */
const noAccountFor =
  (...keys: (() => KeyObject)[]) =>
  async (a: Arena) => {
    for (const key of keys) {
      const found = await a.storage.accounts.getByThumbprint(a.endpoint.id, await thumbprint(key()));
      expect(found._unsafeUnwrap()).toBeUndefined();
    }
  };

/** The arena's account still has no order. */
async function noOrders(a: Arena) {
  const account = String(a.accountUrl.split("/").pop());
  const page = await a.storage.orders.listByAccount(a.endpoint.id, account, { limit: 10 });
  expect(page._unsafeUnwrap().items).toEqual([]);
}

/** RFC 8017 §9.2 EMSA-PKCS1-v1_5 encoding of SHA-256(input) in `bytes` bytes. */
function emsaPkcs1Sha256(input: string, bytes: number): Buffer {
  const digestInfo = Buffer.from("3031300d060960864801650304020105000420", "hex");
  const t = Buffer.concat([digestInfo, createHash("sha256").update(input).digest()]);
  return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(bytes - t.length - 3, 0xff), Buffer.from([0]), t]);
}

const stranger = generateTestKey("P-256").privateKey;
const rsa2048 = generateTestKey("RSA-2048").privateKey;
const ed25519 = generateTestKey("Ed25519").privateKey;

/** A newAccount JWS whose `alg` is not the one its `jwk` signs with: refused, nothing created. */
function algClaimedForKey(
  alg: string,
  keyLabel: string,
  key: () => KeyObject,
  signsWith: string,
  detail: RegExp = /does not match/,
): AttackCase {
  return {
    name: `${alg} claimed for ${keyLabel} jwk`,
    send: (a) => register(a, { key: key(), header: { alg } }),
    expect: { status: 400, type: "badSignatureAlgorithm", detail, extra: { algorithms: [signsWith] } },
    nonce: "consumed",
    after: noAccountFor(key),
  };
}

const cases: AttackCase[] = [
  // ── alg ────────────────────────────────────────────────────────────────────────────────
  {
    name: "alg none, unsigned, on newAccount",
    send: async (a) => {
      const nonce = await a.nonce();
      const url = a.acme.directory.newAccount;
      const protectedB64 = b64({ alg: "none", nonce, url, jwk: publicJwk(stranger) });
      const body = { protected: protectedB64, payload: b64({ termsOfServiceAgreed: true }), signature: "" };
      return { reply: await post(a.handle, url, body), nonce };
    },
    expect: ALG_NOT_ACCEPTED,
    nonce: "kept",
    after: noAccountFor(() => stranger),
  },
  {
    name: "alg none with an empty signature, on newOrder (kid)",
    send: (a) =>
      tampered(a, (f) => ({ ...f, protected: b64(kidHeaderOf(f, { alg: "none" })), signature: "" })),
    expect: ALG_NOT_ACCEPTED,
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "HS256 keyed with the account's public JWK (algorithm confusion)",
    send: (a) => hs256NewOrder(a, Buffer.from(JSON.stringify(publicJwk(a.acme.accountKey)))),
    expect: ALG_NOT_ACCEPTED,
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "HS256 keyed with the account's public key PEM (algorithm confusion)",
    send: (a) => hs256NewOrder(a, Buffer.from(publicPem(a.acme.accountKey))),
    expect: ALG_NOT_ACCEPTED,
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "PS256 (an RSA algorithm the server does not offer)",
    send: (a) => register(a, { key: rsa2048, header: { alg: "PS256" } }),
    expect: ALG_NOT_ACCEPTED,
    nonce: "kept",
    after: noAccountFor(() => rsa2048),
  },
  {
    name: "alg missing",
    send: (a) => register(a, { header: { alg: undefined } }),
    expect: { status: 400, type: "badSignatureAlgorithm", detail: NOT_ACCEPTED },
    nonce: "kept",
  },
  {
    name: "alg in lower case (es256)",
    send: (a) => register(a, { header: { alg: "es256" } }),
    expect: { status: 400, type: "badSignatureAlgorithm", detail: NOT_ACCEPTED },
    nonce: "kept",
  },
  algClaimedForKey(
    "RS256",
    "P-256",
    () => stranger,
    "ES256",
    /RS256 does not match the EC P-256 key, which signs with ES256/,
  ),
  algClaimedForKey("ES384", "a P-256", () => stranger, "ES256"),
  algClaimedForKey("ES256", "an RSA 2048", () => rsa2048, "RS256"),
  algClaimedForKey("EdDSA", "a P-256", () => stranger, "ES256"),
  algClaimedForKey("ES256", "an Ed25519", () => ed25519, "EdDSA"),
  {
    name: "RS256 claimed with the kid of a P-256 account",
    send: (a) => order(a, { header: { alg: "RS256" } }),
    expect: {
      status: 400,
      type: "badSignatureAlgorithm",
      detail: /does not match/,
      extra: { algorithms: ["ES256"] },
    },
    nonce: "consumed",
    after: noOrders,
  },
  // ── keys ───────────────────────────────────────────────────────────────────────────────
  {
    name: "RSA 1024-bit jwk",
    send: (a) => register(a, { key: generateTestKey("RSA-1024").privateKey }),
    expect: {
      status: 400,
      type: "badPublicKey",
      detail: /RSA key of 1024 bits is too small; use at least 2048/,
    },
    nonce: "consumed",
  },
  {
    name: "RSA 1536-bit jwk",
    send: (a) => register(a, { key: generateKeyPairSync("rsa", { modulusLength: 1536 }).privateKey }),
    expect: { status: 400, type: "badPublicKey", detail: /1536 bits is too small/ },
    nonce: "consumed",
  },
  {
    name: "RSA jwk with a modulus over 8192 bits",
    send: async (a) => {
      const n = Buffer.alloc(1025, 0xff);
      const jwk = { kty: "RSA", n: n.toString("base64url"), e: "AQAB" };
      return register(a, { header: { jwk } });
    },
    expect: { status: 400, type: "badPublicKey", detail: /too large; use at most 8192/ },
    nonce: "consumed",
  },
  {
    name: "RSA jwk with public exponent 1 (a signature anyone can forge)",
    send: async (a) => {
      const nonce = await a.nonce();
      const n = Buffer.alloc(256, 0xff);
      n[255] = 0xfd;
      const jwk = { kty: "RSA", n: n.toString("base64url"), e: "AQ" };
      const url = a.acme.directory.newAccount;
      const protectedB64 = b64({ alg: "RS256", nonce, url, jwk });
      const payload = b64({ termsOfServiceAgreed: true });
      const signature = emsaPkcs1Sha256(`${protectedB64}.${payload}`, 256).toString("base64url");
      return { reply: await post(a.handle, url, { protected: protectedB64, payload, signature }), nonce };
    },
    expect: { status: 400, type: "badPublicKey", detail: /exponent/ },
    nonce: "consumed",
  },
  {
    name: "EC secp256k1 jwk signed as ES256 (unsupported curve)",
    send: (a) => register(a, { key: generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey }),
    expect: {
      status: 400,
      type: "badPublicKey",
      detail: /EC curve secp256k1 is not accepted; use P-256, P-384 or P-521/,
    },
    nonce: "consumed",
  },
  {
    name: "EC secp256k1 jwk with alg ES256K",
    send: (a) =>
      register(a, {
        key: generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey,
        header: { alg: "ES256K" },
      }),
    expect: { status: 400, type: "badSignatureAlgorithm", detail: NOT_ACCEPTED },
    nonce: "kept",
  },
  {
    name: "EC jwk whose point is not on P-256 (invalid-curve attack)",
    send: (a) =>
      register(a, {
        header: {
          jwk: { kty: "EC", crv: "P-256", x: b64("x".repeat(32)), y: b64("y".repeat(32)) },
        },
      }),
    expect: { status: 400, type: "badPublicKey", detail: /could not be imported as a public key/ },
    nonce: "consumed",
  },
  {
    name: "EC jwk with an unknown curve (P-192)",
    send: (a) =>
      register(a, {
        header: { jwk: { kty: "EC", crv: "P-192", x: b64("x".repeat(24)), y: b64("y".repeat(24)) } },
      }),
    expect: { status: 400, type: "badPublicKey", detail: /could not be imported as a public key/ },
    nonce: "consumed",
  },
  {
    name: "Ed448 OKP jwk with alg EdDSA",
    send: async (a) => {
      const key = generateKeyPairSync("ed448").privateKey;
      const nonce = await a.nonce();
      const url = a.acme.directory.newAccount;
      const body = signText(key, JSON.stringify({ alg: "EdDSA", nonce, url, jwk: publicJwk(key) }), "{}");
      return { reply: await post(a.handle, url, body), nonce };
    },
    expect: { status: 400, type: "badPublicKey", detail: /ed448 is not accepted; use EC, RSA or Ed25519/i },
    nonce: "consumed",
  },
  {
    name: "X25519 (key agreement) OKP jwk with alg EdDSA",
    send: async (a) => {
      const key = generateKeyPairSync("x25519").publicKey;
      const nonce = await a.nonce();
      const url = a.acme.directory.newAccount;
      const protectedB64 = b64({ alg: "EdDSA", nonce, url, jwk: publicJwk(key) });
      const body = { protected: protectedB64, payload: b64({}), signature: b64("s".repeat(64)) };
      return { reply: await post(a.handle, url, body), nonce };
    },
    expect: { status: 400, type: "badPublicKey", detail: /x25519 is not accepted/i },
    nonce: "consumed",
  },
  {
    name: "symmetric (oct) jwk",
    send: (a) => register(a, { header: { jwk: { kty: "oct", k: b64("secret") } } }),
    expect: { status: 400, type: "badPublicKey", detail: /private member `k`/ },
    nonce: "consumed",
  },
  {
    name: "EC jwk with its private part d",
    send: (a) => register(a, { key: stranger, header: { jwk: stranger.export({ format: "jwk" }) } }),
    expect: { status: 400, type: "badPublicKey", detail: /private member `d`: send only the public key/ },
    nonce: "consumed",
    after: noAccountFor(() => stranger),
  },
  {
    name: "RSA jwk with its private parts (d, p, q, dp, dq, qi)",
    send: (a) => register(a, { key: rsa2048, header: { jwk: rsa2048.export({ format: "jwk" }) } }),
    expect: { status: 400, type: "badPublicKey", detail: /private member `d`/ },
    nonce: "consumed",
  },
  {
    name: "Ed25519 jwk with its private part d",
    send: (a) => register(a, { key: ed25519, header: { jwk: ed25519.export({ format: "jwk" }) } }),
    expect: { status: 400, type: "badPublicKey", detail: /private member `d`/ },
    nonce: "consumed",
  },
  {
    name: "jwk that is a string, not an object",
    send: (a) => register(a, { header: { jwk: JSON.stringify(publicJwk(stranger)) } }),
    expect: { status: 400, type: "malformed", detail: /must be a JSON Web Key object/ },
    nonce: "consumed",
  },
  // ── jwk / kid ──────────────────────────────────────────────────────────────────────────
  {
    name: "both jwk and kid, on newOrder",
    send: (a) => order(a, { header: { jwk: publicJwk(a.acme.accountKey) } }),
    expect: { status: 400, type: "malformed", detail: /exactly one of `jwk` and `kid`/ },
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "both jwk and kid, on newAccount",
    send: (a) => register(a, { header: { kid: a.accountUrl } }),
    expect: { status: 400, type: "malformed", detail: /exactly one of `jwk` and `kid`/ },
    nonce: "kept",
  },
  {
    name: "neither jwk nor kid, on newOrder",
    send: (a) => order(a, { header: { kid: undefined } }),
    expect: { status: 400, type: "malformed", detail: /exactly one of `jwk` and `kid`/ },
    nonce: "kept",
  },
  {
    name: "neither jwk nor kid, on newAccount",
    send: (a) => register(a, { header: { jwk: undefined } }),
    expect: { status: 400, type: "malformed", detail: /exactly one of `jwk` and `kid`/ },
    nonce: "kept",
  },
  {
    name: "jwk where the resource needs kid (newOrder)",
    send: (a) => order(a, { header: { kid: undefined, jwk: publicJwk(a.acme.accountKey) } }),
    expect: { status: 400, type: "malformed", detail: /needs a JWS with `kid`/ },
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "kid where the resource needs jwk (newAccount)",
    send: (a) => register(a, { key: a.acme.accountKey, header: { jwk: undefined, kid: a.accountUrl } }),
    expect: { status: 400, type: "malformed", detail: /needs a JWS with `jwk`/ },
    nonce: "kept",
  },
  {
    name: "kid of an account at another endpoint, signed with that account's key",
    send: async (a) => {
      const other = await a.otherEndpoint();
      return order(a, { key: other.acme.accountKey, header: { kid: other.acme.accountUrl } });
    },
    expect: { status: 400, type: "accountDoesNotExist", detail: /is not an account URL of this endpoint/ },
    nonce: "consumed",
    after: noOrders,
  },
  {
    name: "kid that is not an account URL at all",
    send: (a) => order(a, { header: { kid: "https://evil.test/acct/1" } }),
    expect: { status: 400, type: "accountDoesNotExist", detail: /is not an account URL of this endpoint/ },
    nonce: "consumed",
  },
  {
    name: "kid of an account id that does not exist here",
    send: (a) => order(a, { header: { kid: a.accountUrl.replace(/[^/]+$/, "nobody") } }),
    expect: { status: 400, type: "accountDoesNotExist", detail: /No account .* exists at this endpoint/ },
    nonce: "consumed",
  },
  {
    name: "kid of this account, signed by another key",
    send: (a) => order(a, { key: stranger }),
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
    after: noOrders,
  },
  {
    name: "kid of a deactivated account",
    send: async (a) => {
      const gone = await a.client();
      await gone.register();
      await gone.send(String(gone.accountUrl), { status: "deactivated" });
      a.spy.reset();
      const nonce = await a.nonce();
      const body = await gone.body(gone.directory.newOrder, ORDER, { nonce });
      return { reply: await post(a.handle, gone.directory.newOrder, body), nonce };
    },
    expect: { status: 403, type: "unauthorized", detail: /account is deactivated/ },
    nonce: "consumed",
  },
  // ── url ────────────────────────────────────────────────────────────────────────────────
  {
    name: "url of another resource (newAccount's, sent to newOrder)",
    send: (a) => order(a, { url: a.acme.directory.newAccount }),
    expect: { status: 403, type: "unauthorized", detail: /does not match the request URL/ },
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "url of the same resource at another endpoint",
    send: async (a) => {
      const other = await a.otherEndpoint();
      return order(a, { url: other.acme.directory.newOrder });
    },
    expect: { status: 403, type: "unauthorized", detail: /does not match the request URL/ },
    nonce: "kept",
  },
  {
    name: "url with a query string appended",
    send: (a) => order(a, { url: `${a.acme.directory.newOrder}?x=1` }),
    expect: { status: 403, type: "unauthorized", detail: /does not match the request URL/ },
    nonce: "kept",
  },
  {
    name: "url with http: instead of https:",
    send: (a) => order(a, { url: a.acme.directory.newOrder.replace("https:", "http:") }),
    expect: { status: 403, type: "unauthorized", detail: /does not match the request URL/ },
    nonce: "kept",
  },
  {
    name: "url missing",
    send: (a) => order(a, { header: { url: undefined } }),
    expect: { status: 400, type: "malformed", detail: /has no `url`/ },
    nonce: "kept",
  },
  {
    name: "url that is not a string",
    send: (a) => order(a, { header: { url: [a.acme.directory.newOrder] } }),
    expect: { status: 400, type: "malformed", detail: /`url`/ },
    nonce: "kept",
  },
  // ── nonce ──────────────────────────────────────────────────────────────────────────────
  {
    name: "nonce missing",
    send: (a) => order(a, { header: { nonce: undefined } }),
    expect: { status: 400, type: "badNonce", detail: /has no `nonce`: get one from newNonce/ },
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "nonce empty",
    send: (a) => order(a, { header: { nonce: "" } }),
    expect: { status: 400, type: "badNonce", detail: /newNonce|Replay-Nonce/ },
  },
  {
    name: "nonce reused: an accepted newOrder replayed byte for byte",
    send: async (a) => {
      const nonce = await a.nonce();
      const body = await a.acme.body(a.acme.directory.newOrder, ORDER, { nonce });
      const first = await post(a.handle, a.acme.directory.newOrder, body);
      expect(first.status).toBe(201);
      a.spy.reset();
      return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
    },
    expect: { status: 400, type: "badNonce", detail: /unknown, used or expired/ },
    nonce: "consumed",
    after: async (a) => {
      const account = String(a.accountUrl.split("/").pop());
      const page = await a.storage.orders.listByAccount(a.endpoint.id, account, { limit: 10 });
      expect(page._unsafeUnwrap().items).toHaveLength(1);
    },
  },
  {
    name: "nonce expired (past nonceLifetimeMs)",
    send: async (a) => {
      const nonce = await a.nonce();
      a.clock.advance(15 * 60_000 + 1);
      const body = await a.acme.body(a.acme.directory.newOrder, ORDER, { nonce });
      return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
    },
    expect: { status: 400, type: "badNonce", detail: /unknown, used or expired/ },
    nonce: "consumed",
    after: noOrders,
  },
  {
    name: "nonce of another endpoint",
    send: async (a) => {
      const other = await a.otherEndpoint();
      const foreign = await other.acme.nonce();
      const reply = (await order(a, { header: { nonce: foreign } })).reply;
      return { reply, nonce: foreign };
    },
    expect: { status: 400, type: "badNonce", detail: /unknown, used or expired/ },
    after: noOrders,
  },
  {
    name: "nonce that is not base64url",
    send: (a) => order(a, { header: { nonce: "not a nonce!" } }),
    expect: { status: 400, type: "malformed", detail: /nonce.*base64url/i },
  },
  // ── serialization ──────────────────────────────────────────────────────────────────────
  {
    name: "compact serialization as the body",
    send: (a) => tampered(a, (f) => `${f.protected}.${f.payload}.${f.signature}`),
    expect: { status: 400, type: "malformed", detail: /JSON/ },
    nonce: "kept",
  },
  {
    name: "compact serialization as a JSON string",
    send: (a) => tampered(a, (f) => JSON.stringify(`${f.protected}.${f.payload}.${f.signature}`)),
    expect: { status: 400, type: "malformed", detail: /JSON object|flattened/ },
    nonce: "kept",
  },
  {
    name: "general serialization (signatures array)",
    send: (a) =>
      tampered(a, (f) =>
        JSON.stringify({
          payload: f.payload,
          signatures: [{ protected: f.protected, signature: f.signature }],
        }),
      ),
    expect: {
      status: 400,
      type: "malformed",
      detail: /general serialization is not allowed: send the flattened form/,
    },
    nonce: "kept",
  },
  {
    name: "flattened with an unprotected header",
    send: (a) => tampered(a, (f) => JSON.stringify({ ...f, header: { kid: a.accountUrl } })),
    expect: { status: 400, type: "malformed", detail: /unprotected header is not allowed/ },
    nonce: "kept",
  },
  {
    name: "flattened without a signature member",
    send: (a) => tampered(a, (f) => JSON.stringify({ protected: f.protected, payload: f.payload })),
    expect: { status: 400, type: "malformed", detail: /`signature`/ },
    nonce: "kept",
  },
  // ── crit / b64 ─────────────────────────────────────────────────────────────────────────
  {
    name: "crit naming an extension the server does not know",
    send: (a) => order(a, { header: { crit: ["exp"], exp: 1 } }),
    expect: { status: 400, type: "malformed", detail: /`crit`/ },
    nonce: "kept",
    after: noOrders,
  },
  {
    name: "crit empty",
    send: (a) => order(a, { header: { crit: [] } }),
    expect: { status: 400, type: "malformed", detail: /`crit`/ },
    nonce: "kept",
  },
  {
    name: "crit naming a registered header (alg)",
    send: (a) => order(a, { header: { crit: ["alg"] } }),
    expect: { status: 400, type: "malformed", detail: /`crit`/ },
    nonce: "kept",
  },
  {
    name: "crit b64 with b64 false (RFC 7797 unencoded payload)",
    send: (a) => order(a, { header: { crit: ["b64"], b64: false } }),
    expect: { status: 400, type: "malformed", detail: /`crit`|b64/ },
    nonce: "kept",
  },
  {
    name: "b64 false without crit",
    send: (a) => order(a, { header: { b64: false } }),
    expect: { status: 400, type: "malformed", detail: /b64/ },
    nonce: "kept",
  },
  // ── base64url ──────────────────────────────────────────────────────────────────────────
  {
    name: "protected with = padding",
    send: (a) => tampered(a, (f) => JSON.stringify({ ...f, protected: `${f.protected}=` })),
    expect: { status: 400, type: "malformed", detail: /base64url without padding/ },
    nonce: "kept",
  },
  {
    name: "payload in standard base64 (+ and /)",
    send: (a) =>
      tampered(a, (f) => JSON.stringify({ ...f, payload: Buffer.from('{"x":"???>>>"}').toString("base64") })),
    expect: { status: 400, type: "malformed", detail: /`payload` must be base64url/ },
    nonce: "kept",
  },
  {
    name: "signature with a line break in it",
    send: (a) =>
      tampered(a, (f) =>
        JSON.stringify({ ...f, signature: `${f.signature.slice(0, 40)}\n${f.signature.slice(40)}` }),
      ),
    expect: { status: 400, type: "malformed", detail: /base64url/ },
    nonce: "kept",
  },
  {
    name: "protected of a length no base64url string has (4n+1)",
    send: (a) =>
      tampered(a, (f) =>
        JSON.stringify({
          ...f,
          protected: f.protected + "A".repeat((5 - (f.protected.length % 4)) % 4 || 4),
        }),
      ),
    expect: { status: 400, type: "malformed", detail: /base64url/ },
    nonce: "kept",
  },
  {
    name: "protected that decodes to bytes that are not UTF-8",
    send: (a) =>
      tampered(a, (f) =>
        JSON.stringify({ ...f, protected: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("base64url") }),
      ),
    expect: { status: 400, type: "malformed", detail: /protected header is not UTF-8/ },
    nonce: "kept",
  },
  {
    name: "protected that is not JSON",
    send: (a) => tampered(a, (f) => JSON.stringify({ ...f, protected: b64("alg=ES256") })),
    expect: { status: 400, type: "malformed", detail: /protected header is not valid JSON/ },
    nonce: "kept",
  },
  {
    name: "protected that is a JSON array",
    send: (a) => tampered(a, (f) => JSON.stringify({ ...f, protected: b64([{ alg: "ES256" }]) })),
    expect: { status: 400, type: "malformed", detail: /protected header must be a JSON object/ },
    nonce: "kept",
  },
  // ── duplicate members ──────────────────────────────────────────────────────────────────
  {
    name: "protected header with alg twice (none, then ES256)",
    send: async (a) => {
      const { body, nonce } = await orderText(
        a,
        (n) =>
          `{"alg":"none","alg":"ES256","nonce":"${n}","url":"${a.acme.directory.newOrder}","kid":"${a.accountUrl}"}`,
        JSON.stringify(ORDER),
      );
      return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
    },
    expect: { status: 400, type: "malformed", detail: /duplicate|more than once/i },
    nonce: "kept",
  },
  {
    name: "protected header with url twice (another endpoint's, then this one)",
    send: async (a) => {
      const other = await a.otherEndpoint();
      const { body, nonce } = await orderText(
        a,
        (n) =>
          `{"alg":"ES256","url":"${other.acme.directory.newOrder}","url":"${a.acme.directory.newOrder}","nonce":"${n}","kid":"${a.accountUrl}"}`,
        JSON.stringify(ORDER),
      );
      return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
    },
    expect: { status: 400, type: "malformed", detail: /duplicate|more than once/i },
    nonce: "kept",
  },
  {
    name: "flattened body with protected twice",
    send: (a) =>
      tampered(
        a,
        (f) =>
          `{"protected":"${b64({ alg: "none" })}","protected":"${f.protected}","payload":"${f.payload}","signature":"${f.signature}"}`,
      ),
    expect: { status: 400, type: "malformed", detail: /duplicate|more than once/i },
    nonce: "kept",
  },
  // ── payload ────────────────────────────────────────────────────────────────────────────
  ...(
    [
      ["an array", "[]"],
      ["a string", '"identifiers"'],
      ["a number", "42"],
      ["null", "null"],
      ["true", "true"],
    ] as const
  ).map(
    ([what, text]): AttackCase => ({
      name: `payload that is ${what}`,
      send: async (a) => {
        const { body, nonce } = await orderText(a, (n) => JSON.stringify(kidHeader(a, n)), text);
        return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
      },
      expect: { status: 400, type: "malformed", detail: /payload must be a JSON object/ },
      nonce: "consumed",
      after: noOrders,
    }),
  ),
  {
    name: "payload that is not JSON",
    send: async (a) => {
      const { body, nonce } = await orderText(a, (n) => JSON.stringify(kidHeader(a, n)), "{identifiers:");
      return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
    },
    expect: { status: 400, type: "malformed", detail: /payload is not valid JSON/ },
    nonce: "consumed",
  },
  {
    name: "payload that is not UTF-8",
    send: async (a) => {
      const { body, nonce } = await orderText(
        a,
        (n) => JSON.stringify(kidHeader(a, n)),
        Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      );
      return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
    },
    expect: { status: 400, type: "malformed", detail: /payload is not UTF-8/ },
    nonce: "consumed",
  },
  // ── signature ──────────────────────────────────────────────────────────────────────────
  {
    name: "signature over a different payload",
    send: (a) =>
      tampered(a, (f) => ({
        ...f,
        payload: b64({ identifiers: [{ type: "dns", value: "www.example.test" }] }),
      })),
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
    after: noOrders,
  },
  {
    name: "signature over a different protected header",
    send: async (a) => {
      const nonce = await a.nonce();
      const signed = await a.acme.body(a.acme.directory.newOrder, ORDER, { nonce, header: { extra: 1 } });
      const other = b64(kidHeader(a, nonce));
      return {
        reply: await post(a.handle, a.acme.directory.newOrder, { ...signed, protected: other }),
        nonce,
      };
    },
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
  },
  {
    name: "jwk of one key, signed by another key of the same type",
    send: (a) =>
      register(a, { key: stranger, header: { jwk: publicJwk(generateTestKey("P-256").privateKey) } }),
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
    after: noAccountFor(() => stranger),
  },
  {
    name: "empty signature",
    send: (a) => tampered(a, (f) => ({ ...f, signature: "" })),
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
  },
  {
    name: "truncated signature",
    send: (a) => tampered(a, (f) => ({ ...f, signature: f.signature.slice(0, 43) })),
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
  },
  {
    name: "ECDSA signature in DER instead of r || s",
    send: async (a) => {
      const nonce = await a.nonce();
      const f = await a.acme.body(a.acme.directory.newOrder, ORDER, { nonce });
      const der = sign("sha256", Buffer.from(`${f.protected}.${f.payload}`), {
        key: a.acme.accountKey,
        dsaEncoding: "der",
      });
      return {
        reply: await post(a.handle, a.acme.directory.newOrder, {
          ...f,
          signature: der.toString("base64url"),
        }),
        nonce,
      };
    },
    expect: { status: 400, type: "malformed", detail: /signature does not verify/ },
    nonce: "consumed",
    after: noOrders,
  },
];

/** The protected header of `f`, decoded, with `extra` merged over it. */
/** A newOrder "signed" HS256 with `secret` as the MAC key: the algorithm-confusion attack. */
async function hs256NewOrder(a: Arena, secret: Buffer) {
  const nonce = await a.nonce();
  const body = signText(secret, JSON.stringify(kidHeader(a, nonce, { alg: "HS256" })), JSON.stringify(ORDER));
  return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
}

function kidHeaderOf(f: Flattened, extra: Record<string, unknown>) {
  return { ...(JSON.parse(Buffer.from(f.protected, "base64url").toString()) as object), ...extra };
}

function publicPem(key: KeyObject): string {
  return String(createPublicKey(key).export({ type: "spki", format: "pem" }));
}

describe("attack corpus: JWS (RFC 8555 §6.2–6.5)", () => {
  attackTable(cases, { arena: () => arena() });
});
