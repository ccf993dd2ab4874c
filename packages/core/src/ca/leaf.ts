import type { KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
} from "@peculiar/asn1-x509";
import { err, ok, type Result } from "neverthrow";
import { TAG_SEQUENCE } from "../crypto/der.js";
import { ipToBytes } from "../crypto/ip.js";
import { derToPem } from "../crypto/pem.js";
import { spkiDerOf } from "../crypto/spki.js";
import type {
  CaError,
  IssuedCertificate,
  IssueRequest,
  SubjectAltName,
} from "../ports/certificate-authority.js";
import type { CaLevel } from "./ca-level.js";
import {
  type DerPart,
  encodeCommonNameOnly,
  encodeExtension,
  encodeOctetString,
  encodePositiveInteger,
  encodeTime,
  tlv,
  toDer,
} from "./der-encode.js";
import { extension, keyIdentifierOf, randomSerial, signTbs, subjectPublicKeyOf } from "./x509-builder.js";

/**
 * The issuing CA with everything that is the same in each leaf it signs, as DER encoded once
 * (with the ASN.1 classes: this runs once per CA, and they keep it readable).
 */
export interface LeafIssuer {
  readonly ca: CaLevel;
  /** The issuer Name: the CA's subject exactly as it encodes it, so chains build by bytes. */
  readonly issuerName: Uint8Array;
  readonly authorityKeyIdentifier: Uint8Array;
  readonly basicConstraints: Uint8Array;
  readonly extendedKeyUsage: Uint8Array;
  readonly keyUsageSignature: Uint8Array;
  readonly keyUsageRsa: Uint8Array;
}

const der = (value: object) => new Uint8Array(AsnConvert.serialize(value));

export function leafIssuer(ca: CaLevel): LeafIssuer {
  const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ca.keyIdentifier) });
  return {
    ca,
    issuerName: der(ca.subject),
    authorityKeyIdentifier: der(extension(id_ce_authorityKeyIdentifier, false, aki)),
    // RFC 5280 §4.2.1.9 allows it non-critical in end-entity certificates; critical is stricter.
    basicConstraints: der(extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false }))),
    extendedKeyUsage: der(
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth, id_kp_clientAuth])),
    ),
    keyUsageSignature: der(extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature))),
    // RSA key transport (TLS 1.2 RSA key exchange) needs keyEncipherment too.
    keyUsageRsa: der(
      extension(
        id_ce_keyUsage,
        true,
        new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment),
      ),
    ),
  };
}

/** version [0] EXPLICIT INTEGER 2, i.e. v3 (RFC 5280 §4.1.2.1: extensions need v3). */
const VERSION_V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);
/** TBSCertificate extensions [3] EXPLICIT (RFC 5280 §4.1). */
const TAG_EXTENSIONS = 0xa3;
/** id-ce-subjectKeyIdentifier 2.5.29.14 and id-ce-subjectAltName 2.5.29.17 as OID TLVs (X.690 §8.19). */
const OID_SUBJECT_KEY_IDENTIFIER = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x0e);
const OID_SUBJECT_ALT_NAME = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x11);

/** RFC 5280 §4.1.2.6 / X.520 ub-common-name: a commonName holds at most 64 characters. */
const MAX_COMMON_NAME = 64;

function caError(message: string, cause?: unknown): CaError {
  return { type: "caFailure", message, ...(cause === undefined ? {} : { cause }) };
}

/**
 * Builds and signs an end-entity TLS server certificate (RFC 5280 profile) for the request's
 * names and key over the given validity (whole seconds, already checked against the CA's).
 */
export function issueLeaf(
  issuer: LeafIssuer,
  request: IssueRequest,
  notBefore: Date,
  notAfter: Date,
): Result<IssuedCertificate, CaError> {
  const serial = randomSerial();
  const tbs = leafTbs(issuer, request, notBefore, notAfter, serial.bytes);
  if (tbs.isErr()) return err(tbs.error);
  let der: Uint8Array;
  try {
    der = signTbs(tbs.value, issuer.ca.signer);
  } catch (cause) {
    return err(caError("the certificate could not be signed", cause));
  }
  return ok({
    serial: serial.hex,
    chainPem: derToPem("CERTIFICATE", der) + issuer.ca.certificatePem,
    notBefore,
    notAfter,
  });
}

/**
 * The leaf's TBSCertificate DER (RFC 5280 §4.1), fields in schema order. Only the serial,
 * validity, subject, key and the extensions that name them are encoded here; the rest is the
 * issuer's, encoded once. Of several problems, the first of key type, names, key encoding and
 * validity is the one answered.
 */
