/**
 * Shared machinery of the attack corpus (issue 5): a server whose storage records every
 * successful write, a fake clock, raw JWS signing that a careful client library would refuse to
 * do, and the assertions every case ends with: a precise RFC 8555 problem document, no stored
 * state changed, the documented fate of the request's nonce, and a server that still serves.
 */
import { Buffer } from "node:buffer";
import { createHmac, type KeyObject, sign } from "node:crypto";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { calculateJwkThumbprint } from "jose";
import type { ResultAsync } from "neverthrow";
import { expect, it } from "vitest";
import type { CreateEndpointInput } from "../../management/endpoints.js";
import type { AcmeStorage, AcmeStores } from "../../ports/storage.js";
import type { AcmeServerOptions } from "../../server.js";
import { type IssuedForTest, publicJwk, TestAcmeClient } from "../../testing/acme-client.js";
import { createTestServer, type TestServer } from "../../testing/test-server.js";
import { PROBLEM } from "../setup.js";

export { PROBLEM };

/** Problem details are for people: one that echoes kilobytes of attacker input is a defect. */
export const MAX_DETAIL_CHARS = 1024;

const STORE_NAMES = [
  "endpoints",
  "domainValidations",
  "externalAccountKeys",
  "accounts",
  "orders",
  "authorizations",
  "certificates",
  "nonces",
  "caMaterials",
] as const satisfies readonly (keyof AcmeStores)[];

const WRITES = new Set(["insert", "update", "delete", "putIfAbsent", "consume"]);

/**
 * Wraps a storage so that every write that took effect is logged as `store.method` (writes in a
 * transaction are logged only when it commits). Nonce traffic (`nonces.*`) is logged too, but
 * `stateWrites()` leaves it out: every response issues a nonce (RFC 8555 §6.5).
 */
export function spyOnWrites(inner: AcmeStorage): {
  readonly storage: AcmeStorage;
  readonly log: string[];
  stateWrites(): string[];
  reset(): void;
} {
  const log: string[] = [];
  const wrapStores = (stores: AcmeStores, sink: string[]): AcmeStores => {
    // Counters, not records: passed through unlogged (a refused finalize is meant to count as
    // CertificateIssuanceFailed). Left out, the metrics recorder failed on every issuance.
    const wrapped: Record<string, unknown> = { metrics: stores.metrics, rateLimits: stores.rateLimits };
    for (const name of STORE_NAMES) {
      const store = stores[name] as unknown as Record<string, unknown>;
      wrapped[name] = new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== "function") return value;
          const method = value as (...args: unknown[]) => unknown;
          if (!WRITES.has(String(prop))) return method.bind(target);
          return (...args: unknown[]) =>
            (method.apply(target, args) as ResultAsync<unknown, unknown>).map((result) => {
              if (!(prop === "consume" && result === false)) sink.push(`${name}.${String(prop)}`);
              return result;
            });
        },
      });
    }
    return wrapped as unknown as AcmeStores;
  };
  const storage: AcmeStorage = {
    ...wrapStores(inner, log),
    transaction: (work) => {
      const pending: string[] = [];
      return inner
        .transaction((tx) => work(wrapStores(tx, pending)))
        .map((value) => {
          log.push(...pending);
          return value;
        });
    },
  };
  return {
    storage,
    log,
    stateWrites: () => log.filter((entry) => !entry.startsWith("nonces.")),
    reset: () => {
      log.length = 0;
    },
  };
}

/** A clock the test moves: nonce, order and EAB expiry without waiting. */
export interface FakeClock {
  now(): Date;
  advance(ms: number): void;
}

export function fakeClock(start = Date.now()): FakeClock {
  let time = start;
  return {
    now: () => new Date(time),
    advance: (ms) => {
      time += ms;
    },
  };
}

/**
 * One server with one endpoint (example.test, subdomains and wildcards) and a registered account
 * (contact `mailto:owner@example.test` unless given).
 */
