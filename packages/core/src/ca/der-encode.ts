import { Buffer } from "node:buffer";
import { TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, TAG_SET } from "../crypto/der.js";

/*
 * DER writers for the parts of a leaf certificate that change per certificate. The leaf is
 * encoded by hand because the ASN.1 schema classes cost over 15 times the ECDSA signature.
 * Elements are first described as a tree whose lengths are known as it is built, then written
 * into one buffer: nesting costs no copies, and a certificate is one allocation.
 */

/** A DER element still to be written: its tag and contents, whose encoded length is known. */
export interface DerElement {
  readonly tag: number;
  readonly contents: readonly DerPart[];
  readonly length: number;
}

/** Bytes already in DER, or an element still to be written. */
export type DerPart = Uint8Array | DerElement;

/** An element from its tag (one identifier octet) and contents, in order. */
export function tlv(tag: number, ...contents: DerPart[]): DerElement {
  let length = 0;
  for (const part of contents) length += encodedLength(part);
  return { tag, contents, length };
}

/**
 * Writes a part out as DER bytes. Into a Buffer, which below 4 KiB comes from Buffer's pool
 * rather than a new ArrayBuffer; `write` sets every octet, so the unzeroed memory never shows.
 */
export function toDer(part: DerPart): Uint8Array {
  const out = Buffer.allocUnsafe(encodedLength(part));
  write(out, 0, part);
  return out;
}

function encodedLength(part: DerPart): number {
  return part instanceof Uint8Array ? part.length : headerLength(part.length) + part.length;
}

/** X.690 §8.1.3: the short form below 128, else the fewest length octets (§10.1). */
function headerLength(length: number): number {
  if (length < 0x80) return 2;
  let octets = 0;
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets++;
  return 2 + octets;
}

function write(out: Uint8Array, offset: number, part: DerPart): number {
  if (part instanceof Uint8Array) {
    out.set(part, offset);
    return offset + part.length;
  }
  const header = headerLength(part.length);
  out[offset] = part.tag;
  if (header === 2) out[offset + 1] = part.length;
  else {
    out[offset + 1] = 0x80 | (header - 2);
    for (let i = header - 1, n = part.length; i >= 2; i--, n = Math.floor(n / 256)) out[offset + i] = n % 256;
  }
  let at = offset + header;
  for (const child of part.contents) at = write(out, at, child);
  return at;
}

const TAG_UTF8_STRING = 0x0c;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;

/** BOOLEAN TRUE: X.690 §11.1 requires all bits set. */
const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

/** OBJECT IDENTIFIER 2.5.4.3 (id-at-commonName), X.690 §8.19: "2.5" packs into 0x55. */
const OID_COMMON_NAME = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03);

/** The empty Name: an RDNSequence with no RDNs (RFC 5280 §4.1.2.6). */
const EMPTY_NAME = Uint8Array.of(TAG_SEQUENCE, 0x00);

/**
 * A positive INTEGER from big-endian magnitude octets (X.690 §8.3): leading zero octets go
 * (DER is minimal), and a 0x00 goes in front when the top bit is set, which would otherwise
 * make it negative.
 */
export function encodePositiveInteger(magnitude: Uint8Array): DerPart {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const value = magnitude.subarray(start);
  if (value.length === 0) return Uint8Array.of(TAG_INTEGER, 0x01, 0x00);
  return (value[0]! & 0x80) === 0 ? tlv(TAG_INTEGER, value) : tlv(TAG_INTEGER, Uint8Array.of(0), value);
}

/** Writes `n` (0-99) as two ASCII digits at `at`; answers the next offset. */
function twoDigits(out: Uint8Array, at: number, n: number): number {
  out[at] = 0x30 + ((n / 10) | 0);
  out[at + 1] = 0x30 + (n % 10);
  return at + 2;
}

/**
 * A certificate Time (RFC 5280 §4.1.2.5): UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime
 * YYYYMMDDHHMMSSZ from 2050, seconds always present and no fractions (X.690 §11.7/§11.8), so
 * callers pass whole seconds. Undefined for years neither form can hold per RFC 5280: before
 * 1950 (UTCTime would read as 20YY) and past 9999. The ASCII digits are written straight into
 * the contents (no string to build and convert, a third of the cost).
 */
export function encodeTime(date: Date): DerElement | undefined {
  const year = date.getUTCFullYear();
  if (!(year >= 1950 && year <= 9999)) return undefined;
  const utc = year < 2050;
  const out = new Uint8Array(utc ? 13 : 15);
  let at = utc ? 0 : twoDigits(out, 0, (year / 100) | 0);
  at = twoDigits(out, at, year % 100);
  at = twoDigits(out, at, date.getUTCMonth() + 1);
  at = twoDigits(out, at, date.getUTCDate());
  at = twoDigits(out, at, date.getUTCHours());
  at = twoDigits(out, at, date.getUTCMinutes());
  at = twoDigits(out, at, date.getUTCSeconds());
  out[at] = 0x5a; // "Z"
  return tlv(utc ? TAG_UTC_TIME : TAG_GENERALIZED_TIME, out);
}

/**
 * An Extension (RFC 5280 §4.1): extnID, critical, extnValue wrapping the value's DER. DER leaves
 * out a component equal to its DEFAULT (X.690 §11.5), so `critical` (DEFAULT FALSE) is only
 * written when true.
 */
export function encodeExtension(oid: Uint8Array, critical: boolean, value: DerPart): DerElement {
  const extnValue = tlv(TAG_OCTET_STRING, value);
  return critical ? tlv(TAG_SEQUENCE, oid, TRUE, extnValue) : tlv(TAG_SEQUENCE, oid, extnValue);
}

/** An OCTET STRING, e.g. a KeyIdentifier (RFC 5280 §4.2.1.2). */
export function encodeOctetString(value: DerPart): DerElement {
  return tlv(TAG_OCTET_STRING, value);
}

/**
 * A Name with one RDN holding one UTF8String commonName (RFC 5280 §4.1.2.6, §4.1.2.4 prefers
 * UTF8String), or the empty Name when there is none.
 */
export function encodeCommonNameOnly(commonName: string | undefined): DerPart {
  if (commonName === undefined) return EMPTY_NAME;
  const value = tlv(TAG_UTF8_STRING, Buffer.from(commonName, "utf8"));
  return tlv(TAG_SEQUENCE, tlv(TAG_SET, tlv(TAG_SEQUENCE, OID_COMMON_NAME, value)));
}
