import {
  elementEnd,
  elementIs,
  encodeOid,
  firstChild,
  nextSibling,
  readOid,
  TAG_OID,
  TAG_SEQUENCE,
  valueStartOf,
} from "./der.js";

/** An AlgorithmIdentifier (RFC 5280 §4.1.1.2) as read from DER. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The whole parameters element (tag and length included), when present. */
  readonly parameters?: Uint8Array;
}

/**
 * The algorithm OIDs a CSR usually names (RFC 3279, RFC 4055, RFC 5758, RFC 8410), with their
 * DER: they are recognised by their octets instead of being decoded to text each time.
 */
const KNOWN_OIDS = [
  "1.2.840.10045.2.1", // id-ecPublicKey
  "1.2.840.10045.4.3.2", // ecdsa-with-SHA256
  "1.2.840.10045.4.3.3",
  "1.2.840.10045.4.3.4",
  "1.2.840.113549.1.1.1", // rsaEncryption
  "1.2.840.113549.1.1.11", // sha256WithRSAEncryption
  "1.2.840.113549.1.1.12",
  "1.2.840.113549.1.1.13",
  "1.2.840.113549.1.1.10", // RSASSA-PSS
  "1.2.840.113549.1.1.8", // MGF1
  "2.16.840.1.101.3.4.2.1", // SHA-256
  "2.16.840.1.101.3.4.2.2",
  "2.16.840.1.101.3.4.2.3",
  "1.3.101.112", // Ed25519
  "1.3.101.113", // Ed448
].map((text) => ({ element: encodeOid(text), text }));

/** `readOid` of the OBJECT IDENTIFIER element at `offset`. */
function oidText(bytes: Uint8Array, offset: number): string | undefined {
  for (const known of KNOWN_OIDS) if (elementIs(bytes, offset, known.element)) return known.text;
  const end = elementEnd(bytes, offset);
  if (end < 0) return undefined;
  return readOid(bytes, { tag: bytes[offset]!, start: offset, valueStart: valueStartOf(bytes, offset), end });
}

/**
 * Reads the element at `offset` of a value `isWellFormed` accepted as
 * `SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`; undefined when it is
 * anything else (another tag, extra elements).
 */
export function readAlgorithmIdentifier(bytes: Uint8Array, offset: number): AlgorithmIdentifier | undefined {
  if (bytes[offset] !== TAG_SEQUENCE) return undefined;
  const end = elementEnd(bytes, offset);
  const algorithm = firstChild(bytes, offset);
  const parameters = nextSibling(bytes, algorithm, end);
  if (algorithm < 0 || bytes[algorithm] !== TAG_OID || nextSibling(bytes, parameters, end) >= 0)
    return undefined;
  const oid = oidText(bytes, algorithm);
  if (oid === undefined) return undefined;
  if (parameters < 0) return { oid };
  return { oid, parameters: bytes.subarray(parameters, elementEnd(bytes, parameters)) };
}
