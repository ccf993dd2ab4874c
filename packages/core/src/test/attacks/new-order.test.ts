/**
 * Attack corpus, newOrder (RFC 8555 §7.4, §7.1.4): identifiers that are not DNS names this
 * server issues for, duplicates, more than `limits.maxIdentifiersPerOrder` (README: 100), and
 * malformed validity. Every bad identifier is named in its own subproblem (§6.7.1); no order
 * or authorization is created.
 */
import { describe, expect, it } from "vitest";
import { type Arena, type AttackCase, arena, attackTable, PROBLEM, post } from "./harness.js";

async function newOrder(a: Arena, payload: unknown) {
  const nonce = await a.nonce();
  const body = await a.acme.body(a.acme.directory.newOrder, payload, { nonce });
  return { reply: await post(a.handle, a.acme.directory.newOrder, body), nonce };
}

async function noOrders(a: Arena) {
  const account = String(a.accountUrl.split("/").pop());
  const page = await a.storage.orders.listByAccount(a.endpoint.id, account, { limit: 10 });
  expect(page._unsafeUnwrap().items, "an order was created").toEqual([]);
}

const dns = (value: unknown) => ({ type: "dns", value });

/** A row ordering `identifiers`; the problem must have exactly `subproblems` (when given). */
function row(
  name: string,
  payload: Record<string, unknown>,
  expected: AttackCase["expect"],
  extra: Partial<AttackCase> = {},
): AttackCase {
  return {
    name,
    send: (a) => newOrder(a, payload),
    expect: expected,
    nonce: "consumed",
    after: noOrders,
    ...extra,
  };
}

/** One identifier refused: `type` at the top and in its one subproblem, which names it. */
function badName(name: string, value: string, detail: RegExp, type = "rejectedIdentifier"): AttackCase {
  return row(
    `identifier: ${name}`,
    { identifiers: [dns(value)] },
    {
      status: 400,
      type,
      detail,
      extra: { subproblems: [{ type: PROBLEM(type), identifier: { type: "dns", value } }] },
    },
  );
}

const label63 = "a".repeat(63);
const longName = `${label63}.${label63}.${label63}.${"b".repeat(57)}.test`; // 254 characters

const CHARACTERS = /has characters other than a-z, 0-9 and inner hyphens/;
const WILDCARD = /a wildcard may only be the whole leftmost label/;

