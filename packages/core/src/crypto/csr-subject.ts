import { Buffer, isUtf8 } from "node:buffer";
import {
  elementEnd,
  elementIs,
  encodeOid,
  firstChild,
  nextSibling,
  TAG_NULL,
  TAG_OID,
  TAG_SEQUENCE,
  TAG_SET,
  valueStartOf,
} from "./der.js";

/** id-at-commonName 2.5.4.3 as a DER element. */
const COMMON_NAME = encodeOid("2.5.4.3");

/**
 * Every commonName of the subject Name at `offset` of a value `isWellFormed` accepted, in
 * order; undefined when the Name is not
 * `SEQUENCE OF SET OF SEQUENCE { type OBJECT IDENTIFIER, value ANY }` (RFC 5280 §4.1.2.4).
 */
export function readCommonNames(der: Uint8Array, name: number): string[] | undefined {
  if (der[name] !== TAG_SEQUENCE) return undefined;
  const commonNames: string[] = [];
  const nameEnd = elementEnd(der, name);
  for (let rdn = firstChild(der, name); rdn >= 0; rdn = nextSibling(der, rdn, nameEnd)) {
    if (der[rdn] !== TAG_SET) return undefined;
    const rdnEnd = elementEnd(der, rdn);
    for (let pair = firstChild(der, rdn); pair >= 0; pair = nextSibling(der, pair, rdnEnd)) {
      if (der[pair] !== TAG_SEQUENCE) return undefined;
      // SEQUENCE { type OBJECT IDENTIFIER, value ANY }: exactly these two.
      const pairEnd = elementEnd(der, pair);
      const type = firstChild(der, pair);
      const value = nextSibling(der, type, pairEnd);
      if (value < 0 || der[type] !== TAG_OID || nextSibling(der, value, pairEnd) >= 0) return undefined;
      if (elementIs(der, type, COMMON_NAME)) commonNames.push(directoryStringText(der, value));
    }
  }
  return commonNames;
}

const view = (bytes: Uint8Array, start: number, end: number) =>
  Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);

/**
 * The text of the attribute value at `offset`, as the ASN.1 schema library this replaces
 * rendered it, so names compare the same as before: UTF8String decoded (its raw octets as
 * Latin-1 when not valid UTF-8), BMPString as UTF-16BE, UniversalString as UTF-32BE truncated to
 * 16-bit code units, PrintableString / TeletexString / IA5String octet for octet, NULL as "",
 * and any other type as the lowercase hex of its whole DER element.
 */
function directoryStringText(der: Uint8Array, offset: number): string {
  const start = valueStartOf(der, offset);
  const end = elementEnd(der, offset);
  switch (der[offset]) {
    case 0x0c: {
      // ASCII, as names usually are, reads the same either way.
      let ascii = true;
      for (let i = start; i < end && ascii; i++) ascii = der[i]! < 0x80;
      const octets = view(der, start, end);
      return ascii || !isUtf8(octets) ? octets.toString("latin1") : octets.toString("utf8");
    }
    case 0x13:
    case 0x14:
    case 0x16:
      return view(der, start, end).toString("latin1");
    case 0x1e: {
      let text = "";
      for (let i = start; i < end; i += 2) text += String.fromCharCode((der[i]! << 8) | der[i + 1]!);
      return text;
    }
    case 0x1c: {
      let text = "";
      // fromCharCode keeps the low 16 bits of a code point beyond the BMP.
      for (let i = start; i < end; i += 4) text += String.fromCharCode((der[i + 2]! << 8) | der[i + 3]!);
      return text;
    }
    case TAG_NULL:
      return "";
    default:
      return view(der, offset, end).toString("hex");
  }
}
