import "reflect-metadata";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import * as x509 from "@peculiar/x509";
import type { CreateEndpointInput } from "../management/endpoints.js";
import type { AcmeServerOptions } from "../server.js";
import { createTestServer } from "../testing/test-server.js";

/** A fresh in-memory server with one endpoint covering example.test (+ subdomains, wildcards). */
export async function setup(endpoint: CreateEndpointInput = {}, extra: Partial<AcmeServerOptions> = {}) {
  const storage = createMemoryStorage();
  const t = await createTestServer({ storage, endpoint, ...extra });
  return { ...t, storage };
}

export const PROBLEM = (type: string) => `urn:ietf:params:acme:error:${type}`;

export function parseChain(pem: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new x509.X509Certificate(b));
}

export function sanNames(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).map((n) => n.value).sort();
}

/** POST a raw body (not a JWS a client library would make) to an ACME URL. */
export function rawPost(
  handle: (r: Request) => Promise<Response>,
  url: string,
  body: string,
  contentType = "application/jose+json",
) {
  return handle(new Request(url, { method: "POST", headers: { "content-type": contentType }, body }));
}

/** The JSON body of a response (a problem document, usually). */
export async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}
