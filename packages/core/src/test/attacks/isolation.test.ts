/**
 * Tenant isolation matrix (issue 5): endpoints A and B on one server, and C, deleted. Every
 * resource of endpoint A (account, orders list, order, finalize, authorization, challenge,
 * certificate, revokeCert with A's certificate, keyChange of A's account) is requested with the
 * credentials of B (its account key and kid, its nonces) and of the deleted C, at A's URLs, at
 * B's URLs carrying A's ids, and at C's. Each request is refused with a precise problem, nothing
 * of A is stored differently, and nothing of A the request did not already carry shows in the
 * response (body or headers). At B's URLs, A's ids get the very answer an id that exists nowhere
 * gets, so B cannot even learn that they exist.
 */
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { createTestCsr } from "../../crypto/test-csr.js";
import { generateTestKey, publicJwk, signJws, type TestAcmeClient } from "../../testing/acme-client.js";
import {
  type ExpectedProblem,
  expectNoStateChange,
  expectProblem,
  expectServing,
  freshNonce,
  type IssuedArena,
  issuedArena,
  post,
  type Reply,
  thumbprint,
} from "./harness.js";

const A_NAME = "secret-a.example.test";
const A_CONTACT = "mailto:alice-a@example.test";

interface World extends IssuedArena {
  readonly b: { readonly acme: TestAcmeClient; readonly id: string };
  readonly c: { readonly acme: TestAcmeClient; readonly id: string; readonly nonce: string };
  /** A ready order of A's account: the target of finalize. */
  readonly readyOrder: { readonly url: string; readonly finalize: string };
  /** Everything of A that must not show in an answer to someone else. */
  readonly secrets: readonly string[];
}

async function world(): Promise<World> {
  const a = await issuedArena({ names: [A_NAME], contact: A_CONTACT });
  const ready = await a.acme.newOrder([A_NAME]);
  const b = await a.otherEndpoint({ name: "b" });
  const c = await a.otherEndpoint({ name: "c" });
  const cNonce = await c.acme.nonce();
  (await a.server.endpoints.delete(c.id))._unsafeUnwrap();
  const authz = await a.acme.send<{ challenges: { token: string }[] }>(a.urls.authorization, undefined);
  const last = (url: string) => String(url.split("/").pop());
  const secrets = [
    last(a.urls.account),
    last(a.urls.order),
    last(String(ready.location)),
    last(a.urls.authorization),
    last(a.urls.challenge),
    String(authz.body.challenges[0]?.token),
    a.serial,
    A_NAME,
    A_CONTACT.slice("mailto:".length),
    await thumbprint(a.acme.accountKey),
  ];
  a.spy.reset();
  return {
    ...a,
    b,
    c: { ...c, nonce: cNonce },
    readyOrder: { url: String(ready.location), finalize: String(ready.body.finalize) },
    secrets,
  };
}

/** What each of A's resources is asked to do: the most damaging request it takes. */
interface Target {
  readonly name: string;
  /** A's URL of the resource. */
  readonly url: (w: World) => string;
  /** The same resource as endpoint `base` would name it (B's URL with A's ids, or C's). */
  readonly at: (w: World, endpointId: string) => string;
  readonly payload: (w: World, url: string) => Promise<unknown>;
  /** At B's URL with A's ids, signed by B: the problem (the same as for an id that exists nowhere). */
  readonly swapped: ExpectedProblem;
  /** Replaces A's ids in a swapped URL by ids that exist nowhere (for the comparison). */
  readonly nowhere?: (url: string) => string;
}

const swapEndpoint = (w: World, url: string, endpointId: string) =>
  url.replace(`/${w.endpoint.id}/`, `/${endpointId}/`);
const lastSegment = (url: string) => url.replace(/[^/]+$/, "nowhere0000000000");

