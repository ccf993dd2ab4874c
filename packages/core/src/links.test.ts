import { describe, expect, it } from "vitest";
import { Links } from "./links.js";

/** What matchUrl answered before its string fast path: every URL through the WHATWG parser. */
function parsed(links: Links, raw: string) {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  return links.match(url.pathname, url.search);
}

const TAILS = [
  "ep1/new-order",
  "ep1/directory",
  "ep1/acct/a1",
  "ep1/acct/a1/orders",
  "ep1/acct/a1/orders?cursor=x%20y",
  "ep1/order/o1/finalize",
  "ep1/chall/z1/c1",
  "ep1/cert/AB_cd-1",
  "ep1/new-order/",
  "ep1//new-order",
  "ep1/./new-order",
  "ep1/x/../new-order",
  "ep1/%6eew-order",
  "ep1/new-order#frag",
  "ep1/new-order?",
  "ep1\\new-order",
  "ep1/new\torder",
  "ep1/new-order ",
  "ep1/constructor",
  "ep1/__proto__",
  "",
  "ep1",
  "é/new-order",
];

describe("Links.matchUrl", () => {
  for (const baseUrl of ["https://acme.test/acme", "https://acme.test/acme/", "https://acme.test"]) {
    const links = new Links(baseUrl);
    const prefixes = [
      `${links.base}/`,
      `${links.base.replace("https://acme.test", "https://ACME.test")}/`,
      `${links.base.replace("https://acme.test", "https://acme.test:443")}/`,
      `${links.base.replace("https://acme.test", "https://acme.test.other")}/`,
      `${links.base.replace("https://acme.test", "http://acme.test")}/`,
      `  ${links.base}/`,
      `${links.base}//`,
      "https://elsewhere.test/acme/",
      "not a url/",
    ];
    it(`answers as the URL parser does under ${baseUrl}`, () => {
      for (const prefix of prefixes) {
        for (const tail of TAILS) {
          const raw = prefix + tail;
          expect(links.matchUrl(raw), raw).toStrictEqual(parsed(links, raw));
        }
      }
    });
  }

  it("matches a plain URL of this server by its path", () => {
    const links = new Links("https://acme.test/acme");
    expect(links.matchUrl("https://acme.test/acme/ep1/order/o1/finalize")).toStrictEqual({
      endpointId: "ep1",
      resource: { kind: "finalize", orderId: "o1" },
    });
    expect(links.matchUrl("https://acme.test/acme/ep1/new-order/")).toStrictEqual({
      endpointId: "ep1",
      resource: undefined,
    });
    expect(links.matchUrl("https://acme.test/other/ep1/new-order")).toBeUndefined();
  });
});
