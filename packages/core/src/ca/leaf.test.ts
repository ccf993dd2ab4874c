import { Buffer } from "node:buffer";
import { createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { beforeAll, describe, expect, it } from "vitest";
import { pemBlocks } from "../crypto/pem.js";
import { spkiDerOf } from "../crypto/spki.js";
import type { IssueRequest, SubjectAltName } from "../ports/certificate-authority.js";
import { type CaLevel, createCaLevel, decodeCaLevel } from "./ca-level.js";
import { encodePositiveInteger, encodeTime, toDer } from "./der-encode.js";
import { issueLeaf, type LeafIssuer, leafIssuer, leafTbs } from "./leaf.js";
import {
  arrayBuffer,
  commonNameOnly,
  extension,
  keyIdentifier,
  randomSerial,
  wholeSeconds,
} from "./x509-builder.js";

/**
 * The leaf TBSCertificate as the ASN.1 schema classes encode it: the implementation the
 * hand-written DER encoder replaced, kept as the reference it must match byte for byte.
 */
function referenceTbs(
  ca: CaLevel,
  request: IssueRequest,
  notBefore: Date,
  notAfter: Date,
  serial: Uint8Array,
): Uint8Array {
  const spki = AsnConvert.parse(spkiDerOf(request.publicKey), asn.SubjectPublicKeyInfo);
  const rsa = request.publicKey.asymmetricKeyType?.startsWith("rsa") === true;
  const usage = asn.KeyUsageFlags.digitalSignature | (rsa ? asn.KeyUsageFlags.keyEncipherment : 0);
  const firstDns = request.names.find((n) => n.type === "dns")?.value;
  const commonName = firstDns !== undefined && firstDns.length <= 64 ? firstDns : undefined;
  const san = new asn.GeneralNames(
    request.names.map((n) =>
      n.type === "dns"
        ? new asn.GeneralName({ dNSName: n.value })
        : new asn.GeneralName({ iPAddress: n.value }),
    ),
  );
  const aki = new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(ca.keyIdentifier) });
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: arrayBuffer(serial),
    signature: ca.signer.algorithm,
    issuer: ca.subject,
    validity: new asn.Validity({ notBefore, notAfter }),
    subject: commonNameOnly(commonName),
    subjectPublicKeyInfo: spki,
    extensions: new asn.Extensions([
      extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(usage)),
      extension(
        asn.id_ce_extKeyUsage,
        false,
        new asn.ExtendedKeyUsage([asn.id_kp_serverAuth, asn.id_kp_clientAuth]),
      ),
      extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: false })),
      extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyIdentifier(spki))),
      extension(asn.id_ce_authorityKeyIdentifier, false, aki),
      extension(asn.id_ce_subjectAltName, commonName === undefined, san),
    ]),
  });
  return new Uint8Array(AsnConvert.serialize(tbs));
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const publicKey = (pair: { privateKey: KeyObject }) => createPublicKey(pair.privateKey);

const leafKeys: Record<string, KeyObject> = {
  p256: publicKey(generateKeyPairSync("ec", { namedCurve: "P-256" })),
  p384: publicKey(generateKeyPairSync("ec", { namedCurve: "P-384" })),
  p521: publicKey(generateKeyPairSync("ec", { namedCurve: "P-521" })),
  rsa2048: publicKey(generateKeyPairSync("rsa", { modulusLength: 2048 })),
  rsaPss: publicKey(generateKeyPairSync("rsa-pss", { modulusLength: 2048 })),
  rsaPssSha256: publicKey(
    generateKeyPairSync("rsa-pss", {
      modulusLength: 2048,
      hashAlgorithm: "sha256",
      mgf1HashAlgorithm: "sha256",
    }),
  ),
  ed25519: publicKey(generateKeyPairSync("ed25519")),
  ed448: publicKey(generateKeyPairSync("ed448")),
};

