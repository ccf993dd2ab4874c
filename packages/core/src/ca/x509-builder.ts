import { Buffer } from "node:buffer";
import { type KeyObject, sign } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Extension,
  Name,
  RelativeDistinguishedName,
  type SubjectPublicKeyInfo,
  type TBSCertificate,
} from "@peculiar/asn1-x509";
import { err, ok, type Result } from "neverthrow";
import {
  elementEnd,
  firstChild,
  nextSibling,
  TAG_BIT_STRING,
  TAG_SEQUENCE,
  tiles,
  valueStartOf,
} from "../crypto/der.js";
import { randomOctets } from "../crypto/random.js";
import { sha256 } from "../crypto/sha256.js";
import { tlv, toDer } from "./der-encode.js";

/** A CA private key with the signature algorithm it signs certificates with. */
export interface CaSigner {
  readonly privateKey: KeyObject;
  readonly hash: "sha256" | "sha384";
  /** The signature AlgorithmIdentifier, as object (TBSCertificate.signature) and DER (Certificate.signatureAlgorithm). */
  readonly algorithm: AlgorithmIdentifier;
  readonly algorithmDer: Uint8Array;
}

/** RFC 5758 §3.2 ECDSA algorithm per CA curve; the hash matches the curve's strength. */
const ECDSA: Readonly<Record<string, { hash: "sha256" | "sha384"; oid: string }>> = {
  prime256v1: { hash: "sha256", oid: "1.2.840.10045.4.3.2" },
  secp384r1: { hash: "sha384", oid: "1.2.840.10045.4.3.3" },
};

/** The signer for an EC P-256 or P-384 CA key; the message says why when the key is another kind. */
export function ecdsaSigner(privateKey: KeyObject): Result<CaSigner, string> {
  const curve = privateKey.asymmetricKeyDetails?.namedCurve ?? "";
  const scheme =
    privateKey.type === "private" && privateKey.asymmetricKeyType === "ec" ? ECDSA[curve] : undefined;
  if (scheme === undefined) {
    return err(
      `CA key must be an EC P-256 or P-384 private key, not ${privateKey.asymmetricKeyType} ${curve}`.trim(),
    );
  }
  // RFC 5758 §3.2: the parameters field MUST be absent for ecdsa-with-SHA*.
  const algorithm = new AlgorithmIdentifier({ algorithm: scheme.oid });
  return ok({
    privateKey,
    hash: scheme.hash,
    algorithm,
    algorithmDer: new Uint8Array(AsnConvert.serialize(algorithm)),
  });
}

/**
 * Serializes the TBSCertificate, signs it, and assembles the Certificate (RFC 5280 §4.1) from
 * the DER parts directly, so the TBS is encoded once.
 */
export function signCertificate(tbs: TBSCertificate, signer: CaSigner): Uint8Array {
  return signTbs(new Uint8Array(AsnConvert.serialize(tbs)), signer);
}

/** The unused-bits octet of a BIT STRING of whole octets (X.690 §8.6.2.2). */
const NO_UNUSED_BITS = Uint8Array.of(0);

/** Signs TBSCertificate DER and wraps it with the algorithm and signature (RFC 5280 §4.1.1). */
export function signTbs(tbsDer: Uint8Array, signer: CaSigner): Uint8Array {
  const signature = sign(signer.hash, tbsDer, { key: signer.privateKey, dsaEncoding: "der" });
  return toDer(
    tlv(TAG_SEQUENCE, tbsDer, signer.algorithmDer, tlv(TAG_BIT_STRING, NO_UNUSED_BITS, signature)),
  );
}

/** An extension whose value is the DER of an ASN.1 schema object, or DER already encoded. */
export function extension(extnID: string, critical: boolean, value: object | Uint8Array): Extension {
  const der = value instanceof Uint8Array ? value : AsnConvert.serialize(value);
  return new Extension({ extnID, critical, extnValue: new OctetString(der) });
}

/**
 * Key identifier per RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the
 * subjectPublicKey BIT STRING value (RFC 5280 §4.2.1.2 uses SHA-1, which we avoid).
 */
export function keyIdentifier(spki: SubjectPublicKeyInfo): Uint8Array {
  return keyIdentifierOf(new Uint8Array(spki.subjectPublicKey));
}

/** The same key identifier from the subjectPublicKey BIT STRING value (without its unused-bits octet). */
export function keyIdentifierOf(subjectPublicKey: Uint8Array): Uint8Array {
  return sha256(subjectPublicKey).subarray(0, 20);
}

/**
 * The subjectPublicKey bits of SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7: SEQUENCE of the
 * AlgorithmIdentifier and a BIT STRING), without the unused-bits octet (X.690 §8.6.2), which
 * is 0 for every key type; undefined when the DER is not that shape.
 */
export function subjectPublicKeyOf(spkiDer: Uint8Array): Uint8Array | undefined {
  const end = spkiDer.length;
  if (spkiDer[0] !== TAG_SEQUENCE || elementEnd(spkiDer, 0) !== end) return undefined;
  if (!tiles(spkiDer, valueStartOf(spkiDer, 0), end)) return undefined;
  const algorithm = firstChild(spkiDer, 0);
  const key = nextSibling(spkiDer, algorithm, end);
  if (key < 0 || nextSibling(spkiDer, key, end) >= 0) return undefined;
  if (spkiDer[algorithm] !== TAG_SEQUENCE || spkiDer[key] !== TAG_BIT_STRING) return undefined;
  const bits = valueStartOf(spkiDer, key);
  const bitsEnd = elementEnd(spkiDer, key);
  return bits < bitsEnd && spkiDer[bits] === 0 ? spkiDer.subarray(bits + 1, bitsEnd) : undefined;
}

/**
 * A positive serial number (RFC 5280 §4.1.2.2: at most 20 octets, unique per CA) of 16 random
 * octets whose first octet is 0x40-0x7f: the DER INTEGER is then minimal and positive (a first
 * octet of 0x80 or more would read as negative), with 126 bits of entropy, far above the 64
 * bits the CA/B Forum requires.
 */
export function randomSerial(): { bytes: Uint8Array; hex: string } {
  const bytes = randomOctets(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return { bytes, hex: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex") };
}

/** A Name with a single UTF8String commonName (RFC 5280 §4.1.2.6), or the empty Name. */
export function commonNameOnly(commonName: string | undefined): Name {
  if (commonName === undefined) return new Name();
  const cn = new AttributeTypeAndValue({
    type: "2.5.4.3",
    value: new AttributeValue({ utf8String: commonName }),
  });
  return new Name([new RelativeDistinguishedName([cn])]);
}

/** Drops milliseconds: certificate times have one-second precision (RFC 5280 §4.1.2.5). */
export function wholeSeconds(date: Date): Date {
  return new Date(wholeSecondsMs(date.getTime()));
}

/** The same on a time value (ms since the epoch); NaN stays NaN. */
export function wholeSecondsMs(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** A copy as a standalone ArrayBuffer, the form the ASN.1 schema classes take. */
export function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
