import type { Deps } from "../context.js";
import type { AcmeEvent, EventSink } from "../ports/events.js";

/**
 * The sink every server installs before the user's: it counts each finalize outcome in the
 * storage's metric buckets (the seed's CertificateIssuanceSuccess / CertificateIssuanceFailed,
 * per endpoint; failures by reason), so the Monitoring graphs survive restarts. A storage that
 * fails to count is logged; the issuance it counts has already been answered and is not
 * affected.
 */
export function metricsRecorder(deps: Pick<Deps, "storage" | "logger">): EventSink {
  return {
    // Only finalize outcomes are counted: the server makes no other event for this sink alone.
    types: ["certificate.issued", "certificate.issuanceFailed"],
    emit: (event: AcmeEvent) => {
      const increment = incrementFor(event);
      if (increment === undefined) return;
      // `then` of the ResultAsync: one promise, no async function around it (Promise.resolve
      // hands that promise back as it is; the type says PromiseLike).
      return Promise.resolve(
        deps.storage.metrics.increment(increment).then<void, never>((counted) => {
          if (counted.isErr()) {
            deps.logger.error("counting an issuance metric failed", {
              metric: increment.metric,
              endpointId: event.endpointId,
              message: counted.error.message,
            });
          }
        }),
      );
    },
  };
}

function incrementFor(event: AcmeEvent) {
  switch (event.type) {
    case "certificate.issued":
      return {
        endpointId: event.endpointId,
        metric: "CertificateIssuanceSuccess" as const,
        reason: "",
        at: new Date(event.at),
      };
    case "certificate.issuanceFailed":
      return {
        endpointId: event.endpointId,
        metric: "CertificateIssuanceFailed" as const,
        reason: event.reason,
        at: new Date(event.at),
      };
    default:
      return undefined;
  }
}