export interface Arena extends TestServer {
  readonly storage: AcmeStorage;
  readonly spy: ReturnType<typeof spyOnWrites>;
  readonly clock: FakeClock;
  /** Registered (P-256 unless `accountKey` was given). */
  readonly acme: TestAcmeClient;
  /** The registered account's URL (its `kid`). */
  readonly accountUrl: string;
  readonly handle: (request: Request) => Promise<Response>;
  /** A fresh nonce of the arena's endpoint. */
  nonce(): Promise<string>;
  /** Another endpoint on the same server, with a registered account of its own. */
  otherEndpoint(input?: CreateEndpointInput): Promise<{ readonly acme: TestAcmeClient; readonly id: string }>;
}

export interface ArenaOptions {
  readonly endpoint?: CreateEndpointInput;
  readonly server?: Partial<AcmeServerOptions>;
  readonly accountKey?: KeyObject;
  /** The registered account's contact (default `mailto:owner@example.test`). */
  readonly contact?: string;
}

export async function arena(options: ArenaOptions = {}): Promise<Arena> {
  const spy = spyOnWrites(createMemoryStorage());
  const clock = fakeClock();
  const test = await createTestServer({
    storage: spy.storage,
    clock,
    endpoint: options.endpoint ?? {},
    ...options.server,
  });
  const handle = test.server.handle;
  const acme = await TestAcmeClient.create({
    fetch: handle,
    directoryUrl: test.endpoint.endpointUrl,
    ...(options.accountKey ? { accountKey: options.accountKey } : {}),
  });
  const registered = await acme.register({
    termsOfServiceAgreed: true,
    contact: [options.contact ?? "mailto:owner@example.test"],
  });
  if (registered.status !== 201) throw new Error(`registering: ${JSON.stringify(registered.body)}`);
  spy.reset();
  return {
    ...test,
    storage: spy.storage,
    spy,
    clock,
    acme,
    accountUrl: String(acme.accountUrl),
    handle,
    nonce: () => freshNonce(handle, acme.directory.newNonce),
    otherEndpoint: async (input = {}) => {
      const created = await test.server.endpoints.create({ name: "other", ...input });
      if (created.isErr()) throw new Error(created.error.message);
      const added = await test.server.domains.add({
        endpointId: created.value.id,
        domainName: "example.test",
        scope: { exactDomain: true, subdomains: true, wildcards: true },
      });
      if (added.isErr()) throw new Error(added.error.message);
      const other = await TestAcmeClient.create({ fetch: handle, directoryUrl: created.value.endpointUrl });
      await other.register();
      spy.reset();
      return { acme: other, id: created.value.id };
    },
  };
}

export async function freshNonce(handle: Arena["handle"], newNonceUrl: string): Promise<string> {
  const response = await handle(new Request(newNonceUrl, { method: "HEAD" }));
  const nonce = response.headers.get("replay-nonce");
  if (nonce === null) throw new Error(`newNonce answered ${response.status} without a nonce`);
  return nonce;
}

/** A response read once: status, headers, text, and the JSON body when there is one. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: Record<string, unknown> | undefined;
}

export async function read(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  if ((response.headers.get("content-type") ?? "").includes("json") && text.length > 0) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POSTs `body` (a string as is, anything else as JSON) with `application/jose+json` by default. */
export async function post(
  handle: Arena["handle"],
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return read(
    await handle(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/jose+json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    ),
  );
}

export const b64 = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

export interface Flattened {
  protected: string;
  payload: string;
  signature: string;
}

/**
 * Signs the exact `protectedText` and `payload` bytes (no re-serialization, so duplicate members
 * and odd bytes survive): an asymmetric key signs as its JWS algorithm does, whatever the header
 * claims; a Buffer is an HMAC-SHA-256 key (HS256).
 */
export function signText(
  key: KeyObject | Buffer,
  protectedText: string,
  payload: string | Uint8Array,
): Flattened {
  const protectedB64 = Buffer.from(protectedText).toString("base64url");
  const payloadB64 = Buffer.from(payload).toString("base64url");
  const input = Buffer.from(`${protectedB64}.${payloadB64}`);
  const signature = Buffer.isBuffer(key)
    ? createHmac("sha256", key).update(input).digest()
    : sign(hashFor(key), input, { key, dsaEncoding: "ieee-p1363" });
  return { protected: protectedB64, payload: payloadB64, signature: signature.toString("base64url") };
}

