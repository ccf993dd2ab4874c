import { createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseCsr } from "./csr.js";
import { encodeTlv } from "./der.js";

/*
 * Hand-built requests, signed for real, so that every check after the signature is reached:
 * the encodings the strict DER walk must accept, and those it must refuse as not DER. The
 * ASN.1 schema library parseCsr used before gave the same answers here, except where a test
 * says "BER": it let those through (trailing octets or extra elements inside a value, long-form
 * lengths, non-minimal INTEGERs, context tags in place of SEQUENCEs), DER does not (X.690 §10).
 */

const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
const spki = new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ""), "hex"));
const tlv = encodeTlv;

const VERSION_0 = hex("020100");
const CN = hex("0603550403");
const ECDSA_SHA256 = hex("300a06082a8648ce3d040302");
const EXTENSION_REQUEST = hex("06092a864886f70d01090e");
const SAN = hex("0603551d11");
const BASIC_CONSTRAINTS = hex("0603551d13");

/** A Name with one commonName RDN per value (each value a whole DER element). */
const subject = (...values: Uint8Array[]) =>
  tlv(0x30, ...values.map((value) => tlv(0x31, tlv(0x30, CN, value))));

/** The attributes field holding one extensionRequest with these extensions. */
const extensionRequest = (...extensions: Uint8Array[]) =>
  tlv(0xa0, tlv(0x30, EXTENSION_REQUEST, tlv(0x31, tlv(0x30, ...extensions))));

const extension = (id: Uint8Array, value: Uint8Array) => tlv(0x30, id, tlv(0x04, value));

/** Signs `info` (a whole certificationRequestInfo) into a request; `after` lands inside the outer SEQUENCE. */
function request(info: Uint8Array, ...after: Uint8Array[]): Uint8Array {
  const signature = sign("sha256", info, { key, dsaEncoding: "der" });
  return tlv(0x30, info, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0), signature), ...after);
}

const info = (...fields: Uint8Array[]) => tlv(0x30, ...fields);
const parsed = async (der: Uint8Array) => (await parseCsr(der))._unsafeUnwrap();
async function refusal(der: Uint8Array): Promise<string> {
  const result = await parseCsr(der);
  if (result.isOk()) throw new Error("expected the CSR to be refused");
  return result.error.message;
}
const NOT_DER = "CSR is not valid DER (PKCS#10, RFC 2986)";

