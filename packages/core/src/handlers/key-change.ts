import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { emitFrom } from "../events/emit.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { accountView } from "../http/views.js";
import { authenticate, verifySignature } from "../jws/authenticate.js";
import { importAccountKey, keyFromJwk, thumbprintOf } from "../jws/keys.js";
import { decodeJsonObject, parseFlattenedJws } from "../jws/parse.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * RFC 8555 §7.3.5 account key rollover. The outer JWS is signed by the current key (`kid`);
 * its payload is an inner JWS signed by the new key (`jwk`) for the same `url`, whose payload
 * names the account and the old key. A new key that belongs to another account of the
 * endpoint answers 409 with that account's Location.
 */
export function keyChange(ctx: RequestContext): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    const account = auth.account;
    if (account === undefined || auth.payload === undefined) {
      return err(problem("malformed", "keyChange needs an inner JWS as its payload (RFC 8555 §7.3.5)."));
    }
    const inner = yield* parseFlattenedJws(auth.payloadBytes).mapErr((p) => ({
      ...p,
      detail: `Inner JWS: ${p.detail}`,
    }));
    if (inner.header.jwk === undefined || inner.header.kid !== undefined) {
      return err(problem("malformed", "The inner JWS must carry the new key as `jwk` and no `kid`."));
    }
    if (inner.header.nonce !== undefined) {
      return err(problem("malformed", "The inner JWS must not carry a nonce (RFC 8555 §7.3.5)."));
    }
    if (inner.header.url !== ctx.url) {
      return err(
        problem("malformed", "The inner JWS `url` must equal the outer JWS `url` (the keyChange URL)."),
      );
    }
    const newKey = yield* importAccountKey(inner.header.jwk, inner.header.alg);
    yield* verifySignature(inner, newKey.key, inner.header.alg).mapErr(() =>
      problem("malformed", "The inner JWS signature does not verify with the new key."),
    );
    const innerPayload = yield* decodeJsonObject(inner.payloadBytes, "The inner JWS payload");
    const accountUrl = deps.links.account(endpoint.id, account.id);
    if (innerPayload.account !== accountUrl) {
      return err(
        problem("malformed", `The inner payload's \`account\` must be ${accountUrl}, the outer JWS \`kid\`.`),
      );
    }
    const oldKey = yield* keyFromJwk(innerPayload.oldKey).mapErr(() =>
      problem("malformed", "The inner payload's `oldKey` must be the account's current JWK."),
    );
    const oldThumbprint = yield* thumbprintOf(oldKey.jwk);
    if (oldThumbprint !== account.thumbprint) {
      return err(problem("unauthorized", "The inner payload's `oldKey` is not the account's current key."));
    }
    if (newKey.thumbprint === account.thumbprint) {
      return err(problem("malformed", "The new key is the account's current key; generate a different one."));
    }
    const taken = yield* deps.storage.accounts
      .getByThumbprint(endpoint.id, newKey.thumbprint)
      .mapErr(storageProblem(ctx, "looking up the new key"));
    if (taken !== undefined) return err(keyInUse(ctx, taken.id));
    const updated = await deps.storage.accounts.update({
      ...account,
      jwk: newKey.jwk,
      thumbprint: newKey.thumbprint,
    });
    if (updated.isErr()) {
      if (updated.error.type === "conflict") {
        return err(
          problem("malformed", "The new key was taken, or the account changed, concurrently; retry.", {
            status: 409,
          }),
        );
      }
      return err(storageProblem(ctx, "changing the account key")(updated.error));
    }
    emitFrom(ctx, { type: "account.keyChanged", accountId: account.id });
    return ok(json(200, accountView(deps.links, updated.value), { location: accountUrl }));
  });
}

function keyInUse(ctx: RequestContext, otherAccountId: string): AcmeProblem {
  return problem("malformed", "The new key is already the key of another account at this endpoint.", {
    status: 409,
    headers: { Location: ctx.deps.links.account(ctx.endpoint.id, otherAccountId) },
  });
}
