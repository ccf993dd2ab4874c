import { Buffer } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64url } from "./base64url.js";

describe("decodeBase64url (RFC 4648 §5, unpadded, RFC 7515 §2)", () => {
  it("decodes unpadded base64url, the empty string included", () => {
    expect(decodeBase64url("")).toEqual(Buffer.alloc(0));
    expect(decodeBase64url("AQAB")).toEqual(Buffer.from([1, 0, 1]));
    expect(decodeBase64url("_-8")).toEqual(Buffer.from([0xff, 0xef]));
    // Non-zero unused bits are accepted, as Buffer reads them.
    expect(decodeBase64url("AB")).toEqual(Buffer.from([0]));
  });

  it("refuses padding, the standard alphabet, whitespace, and an impossible length", () => {
    for (const text of ["AQ==", "AQ=", "a+b/", "AQ AB", "AQAB\n", "A", "AQABA", "é", "AQ\u0000B"]) {
      expect(decodeBase64url(text), text).toBeUndefined();
    }
  });

  it("decodes exactly what a validated Buffer.from decodes, on any string", () => {
    const alphabet = fc.constantFrom(
      ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split(""),
      ..."=+/ .\n\u00e9\u0100\ud83d".split(""),
    );
    const texts = fc.oneof(
      fc.base64String().map((t) => t.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")),
      fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join("")),
      fc.uint8Array({ maxLength: 6000 }).map((b) => Buffer.from(b).toString("base64url")),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const reference =
          /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1 ? Buffer.from(text, "base64url") : undefined;
        expect(decodeBase64url(text)).toEqual(reference);
      }),
      { numRuns: 3000 },
    );
  });
});
