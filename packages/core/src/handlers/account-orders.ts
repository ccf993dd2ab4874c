import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * RFC 8555 §7.1.2.1: the account's orders, a page at a time, with `Link: rel="next"` to the
 * following page. Invalid orders are left out (the RFC's SHOULD NOT).
 */
export function accountOrders(
  ctx: RequestContext,
  accountId: string,
  cursor: string | undefined,
): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    if (auth.account?.id !== accountId) {
      return err(
        problem("unauthorized", "An account's orders list can only be read with that account's key."),
      );
    }
    if (auth.payload !== undefined)
      return err(problem("malformed", "The orders list is read with POST-as-GET (empty payload)."));
    const page = yield* deps.storage.orders
      .listByAccount(endpoint.id, accountId, {
        limit: deps.settings.ordersPageSize,
        ...(cursor === undefined ? {} : { after: cursor }),
      })
      .mapErr(storageProblem(ctx, "listing orders"));
    const orders = page.items
      .filter((o) => o.status !== "invalid")
      .map((o) => deps.links.order(endpoint.id, o.id));
    const links =
      page.next === undefined
        ? []
        : [{ url: deps.links.accountOrders(endpoint.id, accountId, page.next), rel: "next" }];
    return ok(json(200, { orders }, { links }));
  });
}