const cases: AttackCase[] = [
  badName("an empty label", "a..example.test", /the name has an empty label/),
  badName("a leading dot", ".example.test", /empty label/),
  badName("the empty name", "", /the name is empty/),
  badName("254 characters", longName, /254 characters long; at most 253 are allowed/),
  badName("a 64-character label", `${"a".repeat(64)}.example.test`, /longer than 63 characters/),
  badName("an underscore label (_acme-challenge)", "_acme-challenge.example.test", CHARACTERS),
  badName("an underscore inside a label", "a_b.example.test", CHARACTERS),
  badName("upper case", "WWW.example.test", /use lower case/),
  badName("a trailing dot", "www.example.test.", /remove the trailing dot/),
  badName("*.*. (two wildcard labels)", "*.*.example.test", WILDCARD),
  badName("* in the middle of the name", "www.*.example.test", WILDCARD),
  badName("* as part of the leftmost label", "*www.example.test", WILDCARD),
  badName("* inside a label", "w*w.example.test", WILDCARD),
  badName("* alone", "*", WILDCARD),
  badName("an IPv4 address as a dns identifier", "127.0.0.1", /IP addresses are not supported/),
  badName("an IPv6 address as a dns identifier", "2001:db8::1", /IP addresses are not supported/),
  badName("Unicode not in A-label form", "bücher.example.test", /use the A-label \(punycode, xn--\) form/),
  badName("an ideographic full stop", "www。example.test", /A-label/),
  badName("a label starting with a hyphen", "-www.example.test", CHARACTERS),
  badName("a label ending with a hyphen", "www-.example.test", CHARACTERS),
  badName("a space", "www example.test", CHARACTERS),
  badName("a NUL byte", "www.example.test\u0000", CHARACTERS),
  badName("a single label", "localhost", /at least two labels/),
  badName(
    "a name outside the endpoint's validated domains",
    "www.evil.test",
    /not covered by a validated domain/,
  ),
  row(
    "identifier: type ip (IP identifiers are not supported)",
    { identifiers: [{ type: "ip", value: "127.0.0.1" }] },
    {
      status: 400,
      type: "unsupportedIdentifier",
      detail: /Identifier type "ip" is not supported; only "dns" is/,
      extra: { subproblems: [{ type: PROBLEM("unsupportedIdentifier") }] },
    },
  ),
  row(
    "identifier: type DNS in upper case",
    { identifiers: [{ type: "DNS", value: "www.example.test" }] },
    {
      status: 400,
      type: "unsupportedIdentifier",
      detail: /only "dns" is/,
    },
  ),
  row(
    "identifier: a value that is not a string",
    { identifiers: [dns(42)] },
    {
      status: 400,
      type: "malformed",
      detail: /Each identifier must be an object with string `type` and `value`/,
    },
  ),
  row(
    "identifier: a bare string instead of an object",
    { identifiers: ["www.example.test"] },
    {
      status: 400,
      type: "malformed",
      detail: /must be an object with string `type` and `value`/,
    },
  ),
  row(
    "identifiers missing",
    {},
    { status: 400, type: "malformed", detail: /`identifiers` must be a non-empty array/ },
  ),
  row(
    "identifiers empty",
    { identifiers: [] },
    { status: 400, type: "malformed", detail: /non-empty array/ },
  ),
  row(
    "identifiers an object",
    { identifiers: dns("www.example.test") },
    {
      status: 400,
      type: "malformed",
      detail: /non-empty array/,
    },
  ),
  row(
    "the same name twice",
    { identifiers: [dns("x.example.test"), dns("x.example.test")] },
    {
      status: 400,
      type: "malformed",
      detail: /x.example.test is listed more than once/,
      extra: { subproblems: [{ type: PROBLEM("malformed"), identifier: dns("x.example.test") }] },
    },
  ),
  row(
    "one good name and one bad: the whole order is refused",
    { identifiers: [dns("ok.example.test"), dns("a..example.test")] },
    {
      status: 400,
      type: "rejectedIdentifier",
      detail: /empty label/,
      extra: { subproblems: [{ identifier: dns("a..example.test") }] },
    },
  ),
  row(
    "101 identifiers (maxIdentifiersPerOrder is 100)",
    { identifiers: Array.from({ length: 101 }, (_, i) => dns(`n${i}.example.test`)) },
    { status: 400, type: "rejectedIdentifier", detail: /at most 100 identifiers; 101 were sent/ },
  ),
  row(
    "1,000 identifiers",
    { identifiers: Array.from({ length: 1000 }, (_, i) => dns(`n${i}.example.test`)) },
    { status: 400, type: "rejectedIdentifier", detail: /at most 100 identifiers; 1000 were sent/ },
  ),
  row(
    "4 identifiers where maxIdentifiersPerOrder is 3",
    { identifiers: Array.from({ length: 4 }, (_, i) => dns(`n${i}.example.test`)) },
    { status: 400, type: "rejectedIdentifier", detail: /at most 3 identifiers; 4 were sent/ },
    { arena: () => arena({ server: { limits: { maxIdentifiersPerOrder: 3 } } }) },
  ),
  row(
    "notAfter in the past",
    { identifiers: [dns("www.example.test")], notAfter: "2001-01-01T00:00:00Z" },
    {
      status: 400,
      type: "malformed",
      detail: /`notAfter` is in the past/,
    },
  ),
  row(
    "notBefore in 1900 (no X.509 Time encodes it)",
    { identifiers: [dns("www.example.test")], notBefore: "1900-01-01T00:00:00Z" },
    {
      status: 400,
      type: "malformed",
      detail: /`notBefore` is too far in the past/,
    },
  ),
  row(
    "notBefore that is not a date",
    { identifiers: [dns("www.example.test")], notBefore: "tomorrow" },
    {
      status: 400,
      type: "malformed",
      detail: /`notBefore` must be an RFC 3339 date-time string/,
    },
  ),
  row(
    "a validity longer than the maximum",
    {
      identifiers: [dns("www.example.test")],
      notAfter: new Date(Date.now() + 400 * 86_400_000).toISOString(),
    },
    { status: 400, type: "malformed", detail: /longer than this server's maximum of 397 days/ },
  ),
];

describe("attack corpus: newOrder (RFC 8555 §7.4)", () => {
  attackTable(cases, { arena: () => arena() });

  it("control: exactly maxIdentifiersPerOrder (100) identifiers make an order", async () => {
    const a = await arena();
    const { reply } = await newOrder(a, {
      identifiers: Array.from({ length: 100 }, (_, i) => dns(`n${i}.example.test`)),
    });
    expect(reply.status).toBe(201);
    expect(reply.body?.identifiers).toHaveLength(100);
  });
});
