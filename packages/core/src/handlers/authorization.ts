import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { authorizationView } from "../http/views.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { loadOwned } from "./load.js";

/**
 * RFC 8555 §7.5: POST-as-GET of an authorization, and §7.5.2 deactivation by its account
 * (`status: "deactivated"`, allowed from pending or valid).
 */
export function authorization(
  ctx: RequestContext,
  authorizationId: string,
): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    const authz = yield* loadOwned(
      ctx,
      auth.account,
      "authorization",
      deps.storage.authorizations.get(endpoint.id, authorizationId),
    );
    if (auth.payload === undefined) return ok(json(200, authorizationView(deps.links, authz)));
    if (auth.payload.status !== "deactivated") {
      return err(
        problem(
          "malformed",
          'An authorization can only be updated with {"status": "deactivated"} (RFC 8555 §7.5.2).',
        ),
      );
    }
    if (authz.status !== "pending" && authz.status !== "valid") {
      return err(problem("malformed", `An authorization that is ${authz.status} cannot be deactivated.`));
    }
    const stored = yield* deps.storage.authorizations
      .update({ ...authz, status: "deactivated" })
      .mapErr(storageProblem(ctx, "deactivating the authorization"));
    return ok(json(200, authorizationView(deps.links, stored)));
  });
}
