import { Buffer } from "node:buffer";
import { X509Certificate } from "node:crypto";
import { type CertKey, createCsr } from "./csr.js";
import type { HttpAnswer, HttpClient } from "./http.js";
import { type AccountKey, signJws } from "./jws.js";

/** Why a flow failed, by kind: the ACME problem type, `http-NNN`, or a transport/check failure. */
export class FlowError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Directory {
  readonly newNonce: string;
  readonly newAccount: string;
  readonly newOrder: string;
}

interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

/** How often to poll a pending authorization or a processing order: quickly, then backing off. */
const POLL_DELAYS_MS = [1, 2, 4, 8, 16, 32];
const POLL_CAP_MS = 50;
const MAX_POLLS = 200;

const ACME_ERROR = "urn:ietf:params:acme:error:";

/**
 * One load-generator worker: one ACME account (RFC 8555 §7.3), then issuance flows one after
 * another (§7.4: newOrder → authorizations → finalize → poll → download). Lean on purpose:
 * hand-written JWS and CSR DER, the last Replay-Nonce reused for the next request (§6.5).
 */
export class AcmeWorker {
  #nonce: string | undefined;
  #kid: string | undefined;
  badNonceRetries = 0;

  constructor(
    readonly http: HttpClient,
    readonly directory: Directory,
    readonly key: AccountKey,
    /** Ends the worker's requests and waits: the run's deadline. */
    public signal: AbortSignal,
  ) {}

  async register(): Promise<void> {
    const created = await this.post(this.directory.newAccount, { termsOfServiceAgreed: true });
    expect(created, [200, 201], "newAccount");
    if (created.location === undefined) throw new FlowError("no-location", "newAccount gave no Location");
    this.#kid = created.location;
  }

  /** One complete issuance; with `describeIssuer`, answers the CA's signing key type. */
  async issue(names: readonly string[], certKey: CertKey, describeIssuer = false): Promise<string> {
    const created = await this.post(this.directory.newOrder, {
      identifiers: names.map((value) => ({ type: "dns", value })),
    });
    expect(created, [201], "newOrder");
    const orderUrl = created.location ?? "";
    for (const authzUrl of (created.json.authorizations as string[] | undefined) ?? []) {
      await this.authorize(authzUrl);
    }
    let order = (
      await this.post(String(created.json.finalize), {
        csr: createCsr(certKey, names).toString("base64url"),
      })
    ).json;
    if (order.status !== "valid") {
      order = await this.poll(orderUrl, (o) => o.status === "valid" || o.status === "invalid", "order");
    }
    if (order.status !== "valid") throw new FlowError("order-invalid", JSON.stringify(order.error ?? order));
    const download = await this.post(String(order.certificate), undefined);
    expect(download, [200], "certificate");
    return checkChain(download.text, names, certKey, describeIssuer);
  }

  /** A pending authorization: answer its http-01 challenge (RFC 8555 §7.5.1), then poll. */
  async authorize(url: string): Promise<void> {
    const authz = await this.post(url, undefined);
    expect(authz, [200], "authorization");
    if (authz.json.status === "valid") return;
    const challenges = (authz.json.challenges as { type: string; url: string }[] | undefined) ?? [];
    const challenge = challenges.find((c) => c.type === "http-01") ?? challenges[0];
    if (challenge === undefined)
      throw new FlowError("no-challenge", "pending authorization without challenges");
    expect(await this.post(challenge.url, {}), [200], "challenge");
    const done = await this.poll(url, (a) => a.status !== "pending", "authorization");
    if (done.status !== "valid") throw new FlowError("authz-invalid", JSON.stringify(done));
  }

  async poll(
    url: string,
    finished: (body: Record<string, unknown>) => boolean,
    what: string,
  ): Promise<Record<string, unknown>> {
    for (let i = 0; i < MAX_POLLS; i++) {
      await sleep(POLL_DELAYS_MS[i] ?? POLL_CAP_MS, this.signal);
      const answer = await this.post(url, undefined);
      expect(answer, [200], what);
      if (finished(answer.json)) return answer.json;
    }
    throw new FlowError("poll-exhausted", `${what} still pending after ${MAX_POLLS} polls`);
  }

  /** Signs and POSTs (payload undefined = POST-as-GET); one retry on badNonce (RFC 8555 §6.5). */
  async post(url: string, payload: unknown): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const nonce = this.#nonce ?? (await this.freshNonce());
      this.#nonce = undefined;
      const body = signJws(this.key, { url, nonce, ...(this.#kid ? { kid: this.#kid } : {}) }, payload);
      const raw = await this.http.send("POST", url, body, this.signal);
      const answer = decode(raw);
      const nextNonce = raw.headers["replay-nonce"];
      if (typeof nextNonce === "string") this.#nonce = nextNonce;
      if (answer.json.type === `${ACME_ERROR}badNonce` && attempt === 0) {
        this.badNonceRetries++;
        continue;
      }
      return answer;
    }
  }

  async freshNonce(): Promise<string> {
    const raw = await this.http.send("HEAD", this.directory.newNonce, undefined, this.signal);
    const nonce = raw.headers["replay-nonce"];
    if (typeof nonce !== "string") throw new FlowError("no-nonce", `newNonce answered ${raw.status}`);
    return nonce;
  }
}

function decode(raw: HttpAnswer): Answer {
  const type = String(raw.headers["content-type"] ?? "");
  const text = raw.body.toString("utf8");
  let json: Record<string, unknown> = {};
  if (type.includes("json") && text.length > 0) {
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new FlowError("bad-json", `unparseable ${type} body`);
    }
  }
  const location = raw.headers.location;
  return { status: raw.status, location: typeof location === "string" ? location : undefined, json, text };
}

function expect(answer: Answer, statuses: readonly number[], what: string): void {
  if (statuses.includes(answer.status)) return;
  const type = typeof answer.json.type === "string" ? answer.json.type.replace(ACME_ERROR, "") : undefined;
  throw new FlowError(
    type ?? `http-${answer.status}`,
    `${what}: HTTP ${answer.status} ${String(answer.json.detail ?? answer.text.slice(0, 200))}`,
  );
}

/** Parses the chain back: the leaf must carry the names and the key the CSR asked for. */
function checkChain(
  pem: string,
  names: readonly string[],
  certKey: CertKey,
  describeIssuer: boolean,
): string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new FlowError("bad-certificate", "no PEM certificate in the download");
  const leaf = new X509Certificate(Buffer.from(blocks[0]!));
  const sans = leaf.subjectAltName ?? "";
  if (!names.every((n) => sans.includes(`DNS:${n}`)) || !leaf.publicKey.equals(certKey.publicKey)) {
    throw new FlowError("bad-certificate", "the certificate does not match the order");
  }
  if (!describeIssuer) return "";
  const issuer = blocks[1] === undefined ? undefined : new X509Certificate(Buffer.from(blocks[1]));
  const issuerKey = issuer?.publicKey;
  return issuerKey === undefined
    ? "unknown"
    : `${issuerKey.asymmetricKeyType} ${issuerKey.asymmetricKeyDetails?.namedCurve ?? issuerKey.asymmetricKeyDetails?.modulusLength ?? ""}`.trim();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new FlowError("aborted", "run deadline"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FlowError("aborted", "run deadline"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
