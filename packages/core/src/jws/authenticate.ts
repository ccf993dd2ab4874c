import type { KeyObject } from "node:crypto";
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import type { Account, JsonWebKeyPublic } from "../domain/types.js";
import { storageProblem } from "../http/storage-problem.js";
import { type AcmeProblem, problem } from "../problems.js";
import { attempt } from "../result.js";
import { readBody } from "./body.js";
import { importAccountKey, matchAlgorithm } from "./keys.js";
import {
  decodeJsonObject,
  type JwsAlgorithm,
  type ParsedJws,
  type ProtectedHeader,
  parseFlattenedJws,
} from "./parse.js";
import { verifyJwsSignature } from "./signature.js";

/** Which key a resource accepts (RFC 8555 §6.2): newAccount `jwk`, revokeCert either, else `kid`. */
export type KeyMode = "jwk" | "kid" | "jwkOrKid";

/** A request whose JWS checked out, with who signed it. */
export interface AuthenticatedRequest {
  readonly header: ProtectedHeader;
  /** The parsed payload; undefined for POST-as-GET (empty payload, RFC 8555 §6.3). */
  readonly payload: Record<string, unknown> | undefined;
  /** The payload exactly as signed (keyChange parses its inner JWS from these bytes). */
  readonly payloadBytes: Uint8Array;
  readonly key: KeyObject;
  /** Set when the JWS carried a `jwk`. */
  readonly jwk?: { readonly value: JsonWebKeyPublic; readonly thumbprint: string };
  /** Set when the JWS carried a `kid`: the endpoint's account, status valid. */
  readonly account?: Account;
}

/**
 * The JWS checks of RFC 8555 §6.2–6.5, in order, each ending the request with its own problem:
 * Content-Type → body → flattened JWS → algorithm → jwk/kid → url → nonce → key → signature →
 * payload.
 */
export function authenticate(
  ctx: RequestContext,
  mode: KeyMode,
): ResultAsync<AuthenticatedRequest, AcmeProblem> {
  return attempt(() => authenticateRequest(ctx, mode));
}

const JOSE_JSON = "application/jose+json";

/** `authenticate` as a plain promise, for handlers that await (one thenable hop fewer). */
export async function authenticateRequest(
  ctx: RequestContext,
  mode: KeyMode,
): Promise<Result<AuthenticatedRequest, AcmeProblem>> {
  const raw = ctx.request.header("content-type");
  // The exact value clients send skips the split, trim and lower-case.
  const contentType = raw === JOSE_JSON ? raw : raw?.split(";")[0]?.trim().toLowerCase();
  if (contentType !== JOSE_JSON) {
    return err(
      problem(
        "malformed",
        `Content-Type must be application/jose+json, not ${contentType === undefined ? "absent" : JSON.stringify(contentType.slice(0, 60))} (RFC 8555 §6.2).`,
        {
          status: 415,
        },
      ),
    );
  }
  const body = await readBody(ctx.request, ctx.deps.settings.maxBodyBytes);
  if (body.isErr()) return err(body.error);
  const jws = parseFlattenedJws(body.value);
  return jws.isErr() ? err(jws.error) : verifyParsed(ctx, jws.value, mode);
}

