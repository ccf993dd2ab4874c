import { generateKeyPairSync } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { acmeRouter } from "@acme-endpoints/adapters-express";
import {
  type AcmeServer,
  type AcmeStorage,
  createAcmeServer,
  createLocalCertificateAuthority,
  type EndpointDescription,
} from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import express from "express";
import type { ServerOptions } from "./options.js";

export interface RunningServer {
  readonly directoryUrl: string;
  readonly tlsCaFile: string;
  readonly endpointId: string;
  readonly server: AcmeServer;
  close(): Promise<void>;
}

/** Name tag of the endpoint the example creates (and finds again) on start. */
const DEFAULT_ENDPOINT_NAME = "default";

/**
 * The example: an Express app serving ACME over HTTPS on loopback, one default endpoint with
 * the given pre-approved domains, and a local CA that also signs the server's own TLS
 * certificate (its root is written to `{dataDir}/tls-ca.pem` for clients to trust).
 */
export async function startExampleServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const storage: AcmeStorage = createMemoryStorage();
  const ca = createLocalCertificateAuthority({ store: storage.caMaterials });

  // Listen first so that port 0 resolves to a real port before URLs are built.
  const app = express();
  let handler: express.Handler = (_req, res) => {
    res.status(503).end();
  };
  app.use("/acme", (req, res, next) => handler(req, res, next));
  const tls = await serverTlsCredentials(ca, options.host);
  const httpsServer = createServer({ key: tls.key, cert: tls.chainPem }, app);
  httpsServer.keepAliveTimeout = 30_000;
  await new Promise<void>((done, fail) => {
    httpsServer.once("error", fail);
    httpsServer.listen(options.port, options.host, done);
  });
  const { port } = httpsServer.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  const server = createAcmeServer({
    storage,
    certificateAuthority: ca,
    baseUrl: `https://${host}:${port}/acme`,
  });
  handler = acmeRouter(server);
  const endpoint = await defaultEndpoint(server, options);
  for (const domainName of options.domains) {
    const added = await server.domains.add({
      endpointId: endpoint.id,
      domainName,
      scope: { exactDomain: true, subdomains: true, wildcards: true },
    });
    if (added.isErr() && added.error.code !== "Conflict")
      throw new Error(`--domain ${domainName}: ${added.error.message}`);
  }

  const tlsCaFile = join(dataDir, "tls-ca.pem");
  await writeFile(tlsCaFile, tls.rootPem);
  return {
    directoryUrl: endpoint.endpointUrl,
    tlsCaFile,
    endpointId: endpoint.id,
    server,
    close: () =>
      new Promise<void>((done) => {
        httpsServer.close(() => done());
        httpsServer.closeAllConnections();
      }),
  };
}

async function defaultEndpoint(server: AcmeServer, options: ServerOptions): Promise<EndpointDescription> {
  const created = await server.endpoints.create({
    name: DEFAULT_ENDPOINT_NAME,
    contact: options.contact,
    ...(options.keyAlgorithms.length > 0
      ? { certificateAuthority: { allowedKeyAlgorithms: options.keyAlgorithms } }
      : {}),
  });
  if (created.isErr()) throw new Error(`creating the default endpoint: ${created.error.message}`);
  if (created.value.status !== "ACTIVE") {
    throw new Error(`the default endpoint is ${created.value.status}: ${created.value.failureReason ?? ""}`);
  }
  return created.value;
}

async function serverTlsCredentials(ca: ReturnType<typeof createLocalCertificateAuthority>, host: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const names = new Map<string, "dns" | "ip">([
    ["localhost", "dns"],
    ["127.0.0.1", "ip"],
    ["::1", "ip"],
  ]);
  if (!names.has(host) && host !== "0.0.0.0" && host !== "::")
    names.set(host, /^[\d.:]+$/.test(host) ? "ip" : "dns");
  const issued = await ca.issue({
    endpointId: "example-server-tls",
    publicKey,
    names: [...names].map(([value, type]) => ({ type, value })),
  });
  const rootPem = await ca.rootCertificatePem();
  if (issued.isErr()) throw new Error(`issuing the server's TLS certificate: ${issued.error.message}`);
  if (rootPem.isErr()) throw new Error(`reading the local CA root: ${rootPem.error.message}`);
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    chainPem: issued.value.chainPem,
    rootPem: rootPem.value,
  };
}
