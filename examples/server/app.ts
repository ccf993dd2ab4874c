import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { acmeRouter, bearerToken, dashboardRouter, managementRouter } from "@acme-endpoints/adapters-express";
import {
  type AcmeServer,
  type AcmeStorage,
  createAcmeServer,
  createLocalCertificateAuthority,
  DEFAULT_RATE_LIMITS,
  type EndpointDescription,
  type EndpointRateLimits,
} from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { createSqliteStorage } from "@acme-endpoints/storage-sqlite";
import express from "express";
import { dashboardAccess } from "./dashboard-access.js";
import type { ServerOptions } from "./options.js";

export interface RunningServer {
  readonly directoryUrl: string;
  readonly tlsCaFile: string;
  readonly endpointId: string;
  /** The SQLite database file, with `--storage sqlite`. */
  readonly databaseFile?: string;
  /** The admin API (managementRouter) and its bearer token. */
  readonly adminUrl: string;
  readonly adminToken: string;
  /** The certificates dashboard; open it with `?token=<adminToken>` once to get its cookie. */
  readonly dashboardUrl: string;
  /** With `--eab`: a credential for the default endpoint, its HMAC key shown this once. */
  readonly eab?: { readonly keyId: string; readonly hmacKey: string };
  readonly server: AcmeServer;
  close(): Promise<void>;
}

/** The database file's name in the data dir. */
export const DATABASE_FILE = "acme.sqlite";

/** Name tag of the endpoint the example creates (and finds again) on start. */
const DEFAULT_ENDPOINT_NAME = "default";

/**
 * The example: an Express app serving ACME over HTTPS on loopback, one default endpoint with
 * the given pre-approved domains, and a local CA that also signs the server's own TLS
 * certificate (its root is written to `{dataDir}/tls-ca.pem` for clients to trust). With SQLite
 * storage (the default) a restart finds its endpoint, accounts, CA and certificates again.
 */
export async function startExampleServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const databaseFile = options.storage === "sqlite" ? join(dataDir, DATABASE_FILE) : undefined;
  const storage = openStorage(databaseFile);
  try {
    return await serve(options, dataDir, storage, databaseFile);
  } catch (error) {
    await storage.close?.();
    throw error;
  }
}

function openStorage(databaseFile: string | undefined): AcmeStorage {
  if (databaseFile === undefined) return createMemoryStorage();
  const opened = createSqliteStorage({ filename: databaseFile });
  if (opened.isErr()) throw new Error(`storage: ${opened.error.message}`);
  return opened.value;
}

async function serve(
  options: ServerOptions,
  dataDir: string,
  storage: AcmeStorage,
  databaseFile: string | undefined,
): Promise<RunningServer> {
  const ca = createLocalCertificateAuthority({ store: storage.caMaterials });

  // Listen first so that port 0 resolves to a real port before URLs are built.
  const app = express();
  // No X-Powered-By: it advertises the stack, and a header set before ours makes every answer
  // take node's slower header-merging path.
  app.disable("x-powered-by");
  let handler: express.Handler = (_req, res) => {
    res.status(503).end();
  };
  app.use("/acme", (req, res, next) => handler(req, res, next));
  let admin: express.Handler = (_req, res) => {
    res.status(503).end();
  };
  app.use("/admin", (req, res, next) => admin(req, res, next));
  let dashboard: express.Handler = (_req, res) => {
    res.status(503).end();
  };
  app.use("/dashboard", (req, res, next) => dashboard(req, res, next));
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
    ...(options.processingTimeoutMs === undefined
      ? {}
      : { limits: { processingTimeoutMs: options.processingTimeoutMs } }),
  });
  handler = acmeRouter(server);
  const adminToken = options.adminToken ?? (await persistentAdminToken(dataDir));
  admin = managementRouter(server, { authorize: bearerToken(adminToken) });
  const access = dashboardAccess(adminToken);
  // The cookie login step first, then the dashboard itself.
  dashboard = express.Router().use(access.login, dashboardRouter(server, { authorize: access.authorize }));
  const endpoint = await defaultEndpoint(server, options);
  const eab = options.eab ? await createEab(server, endpoint.id) : undefined;
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
    ...(databaseFile === undefined ? {} : { databaseFile }),
    adminUrl: `https://${host}:${port}/admin`,
    dashboardUrl: `https://${host}:${port}/dashboard/`,
    adminToken,
    ...(eab === undefined ? {} : { eab }),
    server,
    close: async () => {
      await new Promise<void>((done) => {
        httpsServer.close(() => done());
        httpsServer.closeAllConnections();
      });
      await storage.close?.();
    },
  };
}

