/**
 * Core's own CPU per request kind, in process: no HTTP, no TLS, no other process. Drives
 * `server.handleHttp` with complete issuance flows (one at a time, so the CPU read around each
 * call is that request's alone) and prints µs per request kind and per certificate. For finding
 * where core's time goes; `pnpm bench` measures what a client sees.
 * `node --conditions=source --import tsx bench/src/inproc.ts [flows] [--no-verify]` (profile it with
 * `node --cpu-prof`)
 *
 * `--no-verify`: after the warm-up, `crypto.verify` answers true without computing (the JWS and
 * CSR signature checks, ~90 µs each, five per certificate), so that what is left is core's own
 * code, steadier to compare between two builds. Never a figure to publish.
 */
import { Buffer } from "node:buffer";
import nodeCrypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import {
  type AcmeHttpRequest,
  createAcmeServer,
  createLocalCertificateAuthority,
} from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { createCsr, generateCertKey } from "./load/csr.js";
import { generateAccountKey, signJws } from "./load/jws.js";

const flows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2000);
const storage = createMemoryStorage();
const server = createAcmeServer({
  storage,
  certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
  baseUrl: "https://acme.test/acme",
});
const endpoint = (await server.endpoints.create({ name: "inproc" }))._unsafeUnwrap();
(
  await server.domains.add({ endpointId: endpoint.id, domainName: "bench.test", scope: { subdomains: true } })
)._unsafeUnwrap();

const cpuByKind = new Map<string, { us: number; n: number }>();
let nonce = "";

function message(method: string, url: string, body?: string): AcmeHttpRequest {
  const bytes = body === undefined ? new Uint8Array(0) : Buffer.from(body);
  const headers: Record<string, string> = {
    host: "acme.test",
    "content-type": "application/jose+json",
    "content-length": String(bytes.byteLength),
  };
  return { method, url, header: (name) => headers[name], readBody: async () => bytes };
}

async function call(kind: string, method: string, url: string, body?: string) {
  const start = process.cpuUsage();
  const answer = await server.handleHttp(message(method, url, body));
  const used = process.cpuUsage(start);
  const entry = cpuByKind.get(kind) ?? { us: 0, n: 0 };
  entry.us += used.user + used.system;
  entry.n++;
  cpuByKind.set(kind, entry);
  const headers = new Map(answer.headers);
  nonce = headers.get("replay-nonce") ?? "";
  if (answer.status >= 400) throw new Error(`${kind}: ${answer.status} ${answer.body}`);
  return { json: answer.body?.startsWith("{") ? JSON.parse(answer.body) : {}, headers };
}

const directory = (await call("directory", "GET", endpoint.endpointUrl)).json as Record<string, string>;
await call("newNonce", "HEAD", directory.newNonce!);
const key = generateAccountKey();
const post = (kind: string, url: string, payload: unknown, kid?: string) =>
  call(kind, "POST", url, signJws(key, { url, nonce, ...(kid ? { kid } : {}) }, payload));
const account = await post("newAccount", directory.newAccount!, { termsOfServiceAgreed: true });
const kid = account.headers.get("location")!;
const certKey = generateCertKey("p256");

async function flow(i: number) {
  const name = `f${i}.bench.test`;
  const order = await post(
    "newOrder",
    directory.newOrder!,
    { identifiers: [{ type: "dns", value: name }] },
    kid,
  );
  await post("authorization", order.json.authorizations[0], undefined, kid);
  const csr = createCsr(certKey, [name]).toString("base64url");
  const done = await post("finalize", order.json.finalize, { csr }, kid);
  await post("certificate", done.json.certificate, undefined, kid);
}

for (let i = 0; i < 300; i++) await flow(-i - 1);
cpuByKind.clear();
if (process.argv.includes("--no-verify")) {
  nodeCrypto.verify = (() => true) as unknown as typeof nodeCrypto.verify;
  // Named imports of node:crypto (core's `import { verify }`) see the replacement only after this.
  syncBuiltinESMExports();
}
for (let i = 0; i < flows; i++) await flow(i);
let total = 0;
for (const [kind, { us, n }] of cpuByKind) {
  total += us / n;
  console.log(`${kind.padEnd(14)} ${(us / n).toFixed(0).padStart(6)} µs`);
}
console.log(
  `${"per certificate".padEnd(14)} ${total.toFixed(0).padStart(6)} µs (${flows} flows, in process, no HTTP)`,
);
