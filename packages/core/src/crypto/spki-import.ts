import { Buffer } from "node:buffer";
import { createPublicKey, KeyObject, webcrypto } from "node:crypto";
import { readChildren, readTlv, TAG_BIT_STRING, TAG_INTEGER, TAG_SEQUENCE, tlvValue } from "./der.js";
import { rememberSpkiDer, spkiDerOf } from "./spki.js";

/*
 * node:crypto imports DER keys through OpenSSL 3's decoder framework, which is slow (an EC
 * SPKI costs more than an ECDSA verification) and then exports slowly too. So the usual keys in
 * their one canonical DER encoding (RFC 5480 named-curve EC with an uncompressed point, RFC 8410
 * Ed25519/Ed448, RFC 3279 RSA with NULL parameters), whose DER is known to be exactly what
 * node:crypto would export, are built from their parts instead, 2-10x faster:
 *
 * - Ed25519, Ed448, RSA and P-256 keys from their JWK members.
 * - P-384 and P-521 points through WebCrypto's "raw" import: OpenSSL's point decoding (which
 *   refuses points off the curve or out of range), then one public-key check. A JWK import
 *   checks the point with OpenSSL's slow generic code for these curves and leaves the key to be
 *   converted again at its first verification: a finalize costs ~300 µs (P-384) and ~800 µs
 *   (P-521) more that way. For P-256, which OpenSSL checks with its fast curve-specific code,
 *   WebCrypto's own overhead makes "raw" ~15 µs dearer than JWK. The keys accepted are the
 *   same either way: all three curves have cofactor 1, so a point on the curve is a valid key.
 *
 * Anything else goes the slow, general way.
 */

/**
 * What a KeyObject says of its type (`asymmetricKeyType`, and the parts of
 * `asymmetricKeyDetails` a CSR's key is classified by): a KeyObject is one, and so is what a
 * canonical encoding tells without asking node:crypto.
 */
export interface KeyDescription {
  readonly asymmetricKeyType?: string | undefined;
  readonly asymmetricKeyDetails?:
    | { readonly namedCurve?: string; readonly modulusLength?: number }
    | undefined;
}

interface CanonicalKey {
  /** Builds the KeyObject; throws (or rejects) when the material is no valid key. */
  readonly load: () => KeyObject | Promise<KeyObject>;
  readonly description: KeyDescription;
}

/** SPKI bytes before the key material, for fixed-size canonical encodings. */
const FIXED: readonly {
  prefix: Buffer;
  length: number;
  /** The key from the SPKI, whose material starts at `at`. */
  key: (spki: Buffer, at: number) => CanonicalKey;
}[] = [
  ec("3059301306072a8648ce3d020106082a8648ce3d03010703420004", "P-256", "prime256v1", 32, false),
  ec("3076301006072a8648ce3d020106052b8104002203620004", "P-384", "secp384r1", 48, true),
  ec("30819b301006072a8648ce3d020106052b810400230381860004", "P-521", "secp521r1", 66, true),
  okp("302a300506032b6570032100", "Ed25519", 32),
  okp("3043300506032b6571033a00", "Ed448", 57),
];

/**
 * EC prefixes end with the BIT STRING's unused-bits octet and 04, the uncompressed point marker
 * (SEC 1 §2.3.3). `raw`: import the point through WebCrypto rather than as a JWK (see above).
 */
function ec(prefixHex: string, namedCurve: string, openSslName: string, size: number, raw: boolean) {
  const prefix = Buffer.from(prefixHex, "hex");
  const description: KeyDescription = {
    asymmetricKeyType: "ec",
    asymmetricKeyDetails: { namedCurve: openSslName },
  };
  const algorithm = { name: "ECDSA", namedCurve };
  const fromJwk = (spki: Buffer, at: number) => {
    const jwk = {
      kty: "EC",
      crv: namedCurve,
      x: spki.toString("base64url", at, at + size),
      y: spki.toString("base64url", at + size, at + 2 * size),
    };
    return () => createPublicKey({ key: jwk, format: "jwk" });
  };
  // The point with its 04 marker: what "raw" takes.
  const fromRaw = (spki: Buffer, at: number) => async () =>
    KeyObject.from(
      await webcrypto.subtle.importKey("raw", spki.subarray(at - 1), algorithm, true, ["verify"]),
    );
  return {
    prefix,
    length: prefix.length + 2 * size,
    key: (spki: Buffer, at: number) => ({ load: (raw ? fromRaw : fromJwk)(spki, at), description }),
  };
}