const targets: readonly Target[] = [
  {
    name: "account (deactivation)",
    url: (w) => w.urls.account,
    at: (w, id) => swapEndpoint(w, w.urls.account, id),
    payload: async () => ({ status: "deactivated" }),
    swapped: {
      status: 403,
      type: "unauthorized",
      detail: /An account can only be read or changed with its own key/,
    },
    nowhere: lastSegment,
  },
  {
    name: "orders list",
    url: (w) => w.urls.orders,
    at: (w, id) => swapEndpoint(w, w.urls.orders, id),
    payload: async () => undefined,
    swapped: {
      status: 403,
      type: "unauthorized",
      detail: /orders list can only be read with that account's key/,
    },
    nowhere: (url) => url.replace(/acct\/[^/]+/, "acct/nowhere0000000000"),
  },
  {
    name: "order",
    url: (w) => w.urls.order,
    at: (w, id) => swapEndpoint(w, w.urls.order, id),
    payload: async () => undefined,
    swapped: { status: 404, type: "malformed", detail: /^No such order at this endpoint\.$/ },
    nowhere: lastSegment,
  },
  {
    name: "finalize (of A's ready order)",
    url: (w) => w.readyOrder.finalize,
    at: (w, id) => swapEndpoint(w, w.readyOrder.finalize, id),
    payload: async () => ({
      csr: Buffer.from(
        createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: [A_NAME] }),
      ).toString("base64url"),
    }),
    swapped: { status: 404, type: "malformed", detail: /^No such order at this endpoint\.$/ },
    nowhere: (url) => url.replace(/order\/[^/]+/, "order/nowhere0000000000"),
  },
  {
    name: "authorization (deactivation)",
    url: (w) => w.urls.authorization,
    at: (w, id) => swapEndpoint(w, w.urls.authorization, id),
    payload: async () => ({ status: "deactivated" }),
    swapped: { status: 404, type: "malformed", detail: /^No such authorization at this endpoint\.$/ },
    nowhere: lastSegment,
  },
  {
    name: "challenge",
    url: (w) => w.urls.challenge,
    at: (w, id) => swapEndpoint(w, w.urls.challenge, id),
    payload: async () => ({}),
    swapped: { status: 404, type: "malformed", detail: /^No such challenge at this endpoint\.$/ },
    nowhere: (url) => url.replace(/chall\/[^/]+\/[^/]+$/, "chall/nowhere0000000000/nowhere0000000000"),
  },
  {
    name: "certificate",
    url: (w) => w.urls.certificate,
    at: (w, id) => swapEndpoint(w, w.urls.certificate, id),
    payload: async () => undefined,
    swapped: { status: 404, type: "malformed", detail: /^No such certificate at this endpoint\.$/ },
    nowhere: (url) => url.replace(/[^/]+$/, "1234567890abcdef"),
  },
  {
    name: "revokeCert with A's certificate",
    url: (w) => w.acme.directory.revokeCert,
    at: (w, id) => swapEndpoint(w, w.acme.directory.revokeCert, id),
    payload: async (w) => ({ certificate: w.certificate, reason: 1 }),
    swapped: {
      status: 404,
      type: "malformed",
      detail: /^This certificate was not issued by this endpoint\.$/,
    },
  },
  {
    name: "keyChange of A's account",
    url: (w) => w.acme.directory.keyChange,
    at: (w, id) => swapEndpoint(w, w.acme.directory.keyChange, id),
    payload: async (w, url) => {
      const newKey = generateTestKey("P-256").privateKey;
      return signJws(
        newKey,
        { url, jwk: publicJwk(newKey) },
        { account: w.urls.account, oldKey: publicJwk(w.acme.accountKey) },
      );
    },
    swapped: { status: 400, type: "malformed", detail: /The inner payload's `account` must be/ },
  },
];

/** Who asks, with which nonce, and what A's URLs must answer them. */
interface Credential {
  readonly name: string;
  readonly sign: (w: World, url: string, payload: unknown) => Promise<unknown>;
  readonly expect: (t: Target) => ExpectedProblem;
}

const aNonce = (w: World) => freshNonce(w.handle, w.acme.directory.newNonce);

