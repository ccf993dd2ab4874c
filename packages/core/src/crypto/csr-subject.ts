import { Buffer, isUtf8 } from "node:buffer";
import { readChildren, readOid, TAG_NULL, TAG_SEQUENCE, TAG_SET, type Tlv } from "./der.js";

const COMMON_NAME = "2.5.4.3";

/**
 * Every commonName of a subject Name, in order; undefined when the Name is not
 * `SEQUENCE OF SET OF SEQUENCE { type OBJECT IDENTIFIER, value ANY }` (RFC 5280 §4.1.2.4).
 */
export function readCommonNames(der: Uint8Array, name: Tlv): string[] | undefined {
  const rdns = name.tag === TAG_SEQUENCE ? readChildren(der, name) : undefined;
  if (rdns === undefined) return undefined;
  const commonNames: string[] = [];
  for (const rdn of rdns) {
    const pairs = rdn.tag === TAG_SET ? readChildren(der, rdn) : undefined;
    if (pairs === undefined) return undefined;
    for (const pair of pairs) {
      const fields = pair.tag === TAG_SEQUENCE ? readChildren(der, pair) : undefined;
      const [typeTlv, value, extra] = fields ?? [];
      const type = typeTlv && readOid(der, typeTlv);
      if (!type || !value || extra !== undefined) return undefined;
      if (type === COMMON_NAME) commonNames.push(directoryStringText(der, value));
    }
  }
  return commonNames;
}

const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const latin1 = (bytes: Uint8Array) => view(bytes).toString("latin1");

/**
 * The text of an attribute value, as the ASN.1 schema library this replaces rendered it, so
 * names compare the same as before: UTF8String decoded (its raw octets as Latin-1 when not
 * valid UTF-8), BMPString as UTF-16BE, UniversalString as UTF-32BE truncated to 16-bit code
 * units, PrintableString / TeletexString / IA5String octet for octet, NULL as "", and any other
 * type as the lowercase hex of its whole DER element.
 */
function directoryStringText(der: Uint8Array, value: Tlv): string {
  const octets = der.subarray(value.valueStart, value.end);
  switch (value.tag) {
    case 0x0c:
      return isUtf8(octets) ? view(octets).toString("utf8") : latin1(octets);
    case 0x13:
    case 0x14:
    case 0x16:
      return latin1(octets);
    case 0x1e: {
      let text = "";
      for (let i = 0; i < octets.length; i += 2)
        text += String.fromCharCode((octets[i]! << 8) | octets[i + 1]!);
      return text;
    }
    case 0x1c: {
      let text = "";
      // fromCharCode keeps the low 16 bits of a code point beyond the BMP.
      for (let i = 0; i < octets.length; i += 4)
        text += String.fromCharCode(new DataView(octets.buffer, octets.byteOffset + i, 4).getUint32(0));
      return text;
    }
    case TAG_NULL:
      return "";
    default:
      return view(der.subarray(value.start, value.end)).toString("hex");
  }
}
