import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import { recoverInterruptedOrder } from "../domain/order-recovery.js";
import type { Account, Order } from "../domain/types.js";
import { storageProblem } from "../http/storage-problem.js";
import type { StorageResult } from "../ports/storage.js";
import { type AcmeProblem, problem } from "../problems.js";
import { attempt } from "../result.js";

/**
 * The prologue of every per-account resource: the record of this endpoint, or a 404 `malformed`
 * that says only that nothing of that name exists here (no hint whether it exists elsewhere);
 * then RFC 8555 §7.1: orders, authorizations and certificates are visible to their own account.
 */
export async function findOwned<T extends { readonly accountId: string }>(
  ctx: RequestContext,
  account: Account | undefined,
  what: string,
  lookup: StorageResult<T | undefined>,
): Promise<Result<T, AcmeProblem>> {
  const loaded = await lookup;
  if (loaded.isErr()) return err(storageProblem(ctx, `loading the ${what}`)(loaded.error));
  const record = loaded.value;
  if (record === undefined)
    return err(problem("malformed", `No such ${what} at this endpoint.`, { status: 404 }));
  if (account === undefined || account.id !== record.accountId) {
    return err(
      problem(
        "unauthorized",
        `This ${what} belongs to another account; sign with the account that created it.`,
      ),
    );
  }
  return ok(record);
}

/** `findOwned` as a ResultAsync, for handlers written with safeTry (`yield*`). */
export function loadOwned<T extends { readonly accountId: string }>(
  ctx: RequestContext,
  account: Account | undefined,
  what: string,
  lookup: StorageResult<T | undefined>,
): ResultAsync<T, AcmeProblem> {
  return attempt(() => findOwned(ctx, account, what, lookup));
}

/** An order of this account, made `ready` again first if its finalize was interrupted. */
export async function findOrder(
  ctx: RequestContext,
  account: Account | undefined,
  orderId: string,
): Promise<Result<Order, AcmeProblem>> {
  const order = await findOwned(ctx, account, "order", ctx.deps.storage.orders.get(ctx.endpoint.id, orderId));
  // The usual case, an order not caught mid-finalize, needs no storage call.
  if (order.isErr() || order.value.status !== "processing") return order;
  const recovered = await recoverInterruptedOrder(ctx.deps, order.value);
  return recovered.isErr()
    ? err(storageProblem(ctx, "recovering the order")(recovered.error))
    : ok(recovered.value);
}