const dns = (value: string): SubjectAltName => ({ type: "dns", value });
const ip = (value: string): SubjectAltName => ({ type: "ip", value });
/** `count` DNS names of 20 characters each: asn.GeneralNames of count × 22 octets. */
const manyNames = (count: number) =>
  Array.from({ length: count }, (_, i) => dns(`host-${String(i).padStart(5, "0")}.example.com`));

const nameSets: Record<string, readonly SubjectAltName[]> = {
  "one DNS name": [dns("www.example.com")],
  "DNS, IPv4 and IPv6": [dns("example.com"), ip("192.0.2.1"), ip("2001:db8::1"), ip("::1")],
  "IPs only (empty subject)": [ip("10.0.0.1"), ip("fe80::1:2:3:4")],
  "first DNS name over 64 characters (empty subject)": [dns(`${"a".repeat(60)}.example.com`), dns("b.test")],
  "DNS name of exactly 64 characters": [dns(`${"c".repeat(52)}.example.com`)],
  "a 253-character DNS name": [dns(`${"d.".repeat(126)}e`)],
  "6 names (asn.GeneralNames just over 127 octets)": manyNames(6),
  "12 names (over 255 octets)": manyNames(12),
};

const validities: Record<string, [string, string]> = {
  "2026, UTCTime": ["2026-03-01T12:34:56Z", "2026-05-30T00:00:01Z"],
  "across 2050, UTCTime then GeneralizedTime": ["2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z"],
  "after 2050, GeneralizedTime": ["2077-07-04T01:02:03Z", "2101-02-28T23:00:00Z"],
  "the ends of the range": ["1950-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
  "single-digit fields": ["2001-02-03T04:05:06Z", "2061-02-03T04:05:06Z"],
};

const caLevel = async (curve: "P-256" | "P-384"): Promise<CaLevel> => {
  const profile = {
    curve,
    commonName: `test ${curve} CA`,
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2120-01-01T00:00:00Z"),
  };
  const blob = (await createCaLevel(profile))._unsafeUnwrap();
  return decodeCaLevel(blob)._unsafeUnwrap();
};

describe("leaf asn.TBSCertificate DER encoder", () => {
  const issuers: Record<string, LeafIssuer> = {};
  beforeAll(async () => {
    issuers["P-256 CA"] = leafIssuer(await caLevel("P-256"));
    issuers["P-384 CA"] = leafIssuer(await caLevel("P-384"));
  });

  const request = (key: KeyObject, names: readonly SubjectAltName[]): IssueRequest => ({
    endpointId: "e",
    publicKey: key,
    names,
  });

  it("matches the ASN.1 classes byte for byte across CAs, key types, names and validity", () => {
    let compared = 0;
    for (const issuer of Object.values(issuers)) {
      for (const key of Object.values(leafKeys)) {
        for (const names of Object.values(nameSets)) {
          for (const [from, to] of Object.values(validities)) {
            const serial = randomSerial().bytes;
            const [notBefore, notAfter] = [new Date(from), new Date(to)];
            const r = request(key, names);
            const actual = leafTbs(issuer, r, notBefore, notAfter, serial)._unsafeUnwrap();
            expect(hex(actual)).toBe(hex(referenceTbs(issuer.ca, r, notBefore, notAfter, serial)));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * 8 * 8 * 5);
  });

  it("matches with three-octet lengths (asn.GeneralNames over 65535 octets)", () => {
    const issuer = issuers["P-384 CA"]!;
    const r = request(leafKeys.rsa2048!, manyNames(3000));
    const [notBefore, notAfter] = [new Date("2030-01-01T00:00:00Z"), new Date("2060-01-01T00:00:00Z")];
    const serial = randomSerial().bytes;
    const actual = leafTbs(issuer, r, notBefore, notAfter, serial)._unsafeUnwrap();
    expect(actual.length).toBeGreaterThan(65_535);
    expect(hex(actual)).toBe(hex(referenceTbs(issuer.ca, r, notBefore, notAfter, serial)));
  });

  it("matches for serials at the edges of the random serial rule", () => {
    const issuer = issuers["P-256 CA"]!;
    const r = request(leafKeys.p256!, nameSets["one DNS name"]!);
    const [notBefore, notAfter] = [new Date("2030-01-01T00:00:00Z"), new Date("2030-02-01T00:00:00Z")];
    for (const first of [0x40, 0x7f]) {
      for (const fill of [0x00, 0xff]) {
        const serial = new Uint8Array(16).fill(fill);
        serial[0] = first;
        const actual = leafTbs(issuer, r, notBefore, notAfter, serial)._unsafeUnwrap();
        expect(hex(actual)).toBe(hex(referenceTbs(issuer.ca, r, notBefore, notAfter, serial)));
      }
    }
  });

  it("is what issueLeaf signs, and the signature verifies", () => {
    for (const issuer of Object.values(issuers)) {
      for (const key of Object.values(leafKeys)) {
        const r = request(key, nameSets["DNS, IPv4 and IPv6"]!);
        const notBefore = wholeSeconds(new Date());
        const notAfter = new Date(notBefore.getTime() + 90 * 86_400_000);
        const issued = issueLeaf(issuer, r, notBefore, notAfter)._unsafeUnwrap();
        const [leaf] = pemBlocks(issued.chainPem);
        const der = leaf!.der;
        const cert = AsnConvert.parse(der, asn.Certificate);
        const serial = new Uint8Array(cert.tbsCertificate.serialNumber);
        expect(hex(serial)).toBe(issued.serial);
        const tbs = new Uint8Array(AsnConvert.serialize(cert.tbsCertificate));
        expect(hex(tbs)).toBe(hex(referenceTbs(issuer.ca, r, notBefore, notAfter, serial)));
        expect(hex(der).includes(hex(tbs))).toBe(true);
        expect(new X509Certificate(der).verify(issuer.ca.certificate.publicKey)).toBe(true);
      }
    }
  });

  it("refuses validity dates that no certificate Time can hold", () => {
    const r = request(leafKeys.p256!, nameSets["one DNS name"]!);
    const serial = randomSerial().bytes;
    const ok = new Date("2030-01-01T00:00:00Z");
    for (const bad of ["1949-12-31T23:59:59Z", "+010000-01-01T00:00:00Z", "invalid"]) {
      const result = leafTbs(issuers["P-256 CA"]!, r, new Date(bad), ok, serial);
      expect(result._unsafeUnwrapErr().message).toMatch(/years 1950 to 9999/);
    }
  });
});

describe("DER writers", () => {
  it("encodes positive INTEGERs minimally, with a 0x00 before a set top bit (X.690 §8.3)", () => {
    const integer = (...octets: number[]) => hex(toDer(encodePositiveInteger(Uint8Array.from(octets))));
    expect(integer(0x40, 0x01)).toBe("02024001");
    expect(integer(0x80, 0x01)).toBe("0203008001");
    expect(integer(0x00, 0x00, 0x7f)).toBe("02017f");
    expect(integer(0x00, 0x00, 0x80)).toBe("02020080");
    expect(integer(0x00, 0x00)).toBe("020100");
    expect(integer()).toBe("020100");
  });

  it("encodes Time as UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)", () => {
    const time = (iso: string) => {
      const encoded = encodeTime(new Date(iso));
      return encoded && Buffer.from(toDer(encoded)).toString("latin1");
    };
    expect(time("2049-12-31T23:59:59Z")).toBe("\x17\x0d491231235959Z");
    expect(time("1950-01-01T00:00:00Z")).toBe("\x17\x0d500101000000Z");
    expect(time("2050-01-01T00:00:00Z")).toBe("\x18\x0f20500101000000Z");
    expect(encodeTime(new Date("1949-12-31T23:59:59Z"))).toBeUndefined();
  });
});
