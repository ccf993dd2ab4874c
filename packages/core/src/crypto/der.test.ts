import { describe, expect, it } from "vitest";
import { encodeTlv, isWellFormed, readInteger, readOid, readTlv, readWhole, type Tlv } from "./der.js";

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ""), "hex"));
const whole = (hex: string): [Uint8Array, Tlv] => {
  const b = bytes(hex);
  const tlv = readTlv(b, 0);
  if (tlv === undefined) throw new Error(`not a TLV: ${hex}`);
  return [b, tlv];
};
const oid = (hex: string) => readOid(...whole(hex));
const integer = (hex: string) => readInteger(...whole(hex));
const wellFormed = (hex: string) => isWellFormed(...whole(hex));

describe("readOid", () => {
  it("reads dotted decimal, packing the first two arcs (X.690 §8.19.4)", () => {
    expect(oid("0603 550403")).toBe("2.5.4.3");
    expect(oid("0609 2a864886f70d01090e")).toBe("1.2.840.113549.1.9.14");
    expect(oid("0601 00")).toBe("0.0");
    expect(oid("0601 27")).toBe("0.39");
    expect(oid("0601 28")).toBe("1.0");
    // A first subidentifier of 80 and above is 2.(n - 80), however large.
    expect(oid("0602 8837")).toBe("2.999");
  });

  it("keeps arcs beyond 2^53 exact", () => {
    // 2^64 as one subidentifier: ten 7-bit groups.
    expect(oid("060b 2a 82808080808080808000")).toBe("1.2.18446744073709551616");
  });

  it("refuses empty, truncated, non-minimal and mistagged values", () => {
    expect(oid("0600")).toBeUndefined();
    expect(oid("0602 2a86")).toBeUndefined(); // the last subidentifier never ends
    expect(oid("0603 2a8001")).toBeUndefined(); // a leading 0x80 octet (§8.19.2)
    expect(oid("0403 550403")).toBeUndefined();
  });
});

describe("readInteger", () => {
  it("reads minimal two's complement", () => {
    expect(integer("020100")).toBe(0n);
    expect(integer("02017f")).toBe(127n);
    expect(integer("02020080")).toBe(128n);
    expect(integer("0201ff")).toBe(-1n);
    expect(integer("0202ff7f")).toBe(-129n);
    expect(integer("0209 010203040506070809")).toBe(0x010203040506070809n);
  });

  it("refuses empty and non-minimal encodings (X.690 §8.3.2)", () => {
    expect(integer("0200")).toBeUndefined();
    expect(integer("02020000")).toBeUndefined();
    expect(integer("0202007f")).toBeUndefined();
    expect(integer("0202ff80")).toBeUndefined();
    expect(integer("0101ff")).toBeUndefined();
  });
});

describe("readWhole", () => {
  it("answers the one element that spans the bytes, with the tag asked for", () => {
    expect(readWhole(bytes("3000"), 0x30)).toEqual({ tag: 0x30, start: 0, valueStart: 2, end: 2 });
    expect(readWhole(bytes("3000"), 0x31)).toBeUndefined();
    expect(readWhole(bytes("300000"), 0x30)).toBeUndefined(); // a trailing byte
    expect(readWhole(bytes("3001"), 0x30)).toBeUndefined(); // truncated
    expect(readWhole(bytes("308100"), 0x30)).toBeUndefined(); // non-minimal length
  });
});

describe("isWellFormed", () => {
  it("accepts nested DER", () => {
    expect(wellFormed("3010 3108 0603550403 0c0161 0404 30020500")).toBe(true);
    expect(wellFormed("a003 020100")).toBe(true);
    expect(wellFormed("1e02 0041")).toBe(true);
    expect(wellFormed("0300")).toBe(true);
  });

  it("refuses a child that runs past its parent or leaves bytes over", () => {
    expect(wellFormed("3003 0402 00")).toBe(false);
    expect(wellFormed("3004 0400 0100")).toBe(true);
    expect(wellFormed("3003 040000")).toBe(false);
    expect(wellFormed("3102 3080")).toBe(false); // an indefinite length inside
  });

  it("refuses what BER allows but DER does not, and reserved tags", () => {
    expect(wellFormed("3002 0000")).toBe(false); // end-of-contents
    expect(wellFormed("3002 0f00")).toBe(false); // UNIVERSAL 15
    expect(wellFormed("2403 040100")).toBe(false); // a constructed OCTET STRING
    expect(wellFormed("2c03 0c0161")).toBe(false); // a constructed UTF8String
    expect(wellFormed("1000")).toBe(false); // a primitive SEQUENCE
    expect(wellFormed("3003 030108")).toBe(false); // 8 unused bits
    expect(wellFormed("3003 1e0141")).toBe(false); // half a BMPString character
    expect(wellFormed("3005 1c03000041")).toBe(false); // part of a UniversalString character
    expect(wellFormed("3004 06022a86")).toBe(false); // an unfinished OID
  });

  it("walks deep nesting without recursion", () => {
    let nested: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 20_000; i++) nested = encodeTlv(0xa0, nested);
    expect(isWellFormed(nested, readTlv(nested, 0)!)).toBe(true);
  });
});