function okp(prefixHex: string, crv: string, size: number) {
  const prefix = Buffer.from(prefixHex, "hex");
  const description: KeyDescription = { asymmetricKeyType: crv.toLowerCase(), asymmetricKeyDetails: {} };
  return {
    prefix,
    length: prefix.length + size,
    key: (spki: Buffer, at: number) => {
      const jwk = { kty: "OKP", crv, x: spki.toString("base64url", at, at + size) };
      return { load: () => createPublicKey({ key: jwk, format: "jwk" }), description };
    },
  };
}

const b64url = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");

/** AlgorithmIdentifier { rsaEncryption, NULL } (RFC 3279 §2.3.1). */
const RSA_ALGORITHM = Buffer.from("300d06092a864886f70d0101010500", "hex");

/** How to build a canonically encoded key, or undefined when the SPKI is not one of those forms. */
function canonicalKey(spki: Buffer): CanonicalKey | undefined {
  for (const form of FIXED) {
    if (spki.length === form.length && startsWith(spki, form.prefix))
      return form.key(spki, form.prefix.length);
  }
  return rsaKey(spki);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function rsaKey(spki: Uint8Array): CanonicalKey | undefined {
  const outer = readTlv(spki, 0);
  const parts =
    outer?.tag === TAG_SEQUENCE && outer.end === spki.length ? readChildren(spki, outer) : undefined;
  const [algorithm, bits] = parts ?? [];
  if (
    parts?.length !== 2 ||
    !algorithm ||
    !RSA_ALGORITHM.equals(spki.subarray(algorithm.start, algorithm.end))
  )
    return undefined;
  if (bits?.tag !== TAG_BIT_STRING || spki[bits.valueStart] !== 0) return undefined;
  const key = readTlv(spki, bits.valueStart + 1, bits.end);
  const integers = key?.tag === TAG_SEQUENCE && key.end === bits.end ? readChildren(spki, key) : undefined;
  const [n, e] = (integers ?? []).map((i) =>
    i.tag === TAG_INTEGER ? minimalPositive(tlvValue(spki, i)) : undefined,
  );
  if (integers?.length !== 2 || !n || !e) return undefined;
  // The modulus size in bits, as OpenSSL counts it (BN_num_bits): n's top octet is not 0.
  const modulusLength = 8 * n.length - Math.clz32(n[0]!) + 24;
  const jwk = { kty: "RSA", n: b64url(n), e: b64url(e) };
  return {
    load: () => createPublicKey({ key: jwk, format: "jwk" }),
    description: { asymmetricKeyType: "rsa", asymmetricKeyDetails: { modulusLength } },
  };
}

/** The magnitude of a minimally encoded positive DER INTEGER (X.690 §8.3.2), else undefined. */
function minimalPositive(value: Uint8Array): Uint8Array | undefined {
  const [first, second] = value;
  if (first === undefined || first & 0x80) return undefined;
  if (first !== 0) return value;
  return second !== undefined && second & 0x80 ? value.subarray(1) : undefined;
}

/** A public key imported from its SubjectPublicKeyInfo. */
export interface ImportedSpki {
  readonly publicKey: KeyObject;
  /** The DER node:crypto exports for `publicKey`: the bytes a certificate for this key will carry. */
  readonly spkiDer: Uint8Array;
  /** What `publicKey` says of its type: known without asking it for canonical encodings, else the key itself. */
  readonly description: KeyDescription;
}

/**
 * Imports a SubjectPublicKeyInfo and answers it with the DER node:crypto exports for it.
 * Rejects when node:crypto cannot load or export the key.
 */
export async function importSpki(spki: Uint8Array): Promise<ImportedSpki> {
  const bytes = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength);
  const canonical = canonicalKey(bytes);
  if (canonical === undefined) {
    const publicKey = createPublicKey({ key: bytes, format: "der", type: "spki" });
    // Exported first: some keys OpenSSL loads (an EC key without a point) fail here, and
    // asking them for their details would abort the process instead.
    return { publicKey, spkiDer: spkiDerOf(publicKey), description: publicKey };
  }
  const publicKey = await canonical.load();
  // A copy, not a view: Buffer's slice() would share the caller's request bytes.
  const spkiDer = new Uint8Array(spki);
  rememberSpkiDer(publicKey, spkiDer);
  return { publicKey, spkiDer, description: canonical.description };
}
