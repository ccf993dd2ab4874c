import { err, type ResultAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { orderView } from "../http/views.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { attempt } from "../result.js";
import { loadOrder } from "./load.js";

/** RFC 8555 §7.1.3, §7.4: POST-as-GET of an order; `processing` carries Retry-After. */
export function order(ctx: RequestContext, orderId: string): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return attempt<AcmeReply, AcmeProblem>(async () => {
    const auth = await authenticate(ctx, "kid");
    if (auth.isErr()) return err(auth.error);
    if (auth.value.payload !== undefined)
      return err(problem("malformed", "An order is read with POST-as-GET (empty payload)."));
    return loadOrder(ctx, auth.value.account, orderId).map((found) =>
      json(200, orderView(deps.links, found), {
        location: deps.links.order(endpoint.id, found.id),
        ...(found.status === "processing" ? { headers: { "Retry-After": "1" } } : {}),
      }),
    );
  });
}
