import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { challengeView } from "../http/views.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { loadOwned } from "./load.js";

/**
 * RFC 8555 §7.5.1: a client answers a challenge by POSTing `{}` to it (POST-as-GET reads it).
 * Under PRE_APPROVED every challenge is already valid, and a response to a valid challenge
 * changes nothing: the challenge is returned as it is, with `Link: rel="up"` to its
 * authorization.
 */
export function challenge(
  ctx: RequestContext,
  authorizationId: string,
  challengeId: string,
): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    const authz = yield* loadOwned(
      ctx,
      auth.account,
      "challenge",
      deps.storage.authorizations.get(endpoint.id, authorizationId),
    );
    const found = authz.challenges.find((c) => c.id === challengeId);
    if (found === undefined)
      return err(problem("malformed", "No such challenge at this endpoint.", { status: 404 }));
    if (auth.payload !== undefined && Object.keys(auth.payload).length > 0 && found.status !== "valid") {
      return err(problem("malformed", "A challenge response is the empty object {} (RFC 8555 §7.5.1)."));
    }
    return ok(
      json(200, challengeView(deps.links, authz, found), {
        links: [{ url: deps.links.authorization(endpoint.id, authz.id), rel: "up" }],
      }),
    );
  });
}