export function leafTbs(
  issuer: LeafIssuer,
  request: IssueRequest,
  notBefore: Date,
  notAfter: Date,
  serial: Uint8Array,
): Result<Uint8Array, CaError> {
  // Plain early returns (no safeTry generators, no Result.combine lists), in the order errors always had.
  const keyUsage = keyUsageFor(issuer, request.publicKey);
  if (keyUsage.isErr()) return err(keyUsage.error);
  const sanDer = subjectAltNames(request.names);
  if (sanDer.isErr()) return err(sanDer.error);
  const key = subjectPublicKey(request.publicKey);
  if (key.isErr()) return err(key.error);
  const validity = encodeValidity(notBefore, notAfter);
  if (validity.isErr()) return err(validity.error);
  const { spki, keyBits } = key.value;
  const firstDns = request.names.find((n) => n.type === "dns")?.value;
  // RFC 5280 §4.2.1.6: with an empty subject the subjectAltName extension must be critical.
  const commonName = firstDns !== undefined && firstDns.length <= MAX_COMMON_NAME ? firstDns : undefined;
  const ski = encodeOctetString(keyIdentifierOf(keyBits));
  const extensions = tlv(
    TAG_SEQUENCE,
    keyUsage.value,
    issuer.extendedKeyUsage,
    issuer.basicConstraints,
    encodeExtension(OID_SUBJECT_KEY_IDENTIFIER, false, ski),
    issuer.authorityKeyIdentifier,
    encodeExtension(OID_SUBJECT_ALT_NAME, commonName === undefined, sanDer.value),
  );
  return ok(
    toDer(
      tlv(
        TAG_SEQUENCE,
        VERSION_V3,
        encodePositiveInteger(serial),
        issuer.ca.signer.algorithmDer,
        issuer.issuerName,
        validity.value,
        encodeCommonNameOnly(commonName),
        spki,
        tlv(TAG_EXTENSIONS, extensions),
      ),
    ),
  );
}

/** The key's SubjectPublicKeyInfo DER and the subjectPublicKey bits in it. */
function subjectPublicKey(key: KeyObject): Result<{ spki: Uint8Array; keyBits: Uint8Array }, CaError> {
  let spki: Uint8Array;
  try {
    spki = spkiDerOf(key);
  } catch (cause) {
    return err(caError("the certificate public key could not be exported as SubjectPublicKeyInfo", cause));
  }
  const keyBits = subjectPublicKeyOf(spki);
  return keyBits === undefined
    ? err(caError("the certificate public key is malformed"))
    : ok({ spki, keyBits });
}

/** Validity (RFC 5280 §4.1.2.5): notBefore and notAfter as Time. */
function encodeValidity(notBefore: Date, notAfter: Date): Result<DerPart, CaError> {
  const from = encodeTime(notBefore);
  const to = encodeTime(notAfter);
  if (from === undefined || to === undefined) {
    return err(caError("certificate validity dates must be in the years 1950 to 9999"));
  }
  return ok(tlv(TAG_SEQUENCE, from, to));
}

function keyUsageFor(issuer: LeafIssuer, key: KeyObject): Result<Uint8Array, CaError> {
  if (key.type !== "public") return err(caError("the certificate key must be a public key"));
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return ok(issuer.keyUsageRsa);
    case "ec":
    case "ed25519":
    case "ed448":
      return ok(issuer.keyUsageSignature);
    default:
      return err(caError(`the local CA does not issue certificates for ${key.asymmetricKeyType} keys`));
  }
}

/**
 * GeneralNames DER (RFC 5280 §4.2.1.6), encoded directly: [2] dNSName as IA5String and [7]
 * iPAddress as 4 or 16 octets. (asn1-x509's GeneralName takes IPs as text and cannot parse
 * every IPv6 form, e.g. "::ffff:192.0.2.1".)
 */
function subjectAltNames(names: readonly SubjectAltName[]): Result<DerPart, CaError> {
  if (names.length === 0) return err(caError("a certificate needs at least one subjectAltName"));
  const encoded: DerPart[] = [];
  for (const { type, value } of names) {
    if (type === "ip") {
      const bytes = ipToBytes(value);
      if (bytes === undefined) return err(caError(`"${value}" is not an IPv4 or IPv6 address`));
      encoded.push(tlv(0x87, bytes));
    } else {
      const bytes = asciiDnsName(value);
      if (bytes === undefined) return err(caError(`"${value}" is not an ASCII DNS name (use A-labels)`));
      encoded.push(tlv(0x82, bytes));
    }
  }
  return ok(tlv(TAG_SEQUENCE, ...encoded));
}

/**
 * The IA5String octets of a dNSName of 1 to 253 printable ASCII characters other than space
 * (0x21-0x7e), else undefined: checked and copied in one pass (no regular expression and
 * string conversion per name).
 */
function asciiDnsName(value: string): Uint8Array | undefined {
  const length = value.length;
  if (length === 0 || length > 253) return undefined;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return undefined;
    bytes[i] = code;
  }
  return bytes;
}