/** The digest a key signs with under its JWS algorithm (none for EdDSA keys). */
export function hashFor(key: KeyObject): string | null {
  const type = key.asymmetricKeyType;
  if (type === "ed25519" || type === "ed448") return null;
  if (type === "rsa") return "sha256";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === "secp384r1" ? "sha384" : curve === "secp521r1" ? "sha512" : "sha256";
}

/** RFC 7638 thumbprint of a key: how storage finds the account of a key. */
export function thumbprint(key: KeyObject): Promise<string> {
  return calculateJwkThumbprint(publicJwk(key) as Parameters<typeof calculateJwkThumbprint>[0], "sha256");
}

export interface ExpectedProblem {
  readonly status: number;
  /** The RFC 8555 §6.7 type without its `urn:ietf:params:acme:error:` prefix. */
  readonly type: string;
  /** What the detail must say, so a client author knows what to fix. */
  readonly detail: RegExp;
  /** Further members the problem must have (e.g. `algorithms`). */
  readonly extra?: Record<string, unknown>;
  /** Headers the response must carry (e.g. `Allow`, `Location`). */
  readonly headers?: Record<string, string>;
}

/**
 * A precise problem document: the status, `application/problem+json`, the RFC 8555 type, the
 * same `status` member, a detail that says what to fix and does not echo kilobytes back, and
 * (at an endpoint that exists, RFC 8555 §6.5) a fresh Replay-Nonce to retry with.
 */
export function expectProblem(reply: Reply, expected: ExpectedProblem, options: { nonce?: boolean } = {}) {
  const shown = reply.text.slice(0, 600);
  expect(reply.status, shown).toBe(expected.status);
  expect(reply.headers.get("content-type"), shown).toBe("application/problem+json");
  expect(reply.body, shown).toMatchObject({
    type: PROBLEM(expected.type),
    status: expected.status,
    ...expected.extra,
  });
  const detail = reply.body?.detail;
  expect(typeof detail, shown).toBe("string");
  expect(String(detail), shown).toMatch(expected.detail);
  expect(String(detail).length, "detail length").toBeLessThanOrEqual(MAX_DETAIL_CHARS);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    expect(reply.headers.get(name), name).toBe(value);
  }
  if (options.nonce !== false) expect(reply.headers.get("replay-nonce"), "Replay-Nonce").toMatch(/^[\w-]+$/);
}

/** Nothing but nonces was written since `spy.reset()`. */
export function expectNoStateChange(a: Pick<Arena, "spy">) {
  expect(a.spy.stateWrites(), "stored state changed").toEqual([]);
}

/**
 * The documented fate of a request's nonce (jws/authenticate.ts: Content-Type → body → flattened
 * JWS (incl. `crit`/`b64`) → algorithm → jwk/kid → url → nonce → key → signature → payload):
 * a request refused before the nonce step leaves it usable ("kept"); one refused at or after it
 * has spent it ("consumed", it is single-use, RFC 8555 §6.5). Checking spends it either way.
 */
export async function expectNonce(a: Arena, nonce: string, fate: "kept" | "consumed") {
  const usable = (await a.storage.nonces.consume(a.endpoint.id, nonce, a.clock.now()))._unsafeUnwrap();
  expect(usable ? "kept" : "consumed", "the request's nonce").toBe(fate);
}

/**
 * The server still answers: newNonce, and the arena's account reads itself (or, when the case
 * deactivated that account on purpose, a new account registers).
 */
export async function expectServing(a: Arena, options: { accountGone?: boolean } = {}) {
  const head = await a.handle(new Request(a.acme.directory.newNonce, { method: "HEAD" }));
  expect(head.status, "newNonce after the attack").toBe(200);
  if (options.accountGone === true) {
    const fresh = await a.client();
    expect((await fresh.register()).status, "a new registration after the attack").toBe(201);
    return;
  }
  const self = await a.acme.send(a.accountUrl, undefined);
  expect(self.status, "POST-as-GET of the account after the attack").toBe(200);
}

