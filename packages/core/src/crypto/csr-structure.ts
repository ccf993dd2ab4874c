import { type AlgorithmIdentifier, readAlgorithmIdentifier } from "./algorithm-identifier.js";
import { readCommonNames } from "./csr-subject.js";
import {
  isWellFormed,
  readChildren,
  readInteger,
  readOid,
  readWhole,
  TAG_BIT_STRING,
  TAG_SEQUENCE,
  TAG_SET,
  type Tlv,
} from "./der.js";

/** One attribute of the request (RFC 2986 §4.1): its type and each value's whole DER element. */
export interface CsrAttribute {
  readonly type: string;
  readonly values: readonly Uint8Array[];
}

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
  readonly attributes: readonly CsrAttribute[];
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature BIT STRING's octets (it has no unused bits). */
  readonly signature: Uint8Array;
}

/** `[0]` IMPLICIT, constructed: the attributes field of CertificationRequestInfo. */
const TAG_ATTRIBUTES = 0xa0;

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
  if (outer === undefined || !isWellFormed(der, outer)) return undefined;
  const parts = readChildren(der, outer);
  if (parts?.length !== 3) return undefined;
  const [info, algorithm, signature] = parts as [Tlv, Tlv, Tlv];
  // The signature BIT STRING must have no unused bits, else its octets are not the signature.
  const bitString = signature.tag === TAG_BIT_STRING && signature.valueStart < signature.end;
  if (info.tag !== TAG_SEQUENCE || !bitString || der[signature.valueStart] !== 0) return undefined;
  const signatureAlgorithm = readAlgorithmIdentifier(der, algorithm);
  const fields = readChildren(der, info);
  if (signatureAlgorithm === undefined || fields === undefined) return undefined;
  const [versionTlv, subject, spki, attributesTlv, extra] = fields;
  if (versionTlv === undefined || subject === undefined || spki === undefined || extra !== undefined)
    return undefined;
  const version = readInteger(der, versionTlv);
  const commonNames = readCommonNames(der, subject);
  const keyOid = readSpkiAlgorithm(der, spki);
  const attributes = attributesTlv === undefined ? [] : readAttributes(der, attributesTlv);
  if (version === undefined || !commonNames || !keyOid || !attributes) return undefined;
  return {
    tbs: der.subarray(info.start, info.end),
    version,
    commonNames,
    spki: der.subarray(spki.start, spki.end),
    keyOid,
    attributes,
    signatureAlgorithm,
    signature: der.subarray(signature.valueStart + 1, signature.end),
  };
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } */
function readSpkiAlgorithm(der: Uint8Array, spki: Tlv): string | undefined {
  const fields = spki.tag === TAG_SEQUENCE ? readChildren(der, spki) : undefined;
  const [algorithm, key, extra] = fields ?? [];
  if (algorithm === undefined || key?.tag !== TAG_BIT_STRING || extra !== undefined) return undefined;
  return readAlgorithmIdentifier(der, algorithm)?.oid;
}

/** Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY } (RFC 2986 §4.1) */
function readAttributes(der: Uint8Array, attributes: Tlv): CsrAttribute[] | undefined {
  const list = attributes.tag === TAG_ATTRIBUTES ? readChildren(der, attributes) : undefined;
  if (list === undefined) return undefined;
  const out: CsrAttribute[] = [];
  for (const attribute of list) {
    const fields = attribute.tag === TAG_SEQUENCE ? readChildren(der, attribute) : undefined;
    const [typeTlv, set, extra] = fields ?? [];
    const type = typeTlv && readOid(der, typeTlv);
    const values = set?.tag === TAG_SET ? readChildren(der, set) : undefined;
    if (!type || !values || extra !== undefined) return undefined;
    out.push({ type, values: values.map((value) => der.subarray(value.start, value.end)) });
  }
  return out;
}
