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
  const end = elementEnd(bytes, offset, limit);
  if (end < 0) return undefined;
  return { tag: bytes[offset]!, start: offset, valueStart: valueStartOf(bytes, offset), end };
}

/**
 * Where the element at `offset` ends, by the same rules as `readTlv`; -1 where it has none.
 * Answers a number, so walks over many elements make no objects.
 */
export function elementEnd(bytes: Uint8Array, offset: number, limit: number = bytes.length): number {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return -1;
  if (first < 0x80) {
    const end = offset + 2 + first;
    return end > limit ? -1 : end;
  }
  const count = first & 0x7f;
  // 0x80 is BER's indefinite length; more than 4 length octets cannot fit in memory anyway.
  if (count === 0 || count > 4) return -1;
  const valueStart = offset + 2 + count;
  let length = 0;
  for (let i = offset + 2; i < valueStart; i++) {
    const octet = bytes[i];
    if (octet === undefined || (i === offset + 2 && octet === 0)) return -1;
    length = length * 256 + octet;
  }
  if (length < 0x80) return -1;
  const end = valueStart + length;
  return end > limit ? -1 : end;
}

/** Where the value of the element at `offset` starts: after its tag and length octets. */
export function valueStartOf(bytes: Uint8Array, offset: number): number {
  const first = bytes[offset + 1]!;
  return first < 0x80 ? offset + 2 : offset + 2 + (first & 0x7f);
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
 * `isWellFormed`'s stack, kept from call to call (it runs to completion, one call at a time):
 * it only grows to the deepest nesting seen, at most one entry per two octets walked.
 */
const enclosing: number[] = [];

/**
 * Whether an element is well-formed all the way down, so no field read later can hold a broken
 * value: the children of every constructed element tile it as strict DER; no universal tag is
 * reserved or in the wrong form; every OBJECT IDENTIFIER reads (`readOid`);
 * every BIT STRING starts with an unused-bits count of 0-7 (§8.6.2.2); BMPString and
 * UniversalString values hold whole characters (2 and 4 octets, X.680 §41). OCTET STRING and
 * BIT STRING contents are not looked into. One pass in document order, keeping only the ends
 * of the enclosing elements: deep nesting cannot exhaust the stack, and no object is made per
 * element.
 */
export function isWellFormed(bytes: Uint8Array, tlv: Tlv): boolean {
  if (!isWellFormedHere(bytes, tlv.tag, tlv.valueStart, tlv.end)) return false;
  if (!(tlv.tag & 0x20)) return true;
  // enclosing[0..depth): the ends of the constructed elements around the innermost one.
  let depth = 0;
  let limit = tlv.end;
  let offset = tlv.valueStart;
  for (;;) {
    if (offset === limit) {
      // The innermost element is done: its children tiled it exactly.
      if (depth === 0) return true;
      limit = enclosing[--depth]!;
      continue;
    }
    const end = elementEnd(bytes, offset, limit);
    if (end < 0) return false;
    const tag = bytes[offset]!;
    const valueStart = valueStartOf(bytes, offset);
    if (!isWellFormedHere(bytes, tag, valueStart, end)) return false;
    if (tag & 0x20) {
      enclosing[depth++] = limit;
      limit = end;
      offset = valueStart;
    } else {
      offset = end;
    }
  }
}

/** `isWellFormed`'s checks of one element, without its children. */
function isWellFormedHere(bytes: Uint8Array, tag: number, valueStart: number, end: number): boolean {
  // Universal 0 and 15 are reserved (X.680 §8.6); SEQUENCE and SET are always constructed,
  // and DER encodes every other universal type, strings included, primitively (X.690 §10.2).
  if ((tag & 0xdf) === 0 || (tag & 0xdf) === 0x0f || tag === 0x10 || tag === 0x11) return false;
  if ((tag & 0xe0) === 0x20) return tag === TAG_SEQUENCE || tag === TAG_SET;
  switch (tag) {
    case TAG_OID:
      return isOid(bytes, valueStart, end);
    case TAG_BIT_STRING:
      return valueStart === end || bytes[valueStart]! <= 7;
    case 0x1e:
      return (end - valueStart) % 2 === 0;
    case 0x1c:
      return (end - valueStart) % 4 === 0;
    default:
      return true;
  }
}

/**
 * Whether `bytes[start..end)` is an OBJECT IDENTIFIER value `readOid` reads: non-empty, every
 * subidentifier minimally encoded (no leading 0x80 octet, X.690 §8.19.2) and complete.
 */
function isOid(bytes: Uint8Array, start: number, end: number): boolean {
  if (start === end || bytes[end - 1]! & 0x80) return false;
  let fresh = true;
  for (let i = start; i < end; i++) {
    const octet = bytes[i]!;
    if (fresh && octet === 0x80) return false;
    fresh = (octet & 0x80) === 0;
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

/** The DER element of an OBJECT IDENTIFIER given as dotted decimal (X.690 §8.19), for constants. */
export function encodeOid(dotted: string): Uint8Array {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift(0x80 | (n % 128));
    octets.push(...groups);
  }
  return Uint8Array.of(TAG_OID, octets.length, ...octets);
}

/**
 * Whether the element at `offset` is `element` octet for octet. `element` is a whole DER element
 * (e.g. from `encodeOid`): its length octets fix where the one compared ends.
 */
export function elementIs(bytes: Uint8Array, offset: number, element: Uint8Array): boolean {
  if (offset + element.length > bytes.length) return false;
  for (let i = 0; i < element.length; i++) if (bytes[offset + i] !== element[i]) return false;
  return true;
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

/*
 * Walking a value `isWellFormed` accepted, where every element tiles its parent: an element is
 * named by its offset, and -1 stands for none, so fixed shapes read without making objects.
 */

/** The first element inside the element at `offset`; -1 when it is empty (or `offset` is -1). */
export function firstChild(bytes: Uint8Array, offset: number): number {
  if (offset < 0) return -1;
  const start = valueStartOf(bytes, offset);
  return start < elementEnd(bytes, offset) ? start : -1;
}

/** The element after the one at `offset` inside a parent ending at `end`; -1 when it is the last (or `offset` is -1). */
export function nextSibling(bytes: Uint8Array, offset: number, end: number): number {
  if (offset < 0) return -1;
  const next = elementEnd(bytes, offset, end);
  return next >= 0 && next < end ? next : -1;
}

/**
 * Whether elements tile `bytes[start..end)` exactly as strict DER, e.g. the contents of an OCTET
 * STRING, which `isWellFormed` does not look into. Where they do, `firstChild` and
 * `nextSibling` walk them.
 */
export function tiles(bytes: Uint8Array, start: number, end: number): boolean {
  let offset = start;
  while (offset < end) {
    offset = elementEnd(bytes, offset, end);
    if (offset < 0) return false;
  }
  return true;
}
