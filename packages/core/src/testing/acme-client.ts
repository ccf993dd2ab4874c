import { Buffer } from "node:buffer";
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  sign,
} from "node:crypto";
import { createTestCsr } from "../crypto/test-csr.js";

/**
 * A small RFC 8555 client for tests: real JWS, real keys, real CSRs, talking to any
 * `fetch`-shaped function, so a test can drive `server.handle` with no sockets at all, or a
 * real server over HTTP. Throws on protocol failures (as tests want); `send` returns the raw
 * response for tests that assert on errors.
 */
export type FetchLike = (request: Request) => Promise<Response>;

export type TestKeyType =
  | "P-256"
  | "P-384"
  | "P-521"
  | "RSA-2048"
  | "RSA-3072"
  | "RSA-4096"
  | "RSA-1024"
  | "Ed25519";

export interface Directory {
  readonly newNonce: string;
  readonly newAccount: string;
  readonly newOrder: string;
  readonly revokeCert: string;
  readonly keyChange: string;
  readonly meta?: Record<string, unknown>;
}

export interface SignOptions {
  /** Sign with this key instead of the account key. */
  readonly key?: KeyObject;
  /** Put the key in `jwk` instead of the account URL in `kid`. */
  readonly useJwk?: boolean;
  /** Override or add protected header members (tests of hostile input). */
  readonly header?: Record<string, unknown>;
  /** Use this nonce instead of a fresh one. */
  readonly nonce?: string;
}

export interface AcmeResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly location: string | null;
}

export interface IssuedForTest {
  readonly orderUrl: string;
  readonly order: Record<string, unknown>;
  readonly certificatePem: string;
  readonly certificateKey: KeyObject;
}

/**
 * A fresh key pair for tests, sharing nothing with node's key-generation job. Node 20 (seen on
 * 20.20.2) can deadlock exporting a `generateKeyPairSync` key as a JWK: when a garbage collection
 * during the export finalizes the generation job, the job's destructor waits on the key's lock,
 * which the export holds. So both halves come out of the job as JWKs, and the private key is
 * imported back as a key of its own.
 */
export function generateTestKey(type: TestKeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  const pair = generateJwkPair(type);
  const privateKey = createPrivateKey({ key: pair.privateKey, format: "jwk" });
  const publicKey = createPublicKey(privateKey);
  publicJwks.set(privateKey, pair.publicKey);
  publicJwks.set(publicKey, pair.publicKey);
  return { privateKey, publicKey };
}

interface JwkPair {
  readonly privateKey: JsonWebKey;
  readonly publicKey: JsonWebKey;
}

/** generateKeyPairSync with both halves encoded as JWKs: node takes it, @types/node has no overload. */
const generateJwks = generateKeyPairSync as unknown as (
  type: "ec" | "ed25519" | "rsa",
  options: { namedCurve?: string; modulusLength?: number } & Record<
    "privateKeyEncoding" | "publicKeyEncoding",
    { format: "jwk" }
  >,
) => JwkPair;

function generateJwkPair(type: TestKeyType): JwkPair {
  const encodings = { privateKeyEncoding: { format: "jwk" }, publicKeyEncoding: { format: "jwk" } } as const;
  switch (type) {
    case "P-256":
    case "P-384":
    case "P-521":
      return generateJwks("ec", { namedCurve: type, ...encodings });
    case "Ed25519":
      return generateJwks("ed25519", encodings);
    default:
      return generateJwks("rsa", { modulusLength: Number(type.slice(4)), ...encodings });
  }
}

