/**
 * `@acme-endpoints/core/prometheus`: the issuance metrics as Prometheus counters, on prom-client
 * (an optional peer dependency: install it to use this entry point).
 *
 * @example
 * const registry = new Registry();
 * const server = createAcmeServer({ ..., events: prometheusSink(registry) });
 * app.get("/metrics", async (req, res) => sendWebResponse(await metricsHandler(registry)(toWebRequest(req)), res));
 */
import { Counter, register as globalRegistry, type Registry } from "prom-client";
import type { AcmeEvent, EventSink } from "../ports/events.js";

export const PROMETHEUS_METRIC_NAMES = {
  success: "acme_certificate_issuance_success_total",
  failed: "acme_certificate_issuance_failed_total",
  revoked: "acme_certificate_revoked_total",
} as const;

/**
 * Counts `CertificateIssuanceSuccess` / `CertificateIssuanceFailed` (by `endpoint_id`, failures
 * also by `reason`) and revocations in `registry` (default: prom-client's global one). Counters
 * live in this process: they start at zero on restart, as Prometheus expects of counters.
 */
export function prometheusSink(registry: Registry = globalRegistry): EventSink {
  const counter = (name: string, help: string, labelNames: string[]) =>
    // One server per registry is the norm; a second sink on the same registry shares the counters.
    (registry.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] });
  const success = counter(
    PROMETHEUS_METRIC_NAMES.success,
    "Certificates issued (CertificateIssuanceSuccess).",
    ["endpoint_id"],
  );
  const failed = counter(
    PROMETHEUS_METRIC_NAMES.failed,
    "Failed issuance attempts (CertificateIssuanceFailed).",
    ["endpoint_id", "reason"],
  );
  const revoked = counter(PROMETHEUS_METRIC_NAMES.revoked, "Certificates revoked.", ["endpoint_id"]);
  return {
    emit: (event: AcmeEvent) => {
      if (event.type === "certificate.issued") success.inc({ endpoint_id: event.endpointId });
      else if (event.type === "certificate.issuanceFailed")
        failed.inc({ endpoint_id: event.endpointId, reason: event.reason });
      else if (event.type === "certificate.revoked") revoked.inc({ endpoint_id: event.endpointId });
    },
  };
}

/** Answers a scrape (any web-standard Request) with the registry in the text exposition format. */
export function metricsHandler(registry: Registry = globalRegistry): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method Not Allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    try {
      const body = await registry.metrics();
      return new Response(request.method === "HEAD" ? null : body, {
        status: 200,
        headers: { "content-type": registry.contentType, "cache-control": "no-store" },
      });
    } catch {
      return new Response("metrics unavailable\n", { status: 500 });
    }
  };
}