/**
 * The ACTIVE endpoint tagged Name=default that an earlier run created, its contact and key
 * algorithm policy brought in line with this run's flags; a new one when there is none.
 */
async function defaultEndpoint(server: AcmeServer, options: ServerOptions): Promise<EndpointDescription> {
  const found = await findDefaultEndpoint(server);
  if (found !== undefined) return alignPolicy(server, found, options);
  const created = await server.endpoints.create({
    name: DEFAULT_ENDPOINT_NAME,
    contact: options.contact,
    externalAccountBinding: options.requireEab ? "REQUIRED" : "NOT_REQUIRED",
    ...(options.keyAlgorithms.length > 0
      ? { certificateAuthority: { allowedKeyAlgorithms: options.keyAlgorithms } }
      : {}),
    ...(options.rateLimits ? { rateLimits: DEFAULT_RATE_LIMITS } : {}),
  });
  if (created.isErr()) throw new Error(`creating the default endpoint: ${created.error.message}`);
  if (created.value.status !== "ACTIVE") {
    throw new Error(`the default endpoint is ${created.value.status}: ${created.value.failureReason ?? ""}`);
  }
  return created.value;
}

async function findDefaultEndpoint(server: AcmeServer): Promise<EndpointDescription | undefined> {
  let nextToken: string | undefined;
  // Bounded: an example's storage holds a handful of endpoints, 100 per page.
  for (let page = 0; page < 100; page++) {
    const listed = await server.endpoints.list(nextToken === undefined ? {} : { nextToken });
    if (listed.isErr()) throw new Error(`listing endpoints: ${listed.error.message}`);
    const found = listed.value.endpoints.find(
      (endpoint) =>
        endpoint.status === "ACTIVE" &&
        endpoint.tags.some((tag) => tag.key === "Name" && tag.value === DEFAULT_ENDPOINT_NAME),
    );
    if (found !== undefined || listed.value.nextToken === undefined) return found;
    nextToken = listed.value.nextToken;
  }
  return undefined;
}

/** The flags say what the default endpoint enforces, also when it was created by an earlier run. */
async function alignPolicy(
  server: AcmeServer,
  endpoint: EndpointDescription,
  options: ServerOptions,
): Promise<EndpointDescription> {
  const allowed = endpoint.certificateAuthority.allowedKeyAlgorithms ?? [];
  const externalAccountBinding = options.requireEab ? "REQUIRED" : "NOT_REQUIRED";
  if (
    endpoint.contact === options.contact &&
    endpoint.externalAccountBinding === externalAccountBinding &&
    allowed.length === options.keyAlgorithms.length &&
    allowed.every((algorithm) => options.keyAlgorithms.includes(algorithm)) &&
    sameRateLimits(endpoint.rateLimits, wantedRateLimits(options))
  ) {
    return endpoint;
  }
  const updated = await server.endpoints.update({
    endpointId: endpoint.id,
    contact: options.contact,
    externalAccountBinding,
    certificateAuthority:
      options.keyAlgorithms.length > 0 ? { allowedKeyAlgorithms: options.keyAlgorithms } : {},
    rateLimits: wantedRateLimits(options),
  });
  if (updated.isErr()) throw new Error(`updating the default endpoint: ${updated.error.message}`);
  return updated.value;
}

/** `--rate-limits`: the core's documented defaults; without it, none (`{}`). */
function wantedRateLimits(options: ServerOptions): EndpointRateLimits {
  return options.rateLimits ? DEFAULT_RATE_LIMITS : {};
}

function sameRateLimits(a: EndpointRateLimits | undefined, b: EndpointRateLimits): boolean {
  const names = ["newAccountsPerIp", "newOrdersPerAccount", "certificatesPerDomain"] as const;
  return names.every(
    (name) => a?.[name]?.count === b[name]?.count && a?.[name]?.windowMs === b[name]?.windowMs,
  );
}

/** The admin token of an earlier start, or a new one kept (owner-only) in the data dir. */
async function persistentAdminToken(dataDir: string): Promise<string> {
  const file = join(dataDir, "admin-token");
  const existing = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => undefined,
  );
  if (existing !== undefined && existing.length >= 16) return existing;
  const token = randomBytes(24).toString("base64url");
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function createEab(server: AcmeServer, endpointId: string) {
  const created = await server.eab.create({
    endpointId,
    tags: [{ key: "created-by", value: "example --eab" }],
  });
  if (created.isErr()) throw new Error(`--eab: ${created.error.message}`);
  return { keyId: created.value.keyId, hmacKey: created.value.hmacKey };
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
