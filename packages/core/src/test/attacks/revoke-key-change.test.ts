/**
 * Attack corpus, revokeCert (RFC 8555 §7.6) and keyChange (§7.3.5): revocation by keys that
 * have no say over the certificate, revoking twice, reasons RFC 5280 does not define; key
 * rollovers whose inner JWS names another URL, account or old key, or a new key already in use.
 * The certificate stays as it was (valid, or revoked with its first reason); the account keeps
 * its key, and the new key gets no account.
 */
import { describe, expect } from "vitest";
import type { CertificateRecord } from "../../domain/types.js";
import { generateTestKey, publicJwk, signJws, type TestAcmeClient } from "../../testing/acme-client.js";
import {
  type Arena,
  type AttackCase,
  arena,
  attackTable,
  b64,
  type IssuedArena,
  issuedArena,
  post,
  thumbprint,
} from "./harness.js";

// ── revokeCert ───────────────────────────────────────────────────────────────────────────

interface RevokeArena extends IssuedArena {
  before?: CertificateRecord;
}

async function storedCertificate(a: IssuedArena) {
  return (await a.storage.certificates.get(a.endpoint.id, a.serial))._unsafeUnwrap();
}

/** revokeCert with `payload`, signed by `signer` (kid), or by `key` in jwk. */
async function revoke(
  a: RevokeArena,
  payload: unknown,
  by: { signer?: TestAcmeClient; key?: import("node:crypto").KeyObject } = {},
) {
  a.before = await storedCertificate(a);
  a.spy.reset();
  const signer = by.signer ?? a.acme;
  const nonce = await a.nonce();
  const url = a.acme.directory.revokeCert;
  const body = await signer.body(url, payload, { nonce, ...(by.key ? { key: by.key, useJwk: true } : {}) });
  return { reply: await post(a.handle, url, body), nonce };
}

async function certificateUnchanged(a: RevokeArena) {
  expect(await storedCertificate(a)).toEqual(a.before);
}

function revokeRow(
  name: string,
  send: (a: RevokeArena) => ReturnType<typeof revoke>,
  expected: AttackCase["expect"],
  extra: Partial<AttackCase<RevokeArena>> = {},
): AttackCase<RevokeArena> {
  return {
    name: `revokeCert: ${name}`,
    send,
    expect: expected,
    nonce: "consumed",
    after: certificateUnchanged,
    ...extra,
  };
}

const BAD_REASON = /is not an RFC 5280 CRLReason code \(0-6, 8-10\)/;

/** An issued arena whose certificate was already revoked (reason 1, keyCompromise) by its account. */
async function revokedArena(): Promise<RevokeArena> {
  const a = await issuedArena();
  const first = await revoke(a, { certificate: a.certificate, reason: 1 });
  expect(first.reply.status).toBe(200);
  a.spy.reset();
  return a;
}

