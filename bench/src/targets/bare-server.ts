/**
 * Our server on a bare node:https host (adapters-node), run by the bench as a child process so
 * that its CPU is its own: `node --conditions=source --import tsx bare-server.ts --data-dir D
 * [--storage memory|sqlite] [--ca-key P-256|P-384] [--http]`. Prints one JSON line when ready:
 * `{"directoryUrl":…,"tlsCaFile":…}`. Loopback only. `--http` serves plain node:http, as a
 * service behind a TLS-terminating proxy or load balancer does (RFC 8555 §6.1 wants HTTPS on
 * the wire, which the proxy then provides): what TLS itself costs the server.
 */
import { writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { nodeHandler } from "@acme-endpoints/adapters-node";
import { type AcmeStorage, createAcmeServer, createLocalCertificateAuthority } from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { loopbackTls } from "./loopback-tls.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    storage: { type: "string", default: "memory" },
    "ca-key": { type: "string", default: "P-256" },
    domain: { type: "string", default: "bench.test" },
    http: { type: "boolean", default: false },
  },
});
const dataDir = values["data-dir"] ?? ".";
const storage = await openStorage(values.storage ?? "memory", dataDir);
const ca = createLocalCertificateAuthority({
  store: storage.caMaterials,
  keyAlgorithm: values["ca-key"] === "P-384" ? "P-384" : "P-256",
});
let handler: ReturnType<typeof nodeHandler> = (_req, res) => res.writeHead(503).end();
const tls = await loopbackTls(ca);
const listener = values.http
  ? createHttpServer({ keepAliveTimeout: 30_000 }, (req, res) => handler(req, res))
  : createServer({ key: tls.key, cert: tls.chainPem, keepAliveTimeout: 30_000 }, (req, res) =>
      handler(req, res),
    );
await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
const { port } = listener.address() as AddressInfo;
const server = createAcmeServer({
  storage,
  certificateAuthority: ca,
  baseUrl: `${values.http ? "http" : "https"}://127.0.0.1:${port}/acme`,
});
handler = nodeHandler(server);
const endpoint = (await server.endpoints.create({ name: "bench" }))._unsafeUnwrap();
(
  await server.domains.add({
    endpointId: endpoint.id,
    domainName: values.domain ?? "bench.test",
    scope: { exactDomain: true, subdomains: true, wildcards: true },
  })
)._unsafeUnwrap();
const tlsCaFile = join(dataDir, "tls-ca.pem");
await writeFile(tlsCaFile, tls.rootPem);
console.log(JSON.stringify({ directoryUrl: endpoint.endpointUrl, tlsCaFile }));
process.once("SIGTERM", () => {
  listener.close();
  listener.closeAllConnections();
  process.exit(0);
});

async function openStorage(kind: string, dir: string): Promise<AcmeStorage> {
  if (kind === "memory") return createMemoryStorage();
  if (kind !== "sqlite") throw new Error(`--storage must be memory or sqlite, not ${kind}`);
  // Loaded by name at run time: the SQLite driver is optional for the bench.
  const specifier = "@acme-endpoints/storage-sqlite";
  const sqlite = (await import(specifier)) as {
    createSqliteStorage(options: { filename: string }): {
      isErr(): boolean;
      error?: { message: string };
      value?: AcmeStorage;
    };
  };
  const opened = sqlite.createSqliteStorage({ filename: join(dir, "bench.sqlite") });
  if (opened.isErr() || opened.value === undefined)
    throw new Error(`SQLite storage: ${opened.error?.message}`);
  return opened.value;
}
