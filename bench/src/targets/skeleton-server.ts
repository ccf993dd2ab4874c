/**
 * The least an ACME issuance can cost a Node server on this machine: a measuring stick, not a
 * server. It does only the work no RFC 8555 server can skip on the pre-approved path, with the
 * primitives ours uses, and nothing else: node:https keep-alive, the flattened JWS parsed and its
 * ES256 signature verified with a cached KeyObject (§6.2), the URL and a single-use nonce checked
 * (§6.4, §6.5), the CSR parsed and verified by core's parser, the leaf built and signed by core's
 * local CA, answers with the headers RFC 8555 asks for (Replay-Nonce, Link index, Location).
 * No storage interface, no endpoint model, no policy, no events or metrics; the state is a few
 * Maps that are never trimmed (bench runs are bounded). `pnpm bench --targets skeleton,bare,…`
 * prints it beside ours: what our model costs above what Node itself costs.
 * `node --import tsx skeleton-server.ts --data-dir D`; prints `{"directoryUrl":…,"tlsCaFile":…}`.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createLocalCertificateAuthority } from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
// Core's own CSR parser, as the micro-benchmark measures it (internal to core, so by path).
import { parseCsr } from "../../../packages/core/src/crypto/csr.js";
// Nonces from core's pooled CSPRNG: one randomBytes call per nonce costs ~10× its share of a fill.
import { randomBase64url } from "../../../packages/core/src/crypto/random.js";
import { loopbackTls } from "./loopback-tls.js";

const { values } = parseArgs({ options: { "data-dir": { type: "string" } } });
const storage = createMemoryStorage();
const ca = createLocalCertificateAuthority({ store: storage.caMaterials });
(await ca.provision("skeleton"))._unsafeUnwrap();
const tls = await loopbackTls(ca);

interface Order {
  readonly account: string;
  readonly names: string[];
  status: "ready" | "valid";
  certificate?: string;
}
const nonces = new Set<string>();
const accounts = new Map<string, KeyObject>();
const orders = new Map<string, Order>();
const chains = new Map<string, string>();
let base = "";
let counter = 0;

const listener = createServer({ key: tls.key, cert: tls.chainPem, keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.once("end", () => {
    answer(req, Buffer.concat(chunks)).then(
      ([status, body, headers]) => reply(res, status, body, headers),
      (e: unknown) => reply(res, 500, problem("serverInternal", String(e)), {}),
    );
  });
});
await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
base = `https://127.0.0.1:${(listener.address() as AddressInfo).port}/acme`;
const tlsCaFile = join(values["data-dir"] ?? ".", "tls-ca.pem");
await writeFile(tlsCaFile, tls.rootPem);
console.log(JSON.stringify({ directoryUrl: `${base}/directory`, tlsCaFile }));

type Answer = [status: number, body: string, headers: Record<string, string>];

async function answer(req: IncomingMessage, body: Buffer): Promise<Answer> {
  const path = req.url ?? "";
  if (path === "/acme/directory") {
    const links = { newNonce: "new-nonce", newAccount: "new-account", newOrder: "new-order" };
    return [
      200,
      JSON.stringify(Object.fromEntries(Object.entries(links).map(([k, v]) => [k, `${base}/${v}`]))),
      {},
    ];
  }
  if (path === "/acme/new-nonce") return [req.method === "HEAD" ? 200 : 204, "", {}];
  if (req.method !== "POST") return [405, problem("malformed", "POST only"), {}];
  const url = base + path.slice("/acme".length);
  // RFC 8555 §6.2: a flattened JWS; its protected header names the account (or carries the JWK).
  const jws = JSON.parse(body.toString("utf8")) as { protected: string; payload: string; signature: string };
  const header = JSON.parse(Buffer.from(jws.protected, "base64url").toString("utf8")) as {
    alg: string;
    nonce: string;
    url: string;
    kid?: string;
    jwk?: import("node:crypto").JsonWebKey;
  };
  if (header.alg !== "ES256" || header.url !== url) return [400, problem("malformed", "alg or url"), {}];
  if (!nonces.delete(header.nonce)) return [400, problem("badNonce", "unknown nonce"), {}];
  const key =
    header.kid === undefined
      ? createPublicKey({ key: header.jwk!, format: "jwk" })
      : accounts.get(header.kid);
  if (key === undefined) return [400, problem("accountDoesNotExist", "unknown kid"), {}];
  const signed = Buffer.from(`${jws.protected}.${jws.payload}`);
  const signature = Buffer.from(jws.signature, "base64url");
  if (!verify("sha256", signed, { key, dsaEncoding: "ieee-p1363" }, signature)) {
    return [400, problem("malformed", "bad signature"), {}];
  }
  const payload =
    jws.payload === "" ? undefined : JSON.parse(Buffer.from(jws.payload, "base64url").toString("utf8"));
  const [, kind, id] = path.split("/").slice(1);
  if (kind === "new-account") {
    const kid = `${base}/account/${++counter}`;
    accounts.set(kid, key);
    return [201, JSON.stringify({ status: "valid", orders: `${kid}/orders` }), { location: kid }];
  }
  if (kind === "new-order") {
    const names = (payload.identifiers as { value: string }[]).map((i) => i.value);
    const orderId = String(++counter);
    const order: Order = { account: header.kid!, names, status: "ready" };
    orders.set(orderId, order);
    return [201, orderJson(orderId, order), { location: `${base}/order/${orderId}` }];
  }
  const order = orders.get(id ?? "");
  if (order === undefined || order.account !== header.kid)
    return [404, problem("malformed", "no such resource"), {}];
  if (kind === "order") return [200, orderJson(id!, order), {}];
  if (kind === "authz") {
    return [
      200,
      JSON.stringify({ status: "valid", identifier: { type: "dns", value: order.names[0] }, challenges: [] }),
      {},
    ];
  }
  if (kind === "finalize") {
    const csr = await parseCsr(Buffer.from(payload.csr as string, "base64url"));
    if (csr.isErr()) return [400, problem("badCSR", csr.error.message), {}];
    if (csr.value.dnsNames.join() !== order.names.join()) return [400, problem("badCSR", "names"), {}];
    const issued = await ca.issue({
      endpointId: "skeleton",
      publicKey: csr.value.publicKey,
      names: order.names.map((value) => ({ type: "dns" as const, value })),
    });
    if (issued.isErr()) return [500, problem("serverInternal", "issue"), {}];
    chains.set(id!, issued.value.chainPem);
    order.status = "valid";
    order.certificate = `${base}/cert/${id}`;
    return [200, orderJson(id!, order), { location: `${base}/order/${id}` }];
  }
  if (kind === "cert")
    return [200, chains.get(id!) ?? "", { "content-type": "application/pem-certificate-chain" }];
  return [404, problem("malformed", "no such resource"), {}];
}

function orderJson(id: string, order: Order): string {
  return JSON.stringify({
    status: order.status,
    expires: new Date(Date.now() + 86_400_000).toISOString(),
    identifiers: order.names.map((value) => ({ type: "dns", value })),
    authorizations: [`${base}/authz/${id}`],
    finalize: `${base}/finalize/${id}`,
    ...(order.certificate ? { certificate: order.certificate } : {}),
  });
}

function problem(type: string, detail: string): string {
  // No `status` member (optional, RFC 7807 §3.1): the HTTP status beside it is the one said.
  return JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail });
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  // RFC 8555 §6.5: a fresh nonce on every answer; §7.1: the Link to the directory.
  const nonce = randomBase64url(16);
  nonces.add(nonce);
  res.writeHead(status, {
    "content-type": body.startsWith("{") ? "application/json" : "text/plain",
    ...headers,
    "replay-nonce": nonce,
    link: `<${base}/directory>;rel="index"`,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

// The bench stops its targets with SIGTERM: exit cleanly, so that --cpu-prof writes its profile.
process.once("SIGTERM", () => process.exit(0));
