/**
 * `@acme-endpoints/core/opentelemetry`: the issuance metrics as OpenTelemetry counters, through
 * `@opentelemetry/api` (an optional peer dependency). Your SDK's MeterProvider decides where they
 * go (OTLP, Prometheus, CloudWatch…).
 *
 * @example
 * const server = createAcmeServer({ ..., events: openTelemetrySink(metrics.getMeter("acme-endpoints")) });
 */
import type { Meter } from "@opentelemetry/api";
import type { AcmeEvent, EventSink } from "../ports/events.js";

export const OPEN_TELEMETRY_METRIC_NAMES = {
  success: "acme.certificate.issuance.success",
  failed: "acme.certificate.issuance.failed",
  revoked: "acme.certificate.revoked",
} as const;

/**
 * Counters named after the seed's metrics, with the attribute `acme.endpoint.id` (and
 * `acme.failure.reason` on failures).
 */
export function openTelemetrySink(meter: Meter): EventSink {
  const success = meter.createCounter(OPEN_TELEMETRY_METRIC_NAMES.success, {
    description: "Certificates issued (CertificateIssuanceSuccess).",
  });
  const failed = meter.createCounter(OPEN_TELEMETRY_METRIC_NAMES.failed, {
    description: "Failed issuance attempts (CertificateIssuanceFailed).",
  });
  const revoked = meter.createCounter(OPEN_TELEMETRY_METRIC_NAMES.revoked, {
    description: "Certificates revoked.",
  });
  return {
    emit: (event: AcmeEvent) => {
      const attributes = { "acme.endpoint.id": event.endpointId };
      if (event.type === "certificate.issued") success.add(1, attributes);
      else if (event.type === "certificate.issuanceFailed")
        failed.add(1, { ...attributes, "acme.failure.reason": event.reason });
      else if (event.type === "certificate.revoked") revoked.add(1, attributes);
    },
  };
}
