import { err, ok, type Result } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { authorizationView } from "../http/views.js";
import { authenticateRequest } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { findOwned } from "./load.js";

/**
 * RFC 8555 §7.5: POST-as-GET of an authorization, and §7.5.2 deactivation by its account
 * (`status: "deactivated"`, allowed from pending or valid).
 */
export async function authorization(
  ctx: RequestContext,
  authorizationId: string,
): Promise<Result<AcmeReply, AcmeProblem>> {
  const { deps, endpoint } = ctx;
  const authenticated = await authenticateRequest(ctx, "kid");
  if (authenticated.isErr()) return err(authenticated.error);
  const auth = authenticated.value;
  const loaded = await findOwned(
    ctx,
    auth.account,
    "authorization",
    deps.storage.authorizations.get(endpoint.id, authorizationId),
  );
  if (loaded.isErr()) return err(loaded.error);
  const authz = loaded.value;
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
  return deps.storage.authorizations
    .update({ ...authz, status: "deactivated" })
    .mapErr(storageProblem(ctx, "deactivating the authorization"))
    .map((stored) => json(200, authorizationView(deps.links, stored)));
}
