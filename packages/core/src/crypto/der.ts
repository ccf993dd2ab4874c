/**
 * A minimal strict DER (X.690 §10) reader and writer for the few places where the ASN.1 schema
 * classes are too loose or too slow: checking that a CSR is one definite-length DER value,
 * walking GeneralNames, RSASSA-PSS parameters, and assembling a signed certificate from parts
 * that are already DER.
 */

/** One tag-length-value element inside a byte array: `bytes.subarray(start, end)` is the whole TLV. */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

export const TAG_BOOLEAN = 0x01;
export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_SEQUENCE = 0x30;
export const TAG_SET = 0x31;

/**
 * Reads the element at `offset`, ending at or before `limit`. Undefined for anything that is not
 * strict DER: high tag numbers (not used by PKIX structures we read), indefinite lengths,
 * non-minimal length octets, or a length running past `limit`.
 */
export function readTlv(bytes: Uint8Array, offset: number, limit: number = bytes.length): Tlv | undefined {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return undefined;
  let length = first;
  let valueStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length octets cannot fit in memory anyway.
    if (count === 0 || count > 4) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) {
      const octet = bytes[valueStart + i];
      if (octet === undefined || (i === 0 && octet === 0)) return undefined;
      length = length * 256 + octet;
    }
    if (length < 0x80) return undefined;
    valueStart += count;
  }
  const end = valueStart + length;
  if (end > limit) return undefined;
  return { tag, start: offset, valueStart, end };
}

/** The elements directly inside a constructed element; undefined when they do not tile it exactly. */
export function readChildren(bytes: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const children: Tlv[] = [];
  let offset = parent.valueStart;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset, parent.end);
    if (child === undefined) return undefined;
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** The one element that spans all of `bytes`, when it has tag `tag`; undefined otherwise. */
export function readWhole(bytes: Uint8Array, tag: number): Tlv | undefined {
  const tlv = readTlv(bytes, 0);
  return tlv?.tag === tag && tlv.end === bytes.length ? tlv : undefined;
}

/**
 * Whether an element is well-formed all the way down, so no field read later can hold a broken
 * value: the children of every constructed element tile it as strict DER; no universal tag is
 * reserved or in the wrong form; every OBJECT IDENTIFIER reads (`readOid`);
 * every BIT STRING starts with an unused-bits count of 0-7 (§8.6.2.2); BMPString and
 * UniversalString values hold whole characters (2 and 4 octets, X.680 §41). OCTET STRING and
 * BIT STRING contents are not looked into. Iterative, so deep nesting cannot exhaust the stack.
 */
export function isWellFormed(bytes: Uint8Array, tlv: Tlv): boolean {
  const pending: Tlv[] = [tlv];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { tag, valueStart, end } = next;
    // Universal 0 and 15 are reserved (X.680 §8.6); SEQUENCE and SET are always constructed,
    // and DER encodes every other universal type, strings included, primitively (X.690 §10.2).
    if ((tag & 0xdf) === 0 || (tag & 0xdf) === 0x0f || tag === 0x10 || tag === 0x11) return false;
    if ((tag & 0xe0) === 0x20 && tag !== TAG_SEQUENCE && tag !== TAG_SET) return false;
    if (tag & 0x20) {
      const children = readChildren(bytes, next);
      if (children === undefined) return false;
      for (const child of children) pending.push(child);
    } else if (
      (tag === TAG_OID && readOid(bytes, next) === undefined) ||
      (tag === TAG_BIT_STRING && valueStart < end && bytes[valueStart]! > 7) ||
      (tag === 0x1e && (end - valueStart) % 2 !== 0) ||
      (tag === 0x1c && (end - valueStart) % 4 !== 0)
    ) {
      return false;
    }
  }
  return true;
}

/**
 * An OBJECT IDENTIFIER's dotted-decimal text (X.690 §8.19), undefined unless it is a non-empty
 * OID whose every subidentifier is minimally encoded (no leading 0x80 octet, §8.19.2) and complete.
 */
export function readOid(bytes: Uint8Array, tlv: Tlv): string | undefined {
  if (tlv.tag !== TAG_OID || tlv.end === tlv.valueStart) return undefined;
  const arcs: (number | bigint)[] = [];
  let value = 0;
  let big: bigint | undefined;
  let fresh = true;
  for (let i = tlv.valueStart; i < tlv.end; i++) {
    const octet = bytes[i]!;
    if (fresh && octet === 0x80) return undefined;
    fresh = false;
    // Numbers stay exact: switch to BigInt before 7 more bits could pass 2^53.
    if (big === undefined && value >= 2 ** 46) big = BigInt(value);
    if (big === undefined) value = value * 128 + (octet & 0x7f);
    else big = big * 128n + BigInt(octet & 0x7f);
    if (octet & 0x80) continue;
    arcs.push(big ?? value);
    value = 0;
    big = undefined;
    fresh = true;
  }
  if (!fresh) return undefined;
  // The first subidentifier packs the first two arcs: 40 * X + Y, X in 0..2 (§8.19.4).
  const first = arcs[0]!;
  const head =
    first < 40 ? `0.${first}` : first < 80 ? `1.${Number(first) - 40}` : `2.${BigInt(first) - 80n}`;
  return arcs.length === 1 ? head : `${head}.${arcs.slice(1).join(".")}`;
}

/** The value octets of an element. */
export function tlvValue(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.valueStart, tlv.end);
}

/** A small non-negative DER INTEGER's value, undefined when negative or larger than 2^31. */
export function readSmallInteger(bytes: Uint8Array, tlv: Tlv): number | undefined {
  const value = tlvValue(bytes, tlv);
  if (tlv.tag !== TAG_INTEGER || value.length === 0 || value.length > 4 || (value[0]! & 0x80) !== 0)
    return undefined;
  let n = 0;
  for (const octet of value) n = n * 256 + octet;
  return n;
}

/**
 * A DER INTEGER's value, undefined unless it is minimally encoded two's complement (X.690
 * §8.3.2: no leading 0x00 before a clear top bit, nor 0xFF before a set one; never empty).
 */
export function readInteger(bytes: Uint8Array, tlv: Tlv): bigint | undefined {
  const value = tlvValue(bytes, tlv);
  const [first, second] = value;
  if (tlv.tag !== TAG_INTEGER || first === undefined) return undefined;
  if (second !== undefined && ((first === 0 && second < 0x80) || (first === 0xff && second >= 0x80)))
    return undefined;
  let n = 0n;
  for (const octet of value) n = (n << 8n) | BigInt(octet);
  return first & 0x80 ? n - (1n << BigInt(8 * value.length)) : n;
}

/** Encodes one element from its tag and value parts. */
export function encodeTlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = encodeHeader(tag, length);
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  let offset = header.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function encodeHeader(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Uint8Array.of(tag, 0x80 | octets.length, ...octets);
}