const credentials: readonly Credential[] = [
  {
    name: "B's account (kid) and B's nonce",
    sign: async (w, url, payload) => w.b.acme.body(url, payload, { nonce: await w.b.acme.nonce() }),
    expect: () => ({ status: 400, type: "badNonce", detail: /The nonce is unknown, used or expired/ }),
  },
  {
    name: "B's account (kid) and a nonce of A",
    sign: async (w, url, payload) => w.b.acme.body(url, payload, { nonce: await aNonce(w) }),
    expect: () => ({
      status: 400,
      type: "accountDoesNotExist",
      detail: /is not an account URL of this endpoint/,
    }),
  },
  {
    name: "B's account key in jwk and a nonce of A",
    sign: async (w, url, payload) => w.b.acme.body(url, payload, { nonce: await aNonce(w), useJwk: true }),
    expect: (t) =>
      t.name.startsWith("revokeCert")
        ? { status: 403, type: "unauthorized", detail: /The JWS key is not this certificate's key/ }
        : { status: 400, type: "malformed", detail: /needs a JWS with `kid`/ },
  },
  {
    name: "B's account key claiming A's account URL as kid",
    sign: async (w, url, payload) =>
      w.b.acme.body(url, payload, { nonce: await aNonce(w), header: { kid: w.urls.account } }),
    expect: () => ({ status: 400, type: "malformed", detail: /signature does not verify/ }),
  },
  {
    name: "deleted C's account (kid) and C's nonce",
    sign: (w, url, payload) => w.c.acme.body(url, payload, { nonce: w.c.nonce }),
    expect: () => ({ status: 400, type: "badNonce", detail: /The nonce is unknown, used or expired/ }),
  },
  {
    name: "deleted C's account (kid) and a nonce of A",
    sign: async (w, url, payload) => w.c.acme.body(url, payload, { nonce: await aNonce(w) }),
    expect: () => ({
      status: 400,
      type: "accountDoesNotExist",
      detail: /is not an account URL of this endpoint/,
    }),
  },
];

/** Snapshot of A's records through the storage API. */
async function recordsOfA(w: World) {
  const s = w.storage;
  const id = w.endpoint.id;
  const last = (url: string) => String(url.split("/").pop());
  return JSON.stringify([
    (await s.accounts.get(id, last(w.urls.account)))._unsafeUnwrap(),
    (await s.accounts.getByThumbprint(id, await thumbprint(w.acme.accountKey)))._unsafeUnwrap()?.id,
    (await s.orders.listByAccount(id, last(w.urls.account), { limit: 10 }))._unsafeUnwrap(),
    (await s.authorizations.get(id, last(w.urls.authorization)))._unsafeUnwrap(),
    (await s.certificates.get(id, w.serial))._unsafeUnwrap(),
  ]);
}

/** Nothing of A shows in the answer, but what the request itself carried (its URL). */
function expectNothingOfA(w: World, reply: Reply, requestUrl: string) {
  const shown = [reply.text, ...[...reply.headers].map(([name, value]) => `${name}: ${value}`)].join("\n");
  for (const secret of w.secrets.filter((s) => !requestUrl.includes(s))) {
    expect(shown, `the answer reveals ${secret}`).not.toContain(secret);
  }
}

async function attempt(w: World, url: string, body: unknown) {
  return post(w.handle, url, body);
}

describe("tenant isolation: A's resources with B's and deleted C's credentials", () => {
  for (const t of targets) {
    describe(t.name, () => {
      for (const cred of credentials) {
        it(`at A's URL, with ${cred.name}`, async () => {
          const w = await world();
          const before = await recordsOfA(w);
          const url = t.url(w);
          const body = await cred.sign(w, url, await t.payload(w, url));
          w.spy.reset();
          const reply = await attempt(w, url, body);
          expectProblem(reply, cred.expect(t));
          expectNothingOfA(w, reply, url);
          expectNoStateChange(w);
          expect(await recordsOfA(w)).toBe(before);
          await expectServing(w);
        });
      }

      it("at B's URL carrying A's ids, with B's account: the answer of an id that exists nowhere", async () => {
        const w = await world();
        const before = await recordsOfA(w);
        const url = t.at(w, w.b.id);
        const body = await w.b.acme.body(url, await t.payload(w, url), { nonce: await w.b.acme.nonce() });
        w.spy.reset();
        const reply = await attempt(w, url, body);
        expectProblem(reply, t.swapped);
        expectNothingOfA(w, reply, url);
        expectNoStateChange(w);
        expect(await recordsOfA(w)).toBe(before);
        if (t.nowhere !== undefined) {
          const elsewhere = t.nowhere(url);
          const control = await attempt(
            w,
            elsewhere,
            await w.b.acme.body(elsewhere, await t.payload(w, elsewhere), { nonce: await w.b.acme.nonce() }),
          );
          expect([control.status, control.body?.type, control.body?.detail]).toEqual([
            reply.status,
            reply.body?.type,
            reply.body?.detail,
          ]);
        }
        await expectServing(w);
      });

      it("at deleted C's URL carrying A's ids, with C's account", async () => {
        const w = await world();
        const before = await recordsOfA(w);
        const url = t.at(w, w.c.id);
        const body = await w.c.acme.body(url, await t.payload(w, url), { nonce: w.c.nonce });
        w.spy.reset();
        const reply = await attempt(w, url, body);
        expectProblem(
          reply,
          {
            status: 404,
            type: "malformed",
            detail: new RegExp(`^No ACME endpoint ${w.c.id} exists here\\.$`),
          },
          { nonce: false },
        );
        expectNothingOfA(w, reply, url);
        expectNoStateChange(w);
        expect(await recordsOfA(w)).toBe(before);
        await expectServing(w);
      });
    });
  }
});
