import { type AlgorithmIdentifier, readAlgorithmIdentifier } from "./algorithm-identifier.js";
import { readCommonNames } from "./csr-subject.js";
import {
  elementEnd,
  elementIs,
  encodeOid,
  firstChild,
  isWellFormed,
  nextSibling,
  readInteger,
  readWhole,
  TAG_BIT_STRING,
  TAG_OID,
  TAG_SEQUENCE,
  TAG_SET,
  valueStartOf,
} from "./der.js";

/** The fields of a PKCS#10 CertificationRequest (RFC 2986 §4), read but not yet verified. */
export interface CsrStructure {
  /** The DER certificationRequestInfo: the exact bytes the signature covers. */
  readonly tbs: Uint8Array;
  readonly version: bigint;
  /** Every subject commonName, in order. */
  readonly commonNames: string[];
  /** The subjectPKInfo element, and its algorithm OID. */
  readonly spki: Uint8Array;
  readonly keyOid: string;
  /**
   * Each value of every extensionRequest attribute (PKCS#9, RFC 2985 §5.4.2), in order, as
   * whole DER elements: the only attribute read further.
   */
  readonly extensionRequests: readonly Uint8Array[];
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature BIT STRING's octets (it has no unused bits). */
  readonly signature: Uint8Array;
}

/** `[0]` IMPLICIT, constructed: the attributes field of CertificationRequestInfo. */
const TAG_ATTRIBUTES = 0xa0;
/** PKCS#9 extensionRequest 1.2.840.113549.1.9.14 as a DER element. */
const EXTENSION_REQUEST = encodeOid("1.2.840.113549.1.9.14");
/** INTEGER 0: version v1, what every request has. */
const VERSION_1 = Uint8Array.of(0x02, 0x01, 0x00);

/**
 * Walks a CertificationRequest as one strict DER value (X.690 §10: definite lengths, minimal
 * length octets, nothing after it), checking the RFC 2986 shape on the way:
 *
 *   CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
 *   CertificationRequestInfo ::= SEQUENCE { version INTEGER, subject Name,
 *       subjectPKInfo SubjectPublicKeyInfo, attributes [0] Attributes OPTIONAL }
 *
 * Undefined for anything else (`isWellFormed` says what is checked everywhere). The attributes
 * field is optional because older PKCS#10 encoders leave it out when empty.
 */
export function readCsrStructure(der: Uint8Array): CsrStructure | undefined {
  const outer = readWhole(der, TAG_SEQUENCE);
  // Everything first, as the ASN.1 library this replaces did, so that a broken element
  // anywhere (an ANY value included) makes the request not DER rather than whatever it holds.
  // After this every element tiles its parent, and is walked by its offset.
  if (outer === undefined || !isWellFormed(der, outer)) return undefined;
  const info = firstChild(der, 0);
  const algorithm = nextSibling(der, info, der.length);
  const signature = nextSibling(der, algorithm, der.length);
  if (signature < 0 || nextSibling(der, signature, der.length) >= 0) return undefined;
  // The signature BIT STRING must have no unused bits, else its octets are not the signature.
  const signatureStart = valueStartOf(der, signature);
  const signatureEnd = elementEnd(der, signature);
  const bitString = der[signature] === TAG_BIT_STRING && signatureStart < signatureEnd;
  if (der[info] !== TAG_SEQUENCE || !bitString || der[signatureStart] !== 0) return undefined;
  const signatureAlgorithm = readAlgorithmIdentifier(der, algorithm);
  if (signatureAlgorithm === undefined) return undefined;
  const infoEnd = elementEnd(der, info);
  const versionAt = firstChild(der, info);
  const subject = nextSibling(der, versionAt, infoEnd);
  const spki = nextSibling(der, subject, infoEnd);
  const attributesAt = nextSibling(der, spki, infoEnd);
  if (spki < 0 || nextSibling(der, attributesAt, infoEnd) >= 0) return undefined;
  const version = elementIs(der, versionAt, VERSION_1) ? 0n : readVersion(der, versionAt);
  const commonNames = readCommonNames(der, subject);
  const keyOid = readSpkiAlgorithm(der, spki);
  const extensionRequests = attributesAt < 0 ? [] : readExtensionRequests(der, attributesAt);
  if (version === undefined || !commonNames || !keyOid || !extensionRequests) return undefined;
  return {
    tbs: der.subarray(info, infoEnd),
    version,
    commonNames,
    spki: der.subarray(spki, elementEnd(der, spki)),
    keyOid,
    extensionRequests,
    signatureAlgorithm,
    signature: der.subarray(signatureStart + 1, signatureEnd),
  };
}

function readVersion(der: Uint8Array, offset: number): bigint | undefined {
  const end = elementEnd(der, offset);
  return readInteger(der, { tag: der[offset]!, start: offset, valueStart: valueStartOf(der, offset), end });
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } */
function readSpkiAlgorithm(der: Uint8Array, spki: number): string | undefined {
  if (der[spki] !== TAG_SEQUENCE) return undefined;
  const end = elementEnd(der, spki);
  const algorithm = firstChild(der, spki);
  const key = nextSibling(der, algorithm, end);
  if (key < 0 || der[key] !== TAG_BIT_STRING || nextSibling(der, key, end) >= 0) return undefined;
  return readAlgorithmIdentifier(der, algorithm)?.oid;
}

/**
 * Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY } (RFC 2986 §4.1): checks
 * the shape of every attribute and answers the values of the extensionRequest ones.
 */
function readExtensionRequests(der: Uint8Array, attributes: number): Uint8Array[] | undefined {
  if (der[attributes] !== TAG_ATTRIBUTES) return undefined;
  const out: Uint8Array[] = [];
  const end = elementEnd(der, attributes);
  for (
    let attribute = firstChild(der, attributes);
    attribute >= 0;
    attribute = nextSibling(der, attribute, end)
  ) {
    if (der[attribute] !== TAG_SEQUENCE) return undefined;
    const attributeEnd = elementEnd(der, attribute);
    const type = firstChild(der, attribute);
    const set = nextSibling(der, type, attributeEnd);
    if (set < 0 || der[type] !== TAG_OID || der[set] !== TAG_SET || nextSibling(der, set, attributeEnd) >= 0)
      return undefined;
    if (!elementIs(der, type, EXTENSION_REQUEST)) continue;
    const setEnd = elementEnd(der, set);
    for (let value = firstChild(der, set); value >= 0; value = nextSibling(der, value, setEnd)) {
      out.push(der.subarray(value, elementEnd(der, value)));
    }
  }
  return out;
}
