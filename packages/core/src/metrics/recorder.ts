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
    emit: (event: AcmeEvent) => {
      // Most events are not counted: those return at once, without a promise.
      const increment = incrementFor(event);
      if (increment === undefined) return;
      return (async () => {
        const counted = await deps.storage.metrics.increment(increment);
        if (counted.isErr()) {
          deps.logger.error("counting an issuance metric failed", {
            metric: increment.metric,
            endpointId: event.endpointId,
            message: counted.error.message,
          });
        }
      })();
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
