/**
 * Attack corpus, finalize (RFC 8555 §7.4): CSRs that are not validly signed, name more, fewer
 * or other names than the order, carry a key the endpoint does not allow, or ask for a CA; and
 * finalize of orders that are not `ready` or not the signer's. The order stays as it was (a
 * client may fix its CSR and retry) and no certificate is issued.
 *
 * Names only in the CN: RFC 8555 §7.4 lets a CSR carry its names "in the commonName … or in an
 * extensionRequest attribute … or both", so a CN-only CSR naming exactly the order's one name is
 * accepted (a control below; the certificate carries the name as a subjectAltName). A CN-only
 * CSR for a two-name order lacks one, and is refused.
 */
import { Buffer } from "node:buffer";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestCsr, type TestCsrOptions } from "../../crypto/test-csr.js";
import type { Order } from "../../domain/types.js";
import type { CreateEndpointInput } from "../../management/endpoints.js";
import { generateTestKey, type TestKeyType } from "../../testing/acme-client.js";
import { parseChain, sanNames } from "../setup.js";
import { type Arena, type AttackCase, arena, attackTable, post } from "./harness.js";

const NAMES = ["a.example.test", "b.example.test"];

interface FinalizeArena extends Arena {
  readonly orderId: string;
  readonly finalizeUrl: string;
  /** The order as stored just before the attack. */
  before?: Order;
}

async function readyArena(
  endpoint: CreateEndpointInput = {},
  names = NAMES,
  accountKey?: KeyObject,
): Promise<FinalizeArena> {
  const a = await arena(accountKey === undefined ? { endpoint } : { endpoint, accountKey });
  const created = await a.acme.newOrder(names);
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  a.spy.reset();
  return {
    ...a,
    orderId: String(created.location?.split("/").pop()),
    finalizeUrl: String(created.body.finalize),
  };
}

async function storedOrder(a: FinalizeArena): Promise<Order | undefined> {
  return (await a.storage.orders.get(a.endpoint.id, a.orderId))._unsafeUnwrap();
}

/** Finalizes the arena's order with `payload`, signed by `signer` (the arena's account by default). */
async function finalize(a: FinalizeArena, payload: unknown, signer = a.acme) {
  a.before = await storedOrder(a);
  a.spy.reset();
  const nonce = await a.nonce();
  const body = await signer.body(a.finalizeUrl, payload, { nonce });
  return { reply: await post(a.handle, a.finalizeUrl, body), nonce };
}

const csrOf = (der: Uint8Array) => ({ csr: Buffer.from(der).toString("base64url") });
const key = (type: TestKeyType = "P-256") => generateTestKey(type).privateKey;
const csr = (options: Partial<TestCsrOptions>) =>
  createTestCsr({ privateKey: key(), dnsNames: NAMES, ...options });

/** The order is exactly as it was before the attack: same status, version, no certificate. */
async function orderUnchanged(a: FinalizeArena) {
  expect(await storedOrder(a)).toEqual(a.before);
}

function row(
  name: string,
  payload: (a: FinalizeArena) => unknown,
  expected: AttackCase["expect"],
  extra: Partial<AttackCase<FinalizeArena>> = {},
): AttackCase<FinalizeArena> {
  return {
    name,
    send: (a) => finalize(a, payload(a)),
    expect: expected,
    nonce: "consumed",
    after: orderUnchanged,
    ...extra,
  };
}

const badCsr = (detail: RegExp) => ({ status: 400, type: "badCSR", detail });

/** A CSR whose signed bytes were changed after signing: "b.example.test" → "c.example.test". */
function tamperedName(): Uint8Array {
  const der = Buffer.from(csr({}));
  const at = der.indexOf("b.example.test");
  der.write("c", at);
  return der;
}

function flippedSignature(): Uint8Array {
  const der = Buffer.from(csr({}));
  const last = der.length - 3;
  der[last] = (der[last] ?? 0) ^ 0xff;
  return der;
}

const SEED_ALGORITHMS: CreateEndpointInput = {
  certificateAuthority: { allowedKeyAlgorithms: ["RSA_2048", "EC_prime256v1", "EC_secp384r1"] },
};
const NOT_ALLOWED = (label: string) =>
  badCsr(
    new RegExp(
      `The CSR's key is ${label}; this endpoint only issues for RSA 2048 \\(RSA_2048\\), ECDSA P-256 \\(EC_prime256v1\\), ECDSA P-384 \\(EC_secp384r1\\)`,
    ),
  );

