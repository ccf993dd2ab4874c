import { err, ok, type Result } from "neverthrow";
import { type AcmeProblem, problem } from "../problems.js";
import { decodeBase64url } from "./base64url.js";
import { duplicateMember } from "./duplicate-members.js";

/** RFC 8555 §6.2: the JWS algorithms this server accepts. `none` and MACs never. */
export const ALLOWED_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "EdDSA"] as const;
export type JwsAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export interface ProtectedHeader {
  readonly alg: JwsAlgorithm;
  readonly nonce?: unknown;
  readonly url?: unknown;
  readonly jwk?: unknown;
  readonly kid?: unknown;
  readonly [member: string]: unknown;
}

/** A flattened JWS (RFC 7515 §7.2.2), its protected header decoded. */
export interface ParsedJws {
  readonly flattened: { readonly protected: string; readonly payload: string; readonly signature: string };
  readonly header: ProtectedHeader;
  readonly payloadBytes: Uint8Array;
  readonly signature: Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes as text, undefined when they are not UTF-8. */
function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * UTF-8 (RFC 8259 §8.1) JSON text that must be an object with no member given twice. Plain
 * try/catch rather than Result.fromThrowable: this runs three times per request, and the
 * closures cost more than the checks.
 */
export function decodeJsonObject(
  bytes: Uint8Array,
  what: string,
): Result<Record<string, unknown>, AcmeProblem> {
  const text = utf8Text(bytes);
  if (text === undefined) return err(problem("malformed", `${what} is not UTF-8.`));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err(problem("malformed", `${what} is not valid JSON.`));
  }
  if (!isObject(value)) return err(problem("malformed", `${what} must be a JSON object.`));
  const duplicate = duplicateMember(text);
  return duplicate === undefined
    ? ok(value)
    : err(
        problem(
          "malformed",
          `${what} has the member ${JSON.stringify(duplicate.slice(0, 40))} more than once; send each member once (RFC 7515 §5.2).`,
        ),
      );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * RFC 8555 §6.2: a request body is a JWS in the flattened JSON serialization; the compact and
 * general serializations are refused, as are unprotected headers (everything must be signed).
 */
export function parseFlattenedJws(body: Uint8Array): Result<ParsedJws, AcmeProblem> {
  const decoded = decodeJsonObject(body, "The request body");
  if (decoded.isErr()) return err(decoded.error);
  const jws = decoded.value;
  if ("signatures" in jws) {
    return err(
      problem(
        "malformed",
        "JWS general serialization is not allowed: send the flattened form (RFC 8555 §6.2).",
      ),
    );
  }
  if ("header" in jws) {
    return err(
      problem(
        "malformed",
        "JWS unprotected header is not allowed: put every header in `protected` (RFC 8555 §6.2).",
      ),
    );
  }
  const { protected: protectedB64, payload, signature } = jws;
  if (typeof protectedB64 !== "string" || typeof payload !== "string" || typeof signature !== "string") {
    return err(
      problem(
        "malformed",
        "JWS must be flattened JSON with string `protected`, `payload` and `signature` members.",
      ),
    );
  }
  const headerBytes = decodeBase64url(protectedB64);
  const payloadBytes = decodeBase64url(payload);
  const signatureBytes = decodeBase64url(signature);
  if (headerBytes === undefined || signatureBytes === undefined) {
    return err(problem("malformed", "JWS `protected` and `signature` must be base64url without padding."));
  }
  if (payloadBytes === undefined)
    return err(problem("malformed", "JWS `payload` must be base64url without padding."));
  const header = decodeJsonObject(headerBytes, "The JWS protected header");
  if (header.isErr()) return err(header.error);
  const alg = header.value.alg;
  if (typeof alg !== "string" || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    return err(
      problem(
        "badSignatureAlgorithm",
        `JWS algorithm ${JSON.stringify(alg ?? null)} is not accepted; use one of ${ALLOWED_ALGORITHMS.join(", ")}.`,
        { algorithms: ALLOWED_ALGORITHMS },
      ),
    );
  }
  const extension = refusedExtension(header.value);
  if (extension !== undefined) return err(extension);
  return ok({
    flattened: { protected: protectedB64, payload, signature },
    header: header.value as ProtectedHeader,
    payloadBytes,
    signature: signatureBytes,
  });
}

/**
 * RFC 7515 §4.1.11: a JWS whose `crit` names an extension the recipient does not understand
 * must be refused, and this server understands none. RFC 7797: `b64: false` (an unencoded
 * payload) would change what was signed; ACME payloads are always base64url (RFC 8555 §6.2).
 */
function refusedExtension(header: Record<string, unknown>): AcmeProblem | undefined {
  if ("crit" in header) {
    return problem(
      "malformed",
      "The JWS protected header has `crit`: this server understands no JWS extensions (RFC 7515 §4.1.11).",
    );
  }
  if (header.b64 === false) {
    return problem("malformed", "JWS `b64: false` (unencoded payload, RFC 7797) is not allowed in ACME.");
  }
  return undefined;
}
