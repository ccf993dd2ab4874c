import { Buffer } from "node:buffer";
import { type KeyObject, verify } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import { type AcmeProblem, problem } from "../problems.js";
import type { JwsAlgorithm, ParsedJws } from "./parse.js";

/**
 * How node:crypto verifies each accepted `alg` (RFC 7518 §3.3, §3.4; RFC 8037 §3.1). ECDSA
 * signatures are the fixed-size r || s (RFC 7518 §3.4), hence `ieee-p1363` and a length check.
 */
const VERIFY: Readonly<Record<JwsAlgorithm, { readonly hash: string | null; readonly ecdsaBytes?: number }>> =
  {
    ES256: { hash: "sha256", ecdsaBytes: 64 },
    ES384: { hash: "sha384", ecdsaBytes: 96 },
    ES512: { hash: "sha512", ecdsaBytes: 132 },
    RS256: { hash: "sha256" },
    EdDSA: { hash: null },
  };

const doesNotVerify = () => problem("malformed", "The JWS signature does not verify with the key it names.");

/**
 * Checks a JWS signature (RFC 7515 §5.2) with node:crypto on the cached KeyObject: about four
 * times cheaper than a WebCrypto verify, which also copies the key in and out of a job queue.
 * The caller has already matched `alg` to the key (RFC 8555 §6.2); the header's `crit` and
 * `b64` were refused at parse time, so the signing input is always ASCII(protected "." payload).
 */
export function verifyJwsSignature(
  jws: ParsedJws,
  key: KeyObject,
  alg: JwsAlgorithm,
): Result<void, AcmeProblem> {
  const how = VERIFY[alg];
  if (how === undefined) return err(doesNotVerify());
  const { signature } = jws;
  if (how.ecdsaBytes !== undefined && signature.byteLength !== how.ecdsaBytes) return err(doesNotVerify());
  const input = Buffer.from(`${jws.flattened.protected}.${jws.flattened.payload}`, "latin1");
  let valid = false;
  try {
    valid = verify(
      how.hash,
      input,
      how.ecdsaBytes === undefined ? key : { key, dsaEncoding: "ieee-p1363" },
      signature,
    );
  } catch {
    // A key and signature node:crypto cannot use together: as good as a bad signature.
    valid = false;
  }
  return valid ? ok(undefined) : err(doesNotVerify());
}
