import type { KeyObject } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import { readRequestedExtensions } from "./csr-extensions.js";
import { readCsrStructure } from "./csr-structure.js";
import { sha256 } from "./sha256.js";
import { type SignatureVerifier, signatureVerifier } from "./signature-algorithms.js";
import { type ImportedSpki, importSpki, type KeyDescription } from "./spki-import.js";

export type CsrKeyType =
  | { readonly kind: "RSA"; readonly modulusBits: number }
  /** "P-256", "P-384", "P-521", or OpenSSL's curve name (e.g. "secp256k1") for others. */
  | { readonly kind: "EC"; readonly curve: string }
  | { readonly kind: "Ed25519" }
  | { readonly kind: "Ed448" }
  /** A key node:crypto loads but that is none of the above (e.g. X25519, DSA): the SPKI algorithm OID. */
  | { readonly kind: "unknown"; readonly oid: string };

/** A PKCS#10 certification request (RFC 2986) whose self-signature verified. */
export interface ParsedCsr {
  readonly publicKey: KeyObject;
  /**
   * SubjectPublicKeyInfo DER as node:crypto exports `publicKey`: the same bytes the CA puts in
   * the certificate, so `spkiThumbprint` of either matches (revocation by certificate key).
   */
  readonly spkiDer: Uint8Array;
  readonly keyType: CsrKeyType;
  /** The subject's commonName; the last one when there are several. */
  readonly commonName?: string;
  /** Every commonName of the subject, in order (a CSR may carry several). */
  readonly commonNames: readonly string[];
  /** subjectAltName dNSName entries from the extensionRequest attribute, as given (no normalisation). */
  readonly dnsNames: string[];
  /** subjectAltName iPAddress entries as text (dotted quad, RFC 5952 IPv6). */
  readonly ipAddresses: string[];
  /** subjectAltName entries of other types (rfc822Name, URI, otherName, …). */
  readonly otherSanCount: number;
  /** The CSR asks for basicConstraints cA:true. */
  readonly requestsCa: boolean;
}

/** Why a CSR was refused; `message` is written for the ACME client (badCSR detail, RFC 8555 §7.4). */
export interface CsrError {
  readonly type: "badCSR";
  readonly message: string;
}

/** A CSR is a few KB even with a hundred names; this bounds the work spent on hostile input. */
const MAX_CSR_BYTES = 64 * 1024;

const CURVE_NAMES: Readonly<Record<string, string>> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
};

function badCsr(message: string): CsrError {
  return { type: "badCSR", message };
}

const NOT_DER = badCsr("CSR is not valid DER (PKCS#10, RFC 2986)");

/**
 * Parses a DER PKCS#10 CSR (RFC 2986) as sent in an ACME finalize (RFC 8555 §7.4) and verifies
 * its self-signature. Never throws: any input that is not a well-formed, correctly signed CSR
 * is a `badCSR` error whose message says what is wrong.
 */
export async function parseCsr(der: Uint8Array): Promise<Result<ParsedCsr, CsrError>> {
  if (der.length === 0) return err(badCsr("CSR is empty"));
  if (der.length > MAX_CSR_BYTES) return err(badCsr(`CSR is larger than ${MAX_CSR_BYTES} bytes`));
  // One strict DER walk; the ASN.1 object-tree libraries cost several verifications per CSR.
  const request = readCsrStructure(der);
  if (request === undefined) return err(NOT_DER);
  const { version, keyOid } = request;
  if (version !== 0n) return err(badCsr(`CSR version must be v1 (0), not ${version} (RFC 2986 §4.1)`));

  const imported = await importPublicKey(request.spki);
  if (imported === undefined) {
    return err(badCsr(`CSR public key (algorithm ${keyOid}) is malformed or of an unsupported type`));
  }
  const { publicKey, spkiDer, description } = imported;
  const keyType = classifyKey(description, keyOid);

  const verifier = signatureVerifier(request.signatureAlgorithm);
  if (verifier.isErr()) return err(badCsr(`CSR ${verifier.error}`));
  if (!verifier.value.keyTypes.includes(description.asymmetricKeyType ?? "")) {
    return err(
      badCsr(
        `CSR signature algorithm ${verifier.value.name} cannot be used with its ${keyTypeLabel(keyType)} key`,
      ),
    );
  }
  if (!verifies(verifier.value, request.tbs, publicKey, request.signature)) {
    return err(badCsr("CSR signature does not verify"));
  }

  const extensions = readRequestedExtensions(request.extensionRequests);
  if (extensions.isErr()) return err(badCsr(`CSR: ${extensions.error}`));
  const { commonNames } = request;
  const commonName = commonNames.at(-1);
  return ok({
    publicKey,
    spkiDer,
    keyType,
    commonNames,
    ...(commonName === undefined ? {} : { commonName }),
    ...extensions.value,
  });
}

async function importPublicKey(spki: Uint8Array): Promise<ImportedSpki | undefined> {
  try {
    return await importSpki(spki);
  } catch {
    return undefined;
  }
}

function verifies(verifier: SignatureVerifier, data: Uint8Array, key: KeyObject, signature: Uint8Array) {
  try {
    return verifier.verify(data, key, signature);
  } catch {
    return false;
  }
}

/** Asks for `asymmetricKeyDetails` of RSA and EC keys only, as it always has. */
function classifyKey(key: KeyDescription, oid: string): CsrKeyType {
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return { kind: "RSA", modulusBits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? "unnamed curve";
      return { kind: "EC", curve: CURVE_NAMES[curve] ?? curve };
    }
    case "ed25519":
      return { kind: "Ed25519" };
    case "ed448":
      return { kind: "Ed448" };
    default:
      return { kind: "unknown", oid };
  }
}

/** Human label of a key type for error details: "RSA 2048", "ECDSA P-256", "Ed25519". */
export function keyTypeLabel(keyType: CsrKeyType): string {
  switch (keyType.kind) {
    case "RSA":
      return `RSA ${keyType.modulusBits}`;
    case "EC":
      return `ECDSA ${keyType.curve}`;
    case "Ed25519":
    case "Ed448":
      return keyType.kind;
    case "unknown":
      return `unknown key type (${keyType.oid})`;
  }
}

/** base64url(SHA-256(SubjectPublicKeyInfo DER)): matches a certificate to a key (RFC 8555 §7.6). */
export function spkiThumbprint(spkiDer: Uint8Array): string {
  return sha256(spkiDer, "base64url");
}
