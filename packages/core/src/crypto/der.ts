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

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_SEQUENCE = 0x30;

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
