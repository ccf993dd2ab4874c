import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { err, errAsync, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import type { ExternalAccountKey } from "../domain/types.js";
import { storageProblem } from "../http/storage-problem.js";
import { decodeBase64url } from "../jws/base64url.js";
import { thumbprintOf } from "../jws/keys.js";
import { decodeJsonObject, isObject } from "../jws/parse.js";
import { type AcmeProblem, problem } from "../problems.js";

/** RFC 8555 §7.3.4: the binding is MACed with the credential's HMAC key (RFC 7518 §3.2). */
const MAC_HASH: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

const refused = (detail: string): AcmeProblem =>
  problem("unauthorized", `External account binding refused: ${detail}`);

/**
 * Verifies a newAccount `externalAccountBinding` (RFC 8555 §7.3.4): a flattened JWS over the
 * account's public key, MACed with an external account key of this endpoint, for this newAccount
 * URL. Answers the key that bound it; every way it can be wrong is `unauthorized` with a detail.
 */
export function verifyExternalAccountBinding(
  ctx: RequestContext,
  binding: unknown,
  accountThumbprint: string,
): ResultAsync<ExternalAccountKey, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    if (!isObject(binding)) {
      return err(
        problem("malformed", "`externalAccountBinding` must be a flattened JWS object (RFC 8555 §7.3.4)."),
      );
    }
    const { protected: protectedB64, payload, signature } = binding;
    if (typeof protectedB64 !== "string" || typeof payload !== "string" || typeof signature !== "string") {
      return err(
        problem("malformed", "`externalAccountBinding` needs string `protected`, `payload` and `signature`."),
      );
    }
    const headerBytes = decodeBase64url(protectedB64);
    const payloadBytes = decodeBase64url(payload);
    const mac = decodeBase64url(signature);
    if (headerBytes === undefined || payloadBytes === undefined || mac === undefined) {
      return err(problem("malformed", "`externalAccountBinding` members must be base64url without padding."));
    }
    const header = yield* decodeJsonObject(headerBytes, "The external account binding header");
    const hash =
      typeof header.alg === "string" && Object.hasOwn(MAC_HASH, header.alg)
        ? MAC_HASH[header.alg]
        : undefined;
    if (hash === undefined) {
      return err(
        problem("malformed", "The external account binding must use a MAC algorithm: HS256, HS384 or HS512."),
      );
    }
    if (header.nonce !== undefined)
      return err(problem("malformed", "The external account binding must not carry a nonce."));
    if (header.url !== ctx.url) return err(refused(`its \`url\` must be this newAccount URL, ${ctx.url}.`));
    if (typeof header.kid !== "string" || header.kid.length === 0) {
      return err(refused("its `kid` must be the key identifier you were given."));
    }
    const key = yield* deps.storage.externalAccountKeys
      .get(endpoint.id, header.kid)
      .mapErr(storageProblem(ctx, "loading the external account key"));
    if (key === undefined)
      return err(refused(`key identifier ${JSON.stringify(header.kid)} is unknown at this endpoint.`));
    if (key.status !== "ACTIVE") return err(refused(`key identifier ${key.keyId} was revoked.`));
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= deps.clock.now().getTime()) {
      return err(refused(`key identifier ${key.keyId} expired at ${key.expiresAt}.`));
    }
    const expected = createHmac(hash, Buffer.from(key.hmacKey, "base64url"))
      .update(`${protectedB64}.${payload}`)
      .digest();
    if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) {
      return err(refused("the MAC does not verify with the HMAC key of this key identifier."));
    }
    const boundKey = yield* decodeJsonObject(
      payloadBytes,
      "The external account binding payload",
    ).asyncAndThen((jwk) =>
      thumbprintOf(jwk as { kty: string }).orElse(() => errAsync(refused("its payload is not a JWK."))),
    );
    if (boundKey !== accountThumbprint) {
      return err(refused("its payload must be the account key that signs this request."));
    }
    return ok(key);
  });
}
