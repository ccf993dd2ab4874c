/**
 * Property-based fuzzing of `server.handle` (issue 5): for arbitrary requests, arbitrary signed
 * JWS, and mutations of valid requests, CSRs and certificates, the answer is well formed (below
 * 500; an error is an RFC 8555 problem document), `handle` never throws, and a refused request
 * changes no stored state (storage writes, and the records of the arena's account read back
 * through the storage API).
 *
 * Runs per property: FUZZ_RUNS (default 200); `pnpm fuzz` runs 20,000. A failure prints the
 * seed and the shrunk counterexample; replay it with FUZZ_SEED=<seed> (and FUZZ_PATH=<path>).
 */
import { Buffer } from "node:buffer";
import type { KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestCsr } from "../../crypto/test-csr.js";
import { generateTestKey, publicJwk, signJws } from "../../testing/acme-client.js";
import {
  type IssuedArena,
  issuedArena,
  MAX_DETAIL_CHARS,
  post,
  type Reply,
  read,
  signText,
  thumbprint,
} from "./harness.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const PARAMETERS: fc.Parameters<unknown> = {
  numRuns: RUNS,
  ...(process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) }),
  ...(process.env.FUZZ_PATH === undefined ? {} : { path: process.env.FUZZ_PATH }),
};
/** vitest's per-test timeout, scaled to the runs (the default 200 runs take a few seconds). */
const TIMEOUT = Math.max(30_000, RUNS * 40);

const ACME_ERROR = "urn:ietf:params:acme:error:";

/** Well formed: below 500; an error (but a HEAD's) is a problem document a client can act on. */
function expectWellFormed(reply: Reply, method: string) {
  const shown = `${method} → ${reply.status} ${reply.text.slice(0, 300)}`;
  expect(reply.status, shown).toBeGreaterThanOrEqual(200);
  expect(reply.status, shown).toBeLessThan(500);
  if (reply.status < 400 || method === "HEAD") return;
  expect(reply.headers.get("content-type"), shown).toBe("application/problem+json");
  expect(typeof reply.body?.type, shown).toBe("string");
  expect(String(reply.body?.type).startsWith(ACME_ERROR), shown).toBe(true);
  expect(reply.body?.status, shown).toBe(reply.status);
  expect(typeof reply.body?.detail, shown).toBe("string");
  expect(String(reply.body?.detail).length, shown).toBeGreaterThan(0);
  expect(String(reply.body?.detail).length, shown).toBeLessThanOrEqual(MAX_DETAIL_CHARS);
}

/**
 * The arena the properties run against, rebuilt when a request that succeeded took the account
 * out of play (deactivated it or rolled its key over), so later runs still reach the handlers.
 */
/** The arena of the fuzz runs, with a second endpoint to take foreign nonces from. */
interface FuzzArena extends IssuedArena {
  foreignNonce(): Promise<string>;
}

class Pool {
  #arena: FuzzArena | undefined;
  /** Answers by status and problem type: printed under FUZZ_STATS=1, to see what the runs reach. */
  readonly answers = new Map<string, number>();

  constructor(readonly name: string) {}

