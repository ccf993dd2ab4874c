import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AcmeEvent,
  type AcmeServer,
  createAcmeServer,
  createLocalCertificateAuthority,
  metricsRecorder,
} from "@acme-endpoints/core";
import { createTestCsr, expectStatus, generateTestKey, TestAcmeClient } from "@acme-endpoints/core/testing";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import express from "express";
import { acmeRouter, bearerToken, dashboardRouter } from "./index.js";

export const DASHBOARD_TOKEN = "dashboard-test-token-0123456789abcdef";

export interface DashboardFixture {
  readonly server: AcmeServer;
  readonly endpointId: string;
  readonly dashboardUrl: string;
  /** What the server reported through its event sink. */
  readonly events: AcmeEvent[];
  close(): Promise<void>;
}

/**
 * An Express app on an ephemeral loopback port with the ACME router and the dashboard, an
 * endpoint that only takes P-256 keys, and certificates issued through real ACME requests:
 * www and (a, b) once each, (a, b) again (a renewal), and a refused RSA finalize (badCSR).
 */
export async function startDashboardFixture(): Promise<DashboardFixture> {
  const app = express();
  const listener: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => listener.once("listening", resolve));
  const { port } = listener.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const storage = createMemoryStorage();
  const events: AcmeEvent[] = [];
  const server = createAcmeServer({
    storage,
    certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
    baseUrl: `${origin}/acme`,
    events: { emit: (event) => void events.push(event) },
  });
  app.use("/acme", acmeRouter(server));
  app.use("/dashboard", dashboardRouter(server, { authorize: bearerToken(DASHBOARD_TOKEN) }));

  const endpoint = (
    await server.endpoints.create({
      name: "web-team",
      certificateAuthority: { allowedKeyAlgorithms: ["EC_prime256v1"] },
      certificateTags: [{ key: "team", value: "web" }],
    })
  )._unsafeUnwrap();
  (
    await server.domains.add({
      endpointId: endpoint.id,
      domainName: "example.test",
      scope: { exactDomain: true, subdomains: true, wildcards: false },
    })
  )._unsafeUnwrap();

  const acme = await TestAcmeClient.create({
    fetch: (request) => fetch(request),
    directoryUrl: endpoint.endpointUrl,
  });
  await acme.issue(["www.example.test"]);
  await acme.issue(["a.example.test", "b.example.test"]);
  await acme.issue(["b.example.test", "a.example.test"]);
  const refused = expectStatus(await acme.newOrder(["rsa.example.test"]), [201]);
  const key = generateTestKey("RSA-2048").privateKey;
  expectStatus(
    await acme.finalize(refused.body, createTestCsr({ privateKey: key, dnsNames: ["rsa.example.test"] })),
    [400],
  );

  await countIssuanceUntilFinalizeEmits(storage, events, endpoint.id);
  return {
    server,
    endpointId: endpoint.id,
    dashboardUrl: `${origin}/dashboard/`,
    events,
    close: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}

/**
 * Until finalize emits `certificate.issued` / `certificate.issuanceFailed` itself (the lead's
 * change to handlers/finalize.ts), the outcomes above are handed to the metrics recorder here,
 * through the same path the server's sink takes. Once finalize emits them, this does nothing.
 */
async function countIssuanceUntilFinalizeEmits(
  storage: ReturnType<typeof createMemoryStorage>,
  events: readonly AcmeEvent[],
  endpointId: string,
): Promise<void> {
  const emitted = events.some(
    (e) => e.type === "certificate.issued" || e.type === "certificate.issuanceFailed",
  );
  if (emitted) return;
  const recorder = metricsRecorder({ storage, logger: { error: () => {}, warn: () => {} } });
  const at = new Date().toISOString();
  const base = { endpointId, accountId: "", orderId: "", at };
  for (let i = 0; i < 3; i++) {
    await recorder.emit({ ...base, type: "certificate.issued", serial: "", identifiers: [], notAfter: at });
  }
  await recorder.emit({
    ...base,
    type: "certificate.issuanceFailed",
    reason: "keyAlgorithm",
    detail: "RSA_2048",
  });
}
