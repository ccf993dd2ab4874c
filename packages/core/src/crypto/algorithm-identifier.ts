import { readChildren, readOid, TAG_SEQUENCE, type Tlv } from "./der.js";

/** An AlgorithmIdentifier (RFC 5280 §4.1.1.2) as read from DER. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The whole parameters element (tag and length included), when present. */
  readonly parameters?: Uint8Array;
}

/**
 * Reads `SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`; undefined when the
 * element is anything else (another tag, extra elements).
 */
export function readAlgorithmIdentifier(bytes: Uint8Array, tlv: Tlv): AlgorithmIdentifier | undefined {
  const fields = tlv.tag === TAG_SEQUENCE ? readChildren(bytes, tlv) : undefined;
  const [algorithm, parameters, extra] = fields ?? [];
  const oid = algorithm && readOid(bytes, algorithm);
  if (oid === undefined || extra !== undefined) return undefined;
  if (parameters === undefined) return { oid };
  return { oid, parameters: bytes.subarray(parameters.start, parameters.end) };
}