/** The JWS `alg` a key signs with (RFC 7518). */
export function algorithmFor(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") return "RS256";
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  return { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" }[details.namedCurve ?? ""] ?? "ES256";
}

/** Public JWKs of the keys seen: a key's never changes, and exporting one safely costs ~300 µs. */
const publicJwks = new WeakMap<KeyObject, JsonWebKey>();

/** The public JWK of a private or public key (a copy the caller may change). */
export function publicJwk(key: KeyObject): Record<string, unknown> {
  let jwk = publicJwks.get(key);
  if (jwk === undefined) {
    // Through SPKI DER (which node exports without that lock) into a key of its own: the key
    // may come straight from generateKeyPairSync (see generateTestKey).
    const publicKey = key.type === "private" ? createPublicKey(key) : key;
    const spki = publicKey.export({ type: "spki", format: "der" });
    jwk = createPublicKey({ key: spki, format: "der", type: "spki" }).export({ format: "jwk" });
    publicJwks.set(key, jwk);
  }
  return { ...jwk };
}

/**
 * Signs a flattened JWS with node:crypto directly, so tests can also make JWS that a careful
 * library would refuse to (a 1024-bit RSA key, a header naming another key).
 */
export async function signJws(
  privateKey: KeyObject,
  header: Record<string, unknown>,
  payload: unknown,
): Promise<{ protected: string; payload: string; signature: string }> {
  const alg = algorithmFor(privateKey);
  const protectedB64 = Buffer.from(JSON.stringify({ alg, ...header })).toString("base64url");
  const payloadB64 = payload === undefined ? "" : Buffer.from(JSON.stringify(payload)).toString("base64url");
  const input = Buffer.from(`${protectedB64}.${payloadB64}`);
  const hash = alg === "EdDSA" ? null : `sha${alg === "RS256" ? 256 : alg.slice(2)}`;
  // RFC 7518 §3.4: ECDSA signatures are r || s, not DER.
  const signature = sign(hash, input, { key: privateKey, dsaEncoding: "ieee-p1363" });
  return { protected: protectedB64, payload: payloadB64, signature: signature.toString("base64url") };
}

/** RFC 8555 §7.3.4: the `externalAccountBinding` a client puts in its newAccount payload. */
export function signExternalAccountBinding(options: {
  readonly keyId: string;
  /** base64url, as the endpoint's operator hands it out. */
  readonly hmacKey: string;
  /** The newAccount URL. */
  readonly url: string;
  readonly accountKey: KeyObject;
  readonly alg?: "HS256" | "HS384" | "HS512";
}): { protected: string; payload: string; signature: string } {
  const alg = options.alg ?? "HS256";
  const protectedB64 = Buffer.from(JSON.stringify({ alg, kid: options.keyId, url: options.url })).toString(
    "base64url",
  );
  const payload = Buffer.from(JSON.stringify(publicJwk(options.accountKey))).toString("base64url");
  const signature = createHmac(`sha${alg.slice(2)}`, Buffer.from(options.hmacKey, "base64url"))
    .update(`${protectedB64}.${payload}`)
    .digest("base64url");
  return { protected: protectedB64, payload, signature };
}

export class TestAcmeClient {
  accountUrl: string | undefined;
  #nonce: string | undefined;

  private constructor(
    readonly fetch: FetchLike,
    readonly directory: Directory,
    public accountKey: KeyObject,
  ) {}

  /** Reads the directory and makes an account key (P-256 unless given). */
  static async create(options: {
    fetch: FetchLike;
    directoryUrl: string;
    accountKey?: KeyObject;
  }): Promise<TestAcmeClient> {
    const response = await options.fetch(new Request(options.directoryUrl));
    if (response.status !== 200)
      throw new Error(`directory answered ${response.status}: ${await response.text()}`);
    const directory = (await response.json()) as Directory;
    return new TestAcmeClient(
      options.fetch,
      directory,
      options.accountKey ?? generateTestKey("P-256").privateKey,
    );
  }

  async nonce(): Promise<string> {
    if (this.#nonce !== undefined) {
      const nonce = this.#nonce;
      this.#nonce = undefined;
      return nonce;
    }
    const response = await this.fetch(new Request(this.directory.newNonce, { method: "HEAD" }));
    const nonce = response.headers.get("replay-nonce");
    if (nonce === null) throw new Error(`newNonce answered ${response.status} without Replay-Nonce`);
    return nonce;
  }

  /** Signs and POSTs; `payload` undefined is POST-as-GET. Retries once on badNonce. */
  async send<T = unknown>(
    url: string,
    payload: unknown,
    options: SignOptions = {},
  ): Promise<AcmeResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      const body = await this.body(url, payload, options);
      const response = await this.fetch(
        new Request(url, {
          method: "POST",
          headers: { "content-type": "application/jose+json" },
          body: JSON.stringify(body),
        }),
      );
      const parsed = await readResponse<T>(response);
      this.#nonce = response.headers.get("replay-nonce") ?? undefined;
      const type = (parsed.body as { type?: string } | undefined)?.type;
      if (type === "urn:ietf:params:acme:error:badNonce" && attempt === 0 && options.nonce === undefined)
        continue;
      return parsed;
    }
  }

  async body(url: string, payload: unknown, options: SignOptions = {}) {
    const key = options.key ?? this.accountKey;
    const header: Record<string, unknown> = { nonce: options.nonce ?? (await this.nonce()), url };
    if (options.useJwk || this.accountUrl === undefined) header.jwk = publicJwk(key);
    else header.kid = this.accountUrl;
    return signJws(key, { ...header, ...options.header }, payload);
  }

  async register(
    payload: Record<string, unknown> = { termsOfServiceAgreed: true },
  ): Promise<AcmeResponse<Record<string, unknown>>> {
    const response = await this.send<Record<string, unknown>>(this.directory.newAccount, payload, {
      useJwk: true,
    });
    if (response.status === 200 || response.status === 201) this.accountUrl = response.location ?? undefined;
    return response;
  }

  newOrder(names: readonly string[], extra: Record<string, unknown> = {}) {
    return this.send<Record<string, unknown>>(this.directory.newOrder, {
      identifiers: names.map((value) => ({ type: "dns", value })),
      ...extra,
    });
  }

  finalize(order: Record<string, unknown>, csrDer: Uint8Array) {
    return this.send<Record<string, unknown>>(String(order.finalize), {
      csr: Buffer.from(csrDer).toString("base64url"),
    });
  }

  /** newOrder → finalize → download, for names covered by the endpoint's domains. */
  async issue(names: readonly string[], keyType: TestKeyType = "P-256"): Promise<IssuedForTest> {
    if (this.accountUrl === undefined) expectStatus(await this.register(), [200, 201]);
    const created = expectStatus(await this.newOrder(names), [201]);
    const orderUrl = String(created.location);
    const certificateKey = generateTestKey(keyType).privateKey;
    let order = expectStatus(
      await this.finalize(created.body, createTestCsr({ privateKey: certificateKey, dnsNames: names })),
      [200],
    ).body;
    for (let polls = 0; order.status === "processing" && polls < 50; polls++) {
      await new Promise((r) => setTimeout(r, 100));
      order = expectStatus(await this.send<Record<string, unknown>>(orderUrl, undefined), [200]).body;
    }
    if (order.status !== "valid")
      throw new Error(`order ended ${String(order.status)}: ${JSON.stringify(order)}`);
    const download = expectStatus(await this.send<string>(String(order.certificate), undefined), [200]);
    return { orderUrl, order, certificatePem: download.body, certificateKey };
  }
}

async function readResponse<T>(response: Response): Promise<AcmeResponse<T>> {
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  const body = (type.includes("json") && text.length > 0 ? JSON.parse(text) : text) as T;
  return {
    status: response.status,
    headers: response.headers,
    body,
    location: response.headers.get("location"),
  };
}

/** Throws with the problem document when the status is not one of `expected`. */
export function expectStatus<T>(response: AcmeResponse<T>, expected: readonly number[]): AcmeResponse<T> {
  if (!expected.includes(response.status)) {
    throw new Error(
      `expected HTTP ${expected.join("/")}, got ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response;
}
