import { constants, type KeyObject, verify } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import { type AlgorithmIdentifier, readAlgorithmIdentifier } from "./algorithm-identifier.js";
import { isWellFormed, readChildren, readSmallInteger, readTlv, readWhole, TAG_SEQUENCE } from "./der.js";

/** How to check one signature algorithm with node:crypto, and which key types may use it. */
export interface SignatureVerifier {
  /** Human name for messages, e.g. "ecdsa-with-SHA256". */
  readonly name: string;
  /** node:crypto `asymmetricKeyType`s this algorithm signs with. */
  readonly keyTypes: readonly string[];
  verify(data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean;
}

const RSA_KEYS = ["rsa", "rsa-pss"] as const;

function pkcs1(name: string, hash: string): SignatureVerifier {
  return { name, keyTypes: RSA_KEYS, verify: (data, key, sig) => verify(hash, data, key, sig) };
}

// RFC 5758 §3.2 / RFC 5480: ECDSA signatures are DER Ecdsa-Sig-Value, not the JOSE r||s form.
function ecdsa(name: string, hash: string): SignatureVerifier {
  return {
    name,
    keyTypes: ["ec"],
    verify: (data, key, sig) => verify(hash, data, { key, dsaEncoding: "der" }, sig),
  };
}

// RFC 8410 §6: EdDSA signs the message itself, so no digest is named.
function eddsa(name: string, keyType: string): SignatureVerifier {
  return { name, keyTypes: [keyType], verify: (data, key, sig) => verify(null, data, key, sig) };
}

/** Signature algorithm OIDs (RFC 4055, RFC 5758, RFC 8410) this server verifies. */
const VERIFIERS: Readonly<Record<string, SignatureVerifier>> = {
  "1.2.840.113549.1.1.11": pkcs1("sha256WithRSAEncryption", "sha256"),
  "1.2.840.113549.1.1.12": pkcs1("sha384WithRSAEncryption", "sha384"),
  "1.2.840.113549.1.1.13": pkcs1("sha512WithRSAEncryption", "sha512"),
  "1.2.840.10045.4.3.2": ecdsa("ecdsa-with-SHA256", "sha256"),
  "1.2.840.10045.4.3.3": ecdsa("ecdsa-with-SHA384", "sha384"),
  "1.2.840.10045.4.3.4": ecdsa("ecdsa-with-SHA512", "sha512"),
  "1.3.101.112": eddsa("Ed25519", "ed25519"),
  "1.3.101.113": eddsa("Ed448", "ed448"),
};

const SHA1_NAMES: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
const PSS_HASHES: Readonly<Record<string, string>> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

/** The verifier for a signature AlgorithmIdentifier, or a message saying why there is none. */
export function signatureVerifier(algorithm: AlgorithmIdentifier): Result<SignatureVerifier, string> {
  const oid = algorithm.oid;
  const known = VERIFIERS[oid];
  if (known) return ok(known);
  const sha1 = SHA1_NAMES[oid];
  if (sha1) return err(`signature algorithm ${sha1} (${oid}) is not accepted: SHA-1 is broken`);
  if (oid === RSASSA_PSS) return pssVerifier(algorithm.parameters);
  return err(
    `signature algorithm ${oid} is not supported; use RSA PKCS#1 v1.5 or RSASSA-PSS with SHA-256/384/512, ECDSA with SHA-256/384/512, or Ed25519`,
  );
}

/**
 * RFC 4055 §3.1 RSASSA-PSS-params. node:crypto uses the message digest for MGF1 too, so only
 * parameters with the same hash in both places (what every current signer emits) are verified.
 */
function pssVerifier(parameters: Uint8Array | undefined): Result<SignatureVerifier, string> {
  const params = parameters ? parsePssParams(parameters) : undefined;
  if (params === undefined) {
    return err("RSASSA-PSS parameters are missing or malformed, or use SHA-1 (RFC 4055 §3.1)");
  }
  const { hash, saltLength } = params;
  return ok({
    name: `RSASSA-PSS with ${hash.toUpperCase()}`,
    keyTypes: RSA_KEYS,
    verify: (data, key, sig) =>
      verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig),
  });
}

/** The AlgorithmIdentifier that is all of `bytes`, else undefined. */
function parseAlgorithm(bytes: Uint8Array): AlgorithmIdentifier | undefined {
  // Parameters come from a request already checked whole; checked again here all the same.
  const tlv = readWhole(bytes, TAG_SEQUENCE);
  return tlv && isWellFormed(bytes, tlv) ? readAlgorithmIdentifier(bytes, 0) : undefined;
}

function parsePssParams(bytes: Uint8Array): { hash: string; saltLength: number } | undefined {
  const outer = readWhole(bytes, TAG_SEQUENCE);
  const fields = outer && readChildren(bytes, outer);
  if (fields === undefined) return undefined;
  let hash: string | undefined;
  let mgfHash: string | undefined;
  let saltLength = 20;
  for (const field of fields) {
    const inner = readTlv(bytes, field.valueStart, field.end);
    if (inner === undefined || inner.end !== field.end) return undefined;
    const innerBytes = bytes.subarray(inner.start, inner.end);
    switch (field.tag) {
      case 0xa0:
        hash = parseAlgorithm(innerBytes)?.oid;
        break;
      case 0xa1: {
        const mgf = parseAlgorithm(innerBytes);
        if (mgf?.oid !== MGF1 || !mgf.parameters) return undefined;
        mgfHash = parseAlgorithm(mgf.parameters)?.oid;
        break;
      }
      case 0xa2:
        saltLength = readSmallInteger(bytes, inner) ?? -1;
        break;
      case 0xa3:
        // trailerFieldBC (1) is the only trailer defined.
        if (readSmallInteger(bytes, inner) !== 1) return undefined;
        break;
      default:
        return undefined;
    }
  }
  // Absent hash or MGF fields mean SHA-1 (the DEFAULTs), which is refused.
  const digest = hash === undefined ? undefined : PSS_HASHES[hash];
  if (digest === undefined || mgfHash !== hash || saltLength < 0) return undefined;
  return { hash: digest, saltLength };
}