const revokeCases: AttackCase<RevokeArena>[] = [
  revokeRow(
    "signed in jwk by a key that is neither the account's nor the certificate's",
    (a) => revoke(a, { certificate: a.certificate }, { key: generateTestKey("P-256").privateKey }),
    { status: 403, type: "unauthorized", detail: /The JWS key is not this certificate's key/ },
  ),
  revokeRow(
    "signed in jwk by the account's key (not the certificate's)",
    (a) => revoke(a, { certificate: a.certificate }, { key: a.acme.accountKey }),
    { status: 403, type: "unauthorized", detail: /not this certificate's key/ },
  ),
  revokeRow(
    "signed in jwk by the key of another certificate of the same account",
    async (a) => {
      const second = await a.acme.issue(["www.example.test"]);
      return revoke(a, { certificate: a.certificate }, { key: second.certificateKey });
    },
    { status: 403, type: "unauthorized", detail: /not this certificate's key/ },
  ),
  revokeRow(
    "by another account of the endpoint once the domains no longer cover the names",
    async (a) => {
      const other = await a.client();
      await other.register();
      const domains = (await a.server.domains.list({ endpointId: a.endpoint.id }))._unsafeUnwrap();
      for (const d of domains)
        await a.server.domains.delete({ endpointId: a.endpoint.id, domainValidationId: d.id });
      return revoke(a, { certificate: a.certificate }, { signer: other });
    },
    {
      status: 403,
      type: "unauthorized",
      detail: /neither ordered the certificate nor is authorized for all its identifiers/,
    },
  ),
  revokeRow(
    "by the ordering account after it was deactivated",
    async (a) => {
      await a.acme.send(a.accountUrl, { status: "deactivated" });
      return revoke(a, { certificate: a.certificate });
    },
    { status: 403, type: "unauthorized", detail: /deactivated/ },
    { accountGone: true },
  ),
  revokeRow(
    "revoke twice (by the account)",
    (a) => revoke(a, { certificate: a.certificate, reason: 4 }),
    {
      status: 400,
      type: "alreadyRevoked",
      detail: /already revoked/,
    },
    { arena: revokedArena },
  ),
  revokeRow(
    "revoke twice (the second time by the certificate's key)",
    (a) => revoke(a, { certificate: a.certificate }, { key: a.issued.certificateKey }),
    { status: 400, type: "alreadyRevoked", detail: /already revoked/ },
    { arena: revokedArena },
  ),
  ...([7, 11, -1, "1", 1.5, null, 1e10, true, [1]] as const).map((reason) =>
    revokeRow(`reason ${JSON.stringify(reason)}`, (a) => revoke(a, { certificate: a.certificate, reason }), {
      status: 400,
      type: "badRevocationReason",
      detail: BAD_REASON,
    }),
  ),
  revokeRow("certificate missing", (a) => revoke(a, { reason: 1 }), {
    status: 400,
    type: "malformed",
    detail: /revokeCert needs `certificate`: the DER certificate, base64url-encoded/,
  }),
  revokeRow("certificate that is not DER", (a) => revoke(a, { certificate: b64("not a certificate") }), {
    status: 400,
    type: "malformed",
    detail: /`certificate` is not a DER X.509 certificate/,
  }),
  revokeRow("certificate as PEM text", (a) => revoke(a, { certificate: a.issued.certificatePem }), {
    status: 400,
    type: "malformed",
    detail: /needs `certificate`: the DER certificate, base64url-encoded/,
  }),
  revokeRow(
    "a certificate issued by another server",
    async (a) => {
      const elsewhere = await issuedArena();
      return revoke(a, { certificate: elsewhere.certificate });
    },
    { status: 404, type: "malformed", detail: /This certificate was not issued by this endpoint/ },
  ),
  revokeRow(
    "a look-alike: the certificate with bytes appended",
    (a) => revoke(a, { certificate: `${a.certificate}AAAA` }),
    { status: 404, type: "malformed", detail: /not issued by this endpoint/ },
  ),
];

// ── keyChange ────────────────────────────────────────────────────────────────────────────

type KeyObject = import("node:crypto").KeyObject;

interface RolloverOptions {
  readonly newKey?: KeyObject;
  /** Signs the inner JWS instead of the new key. */
  readonly innerSigner?: KeyObject;
  readonly innerHeader?: Record<string, unknown>;
  readonly innerPayload?: Record<string, unknown>;
  /** Replaces the whole inner JWS (outer payload). */
  readonly outerPayload?: unknown;
  readonly outer?: { readonly useJwk?: boolean };
}

interface KeyChangeArena extends Arena {
  newKey?: KeyObject;
}

/** RFC 8555 §7.3.5 rollover of the arena's account, with parts replaced as the row says. */
async function rollover(a: KeyChangeArena, options: RolloverOptions = {}) {
  const url = a.acme.directory.keyChange;
  const newKey = options.newKey ?? generateTestKey("P-384").privateKey;
  a.newKey = newKey;
  const inner = await signJws(
    options.innerSigner ?? newKey,
    { url, jwk: publicJwk(newKey), ...options.innerHeader },
    { account: a.accountUrl, oldKey: publicJwk(a.acme.accountKey), ...options.innerPayload },
  );
  a.spy.reset();
  const nonce = await a.nonce();
  const body = await a.acme.body(url, options.outerPayload ?? inner, {
    nonce,
    useJwk: options.outer?.useJwk === true,
  });
  return { reply: await post(a.handle, url, body), nonce };
}

/** The account kept its key (it still signs), and the new key has no account. */
async function keyUnchanged(a: KeyChangeArena) {
  const id = String(a.accountUrl.split("/").pop());
  const account = (await a.storage.accounts.get(a.endpoint.id, id))._unsafeUnwrap();
  expect(account?.thumbprint).toBe(await thumbprint(a.acme.accountKey));
  if (a.newKey !== undefined && account?.thumbprint !== (await thumbprint(a.newKey))) {
    const holder = await a.storage.accounts.getByThumbprint(a.endpoint.id, await thumbprint(a.newKey));
    expect(holder._unsafeUnwrap()?.id ?? "no account").not.toBe(id);
  }
}

function keyChangeRow(
  name: string,
  options: RolloverOptions | ((a: KeyChangeArena) => Promise<RolloverOptions>),
  expected: AttackCase["expect"],
  extra: Partial<AttackCase<KeyChangeArena>> = {},
): AttackCase<KeyChangeArena> {
  return {
    name: `keyChange: ${name}`,
    send: async (a) => rollover(a, typeof options === "function" ? await options(a) : options),
    expect: expected,
    nonce: "consumed",
    after: keyUnchanged,
    ...extra,
  };
}

const keyChangeCases: AttackCase<KeyChangeArena>[] = [
  keyChangeRow(
    "inner url of another resource",
    (a) => Promise.resolve({ innerHeader: { url: a.acme.directory.newOrder } }),
    {
      status: 400,
      type: "malformed",
      detail: /The inner JWS `url` must equal the outer JWS `url`/,
    },
  ),
  keyChangeRow(
    "inner url of another endpoint's keyChange",
    async (a) => ({ innerHeader: { url: (await a.otherEndpoint()).acme.directory.keyChange } }),
    { status: 400, type: "malformed", detail: /inner JWS `url` must equal the outer/ },
  ),
  keyChangeRow(
    "inner url missing",
    { innerHeader: { url: undefined } },
    {
      status: 400,
      type: "malformed",
      detail: /inner JWS `url` must equal the outer/,
    },
  ),
  keyChangeRow(
    "inner account of another account of the endpoint",
    async (a) => {
      const other = await a.client();
      await other.register();
      return { innerPayload: { account: other.accountUrl } };
    },
    {
      status: 400,
      type: "malformed",
      detail: /The inner payload's `account` must be .*, the outer JWS `kid`/,
    },
  ),
  keyChangeRow(
    "inner account of an account at another endpoint",
    async (a) => ({ innerPayload: { account: (await a.otherEndpoint()).acme.accountUrl } }),
    { status: 400, type: "malformed", detail: /`account` must be/ },
  ),
  keyChangeRow(
    "inner account missing",
    { innerPayload: { account: undefined } },
    {
      status: 400,
      type: "malformed",
      detail: /`account` must be/,
    },
  ),
  keyChangeRow(
    "oldKey that is not the account's current key",
    { innerPayload: { oldKey: publicJwk(generateTestKey("P-256").privateKey) } },
    {
      status: 403,
      type: "unauthorized",
      detail: /The inner payload's `oldKey` is not the account's current key/,
    },
  ),
  keyChangeRow(
    "oldKey missing",
    { innerPayload: { oldKey: undefined } },
    {
      status: 400,
      type: "malformed",
      detail: /`oldKey` must be the account's current JWK/,
    },
  ),
  keyChangeRow(
    "a new key already the key of another account",
    async (a) => {
      const other = await a.client();
      await other.register();
      return { newKey: other.accountKey };
    },
    { status: 409, type: "malformed", detail: /already the key of another account at this endpoint/ },
    {
      after: async (a, reply) => {
        await keyUnchanged(a);
        const holder = await a.storage.accounts.getByThumbprint(a.endpoint.id, await thumbprint(a.newKey!));
        expect(reply.headers.get("location")).toBe(
          a.accountUrl.replace(/[^/]+$/, String(holder._unsafeUnwrap()?.id)),
        );
      },
    },
  ),
  keyChangeRow("the new key is the current key", (a) => Promise.resolve({ newKey: a.acme.accountKey }), {
    status: 400,
    type: "malformed",
    detail: /The new key is the account's current key; generate a different one/,
  }),
  keyChangeRow(
    "inner JWS signed by a key other than its jwk",
    { innerSigner: generateTestKey("P-384").privateKey },
    {
      status: 400,
      type: "malformed",
      detail: /The inner JWS signature does not verify with the new key/,
    },
  ),
  keyChangeRow(
    "inner JWS with kid instead of jwk",
    (a) => Promise.resolve({ innerHeader: { jwk: undefined, kid: a.accountUrl } }),
    {
      status: 400,
      type: "malformed",
      detail: /The inner JWS must carry the new key as `jwk` and no `kid`/,
    },
  ),
  keyChangeRow(
    "inner JWS with both jwk and kid",
    (a) => Promise.resolve({ innerHeader: { kid: a.accountUrl } }),
    {
      status: 400,
      type: "malformed",
      detail: /must carry the new key as `jwk` and no `kid`/,
    },
  ),
  keyChangeRow(
    "inner JWS with alg none",
    { innerHeader: { alg: "none" } },
    {
      status: 400,
      type: "badSignatureAlgorithm",
      detail: /Inner JWS: JWS algorithm "none" is not accepted/,
    },
  ),
  keyChangeRow(
    "a new RSA key of 1024 bits",
    { newKey: generateTestKey("RSA-1024").privateKey },
    {
      status: 400,
      type: "badPublicKey",
      detail: /RSA key of 1024 bits is too small/,
    },
  ),
  (() => {
    const newKey = generateTestKey("P-256").privateKey;
    return keyChangeRow(
      "a new key sent with its private part d",
      { newKey, innerHeader: { jwk: newKey.export({ format: "jwk" }) } },
      {
        status: 400,
        type: "badPublicKey",
        detail: /private member `d`/,
      },
    );
  })(),
  keyChangeRow(
    "outer payload that is not a JWS",
    { outerPayload: { account: "x" } },
    {
      status: 400,
      type: "malformed",
      detail: /^Inner JWS: /,
    },
  ),
  keyChangeRow(
    "inner JWS in the general serialization",
    { outerPayload: { payload: b64({}), signatures: [{ protected: b64({ alg: "ES256" }), signature: "" }] } },
    { status: 400, type: "malformed", detail: /Inner JWS: JWS general serialization is not allowed/ },
  ),
  keyChangeRow(
    "outer JWS with jwk instead of kid",
    { outer: { useJwk: true } },
    { status: 400, type: "malformed", detail: /needs a JWS with `kid`/ },
    { nonce: "kept" },
  ),
  {
    name: "keyChange: POST-as-GET (no inner JWS)",
    send: async (a) => {
      const url = a.acme.directory.keyChange;
      const nonce = await a.nonce();
      return { reply: await post(a.handle, url, await a.acme.body(url, undefined, { nonce })), nonce };
    },
    expect: { status: 400, type: "malformed", detail: /keyChange needs an inner JWS as its payload/ },
    nonce: "consumed",
    after: keyUnchanged,
  },
];

describe("attack corpus: revokeCert (RFC 8555 §7.6)", () => {
  attackTable(revokeCases, { arena: () => issuedArena() });
});

describe("attack corpus: keyChange (RFC 8555 §7.3.5)", () => {
  attackTable(keyChangeCases, { arena: () => arena() });
});
