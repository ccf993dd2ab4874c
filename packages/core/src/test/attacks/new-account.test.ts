/**
 * Attack corpus, newAccount and account update (RFC 8555 §7.3, §7.3.2, §7.3.4): contacts that
 * are not one plain mailto: address (other schemes, lists, header fields, CR/LF injection),
 * malformed members, and external account bindings that belong elsewhere. No account is
 * created, no contact changed.
 */
import type { KeyObject } from "node:crypto";
import { describe, expect } from "vitest";
import {
  generateTestKey,
  publicJwk,
  signExternalAccountBinding,
  signJws,
} from "../../testing/acme-client.js";
import { type Arena, type AttackCase, arena, attackTable, b64, post, thumbprint } from "./harness.js";

type Sent = { reply: Awaited<ReturnType<typeof post>>; nonce: string };

/** newAccount with `payload`, signed by a key of its own (returned for the after-check). */
async function register(a: Arena, payload: Record<string, unknown>, key: KeyObject): Promise<Sent> {
  const nonce = await a.nonce();
  const url = a.acme.directory.newAccount;
  const body = await signJws(key, { nonce, url, jwk: publicJwk(key) }, payload);
  return { reply: await post(a.handle, url, body), nonce };
}

/** A newAccount row: `payload` sent with a fresh key, and no account for that key afterwards. */
function newAccount(
  name: string,
  payload: Record<string, unknown> | ((a: Arena, key: KeyObject) => Promise<Record<string, unknown>>),
  expected: AttackCase["expect"],
  extra: Partial<AttackCase> = {},
): AttackCase {
  const key = generateTestKey("P-256").privateKey;
  return {
    name,
    send: async (a) => {
      const body = typeof payload === "function" ? await payload(a, key) : payload;
      a.spy.reset();
      return register(a, { termsOfServiceAgreed: true, ...body }, key);
    },
    expect: expected,
    nonce: "consumed",
    after: async (a) => {
      const found = await a.storage.accounts.getByThumbprint(a.endpoint.id, await thumbprint(key));
      expect(found._unsafeUnwrap(), "an account was created").toBeUndefined();
    },
    ...extra,
  };
}

/** An account-update row: the arena's account sends `payload`; its contact stays as it was. */
function update(name: string, payload: Record<string, unknown>, expected: AttackCase["expect"]): AttackCase {
  return {
    name: `account update: ${name}`,
    send: async (a) => {
      const nonce = await a.nonce();
      const body = await a.acme.body(a.accountUrl, payload, { nonce });
      return { reply: await post(a.handle, a.accountUrl, body), nonce };
    },
    expect: expected,
    nonce: "consumed",
    after: async (a) => {
      const id = String(a.accountUrl.split("/").pop());
      const account = (await a.storage.accounts.get(a.endpoint.id, id))._unsafeUnwrap();
      expect(account?.contact).toEqual(["mailto:owner@example.test"]);
    },
  };
}

const UNSUPPORTED = {
  status: 400,
  type: "unsupportedContact",
  detail: /is not supported: only mailto: URLs are/,
};
const ONE_ADDRESS = {
  status: 400,
  type: "invalidContact",
  detail: /is not a mailto: URL with exactly one email address and no header fields/,
};

