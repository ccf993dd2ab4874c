import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { Deps } from "../context.js";
import type { StorageError } from "../ports/storage.js";
import type { Order } from "./types.js";

/**
 * RFC 8555 §7.4 has no way back from `processing` but `valid` or `invalid`. Issuance and its
 * record are one transaction, so an order still `processing` long after finalize began holds
 * no certificate: the process that was issuing died. Such an order is made `ready` again (its
 * authorizations are still valid), and the client's next finalize completes it. Checked
 * lazily whenever the order is read, so it holds for any number of server instances.
 */
export function recoverInterruptedOrder(deps: Deps, order: Order): ResultAsync<Order, StorageError> {
  if (order.status !== "processing" || order.processingSince === undefined) return okAsync(order);
  const started = Date.parse(order.processingSince);
  if (deps.clock.now().getTime() - started <= deps.settings.processingTimeoutMs) return okAsync(order);
  const { processingSince: _, ...rest } = order;
  deps.logger.warn("order interrupted while processing: made ready again", {
    endpointId: order.endpointId,
    orderId: order.id,
    processingSince: order.processingSince,
  });
  return deps.storage.orders.update({ ...rest, status: "ready" }).orElse((e) =>
    // Another request recovered or completed it first: answer what it left.
    e.type === "conflict"
      ? deps.storage.orders.get(order.endpointId, order.id).map((current) => current ?? order)
      : errAsync(e),
  );
}