// Internal steps are plain async functions (native promises), cheaper to await than ResultAsync.
async function verifyParsed(
  ctx: RequestContext,
  jws: ParsedJws,
  mode: KeyMode,
): Promise<Result<AuthenticatedRequest, AcmeProblem>> {
  const { header } = jws;
  const hasJwk = header.jwk !== undefined;
  const hasKid = header.kid !== undefined;
  if (hasJwk === hasKid) {
    return err(
      problem(
        "malformed",
        "The JWS protected header must have exactly one of `jwk` and `kid` (RFC 8555 §6.2).",
      ),
    );
  }
  if (mode === "jwk" && !hasJwk) {
    return err(
      problem("malformed", "This resource needs a JWS with `jwk` (the new account's key), not `kid`."),
    );
  }
  if (mode === "kid" && !hasKid) {
    return err(problem("malformed", "This resource needs a JWS with `kid` (your account URL), not `jwk`."));
  }
  if (typeof header.url !== "string") {
    return err(problem("malformed", "The JWS protected header has no `url` (RFC 8555 §6.4)."));
  }
  if (header.url !== ctx.url) {
    return err(
      problem(
        "unauthorized",
        `The JWS \`url\` ${header.url} does not match the request URL ${ctx.url} (RFC 8555 §6.4).`,
      ),
    );
  }
  // Nonce (RFC 8555 §6.5) and account lookups are awaited here, not in async helpers: each
  // helper call would add a promise and a hop to every request.
  const nonce = header.nonce;
  const malformedNonce = nonceFormatProblem(nonce);
  if (malformedNonce !== undefined) return err(malformedNonce);
  const fresh = await ctx.deps.storage.nonces.consume(ctx.endpoint.id, nonce as string, ctx.deps.clock.now());
  if (fresh.isErr()) return err(storageProblem(ctx, "consuming a nonce")(fresh.error));
  if (!fresh.value) {
    return err(
      problem(
        "badNonce",
        "The nonce is unknown, used or expired: retry with the Replay-Nonce of this response.",
      ),
    );
  }

  let key: KeyObject;
  let account: Account | undefined;
  let jwk: AuthenticatedRequest["jwk"];
  if (hasJwk) {
    const imported = await importAccountKey(header.jwk, header.alg);
    if (imported.isErr()) return err(imported.error);
    key = imported.value.key;
    jwk = { value: imported.value.jwk, thumbprint: imported.value.thumbprint };
  } else {
    const kid = header.kid;
    const accountId =
      typeof kid === "string" ? ctx.deps.links.accountIdFromKid(ctx.endpoint.id, kid) : undefined;
    if (accountId === undefined) {
      return err(
        problem(
          "accountDoesNotExist",
          `The JWS \`kid\` ${JSON.stringify(kid)} is not an account URL of this endpoint.`,
        ),
      );
    }
    const found = await ctx.deps.storage.accounts.get(ctx.endpoint.id, accountId);
    if (found.isErr()) return err(storageProblem(ctx, "loading the account")(found.error));
    if (found.value === undefined) {
      return err(problem("accountDoesNotExist", `No account ${kid} exists at this endpoint.`));
    }
    account = found.value;
    if (account.status !== "valid") {
      return err(
        problem(
          "unauthorized",
          `The account is ${account.status}; it can no longer make requests (RFC 8555 §7.3.6).`,
        ),
      );
    }
    const accountKey = ctx.deps.keys.get(account.thumbprint, account.jwk);
    if (accountKey.isErr()) return err(accountKey.error);
    const matched = matchAlgorithm(accountKey.value, header.alg);
    if (matched.isErr()) return err(matched.error);
    key = accountKey.value.key;
  }
  const verified = verifySignature(jws, key, header.alg);
  if (verified.isErr()) return err(verified.error);
  let payload: Record<string, unknown> | undefined;
  if (jws.payloadBytes.byteLength > 0) {
    const decoded = decodeJsonObject(jws.payloadBytes, "The JWS payload");
    if (decoded.isErr()) return err(decoded.error);
    payload = decoded.value;
  }
  // Exactly one of jwk and account is set (hasJwk !== hasKid above).
  return ok(
    jwk !== undefined
      ? { header, payload, payloadBytes: jws.payloadBytes, key, jwk }
      : { header, payload, payloadBytes: jws.payloadBytes, key, account },
  );
}

/** RFC 8555 §6.5: the nonce checks made before storage is asked. */
function nonceFormatProblem(nonce: unknown): AcmeProblem | undefined {
  if (typeof nonce !== "string" || nonce.length === 0) {
    return problem(
      "badNonce",
      "The JWS protected header has no `nonce`: get one from newNonce (RFC 8555 §6.5).",
    );
  }
  // RFC 8555 §6.5.1: a nonce that is not base64url is malformed, not merely unknown.
  if (!BASE64URL_NONCE.test(nonce)) {
    return problem("malformed", "The JWS `nonce` is not base64url; send the Replay-Nonce value as it is.");
  }
  return undefined;
}

const BASE64URL_NONCE = /^[A-Za-z0-9_-]+$/;

/** RFC 7515 §5.2 signature check with `key`, which must already be the one `alg` names. */
export function verifySignature(
  jws: ParsedJws,
  key: KeyObject,
  alg: JwsAlgorithm,
): Result<void, AcmeProblem> {
  return verifyJwsSignature(jws, key, alg);
}