const contactCases: [string, string, AttackCase["expect"], string?][] = [
  ["a tel: URL", "tel:+15555550100", UNSUPPORTED],
  ["an https: URL", "https://example.test/contact", UNSUPPORTED],
  ["a bare address without mailto:", "a@example.test", UNSUPPORTED],
  ["mailto: with no address", "mailto:", ONE_ADDRESS],
  ["two addresses separated by a comma", "mailto:a@example.test,b@example.test", ONE_ADDRESS],
  ["two addresses separated by a semicolon", "mailto:a@example.test;b@example.test", ONE_ADDRESS],
  ["two addresses separated by a space", "mailto:a@example.test b@example.test", ONE_ADDRESS],
  ["a ?cc= header field", "mailto:a@example.test?cc=evil@attacker.test", ONE_ADDRESS],
  ["?bcc= and ?body= header fields", "mailto:a@example.test?bcc=evil@attacker.test&body=hi", ONE_ADDRESS],
  ["CR LF header injection", "mailto:a@example.test\r\nBcc: evil@attacker.test", ONE_ADDRESS],
  ["LF header injection", "mailto:a@example.test\nBcc: evil@attacker.test", ONE_ADDRESS],
  [
    "percent-encoded CR LF header injection",
    "mailto:a@example.test%0D%0ABcc:evil@attacker.test",
    ONE_ADDRESS,
  ],
  ["an address in angle brackets", "mailto:<a@example.test>", ONE_ADDRESS],
  ["a domain without a dot", "mailto:a@localhost", ONE_ADDRESS],
  ["an address literal domain", "mailto:a@[127.0.0.1]", ONE_ADDRESS],
  ["a quoted local part with a space", 'mailto:"a b"@example.test', ONE_ADDRESS],
  ["a non-ASCII local part", "mailto:ü@example.test", ONE_ADDRESS],
  ["a domain label starting with a hyphen", "mailto:a@-example.test", ONE_ADDRESS],
];