function disallowedKey(label: string, make: () => KeyObject): AttackCase<FinalizeArena> {
  return row(
    `key not allowed by the endpoint: ${label}`,
    () => csrOf(csr({ privateKey: make() })),
    NOT_ALLOWED(label),
    {
      arena: () => readyArena(SEED_ALGORITHMS),
    },
  );
}

/** Puts the arena's order in `status` through storage, as time or a crash would. */
function orderIn(status: Order["status"], extra: Partial<Order> = {}) {
  return async () => {
    const a = await readyArena();
    const order = await storedOrder(a);
    if (order === undefined) throw new Error("no order");
    (await a.storage.orders.update({ ...order, status, ...extra }))._unsafeUnwrap();
    a.spy.reset();
    return a;
  };
}

const cases: AttackCase<FinalizeArena>[] = [
  // ── the CSR itself ───────────────────────────────────────────────────────────────────
  row(
    "CSR signature invalid (a flipped signature byte)",
    () => csrOf(flippedSignature()),
    badCsr(/CSR signature does not verify/),
  ),
  row(
    "CSR whose signed name was changed after signing",
    () => csrOf(tamperedName()),
    badCsr(/CSR signature does not verify/),
  ),
  row(
    "CSR that is not DER",
    () => csrOf(Buffer.from("this is not a certificate request")),
    badCsr(/CSR is not valid DER/),
  ),
  row(
    "CSR with trailing bytes",
    () => csrOf(Buffer.concat([Buffer.from(csr({})), Buffer.from([0, 0])])),
    badCsr(/not valid DER/),
  ),
  row("csr member missing", () => ({}), {
    status: 400,
    type: "malformed",
    detail: /finalize needs `csr`: the DER CSR, base64url-encoded/,
  }),
  row("csr that is not base64url", () => ({ csr: "MII+/==" }), {
    status: 400,
    type: "malformed",
    detail: /needs `csr`/,
  }),
  row("csr that is a number", () => ({ csr: 42 }), { status: 400, type: "malformed", detail: /needs `csr`/ }),
  row("csr empty", () => ({ csr: "" }), { status: 400, type: "malformed", detail: /needs `csr`/ }),
  row("finalize with POST-as-GET (no payload)", () => undefined, {
    status: 400,
    type: "malformed",
    detail: /needs `csr`/,
  }),
  // ── names ────────────────────────────────────────────────────────────────────────────
  row(
    "an extra name covered by the endpoint",
    () => csrOf(csr({ dnsNames: [...NAMES, "c.example.test"] })),
    badCsr(/must name exactly the order's identifiers: it names c.example.test, which the order does not/),
  ),
  row(
    "an extra name outside the endpoint's domains",
    () => csrOf(csr({ dnsNames: [...NAMES, "www.evil.test"] })),
    badCsr(/it names www.evil.test/),
  ),
  row(
    "a missing name",
    () => csrOf(csr({ dnsNames: ["a.example.test"] })),
    badCsr(/it lacks b.example.test/),
  ),
  row(
    "another name in place of one",
    () => csrOf(csr({ dnsNames: ["a.example.test", "c.example.test"] })),
    badCsr(/lacks b.example.test; it names c.example.test/),
  ),
  row(
    "a wildcard the order does not have",
    () => csrOf(csr({ dnsNames: [...NAMES, "*.example.test"] })),
    badCsr(/it names \*.example.test/),
  ),
  row(
    "names only in the CN: one of the order's two",
    () => csrOf(csr({ dnsNames: [], commonName: "a.example.test" })),
    badCsr(/it lacks b.example.test/),
  ),
  row(
    "a CN outside the order, next to the right SANs",
    () => csrOf(csr({ commonName: "www.evil.test" })),
    badCsr(/it names www.evil.test/),
  ),
  row(
    "two CNs, the first outside the order",
    () => csrOf(csr({ commonName: ["www.evil.test", "a.example.test"] })),
    badCsr(/www.evil.test/),
    {},
  ),
  row(
    "an IP address subjectAltName",
    () => csrOf(csr({ ipAddresses: ["192.0.2.1"] })),
    badCsr(/may only name DNS identifiers of the order/),
  ),
  row(
    "an email subjectAltName",
    () => csrOf(csr({ emails: ["a@example.test"] })),
    badCsr(/may only name DNS identifiers/),
  ),
  // ── the key ──────────────────────────────────────────────────────────────────────────
  disallowedKey("RSA 1024", () => key("RSA-1024")),
  disallowedKey("RSA 3072", () => key("RSA-3072")),
  disallowedKey("RSA 4096", () => key("RSA-4096")),
  disallowedKey("ECDSA P-521", () => key("P-521")),
  disallowedKey("Ed25519", () => key("Ed25519")),
  disallowedKey("Ed448", () => generateKeyPairSync("ed448").privateKey),
  disallowedKey("ECDSA secp256k1", () => generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey),
  row(
    "RSA 1024 where the endpoint sets no allowedKeyAlgorithms",
    () => csrOf(csr({ privateKey: key("RSA-1024") })),
    badCsr(/RSA 1024|2048/),
    {},
  ),
  row(
    "the account key as the certificate key",
    (a) => csrOf(csr({ privateKey: a.acme.accountKey })),
    badCsr(/public key is the account key; use a separate key/),
  ),
  // The same key is found whatever its type (compared as SPKI DER).
  ...(["RSA-2048", "P-384"] as const).map((type) =>
    row(
      `the account key as the certificate key, ${type}`,
      (a) => csrOf(csr({ privateKey: a.acme.accountKey })),
      badCsr(/public key is the account key; use a separate key/),
      { arena: () => readyArena({}, NAMES, key(type)) },
    ),
  ),
  row(
    "a CA:true request (basicConstraints)",
    () => csrOf(csr({ requestCa: true })),
    badCsr(/asks for a CA certificate \(basicConstraints cA:true\)/),
  ),
  // ── the order ────────────────────────────────────────────────────────────────────────
  row(
    "finalize twice",
    () => csrOf(csr({})),
    { status: 403, type: "orderNotReady", detail: /The order is valid; only a ready order can be finalized/ },
    {
      arena: async () => {
        const a = await readyArena();
        const first = await finalize(a, csrOf(csr({})));
        expect(first.reply.body).toMatchObject({ status: "valid" });
        a.spy.reset();
        return a;
      },
    },
  ),
  row(
    "finalize of a pending order",
    () => csrOf(csr({})),
    { status: 403, type: "orderNotReady", detail: /The order is pending/ },
    {
      arena: orderIn("pending"),
    },
  ),
  row(
    "finalize of an invalid order",
    () => csrOf(csr({})),
    { status: 403, type: "orderNotReady", detail: /The order is invalid/ },
    {
      arena: orderIn("invalid"),
    },
  ),
  row(
    "finalize of an order already processing",
    () => csrOf(csr({})),
    { status: 403, type: "orderNotReady", detail: /The order is processing/ },
    {
      arena: orderIn("processing", { processingSince: new Date().toISOString() }),
    },
  ),
  row(
    "finalize of an order past its expires",
    () => csrOf(csr({})),
    { status: 403, type: "orderNotReady", detail: /expired|invalid/ },
    {
      arena: async () => {
        const a = await readyArena();
        a.clock.advance(7 * 86_400_000 + 1000);
        return a;
      },
    },
  ),
  row(
    "finalize of another account's order",
    () => csrOf(csr({})),
    { status: 403, type: "unauthorized", detail: /This order belongs to another account/ },
    {
      send: async (a) => {
        const other = await a.client();
        await other.register();
        return finalize(a, csrOf(csr({})), other);
      },
    },
  ),
  {
    name: "finalize URL of an order that does not exist",
    send: async (a) => {
      const url = a.finalizeUrl.replace(a.orderId, "doesnotexist");
      const nonce = await a.nonce();
      return { reply: await post(a.handle, url, await a.acme.body(url, csrOf(csr({})), { nonce })), nonce };
    },
    expect: { status: 404, type: "malformed", detail: /No such order at this endpoint/ },
    nonce: "consumed",
  },
];

describe("attack corpus: finalize (RFC 8555 §7.4)", () => {
  attackTable(cases, { arena: () => readyArena() });

  it("control: a CN-only CSR naming the order's one name is issued, with the name as a SAN", async () => {
    const a = await readyArena({}, ["a.example.test"]);
    const { reply } = await finalize(
      a,
      csrOf(createTestCsr({ privateKey: key(), commonName: "a.example.test" })),
    );
    expect(reply.body).toMatchObject({ status: "valid" });
    const pem = await a.acme.send<string>(String(reply.body?.certificate), undefined);
    const [leaf] = parseChain(pem.body);
    expect(sanNames(leaf!)).toEqual(["a.example.test"]);
  });
});