/** `it`, or `it.fails` for a known bug (plain `it` under ATTACK_SHOW_BUGS=1, to see the failure). */
export function knownBug(bug: string | undefined): typeof it | typeof it.fails {
  return bug === undefined || process.env.ATTACK_SHOW_BUGS === "1" ? it : it.fails;
}

/** One row of an attack table: what to send, and the problem it must end in. */
export interface AttackCase<A extends Arena = Arena> {
  readonly name: string;
  /** Set when the server gets it wrong today: the test runs as `it.fails` until fixed. */
  readonly bug?: string;
  /** Builds a fresh arena for the case (default: `arena()`). */
  readonly arena?: () => Promise<A>;
  /** Runs before the spy is reset: state the attack needs (orders, other accounts, …). */
  readonly send: (a: A) => Promise<{ readonly reply: Reply; readonly nonce?: string }>;
  readonly expect: ExpectedProblem;
  /** The documented fate of the attack's nonce (see `expectNonce`). */
  readonly nonce?: "kept" | "consumed";
  /** Further checks of what must not have changed. */
  readonly after?: (a: A, reply: Reply) => Promise<void>;
  /** The case deactivated the arena's account itself: check serving with a new account. */
  readonly accountGone?: boolean;
}

/**
 * Registers one test per row: a fresh arena, the attack, then the problem, no stored state
 * changed, the nonce's documented fate, any further check, and a server that still serves.
 * A row with `bug` is `it.fails`: it asserts the right behaviour and fails until the fix. Run
 * with `ATTACK_SHOW_BUGS=1` to run those rows as plain tests and read why each one fails.
 */
export function attackTable<A extends Arena>(
  cases: readonly AttackCase<A>[],
  defaults: { arena: () => Promise<A> },
) {
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
    names.add(c.name);
    knownBug(c.bug)(c.name, async () => {
      const a = await (c.arena ?? defaults.arena)();
      const { reply, nonce } = await c.send(a);
      expectProblem(reply, c.expect);
      expectNoStateChange(a);
      if (c.nonce !== undefined) {
        if (nonce === undefined) throw new Error(`case ${c.name} declares a nonce fate but sent none`);
        await expectNonce(a, nonce, c.nonce);
      }
      await c.after?.(a, reply);
      await expectServing(a, { accountGone: c.accountGone === true });
    });
  }
}

/** An arena whose account has an issued certificate: every per-account resource URL exists. */
export interface IssuedArena extends Arena {
  readonly issued: IssuedForTest;
  readonly serial: string;
  /** The leaf certificate, DER, base64url: what revokeCert takes. */
  readonly certificate: string;
  readonly urls: {
    readonly account: string;
    readonly orders: string;
    readonly order: string;
    readonly finalize: string;
    readonly authorization: string;
    readonly challenge: string;
    readonly certificate: string;
  };
}

export async function issuedArena(
  options: ArenaOptions & { readonly names?: readonly string[] } = {},
): Promise<IssuedArena> {
  const a = await arena(options);
  const issued = await a.acme.issue(options.names ?? ["example.test"]);
  const [authorization] = issued.order.authorizations as string[];
  const authz = await a.acme.send<{ challenges: { url: string }[] }>(String(authorization), undefined);
  const challenge = authz.body.challenges[0]?.url;
  const certificateUrl = String(issued.order.certificate);
  a.spy.reset();
  return {
    ...a,
    issued,
    serial: String(certificateUrl.split("/").pop()),
    certificate: leafDer(issued.certificatePem),
    urls: {
      account: a.accountUrl,
      orders: `${a.accountUrl}/orders`,
      order: issued.orderUrl,
      finalize: String(issued.order.finalize),
      authorization: String(authorization),
      challenge: String(challenge),
      certificate: certificateUrl,
    },
  };
}

/** The first certificate of a PEM chain, DER, base64url. */
export function leafDer(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([^-]+)-----END/.exec(pem)?.[1] ?? "";
  return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("base64url");
}
