import { Buffer } from "node:buffer";
import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { createLocalCertificateAuthority } from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { flattenedVerify } from "jose";
// The server's own CSR parser, by path: it is internal to core, and its cost is what we measure.
import { parseCsr } from "../../packages/core/src/crypto/csr.js";
import { createCsr, generateCertKey } from "./load/csr.js";
import { generateAccountKey, signJws } from "./load/jws.js";

/** JWS requests per certificate on the pre-approved path: newOrder, authorization, finalize, download. */
export const JWS_PER_CERTIFICATE = 4;

export interface MicroResult {
  /** µs of one-core CPU per operation. */
  readonly us: Readonly<Record<string, number>>;
  /** 4 JWS verifies + CSR parse/verify + certificate build/sign, µs per certificate. */
  readonly floorUs: number;
  readonly floorCertsPerSecondPerCore: number;
  /**
   * The same with the bare operations only (CSR: one ECDSA verify and one key import; leaf: one
   * ECDSA sign): what hand-written DER around node:crypto could reach.
   */
  readonly bareFloorUs: number;
}

/**
 * CPU µs per call of `op` over at least `minMs` of CPU, after as long a warm-up: a server runs
 * these warm, and V8 takes a few thousand calls to finish optimizing the longer ones (the
 * CSR parse measured ~40 % dearer after a 200-call warm-up).
 */
async function cost(op: () => unknown | Promise<unknown>, minMs = 400): Promise<number> {
  await spend(op, minMs);
  const { calls, cpuUs } = await spend(op, minMs);
  return cpuUs / calls;
}

/** Calls `op` in batches of 100 until `minMs` of CPU are spent. */
async function spend(op: () => unknown | Promise<unknown>, minMs: number) {
  let calls = 0;
  const start = process.cpuUsage();
  let cpuUs = 0;
  while (cpuUs < minMs * 1000) {
    for (let i = 0; i < 100; i++) await op();
    calls += 100;
    const used = process.cpuUsage(start);
    cpuUs = used.user + used.system;
  }
  return { calls, cpuUs };
}

/**
 * The per-certificate primitives on this machine, one core: what an issuance cannot cost less
 * than with these algorithms (P-256 account key, P-256 certificate key, P-256 CA).
 */
export async function measureCryptoFloor(): Promise<MicroResult> {
  const account = generateAccountKey();
  const publicKey = createPublicKey(account.privateKey);
  const jws = JSON.parse(
    signJws(
      account,
      {
        url: "https://127.0.0.1/acme/x/order/y",
        nonce: "n".repeat(22),
        kid: "https://127.0.0.1/acme/x/account/z",
      },
      undefined,
    ),
  ) as { protected: string; payload: string; signature: string };
  const input = Buffer.from(`${jws.protected}.${jws.payload}`);
  const signature = Buffer.from(jws.signature, "base64url");

  const certKey = generateCertKey("p256");
  const csr = createCsr(certKey, ["www.bench.test"]);
  const storage = createMemoryStorage();
  const ca = createLocalCertificateAuthority({ store: storage.caMaterials });
  (await ca.provision("micro"))._unsafeUnwrap();
  const tbs = Buffer.alloc(420, 7);
  const caKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const csrSignature = sign("sha256", tbs, certKey.privateKey);

  const us: Record<string, number> = {
    "JWS verify, node:crypto, cached KeyObject": await cost(() =>
      verify("sha256", input, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature),
    ),
    "JWS verify, jose flattenedVerify (WebCrypto)": await cost(() =>
      flattenedVerify(jws, publicKey, { algorithms: ["ES256"] }),
    ),
    "JWK import (createPublicKey)": await cost(() =>
      createPublicKey({ key: account.jwk as import("node:crypto").JsonWebKey, format: "jwk" }),
    ),
    "CSR parse + verify (core parseCsr)": await cost(() => parseCsr(csr)),
    "certificate build + sign (core local CA)": await cost(() =>
      ca.issue({
        endpointId: "micro",
        publicKey: certKey.publicKey,
        names: [{ type: "dns", value: "www.bench.test" }],
      }),
    ),
    "bare ECDSA P-256 verify (DER)": await cost(() => verify("sha256", tbs, certKey.publicKey, csrSignature)),
    "bare ECDSA P-256 sign": await cost(() => sign("sha256", tbs, caKey)),
  };
  const floorUs =
    JWS_PER_CERTIFICATE * us["JWS verify, node:crypto, cached KeyObject"]! +
    us["CSR parse + verify (core parseCsr)"]! +
    us["certificate build + sign (core local CA)"]!;
  const bareFloorUs =
    JWS_PER_CERTIFICATE * us["JWS verify, node:crypto, cached KeyObject"]! +
    us["bare ECDSA P-256 verify (DER)"]! +
    us["JWK import (createPublicKey)"]! +
    us["bare ECDSA P-256 sign"]!;
  return { us, floorUs, floorCertsPerSecondPerCore: 1e6 / floorUs, bareFloorUs };
}
