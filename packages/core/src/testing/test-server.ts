import { createLocalCertificateAuthority } from "../ca/local.js";
import type { DomainScope } from "../domain/types.js";
import type { CreateEndpointInput, EndpointDescription } from "../management/endpoints.js";
import type { AcmeStorage } from "../ports/storage.js";
import type { AcmeServer, AcmeServerOptions } from "../server.js";
import { createAcmeServer } from "../server.js";
import { TestAcmeClient } from "./acme-client.js";

export interface TestServerOptions extends Partial<Omit<AcmeServerOptions, "storage">> {
  /** Storage to use, e.g. `createMemoryStorage()`. */
  readonly storage: AcmeStorage;
  /** The default endpoint's settings. */
  readonly endpoint?: CreateEndpointInput;
  /** Pre-approved domains of the default endpoint (default: example.test with subdomains and wildcards). */
  readonly domains?: readonly string[];
  readonly scope?: Partial<DomainScope>;
}

export interface TestServer {
  readonly server: AcmeServer;
  readonly endpoint: EndpointDescription;
  /** A client of the default endpoint that calls `server.handle` directly: no sockets. */
  client(): Promise<TestAcmeClient>;
}

/**
 * An ACME server with one ACTIVE endpoint and its domains, for tests of code that obtains
 * certificates: everything in memory, nothing listens.
 *
 * @example
 * const { client } = await createTestServer({ storage: createMemoryStorage() });
 * const acme = await client();
 * const { certificatePem } = await acme.issue(["www.example.test"]);
 */
export async function createTestServer(options: TestServerOptions): Promise<TestServer> {
  const server = createAcmeServer({
    certificateAuthority: createLocalCertificateAuthority({ store: options.storage.caMaterials }),
    baseUrl: "https://acme.test/acme",
    ...options,
  });
  const created = await server.endpoints.create({ name: "test", ...options.endpoint });
  if (created.isErr()) throw new Error(`creating the test endpoint: ${created.error.message}`);
  const endpoint = created.value;
  for (const domainName of options.domains ?? ["example.test"]) {
    const added = await server.domains.add({
      endpointId: endpoint.id,
      domainName,
      scope: { exactDomain: true, subdomains: true, wildcards: true, ...options.scope },
    });
    if (added.isErr()) throw new Error(`adding ${domainName}: ${added.error.message}`);
  }
  return {
    server,
    endpoint,
    client: () => TestAcmeClient.create({ fetch: server.handle, directoryUrl: endpoint.endpointUrl }),
  };
}
