import { err, type Result } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { orderView } from "../http/views.js";
import { authenticateRequest } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { findOrder } from "./load.js";

/** RFC 8555 §7.1.3, §7.4: POST-as-GET of an order; `processing` carries Retry-After. */
export async function order(ctx: RequestContext, orderId: string): Promise<Result<AcmeReply, AcmeProblem>> {
  const { deps, endpoint } = ctx;
  const auth = await authenticateRequest(ctx, "kid");
  if (auth.isErr()) return err(auth.error);
  if (auth.value.payload !== undefined)
    return err(problem("malformed", "An order is read with POST-as-GET (empty payload)."));
  return (await findOrder(ctx, auth.value.account, orderId)).map((found) =>
    json(200, orderView(deps.links, found), {
      location: deps.links.order(endpoint.id, found.id),
      ...(found.status === "processing" ? { headers: { "Retry-After": "1" } } : {}),
    }),
  );
}