describe("parseCsr on hand-built encodings", () => {
  it("reads a request without the optional attributes field", async () => {
    const csr = await parsed(request(info(VERSION_0, subject(tlv(0x0c, hex("61"))), spki)));
    expect(csr.commonNames).toEqual(["a"]);
    expect(csr.dnsNames).toEqual([]);
  });

  it("renders commonNames of every string type as before", async () => {
    const csr = await parsed(
      request(
        info(
          VERSION_0,
          subject(
            tlv(0x0c, Buffer.from("Ünï✓")), // UTF8String
            tlv(0x0c, hex("c328")), // not UTF-8: its octets as Latin-1
            tlv(0x13, Buffer.from("Printable")),
            tlv(0x14, hex("e9")), // TeletexString, octet for octet
            tlv(0x16, Buffer.from("ia5")),
            tlv(0x1e, hex("0041d83dde00")), // BMPString, UTF-16BE
            tlv(0x1c, hex("00000042")), // UniversalString
            tlv(0x12, Buffer.from("12")), // NumericString: the DER element's hex
            hex("0500"), // NULL
          ),
          spki,
        ),
      ),
    );
    expect(csr.commonNames).toEqual(["Ünï✓", "Ã(", "Printable", "é", "ia5", "A😀", "B", "12023132", ""]);
    expect(csr.commonName).toBe("");
  });

  it("reads several extensionRequest attributes and values, and every SAN in them", async () => {
    const san = (...names: Uint8Array[]) => extension(SAN, tlv(0x30, ...names));
    const attributes = tlv(
      0xa0,
      tlv(0x30, EXTENSION_REQUEST, tlv(0x31, tlv(0x30, san(tlv(0x82, Buffer.from("a.example")))))),
      tlv(0x30, hex("06092a864886f70d010907"), tlv(0x31, tlv(0x0c, Buffer.from("challenge")))),
      tlv(
        0x30,
        EXTENSION_REQUEST,
        tlv(
          0x31,
          tlv(0x30, san(tlv(0x87, hex("20010db8000000000000000000000001")))),
          tlv(0x30, san(tlv(0x87, hex("c0000201")), tlv(0x81, Buffer.from("x@y")))),
        ),
      ),
    );
    const csr = await parsed(request(info(VERSION_0, subject(), spki, attributes)));
    expect(csr.dnsNames).toEqual(["a.example"]);
    expect(csr.ipAddresses).toEqual(["2001:db8::1", "192.0.2.1"]);
    expect(csr.otherSanCount).toBe(1);
  });

  it("counts any non-zero cA octet as a CA request, with or without the critical flag", async () => {
    const withCa = async (value: string, critical = false) => {
      const extensions = critical
        ? tlv(0x30, BASIC_CONSTRAINTS, hex("0101ff"), tlv(0x04, hex(value)))
        : extension(BASIC_CONSTRAINTS, hex(value));
      const csr = await parsed(request(info(VERSION_0, subject(), spki, extensionRequest(extensions))));
      return csr.requestsCa;
    };
    expect(await withCa("30030101ff")).toBe(true);
    expect(await withCa("30030101ff", true)).toBe(true);
    expect(await withCa("3003010101")).toBe(true);
    expect(await withCa("3003010100")).toBe(false);
    expect(await withCa("3000")).toBe(false);
    expect(await withCa("3003020100")).toBe(false); // pathLenConstraint alone
  });

  it("refuses malformed extension values with their own messages", async () => {
    const withExtensions = (...extensions: Uint8Array[]) =>
      refusal(request(info(VERSION_0, subject(), spki, extensionRequest(...extensions))));
    // BER: an octet after the BasicConstraints SEQUENCE.
    expect(await withExtensions(extension(BASIC_CONSTRAINTS, hex("3003020100 00")))).toBe(
      "CSR: the basicConstraints extension is malformed (RFC 5280 §4.2.1.9)",
    );
    expect(await withExtensions(extension(SAN, hex("3003820161 00")))).toBe(
      "CSR: the subjectAltName extension is malformed (RFC 5280 §4.2.1.6)",
    );
    expect(await withExtensions(tlv(0x30, SAN))).toBe(
      "CSR: the extensionRequest attribute is not a valid Extensions value (RFC 2985 §5.4.2)",
    );
  });

  it("names a version other than v1", async () => {
    const withVersion = (version: string) => refusal(request(info(hex(version), subject(), spki)));
    expect(await withVersion("020101")).toBe("CSR version must be v1 (0), not 1 (RFC 2986 §4.1)");
    expect(await withVersion("0201ff")).toBe("CSR version must be v1 (0), not -1 (RFC 2986 §4.1)");
    expect(await withVersion("020900ffffffffffffffff")).toBe(
      "CSR version must be v1 (0), not 18446744073709551615 (RFC 2986 §4.1)",
    );
    // BER at best: an empty INTEGER, and zero with a needless leading octet.
    expect(await withVersion("0200")).toBe(NOT_DER);
    expect(await withVersion("02020000")).toBe(NOT_DER);
  });

  it("refuses trailing bytes and extra elements at every level", async () => {
    const good = info(VERSION_0, subject(tlv(0x0c, hex("61"))), spki);
    expect(await refusal(request(good, hex("0500")))).toBe(NOT_DER);
    expect(await refusal(Uint8Array.from([...request(good), 0]))).toBe(NOT_DER);
    // BER: an element after the attributes field.
    expect(await refusal(request(info(VERSION_0, subject(), spki, tlv(0xa0), hex("0500"))))).toBe(NOT_DER);
    expect(await refusal(request(info(VERSION_0, subject(), spki, hex("0500"))))).toBe(NOT_DER);
    const rdnWithExtra = tlv(0x30, tlv(0x31, tlv(0x30, CN, tlv(0x0c, hex("61")), hex("0500"))));
    expect(await refusal(request(info(VERSION_0, rdnWithExtra, spki)))).toBe(NOT_DER);
  });

  it("refuses BER inside the request: long-form lengths, constructed strings, tags out of place", async () => {
    const longLength = hex("0c810161"); // UTF8String "a" with a long-form length
    expect(await refusal(request(info(VERSION_0, subject(longLength), spki)))).toBe(NOT_DER);
    expect(await refusal(request(info(VERSION_0, subject(tlv(0x2c, tlv(0x0c, hex("61")))), spki)))).toBe(
      NOT_DER,
    );
    // A context tag where the Name's SET belongs (the old schema library let these through).
    expect(
      await refusal(request(info(VERSION_0, tlv(0x30, tlv(0xa1, tlv(0x30, CN, hex("0c0161")))), spki))),
    ).toBe(NOT_DER);
    // An unfinished OID inside an attribute value nobody reads.
    const odd = tlv(0xa0, tlv(0x30, hex("06035504 03"), tlv(0x31, hex("06022a86"))));
    expect(await refusal(request(info(VERSION_0, subject(), spki, odd)))).toBe(NOT_DER);
    // An odd-length BMPString in the subject.
    expect(await refusal(request(info(VERSION_0, subject(tlv(0x1e, hex("004100"))), spki)))).toBe(NOT_DER);
  });

  it("refuses a signature BIT STRING with unused bits or no octets", async () => {
    const good = info(VERSION_0, subject(), spki);
    const signature = sign("sha256", good, { key, dsaEncoding: "der" });
    expect(await refusal(tlv(0x30, good, ECDSA_SHA256, tlv(0x03, Uint8Array.of(1), signature)))).toBe(
      NOT_DER,
    );
    expect(await refusal(tlv(0x30, good, ECDSA_SHA256, tlv(0x03)))).toBe(NOT_DER);
    expect(await refusal(tlv(0x30, good, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0))))).toBe(
      "CSR signature does not verify",
    );
  });

  it("refuses a key OpenSSL loads but cannot export, without asking it for details", async () => {
    // An EC P-384 SubjectPublicKeyInfo whose BIT STRING holds no point: node:crypto aborts the
    // process if such a key is asked for its asymmetricKeyDetails.
    const noPoint = hex("3016301006072a8648ce3d020106052b8104002203020100");
    expect(await refusal(request(info(VERSION_0, subject(), noPoint)))).toBe(
      "CSR public key (algorithm 1.2.840.10045.2.1) is malformed or of an unsupported type",
    );
  });
});