const cases: AttackCase[] = [
  ...contactCases.map(([what, contact, expected, bug]) =>
    newAccount(`contact: ${what}`, { contact: [contact] }, expected, bug === undefined ? {} : { bug }),
  ),
  newAccount(
    "contact: a 400-character address (the detail stays short)",
    { contact: [`mailto:${"a".repeat(390)}@example.test`] },
    ONE_ADDRESS,
  ),
  newAccount(
    "contact: a string instead of an array",
    { contact: "mailto:a@example.test" },
    {
      status: 400,
      type: "malformed",
      detail: /`contact` must be an array of mailto: URLs/,
    },
  ),
  newAccount(
    "contact: null",
    { contact: null },
    { status: 400, type: "malformed", detail: /must be an array/ },
  ),
  newAccount(
    "contact: a number in the array",
    { contact: [42] },
    {
      status: 400,
      type: "malformed",
      detail: /Each `contact` must be a string URL/,
    },
  ),
  newAccount(
    "contact: an object in the array",
    { contact: [{ mailto: "a@example.test" }] },
    {
      status: 400,
      type: "malformed",
      detail: /must be a string URL/,
    },
  ),
  newAccount(
    "contact: 11 addresses (maxContacts is 10)",
    { contact: Array.from({ length: 11 }, (_, i) => `mailto:a${i}@example.test`) },
    { status: 400, type: "invalidContact", detail: /At most 10 contacts are accepted; 11 were sent/ },
  ),
  newAccount(
    "contact: 1,000 addresses",
    { contact: Array.from({ length: 1000 }, (_, i) => `mailto:a${i}@example.test`) },
    { status: 400, type: "invalidContact", detail: /At most 10 contacts/ },
  ),
  newAccount(
    "contact REQUIRED: no contact member",
    { contact: undefined },
    { status: 400, type: "invalidContact", detail: /requires a contact/ },
    { arena: () => arena({ endpoint: { contact: "REQUIRED" } }) },
  ),
  newAccount(
    "contact REQUIRED: an empty array",
    { contact: [] },
    { status: 400, type: "invalidContact", detail: /requires a contact/ },
    { arena: () => arena({ endpoint: { contact: "REQUIRED" } }) },
  ),
  newAccount(
    "termsOfServiceAgreed as a string",
    { termsOfServiceAgreed: "true" },
    {
      status: 400,
      type: "malformed",
      detail: /`termsOfServiceAgreed` must be a boolean/,
    },
  ),
  newAccount(
    "onlyReturnExisting with a key that has no account",
    { onlyReturnExisting: true },
    {
      status: 400,
      type: "accountDoesNotExist",
      detail: /No account exists at this endpoint for this key/,
    },
  ),
  // ── external account binding (RFC 8555 §7.3.4) ───────────────────────────────────────
  newAccount(
    "EAB credential of another endpoint",
    async (a, key) => {
      const other = await a.otherEndpoint();
      const credential = (await a.server.eab.create({ endpointId: other.id }))._unsafeUnwrap();
      const binding = signExternalAccountBinding({
        keyId: credential.keyId,
        hmacKey: credential.hmacKey,
        url: a.acme.directory.newAccount,
        accountKey: key,
      });
      return { externalAccountBinding: binding };
    },
    {
      status: 403,
      type: "unauthorized",
      detail: /External account binding refused: key identifier .* is unknown at this endpoint/,
    },
  ),
  newAccount(
    "EAB signed for another endpoint's newAccount URL",
    async (a, key) => {
      const other = await a.otherEndpoint();
      const credential = (await a.server.eab.create({ endpointId: a.endpoint.id }))._unsafeUnwrap();
      const binding = signExternalAccountBinding({
        keyId: credential.keyId,
        hmacKey: credential.hmacKey,
        url: other.acme.directory.newAccount,
        accountKey: key,
      });
      return { externalAccountBinding: binding };
    },
    { status: 403, type: "unauthorized", detail: /its `url` must be this newAccount URL/ },
  ),
  newAccount(
    "EAB binding another account key",
    async (a) => {
      const credential = (await a.server.eab.create({ endpointId: a.endpoint.id }))._unsafeUnwrap();
      const binding = signExternalAccountBinding({
        keyId: credential.keyId,
        hmacKey: credential.hmacKey,
        url: a.acme.directory.newAccount,
        accountKey: generateTestKey("P-256").privateKey,
      });
      return { externalAccountBinding: binding };
    },
    {
      status: 403,
      type: "unauthorized",
      detail: /its payload must be the account key that signs this request/,
    },
  ),
  {
    ...newAccount(
      "EAB with alg constructor (an Object.prototype member)",
      async (a, key) => {
        const credential = (await a.server.eab.create({ endpointId: a.endpoint.id }))._unsafeUnwrap();
        const url = a.acme.directory.newAccount;
        const protectedB64 = b64({ alg: "constructor", kid: credential.keyId, url });
        const payload = b64(publicJwk(key));
        return { externalAccountBinding: { protected: protectedB64, payload, signature: b64("mac") } };
      },
      { status: 400, type: "malformed", detail: /must use a MAC algorithm: HS256, HS384 or HS512/ },
    ),
  },
  newAccount(
    "EAB that is a string",
    { externalAccountBinding: "eab" },
    {
      status: 400,
      type: "malformed",
      detail: /`externalAccountBinding` must be a flattened JWS object/,
    },
  ),
  // ── account update (RFC 8555 §7.3.2) ─────────────────────────────────────────────────
  update(
    "CR LF header injection",
    { contact: ["mailto:a@example.test\r\nBcc: evil@attacker.test"] },
    ONE_ADDRESS,
  ),
  update("a ?cc= header field", { contact: ["mailto:a@example.test?cc=evil@attacker.test"] }, ONE_ADDRESS),
  update("two addresses in one", { contact: ["mailto:a@example.test,b@example.test"] }, ONE_ADDRESS),
  update("a tel: URL", { contact: ["tel:+15555550100"] }, UNSUPPORTED),
  update(
    "contact as a string",
    { contact: "mailto:a@example.test" },
    {
      status: 400,
      type: "malformed",
      detail: /must be an array/,
    },
  ),
  update(
    "status other than deactivated",
    { status: "valid", contact: ["mailto:new@example.test"] },
    {
      status: 400,
      type: "malformed",
      detail: /can only be set to "deactivated"/,
    },
  ),
];

describe("attack corpus: newAccount and account update (RFC 8555 §7.3)", () => {
  attackTable(cases, { arena: () => arena() });
});
