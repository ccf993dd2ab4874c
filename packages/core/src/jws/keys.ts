import { createPublicKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { err, ok, Result, ResultAsync } from "neverthrow";
import type { JsonWebKeyPublic } from "../domain/types.js";
import { type AcmeProblem, problem } from "../problems.js";
import { isObject, type JwsAlgorithm } from "./parse.js";

/** RFC 7518 §6: members that only a private key has; a JWK carrying one is refused. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** The JWS algorithm each accepted key type signs with (RFC 7518 §3.1, RFC 8037 §3.1). */
const CURVE_ALG: Record<string, JwsAlgorithm> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

export interface AccountKey {
  readonly key: KeyObject;
  /** The public members only, as stored on the account. */
  readonly jwk: JsonWebKeyPublic;
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  readonly thumbprint: string;
}

const importJwk = Result.fromThrowable(
  (jwk: Record<string, unknown>) =>
    createPublicKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" }),
  () => problem("badPublicKey", "The JWK could not be imported as a public key; check its members."),
);

/**
 * Checks a JWK from a JWS header and makes it a verification key: public only, a key type and
 * size this server accepts (RSA ≥ 2048 bits, EC P-256/P-384/P-521, Ed25519), and the one
 * that `alg` names.
 */
export function importAccountKey(value: unknown, alg: JwsAlgorithm): ResultAsync<AccountKey, AcmeProblem> {
  return checkJwk(value, alg).asyncAndThen(({ jwk, key }) =>
    thumbprintOf(jwk).map((thumbprint) => ({ key, jwk, thumbprint })),
  );
}

/** RFC 7638 SHA-256 JWK thumbprint, base64url: an account's key identity in its endpoint. */
export function thumbprintOf(jwk: JsonWebKeyPublic): ResultAsync<string, AcmeProblem> {
  return ResultAsync.fromPromise(
    calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], "sha256"),
    () => problem("badPublicKey", "The JWK thumbprint could not be computed (RFC 7638): check its members."),
  );
}

export function checkJwk(
  value: unknown,
  alg: JwsAlgorithm,
): Result<{ jwk: JsonWebKeyPublic; key: KeyObject }, AcmeProblem> {
  return keyFromJwk(value).andThen((k) => matchAlgorithm(k, alg).map(() => k));
}

export interface JwkKey {
  readonly jwk: JsonWebKeyPublic;
  readonly key: KeyObject;
  /** The one JWS algorithm this key signs with here. */
  readonly alg: JwsAlgorithm;
}

/** A JWK made a verification key, with the algorithm it must be used with. */
export function keyFromJwk(value: unknown): Result<JwkKey, AcmeProblem> {
  if (!isObject(value) || typeof value.kty !== "string") {
    return err(problem("malformed", "JWS `jwk` must be a JSON Web Key object with a `kty` (RFC 7517)."));
  }
  const privateMember = PRIVATE_MEMBERS.find((m) => m in value);
  if (privateMember !== undefined) {
    return err(
      problem(
        "badPublicKey",
        `The JWK has the private member \`${privateMember}\`: send only the public key.`,
      ),
    );
  }
  const jwk = publicMembers(value);
  if (jwk === undefined) {
    return err(
      problem(
        "badPublicKey",
        `JWK key type ${JSON.stringify(value.kty)} is not accepted; use EC (P-256, P-384, P-521), RSA (2048+ bits) or OKP (Ed25519).`,
      ),
    );
  }
  return importJwk(jwk).andThen((key) => expectedAlgorithm(key).map((alg) => ({ jwk, key, alg })));
}

/** RFC 8555 §6.2: the JWS `alg` must be the one the key signs with. */
export function matchAlgorithm(k: JwkKey, alg: JwsAlgorithm): Result<void, AcmeProblem> {
  if (k.alg === alg) return ok(undefined);
  return err(
    problem(
      "badSignatureAlgorithm",
      `JWS algorithm ${alg} does not match the ${describeKey(k.key)} key, which signs with ${k.alg}.`,
      {
        algorithms: [k.alg],
      },
    ),
  );
}

/** Keeps exactly the public members of the key types we accept (RFC 7638 §3.2 order not needed). */
function publicMembers(value: Record<string, unknown>): JsonWebKeyPublic | undefined {
  switch (value.kty) {
    case "EC":
      return { kty: "EC", crv: value.crv, x: value.x, y: value.y };
    case "RSA":
      return { kty: "RSA", n: value.n, e: value.e };
    case "OKP":
      return { kty: "OKP", crv: value.crv, x: value.x };
    default:
      return undefined;
  }
}

function expectedAlgorithm(key: KeyObject): Result<JwsAlgorithm, AcmeProblem> {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "ec": {
      const alg = CURVE_ALG[curveName(details.namedCurve)];
      return alg
        ? ok(alg)
        : err(
            problem(
              "badPublicKey",
              `EC curve ${details.namedCurve} is not accepted; use P-256, P-384 or P-521.`,
            ),
          );
    }
    case "rsa": {
      const bits = details.modulusLength ?? 0;
      if (bits < 2048)
        return err(problem("badPublicKey", `RSA key of ${bits} bits is too small; use at least 2048 bits.`));
      if (bits > 8192)
        return err(problem("badPublicKey", `RSA key of ${bits} bits is too large; use at most 8192 bits.`));
      // A tiny exponent makes signatures forgeable (e = 1 "verifies" the bare padded hash).
      const e = details.publicExponent ?? 0n;
      if (e < 65537n || e % 2n === 0n) {
        return err(
          problem(
            "badPublicKey",
            "RSA public exponent must be odd and at least 65537 (use e = 65537, AQAB).",
          ),
        );
      }
      return ok("RS256");
    }
    case "ed25519":
      return ok("EdDSA");
    default:
      return err(
        problem("badPublicKey", `Key type ${key.asymmetricKeyType} is not accepted; use EC, RSA or Ed25519.`),
      );
  }
}

const NODE_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
function curveName(nodeName: string | undefined): string {
  return NODE_CURVES[nodeName ?? ""] ?? nodeName ?? "unknown";
}

export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "ec":
      return `EC ${curveName(details.namedCurve)}`;
    case "rsa":
      return `RSA ${details.modulusLength}`;
    case "ed25519":
      return "Ed25519";
    default:
      return String(key.asymmetricKeyType);
  }
}
