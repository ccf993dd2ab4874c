import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { orderView } from "../http/views.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { loadOrder } from "./load.js";

/** RFC 8555 §7.1.3, §7.4: POST-as-GET of an order; `processing` carries Retry-After. */
export function order(ctx: RequestContext, orderId: string): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    if (auth.payload !== undefined)
      return err(problem("malformed", "An order is read with POST-as-GET (empty payload)."));
    const found = yield* loadOrder(ctx, auth.account, orderId);
    return ok(
      json(200, orderView(deps.links, found), {
        location: deps.links.order(endpoint.id, found.id),
        ...(found.status === "processing" ? { headers: { "Retry-After": "1" } } : {}),
      }),
    );
  });
}
