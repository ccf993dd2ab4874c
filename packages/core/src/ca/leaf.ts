import { Buffer } from "node:buffer";
import type { KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  type Extension,
  Extensions,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { err, ok, Result, safeTry } from "neverthrow";
import { encodeTlv, TAG_SEQUENCE } from "../crypto/der.js";
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
  arrayBuffer,
  commonNameOnly,
  extension,
  keyIdentifier,
  randomSerial,
  signCertificate,
} from "./x509-builder.js";

/** The issuing CA with everything that is the same in each leaf it signs, encoded once. */
export interface LeafIssuer {
  readonly ca: CaLevel;
  readonly authorityKeyIdentifier: Extension;
  readonly basicConstraints: Extension;
  readonly extendedKeyUsage: Extension;
  readonly keyUsageSignature: Extension;
  readonly keyUsageRsa: Extension;
}

export function leafIssuer(ca: CaLevel): LeafIssuer {
  const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ca.keyIdentifier) });
  return {
    ca,
    authorityKeyIdentifier: extension(id_ce_authorityKeyIdentifier, false, aki),
    // RFC 5280 §4.2.1.9 allows it non-critical in end-entity certificates; critical is stricter.
    basicConstraints: extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    extendedKeyUsage: extension(
      id_ce_extKeyUsage,
      false,
      new ExtendedKeyUsage([id_kp_serverAuth, id_kp_clientAuth]),
    ),
    keyUsageSignature: extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    // RSA key transport (TLS 1.2 RSA key exchange) needs keyEncipherment too.
    keyUsageRsa: extension(
      id_ce_keyUsage,
      true,
      new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment),
    ),
  };
}

/** RFC 5280 §4.1.2.6 / X.520 ub-common-name: a commonName holds at most 64 characters. */
const MAX_COMMON_NAME = 64;

function caError(message: string, cause?: unknown): CaError {
  return { type: "caFailure", message, ...(cause === undefined ? {} : { cause }) };
}

const parseSpki = Result.fromThrowable(
  (key: KeyObject) => AsnConvert.parse(spkiDerOf(key), SubjectPublicKeyInfo),
  (cause) => caError("the certificate public key could not be exported as SubjectPublicKeyInfo", cause),
);

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
  // The ASN.1 classes throw on values they cannot encode: that must stay an error result.
  const build = Result.fromThrowable(buildLeaf, (cause) =>
    caError("the certificate could not be encoded or signed", cause),
  );
  return build(issuer, request, notBefore, notAfter).andThen((result) => result);
}

function buildLeaf(
  issuer: LeafIssuer,
  request: IssueRequest,
  notBefore: Date,
  notAfter: Date,
): Result<IssuedCertificate, CaError> {
  return safeTry(function* () {
    const keyUsage = yield* keyUsageFor(issuer, request.publicKey);
    const sanDer = yield* subjectAltNames(request.names);
    const spki = yield* parseSpki(request.publicKey);
    const firstDns = request.names.find((n) => n.type === "dns")?.value;
    // RFC 5280 §4.2.1.6: with an empty subject the subjectAltName extension must be critical.
    const commonName = firstDns !== undefined && firstDns.length <= MAX_COMMON_NAME ? firstDns : undefined;
    const serial = randomSerial();
    const tbs = new TBSCertificate({
      version: Version.v3,
      serialNumber: arrayBuffer(serial.bytes),
      signature: issuer.ca.signer.algorithm,
      issuer: issuer.ca.subject,
      validity: new Validity({ notBefore, notAfter }),
      subject: commonNameOnly(commonName),
      subjectPublicKeyInfo: spki,
      extensions: new Extensions([
        keyUsage,
        issuer.extendedKeyUsage,
        issuer.basicConstraints,
        extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(spki))),
        issuer.authorityKeyIdentifier,
        extension(id_ce_subjectAltName, commonName === undefined, sanDer),
      ]),
    });
    const der = signCertificate(tbs, issuer.ca.signer);
    return ok({
      serial: serial.hex,
      chainPem: derToPem("CERTIFICATE", der) + issuer.ca.certificatePem,
      notBefore,
      notAfter,
    });
  });
}

function keyUsageFor(issuer: LeafIssuer, key: KeyObject): Result<Extension, CaError> {
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
function subjectAltNames(names: readonly SubjectAltName[]): Result<Uint8Array, CaError> {
  if (names.length === 0) return err(caError("a certificate needs at least one subjectAltName"));
  const encoded: Uint8Array[] = [];
  for (const { type, value } of names) {
    if (type === "ip") {
      const bytes = ipToBytes(value);
      if (bytes === undefined) return err(caError(`"${value}" is not an IPv4 or IPv6 address`));
      encoded.push(encodeTlv(0x87, bytes));
    } else {
      if (!/^[\x21-\x7e]{1,253}$/.test(value))
        return err(caError(`"${value}" is not an ASCII DNS name (use A-labels)`));
      encoded.push(encodeTlv(0x82, Buffer.from(value, "latin1")));
    }
  }
  return ok(encodeTlv(TAG_SEQUENCE, ...encoded));
}
