import type { Deps, RequestContext } from "../context.js";
import type { AcmeEvent } from "../ports/events.js";

/** An event as a handler states it; `at` comes from the server's clock. */
export type EventInput = AcmeEvent extends infer E ? (E extends AcmeEvent ? Omit<E, "at"> : never) : never;

/**
 * Hands an event to every sink without waiting for it: a sink that throws is logged, one that
 * rejects is logged when it does, one that hangs holds nothing up. Issuance never depends on a
 * sink.
 */
export function emit(deps: Pick<Deps, "events" | "clock" | "logger">, input: EventInput): void {
  if (deps.events.length === 0) return;
  const event = { ...input, at: deps.clock.now().toISOString() } as AcmeEvent;
  for (const sink of deps.events) {
    try {
      const pending = sink.emit(event);
      // A sink typed to return void may still return something; only promises are watched.
      if (pending instanceof Promise) {
        pending.catch((cause: unknown) =>
          deps.logger.error("event sink rejected", { type: event.type, cause }),
        );
      }
    } catch (cause) {
      deps.logger.error("event sink threw", { type: event.type, cause });
    }
  }
}

/** An event of the current ACME request: its endpoint and request id are filled in. */
export type RequestEventInput = EventInput extends infer E
  ? E extends EventInput
    ? Omit<E, "endpointId" | "requestId">
    : never
  : never;

export function emitFrom(ctx: RequestContext, input: RequestEventInput): void {
  emit(ctx.deps, {
    ...input,
    endpointId: ctx.endpoint.id,
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
  } as EventInput);
}
