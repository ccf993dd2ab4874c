import type { Attributes, Counter, Meter } from "@opentelemetry/api";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { AcmeEvent } from "../ports/events.js";
import { openTelemetrySink } from "./opentelemetry.js";
import { metricsHandler, prometheusSink } from "./prometheus.js";

const at = "2025-06-01T10:00:00.000Z";
const events: AcmeEvent[] = [
  {
    type: "certificate.issued",
    endpointId: "e1",
    accountId: "a",
    orderId: "o",
    serial: "01",
    identifiers: [],
    notAfter: at,
    at,
  },
  {
    type: "certificate.issued",
    endpointId: "e1",
    accountId: "a",
    orderId: "o",
    serial: "02",
    identifiers: [],
    notAfter: at,
    at,
  },
  {
    type: "certificate.issuanceFailed",
    endpointId: "e2",
    accountId: "a",
    orderId: "o",
    reason: "keyAlgorithm",
    detail: "",
    at,
  },
  { type: "certificate.revoked", endpointId: "e1", serial: "01", reason: 1, at },
  { type: "order.created", endpointId: "e1", accountId: "a", orderId: "o", identifiers: [], at },
];

describe("prometheus exporter", () => {
  it("counts issuance outcomes by endpoint and reason and serves them in the text format", async () => {
    const registry = new Registry();
    const sink = prometheusSink(registry);
    for (const event of events) sink.emit(event);
    const response = await metricsHandler(registry)(new Request("http://127.0.0.1/metrics"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('acme_certificate_issuance_success_total{endpoint_id="e1"} 2');
    expect(text).toContain(
      'acme_certificate_issuance_failed_total{endpoint_id="e2",reason="keyAlgorithm"} 1',
    );
    expect(text).toContain('acme_certificate_revoked_total{endpoint_id="e1"} 1');
    expect(
      (await metricsHandler(registry)(new Request("http://127.0.0.1/metrics", { method: "POST" }))).status,
    ).toBe(405);
  });

  it("shares the counters when a second sink uses the same registry", () => {
    const registry = new Registry();
    prometheusSink(registry);
    expect(() => prometheusSink(registry)).not.toThrow();
  });
});

describe("opentelemetry exporter", () => {
  it("adds to counters named after the seed's metrics, with the endpoint (and reason) as attributes", () => {
    const added: [string, number, Attributes | undefined][] = [];
    const meter = {
      createCounter: (name: string) =>
        ({
          add: (value: number, attributes?: Attributes) => void added.push([name, value, attributes]),
        }) as Counter,
    } as unknown as Meter;
    const sink = openTelemetrySink(meter);
    for (const event of events) sink.emit(event);
    expect(added).toEqual([
      ["acme.certificate.issuance.success", 1, { "acme.endpoint.id": "e1" }],
      ["acme.certificate.issuance.success", 1, { "acme.endpoint.id": "e1" }],
      [
        "acme.certificate.issuance.failed",
        1,
        { "acme.endpoint.id": "e2", "acme.failure.reason": "keyAlgorithm" },
      ],
      ["acme.certificate.revoked", 1, { "acme.endpoint.id": "e1" }],
    ]);
  });
});