  count(reply: Reply) {
    const type =
      typeof reply.body?.type === "string" ? ` ${String(reply.body.type).replace(ACME_ERROR, "")}` : "";
    const key = `${reply.status}${type}`;
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  report() {
    if (process.env.FUZZ_STATS !== "1") return;
    const rows = [...this.answers]
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`);
    console.log(`${this.name}\n${rows.join("\n")}`);
  }

  #uses = 0;

  /** The current arena; a fresh one every 500 runs, so stored state (and run cost) stays small. */
  async get(): Promise<FuzzArena> {
    if (this.#uses++ % 500 === 0) this.#arena = undefined;
    if (this.#arena === undefined) {
      const a = await issuedArena();
      const other = await a.otherEndpoint();
      this.#arena = { ...a, foreignNonce: () => other.acme.nonce() };
    }
    return this.#arena;
  }

  async afterSuccess(a: IssuedArena) {
    const account = (await a.storage.accounts.get(a.endpoint.id, accountId(a)))._unsafeUnwrap();
    if (account?.status !== "valid" || account.thumbprint !== (await thumbprint(a.acme.accountKey))) {
      this.#arena = undefined;
    }
  }
}

const accountId = (a: IssuedArena) => String(a.accountUrl.split("/").pop());

/** The arena account's records, read back through the storage API. */
async function snapshot(a: IssuedArena): Promise<string> {
  const s = a.storage;
  const id = a.endpoint.id;
  return JSON.stringify([
    (await s.accounts.get(id, accountId(a)))._unsafeUnwrap(),
    (await s.accounts.getByThumbprint(id, await thumbprint(a.acme.accountKey)))._unsafeUnwrap()?.id,
    (await s.orders.listByAccount(id, accountId(a), { limit: 1000 }))._unsafeUnwrap(),
    (await s.authorizations.get(id, String(a.urls.authorization.split("/").pop())))._unsafeUnwrap(),
    (await s.certificates.get(id, a.serial))._unsafeUnwrap(),
  ]);
}

/**
 * Sends one request; a refusal must leave no trace in storage. Answers the reply; rebuilds the
 * pool's arena when a success retired its account.
 */
async function sendAndCheck(pool: Pool, a: IssuedArena, request: () => Promise<Reply>, method = "POST") {
  const before = await snapshot(a);
  a.spy.reset();
  const reply = await request();
  pool.count(reply);
  expectWellFormed(reply, method);
  if (reply.status >= 400) {
    expect(a.spy.stateWrites(), `${reply.status} ${reply.text.slice(0, 200)}`).toEqual([]);
    expect(await snapshot(a)).toBe(before);
  } else {
    await pool.afterSuccess(a);
  }
  return reply;
}

// ── arbitraries ──────────────────────────────────────────────────────────────────────────

const printable = (maxLength: number) =>
  fc.string({ unit: "grapheme-ascii", maxLength }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));

/** Prefers the valid value (weight 9) over anything else, so most runs get past the JWS checks. */
const mostly = <T, U>(valid: T, other: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: fc.constant(valid), weight: 9 }, { arbitrary: other, weight: 1 });

const junk = fc.jsonValue({ maxDepth: 2 });

const RESOURCES = [
  "directory",
  "newNonce",
  "newAccount",
  "newOrder",
  "revokeCert",
  "keyChange",
  "account",
  "orders",
  "order",
  "finalize",
  "authorization",
  "challenge",
  "certificate",
] as const;
type ResourceName = (typeof RESOURCES)[number];

function urlOf(a: IssuedArena, resource: ResourceName): string {
  switch (resource) {
    case "directory":
      return a.endpoint.endpointUrl;
    case "newNonce":
    case "newAccount":
    case "newOrder":
    case "revokeCert":
    case "keyChange":
      return a.acme.directory[resource];
    default:
      return a.urls[resource];
  }
}

/** Path segments: our route words and ids, dot segments, and anything at all. */
const segment = fc.oneof(
  fc.constantFrom(
    "directory",
    "new-nonce",
    "new-account",
    "new-order",
    "revoke-cert",
    "key-change",
    "acct",
    "orders",
    "order",
    "finalize",
    "authz",
    "chall",
    "cert",
    "..",
    ".",
    "%2e%2e",
    "%2F",
    "",
    "__proto__",
    "constructor",
    "$account",
    "$order",
    "$authz",
    "$serial",
  ),
  fc.string({ maxLength: 70 }).map(encodeURIComponent),
);

/** Placeholders for the arena's ids (a Map: a segment may be "__proto__"). */
const IDS = new Map<string, (a: IssuedArena) => string>([
  ["$account", (a) => accountId(a)],
  ["$order", (a) => String(a.urls.order.split("/").pop())],
  ["$authz", (a) => String(a.urls.authorization.split("/").pop())],
  ["$serial", (a) => a.serial],
]);

const rawRequest = fc.record({
  method: fc.constantFrom(
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "PROPFIND",
    "post",
    "get",
  ),
  /** Most of the time a real resource URL; else a path made of segments. */
  resource: fc.option(fc.constantFrom(...RESOURCES), { freq: 3, nil: undefined }),
  endpoint: mostly("$endpoint", fc.string({ maxLength: 70 }).map(encodeURIComponent)),
  segments: fc.array(segment, { maxLength: 5 }),
  query: fc.option(
    fc.string({ maxLength: 40 }).map((q) => `?${encodeURIComponent(q)}=${encodeURIComponent(q)}`),
  ),
  contentType: fc.option(
    fc.oneof(
      fc.constantFrom(
        "application/jose+json",
        "application/json",
        "application/jose+json; charset=utf-8",
        "text/plain",
      ),
      printable(60),
    ),
  ),
  contentLength: fc.option(fc.oneof(fc.nat().map(String), printable(20))),
  body: fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
    fc
      .record({ protected: fc.string(), payload: fc.string(), signature: fc.string() }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v)),
    fc.uint8Array({ maxLength: 300 }),
  ),
});

/**
 * Protected header members: mostly what a client sends (`$…` placeholders resolved per run), else
 * anything. `auth`: `$auth` is what the resource takes (jwk for newAccount, kid elsewhere).
 */
const header = fc.record({
  alg: mostly(
    "$alg",
    fc.oneof(
      fc.constantFrom("ES256", "ES384", "ES512", "RS256", "EdDSA", "none", "HS256", "ES256K"),
      fc.string(),
    ),
  ),
  nonce: mostly("$fresh", fc.oneof(fc.constantFrom("$used", "$absent", "$foreign"), fc.string(), junk)),
  url: mostly("$target", fc.oneof(fc.constantFrom(...RESOURCES), fc.constant("$absent"), fc.string(), junk)),
  auth: mostly("$auth", fc.oneof(fc.constantFrom("$kid", "$jwk", "$both", "$none", "$strangerJwk"), junk)),
  extra: fc.oneof(
    { arbitrary: fc.constant({}), weight: 4 },
    {
      arbitrary: fc.dictionary(
        fc.oneof(
          fc.constantFrom("crit", "b64", "typ", "cty", "x5c", "jku", "kid", "jwk", "url"),
          fc.string({ maxLength: 8 }),
        ),
        junk,
        { maxKeys: 2 },
      ),
      weight: 1,
    },
  ),
});

const dnsName = fc.oneof(
  fc.constantFrom("example.test", "www.example.test", "*.example.test", "a.b.example.test", "evil.test"),
  fc.domain(),
  fc.string({ maxLength: 30 }),
);

const dateOrJunk = fc.oneof(
  fc
    .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  junk,
);

/** Payloads shaped for each resource (with junk mixed in), so runs reach the handlers' own checks. */
const PAYLOADS: Record<ResourceName, fc.Arbitrary<unknown>> = {
  directory: fc.constant(undefined),
  newNonce: fc.constant(undefined),
  newAccount: fc.record(
    {
      contact: fc.oneof(
        fc.array(
          fc.oneof(
            fc.emailAddress().map((e) => `mailto:${e}`),
            fc.string(),
          ),
          { maxLength: 3 },
        ),
        junk,
      ),
      termsOfServiceAgreed: fc.oneof(fc.boolean(), junk),
      onlyReturnExisting: fc.oneof(fc.boolean(), junk),
      externalAccountBinding: junk,
    },
    { requiredKeys: [] },
  ),
  newOrder: fc.record(
    {
      identifiers: fc.oneof(
        {
          arbitrary: fc.array(fc.record({ type: mostly("dns", fc.string()), value: dnsName }), {
            maxLength: 4,
          }),
          weight: 4,
        },
        { arbitrary: junk, weight: 1 },
      ),
      notBefore: dateOrJunk,
      notAfter: dateOrJunk,
    },
    { requiredKeys: ["identifiers"] },
  ),
  revokeCert: fc.record(
    {
      certificate: fc.oneof(
        fc.constant("$certificate"),
        fc.uint8Array({ maxLength: 200 }).map(b64bytes),
        junk,
      ),
      reason: fc.oneof(fc.integer({ min: -2, max: 12 }), junk),
    },
    { requiredKeys: ["certificate"] },
  ),
  keyChange: fc.oneof(
    fc
      .record(
        {
          account: mostly("$account", junk),
          oldKey: mostly("$oldKey", junk),
          url: mostly("$target", junk),
          jwk: mostly("$newJwk", junk),
        },
        { requiredKeys: ["account", "oldKey", "url", "jwk"] },
      )
      .map((inner) => ({ $inner: inner })),
    junk,
  ),
  account: fc.oneof(
    fc.constant(undefined),
    fc.record(
      {
        contact: fc.oneof(
          fc.array(
            fc.oneof(
              fc.emailAddress().map((e) => `mailto:${e}`),
              fc.string(),
            ),
            { maxLength: 3 },
          ),
          junk,
        ),
        status: fc.oneof(fc.constantFrom("deactivated", "valid", "revoked"), junk),
        termsOfServiceAgreed: fc.oneof(fc.boolean(), junk),
      },
      { requiredKeys: [] },
    ),
  ),
  orders: fc.oneof(fc.constant(undefined), junk),
  order: fc.oneof(fc.constant(undefined), junk),
  finalize: fc.oneof(
    fc.record({ csr: fc.oneof(fc.constant("$csr"), fc.uint8Array({ maxLength: 200 }).map(b64bytes), junk) }),
    junk,
  ),
  authorization: fc.oneof(
    fc.constant(undefined),
    fc.record({ status: fc.oneof(fc.constantFrom("deactivated", "valid"), junk) }, { requiredKeys: [] }),
  ),
  challenge: fc.oneof(fc.constant(undefined), fc.constant({}), junk),
  certificate: fc.oneof(fc.constant(undefined), junk),
};

const signedRequest = fc.constantFrom(...RESOURCES).chain((resource) =>
  fc.record({
    resource: fc.constant(resource),
    header,
    payload: fc.oneof(
      { arbitrary: PAYLOADS[resource], weight: 3 },
      { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    ),
    /** Who signs: the account (mostly), or a stranger's key. */
    byAccount: mostly(true, fc.constant(false)),
  }),
);

function b64bytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** Character-level mutations of a text (a JWS body). */
const textMutations = fc.array(
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom("replace", "delete", "insert"),
    char: fc.oneof(
      fc.constantFrom(...'"{}[],:\\ =+/-_.aA0\u0000\u00ff'.split("")),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
  }),
  { minLength: 1, maxLength: 4 },
);

function mutateText(text: string, mutations: readonly { at: number; op: string; char: string }[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.op === "replace") out = out.slice(0, at) + m.char + out.slice(at + 1);
    else if (m.op === "delete") out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + m.char + out.slice(at);
  }
  return out;
}

/** Byte-level mutations of DER (a CSR, a certificate): flips, deletions, insertions, truncation. */
const byteMutations = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom("flip", "delete", "insert", "truncate"), byte: fc.nat(255) }),
  { minLength: 1, maxLength: 3 },
);

function mutateBytes(
  der: Uint8Array,
  mutations: readonly { at: number; op: string; byte: number }[],
): Uint8Array {
  let out = Buffer.from(der);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.op === "flip") out[at] = (out[at] ?? 0) ^ (m.byte || 1);
    else if (m.op === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    else if (m.op === "insert")
      out = Buffer.concat([out.subarray(0, at), Buffer.from([m.byte]), out.subarray(at)]);
    else out = out.subarray(0, at);
  }
  return out;
}

// ── the properties ───────────────────────────────────────────────────────────────────────

const stranger = generateTestKey("P-256").privateKey;

describe(`fuzzing server.handle (${RUNS} runs per property)`, () => {
  it(
    "arbitrary methods, paths, headers and bodies: a well-formed answer, no stored state changed",
    async () => {
      const pool = new Pool("raw");
      await fc.assert(
        fc.asyncProperty(rawRequest, async (r) => {
          const a = await pool.get();
          const base = a.endpoint.endpointUrl.replace(/\/[^/]+\/directory$/, "");
          const endpoint = r.endpoint === "$endpoint" ? a.endpoint.id : r.endpoint;
          const path = r.segments.map((s) => IDS.get(s)?.(a) ?? s).join("/");
          const url =
            r.resource === undefined
              ? `${base}/${endpoint}/${path}${r.query ?? ""}`
              : `${urlOf(a, r.resource)}${r.query ?? ""}`;
          const headers: Record<string, string> = {};
          if (r.contentType !== null) headers["content-type"] = r.contentType;
          if (r.contentLength !== null) headers["content-length"] = r.contentLength;
          const method = r.method.toUpperCase();
          const hasBody = method !== "GET" && method !== "HEAD";
          const reply = await sendAndCheck(
            pool,
            a,
            async () =>
              read(
                await a.handle(
                  new Request(url, { method: r.method, headers, ...(hasBody ? { body: r.body } : {}) }),
                ),
              ),
            method,
          );
          // Nothing unsigned succeeds but reading the directory and getting a nonce.
          if (reply.status < 400) expect([200, 204], `${method} ${url}`).toContain(reply.status);
        }),
        PARAMETERS,
      );
      pool.report();
    },
    TIMEOUT,
  );

  it(
    "arbitrary signed JWS (protected headers and payloads) to every resource: well formed, refusals change nothing",
    async () => {
      const pool = new Pool("signed");
      await fc.assert(
        fc.asyncProperty(signedRequest, async (r) => {
          const a = await pool.get();
          const target = urlOf(a, r.resource);
          const key: KeyObject = r.byAccount ? a.acme.accountKey : stranger;
          const jws = signText(
            key,
            JSON.stringify(await resolveHeader(a, r.resource, target, key, r.header)),
            r.payload === undefined ? "" : (JSON.stringify(await resolvePayload(a, target, r.payload)) ?? ""),
          );
          await sendAndCheck(pool, a, () => post(a.handle, target, jws));
        }),
        PARAMETERS,
      );
      pool.report();
    },
    TIMEOUT,
  );

  it(
    "valid requests with a few characters changed: well formed, refusals change nothing",
    async () => {
      const pool = new Pool("mutated");
      const kinds = ["newOrder", "account", "finalize", "revokeCert", "keyChange", "newAccount"] as const;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...kinds), textMutations, async (kind, mutations) => {
          const a = await pool.get();
          const { url, body } = await validRequest(a, kind);
          await sendAndCheck(pool, a, () => post(a.handle, url, mutateText(JSON.stringify(body), mutations)));
        }),
        PARAMETERS,
      );
      pool.report();
    },
    TIMEOUT,
  );

  it(
    "finalize with mutated CSRs: badCSR or malformed, the order left ready",
    async () => {
      const pool = new Pool("csr");
      const csrKey = generateTestKey("P-256").privateKey;
      const der = createTestCsr({ privateKey: csrKey, dnsNames: ["fuzz.example.test"] });
      await fc.assert(
        fc.asyncProperty(byteMutations, async (mutations) => {
          const mutated = mutateBytes(der, mutations);
          fc.pre(!Buffer.from(mutated).equals(der));
          const a = await pool.get();
          const created = await a.acme.newOrder(["fuzz.example.test"]);
          const finalizeUrl = String(created.body.finalize);
          const nonce = await a.nonce();
          const jws = await a.acme.body(finalizeUrl, { csr: b64bytes(mutated) }, { nonce });
          const reply = await sendAndCheck(pool, a, () => post(a.handle, finalizeUrl, jws));
          if (reply.status >= 400) {
            expect(["badCSR", "malformed"].map((t) => ACME_ERROR + t)).toContain(reply.body?.type);
            const order = await a.acme.send<{ status: string }>(String(created.location), undefined);
            expect(order.body.status).toBe("ready");
          }
        }),
        PARAMETERS,
      );
      pool.report();
    },
    TIMEOUT,
  );

  it(
    "revokeCert with mutated certificates: refused, the certificate left valid",
    async () => {
      const pool = new Pool("certificate");
      await fc.assert(
        fc.asyncProperty(byteMutations, fc.boolean(), async (mutations, byCertificateKey) => {
          const a = await pool.get();
          const original = Buffer.from(a.certificate, "base64url");
          const mutated = mutateBytes(original, mutations);
          fc.pre(!Buffer.from(mutated).equals(original));
          const nonce = await a.nonce();
          const url = a.acme.directory.revokeCert;
          const jws = await a.acme.body(
            url,
            { certificate: b64bytes(mutated) },
            { nonce, ...(byCertificateKey ? { key: a.issued.certificateKey, useJwk: true } : {}) },
          );
          const reply = await sendAndCheck(pool, a, () => post(a.handle, url, jws));
          expect(reply.status, "a changed certificate is not the issued one").toBeGreaterThanOrEqual(400);
        }),
        PARAMETERS,
      );
      pool.report();
    },
    TIMEOUT,
  );
});

/** The protected header of a run: `$…` placeholders made real for the arena and the target. */
async function resolveHeader(
  a: FuzzArena,
  resource: ResourceName,
  target: string,
  key: KeyObject,
  h: { alg: unknown; nonce: unknown; url: unknown; auth: unknown; extra: Record<string, unknown> },
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...h.extra };
  const set = (name: string, value: unknown) => {
    if (value !== "$absent") out[name] = value;
  };
  set("alg", h.alg === "$alg" ? "ES256" : h.alg);
  if (h.nonce === "$fresh") set("nonce", await a.nonce());
  else if (h.nonce === "$used") {
    const used = await a.nonce();
    await a.storage.nonces.consume(a.endpoint.id, used, a.clock.now());
    set("nonce", used);
  } else if (h.nonce === "$foreign") set("nonce", await a.foreignNonce());
  else set("nonce", h.nonce);
  const named = (RESOURCES as readonly unknown[]).includes(h.url) ? urlOf(a, h.url as ResourceName) : h.url;
  set("url", h.url === "$target" ? target : named);
  const auth = h.auth === "$auth" ? (resource === "newAccount" ? "$jwk" : "$kid") : h.auth;
  if (auth === "$kid" || auth === "$both") out.kid = a.accountUrl;
  if (auth === "$jwk" || auth === "$both") out.jwk = publicJwk(key);
  if (auth === "$strangerJwk") out.jwk = publicJwk(stranger);
  if (typeof auth !== "string") out.kid = auth;
  return out;
}

/** A payload of a run: `$csr`, `$certificate` and the keyChange `$inner` made real. */
async function resolvePayload(a: IssuedArena, target: string, p: unknown): Promise<unknown> {
  if (typeof p !== "object" || p === null || Array.isArray(p)) return p;
  const out: Record<string, unknown> = { ...(p as Record<string, unknown>) };
  if (out.csr === "$csr") {
    out.csr = b64bytes(createTestCsr({ privateKey: stranger, dnsNames: ["example.test"] }));
  }
  if (out.certificate === "$certificate") out.certificate = a.certificate;
  const inner = out.$inner as Record<string, unknown> | undefined;
  if (inner !== undefined) {
    const newKey = generateTestKey("P-256").privateKey;
    const real = (value: unknown, placeholder: string, replacement: unknown) =>
      value === placeholder ? replacement : value;
    return signJws(
      newKey,
      { url: real(inner.url, "$target", target), jwk: real(inner.jwk, "$newJwk", publicJwk(newKey)) },
      {
        account: real(inner.account, "$account", a.accountUrl),
        oldKey: real(inner.oldKey, "$oldKey", publicJwk(a.acme.accountKey)),
      },
    );
  }
  return out;
}

/** A request the server would accept as it is (a fresh nonce; a ready order for finalize). */
async function validRequest(a: IssuedArena, kind: string): Promise<{ url: string; body: unknown }> {
  const nonce = await a.nonce();
  switch (kind) {
    case "newOrder":
      return {
        url: a.acme.directory.newOrder,
        body: await a.acme.body(
          a.acme.directory.newOrder,
          { identifiers: [{ type: "dns", value: "www.example.test" }] },
          { nonce },
        ),
      };
    case "account":
      return {
        url: a.accountUrl,
        body: await a.acme.body(a.accountUrl, { contact: ["mailto:fuzz@example.test"] }, { nonce }),
      };
    case "finalize": {
      const created = await a.acme.newOrder(["fuzz.example.test"]);
      const url = String(created.body.finalize);
      const csr = createTestCsr({ privateKey: stranger, dnsNames: ["fuzz.example.test"] });
      return { url, body: await a.acme.body(url, { csr: b64bytes(csr) }, { nonce: await a.nonce() }) };
    }
    case "revokeCert": {
      const url = a.acme.directory.revokeCert;
      return { url, body: await a.acme.body(url, { certificate: a.certificate, reason: 4 }, { nonce }) };
    }
    case "keyChange": {
      const url = a.acme.directory.keyChange;
      const newKey = generateTestKey("P-256").privateKey;
      const inner = await signJws(
        newKey,
        { url, jwk: publicJwk(newKey) },
        { account: a.accountUrl, oldKey: publicJwk(a.acme.accountKey) },
      );
      return { url, body: await a.acme.body(url, inner, { nonce }) };
    }
    default: {
      const url = a.acme.directory.newAccount;
      const key = generateTestKey("P-256").privateKey;
      return {
        url,
        body: await signJws(key, { nonce, url, jwk: publicJwk(key) }, { termsOfServiceAgreed: true }),
      };
    }
  }
}
