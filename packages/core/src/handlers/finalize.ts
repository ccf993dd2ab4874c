import { Buffer } from "node:buffer";
import { err, ok, type Result } from "neverthrow";
import type { RequestContext } from "../context.js";
import { keyTypeLabel, type ParsedCsr, parseCsr, spkiThumbprint } from "../crypto/csr.js";
import { spkiDerOf } from "../crypto/spki.js";
import type { CertificateRecord, Order } from "../domain/types.js";
import { emitFrom } from "../events/emit.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { orderView } from "../http/views.js";
import { isoString } from "../iso-time.js";
import { type AuthenticatedRequest, authenticateRequest } from "../jws/authenticate.js";
import { decodeBase64url } from "../jws/base64url.js";
import { checkCsrIdentifiers } from "../policy/csr-identifiers.js";
import { checkKeyAlgorithm } from "../policy/key-algorithm.js";
import { isLimited, registeredDomains, takeRateLimits } from "../policy/rate-limits.js";
import type { IssueRequest } from "../ports/certificate-authority.js";
import type { IssuanceFailureReason } from "../ports/events.js";
import { type AcmeProblem, internalProblem, problem } from "../problems.js";
import { findOrder } from "./load.js";

/**
 * RFC 8555 §7.4 finalize. The CSR is checked (signature, key algorithm allowed by the endpoint,
 * not the account key, exactly the order's names) while the order stays `ready`, so a client
 * can fix its CSR and retry. Then one versioned update moves the order to `processing`: of two
 * concurrent finalizes only one gets there, so an order gets at most one certificate. The
 * certificate is issued inside the request when the CA answers within `finalizeWaitMs`
 * (clients otherwise poll, waiting seconds); else the answer is `processing` + Retry-After.
 */
export async function finalize(
  ctx: RequestContext,
  orderId: string,
): Promise<Result<AcmeReply, AcmeProblem>> {
  const { deps, endpoint } = ctx;
  const auth = await authenticateRequest(ctx, "kid");
  if (auth.isErr()) return err(auth.error);
  const loaded = await findOrder(ctx, auth.value.account, orderId);
  if (loaded.isErr()) return err(loaded.error);
  const found = loaded.value;
  const failed = (reason: IssuanceFailureReason, p: AcmeProblem) =>
    err(issuanceFailed(ctx, found, reason, p));
  if (found.status !== "ready") {
    return failed(
      "orderNotReady",
      problem(
        "orderNotReady",
        `The order is ${found.status}; only a ready order can be finalized (RFC 8555 §7.4).`,
      ),
    );
  }
  // RFC 8555 §7.1.6: an order past its `expires` is invalid, whatever its stored status says.
  if (Date.parse(found.expires) <= deps.clock.now().getTime()) {
    return failed(
      "orderNotReady",
      problem("orderNotReady", `The order expired at ${found.expires} and is invalid; place a new order.`),
    );
  }
  const read = await readCsr(auth.value, ctx);
  if (read.isErr()) return failed(read.error.reason, read.error.problem);
  const csr = read.value;
  const matching = checkCsrIdentifiers(csr, found.identifiers);
  if (matching.isErr()) return failed("identifierMismatch", matching.error);
  // RFC 8555 §6.6: a finalize that would go on to issue counts once for each registered
  // domain of the order, while the order is still `ready`: a refused client retries later.
  if (isLimited(ctx, "certificatesPerDomain")) {
    const allowed = await takeRateLimits(ctx, "certificatesPerDomain", registeredDomains(found.identifiers));
    if (allowed.isErr()) return err(allowed.error);
  }

  const processing = await deps.storage.orders.update(
    orderWith(found, { status: "processing", processingSince: isoString(deps.clock.now()) }),
  );
  if (processing.isErr()) {
    if (processing.error.type === "conflict") {
      return failed("orderNotReady", problem("orderNotReady", "The order is already being finalized."));
    }
    return failed("storageFailure", storageProblem(ctx, "finalizing the order")(processing.error));
  }
  const waited = await settledWithin(issueAndStore(ctx, processing.value, csr), deps.settings.finalizeWaitMs);
  if (waited === undefined) {
    return ok(
      json(200, orderView(deps.links, processing.value), {
        location: deps.links.order(endpoint.id, orderId),
        headers: { "Retry-After": "1" },
      }),
    );
  }
  return waited.map((finished) =>
    json(200, orderView(deps.links, finished), { location: deps.links.order(endpoint.id, orderId) }),
  );
}

/**
 * What `work` settles with if that is within `ms`, else undefined once `ms` have passed (the
 * work goes on). The timer is only set if the work is still pending once the promise jobs
 * queued so far have run: work that waits on no I/O (a local CA, memory storage) is done by
 * then, and needs none. A timer that was set is cleared as soon as the work settles.
 *
 * Such work settles within a few dozen promise jobs, so a check first follows it job by job
 * (a queued job costs ~0.03 µs); only work still pending after WATCHED_JOBS of them is left to
 * a tick, which runs once the job queue is empty (a tick costs ~1.5 µs with its bookkeeping).
 * The timer is set exactly when it was before: when the queue is empty and the work pending.
 */
function settledWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    work.then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
    let jobs = 0;
    const watch = () => {
      if (settled) return;
      if (++jobs < WATCHED_JOBS) queueMicrotask(watch);
      // Ticks run once the promise job queue is empty.
      else
        process.nextTick(() => {
          if (!settled) timer = setTimeout(resolve, ms, undefined);
        });
    };
    queueMicrotask(watch);
  });
}

/** Promise jobs a settle is followed through before the check waits for a tick. */
const WATCHED_JOBS = 16;

interface CsrFailure {
  readonly problem: AcmeProblem;
  readonly reason: IssuanceFailureReason;
}

const badCsrFailure = (problem: AcmeProblem): CsrFailure => ({ problem, reason: "badCSR" });

async function readCsr(
  auth: AuthenticatedRequest,
  ctx: RequestContext,
): Promise<Result<ParsedCsr, CsrFailure>> {
  const value = auth.payload?.csr;
  const der = typeof value === "string" ? decodeBase64url(value) : undefined;
  if (der === undefined || der.byteLength === 0) {
    return err(
      badCsrFailure(
        problem("malformed", "finalize needs `csr`: the DER CSR, base64url-encoded (RFC 8555 §7.4)."),
      ),
    );
  }
  const parsed = await parseCsr(der);
  if (parsed.isErr()) return err(badCsrFailure(problem("badCSR", parsed.error.message)));
  const csr = parsed.value;
  if (csr.requestsCa) {
    return err(
      badCsrFailure(problem("badCSR", "The CSR asks for a CA certificate (basicConstraints cA:true).")),
    );
  }
  const allowed = checkKeyAlgorithm(csr.keyType, ctx.endpoint.certificateAuthority.allowedKeyAlgorithms);
  if (allowed.isErr()) return err({ problem: allowed.error, reason: "keyAlgorithm" });
  // RFC 8555 §11.1: the certificate key must not be the account key. Compared as node's SPKI
  // DER, which is one encoding per key (both sides are node's own export of their key): ~0.05 µs
  // where KeyObject.equals costs ~3 µs. The account key's DER is exported once, then remembered.
  if (Buffer.compare(spkiDerOf(auth.key), csr.spkiDer) === 0) {
    return err(
      badCsrFailure(
        problem("badCSR", "The CSR's public key is the account key; use a separate key for the certificate."),
      ),
    );
  }
  return ok(csr);
}

/** Issues through the CA port and records certificate + `valid` order in one transaction. */
async function issueAndStore(
  ctx: RequestContext,
  order: Order,
  csr: ParsedCsr,
): Promise<Result<Order, AcmeProblem>> {
  const { deps, endpoint } = ctx;
  // Optional members set after, not spread in: no intermediate objects.
  const request: { -readonly [K in keyof IssueRequest]: IssueRequest[K] } = {
    endpointId: endpoint.id,
    publicKey: csr.publicKey,
    names: order.identifiers.map((i) => ({ type: "dns", value: i.value })),
  };
  if (order.notBefore) request.notBefore = new Date(order.notBefore);
  if (order.notAfter) request.notAfter = new Date(order.notAfter);
  const issued = await deps.ca.issue(request);
  if (issued.isErr()) {
    deps.logger.error("certificate authority failed to issue", {
      endpointId: endpoint.id,
      orderId: order.id,
      message: issued.error.message,
    });
    const failure = problem(
      "serverInternal",
      "The certificate authority could not issue the certificate; the order is now invalid. Place a new order.",
    );
    await deps.storage.orders.update(
      settled(order, {
        status: "invalid",
        error: { type: failure.type, detail: failure.detail, status: failure.status },
      }),
    );
    return err(issuanceFailed(ctx, order, "caFailure", failure));
  }
  const cert = issued.value;
  const now = isoString(deps.clock.now());
  const record: CertificateRecord = {
    serial: cert.serial,
    endpointId: endpoint.id,
    accountId: order.accountId,
    orderId: order.id,
    identifiers: order.identifiers,
    chainPem: cert.chainPem,
    publicKeyThumbprint: spkiThumbprint(csr.spkiDer),
    keyAlgorithm: keyTypeLabel(csr.keyType),
    notBefore: isoString(cert.notBefore),
    notAfter: isoString(cert.notAfter),
    status: "valid",
    tags: endpoint.certificateTags,
    createdAt: now,
    version: 1,
  };
  const stored = await deps.storage.transaction((tx) =>
    tx.certificates
      .insert(record)
      .andThen(() => tx.orders.update(settled(order, { status: "valid", certificateSerial: cert.serial }))),
  );
  if (stored.isErr()) {
    storageProblem(ctx, "storing the issued certificate")(stored.error);
    return err(issuanceFailed(ctx, order, "storageFailure", internalProblem()));
  }
  emitFrom(ctx, {
    type: "certificate.issued",
    accountId: order.accountId,
    orderId: order.id,
    serial: record.serial,
    identifiers: record.identifiers,
    notAfter: record.notAfter,
  });
  return ok(stored.value);
}

/** Seed monitoring: every finalize that does not issue counts as CertificateIssuanceFailed. */
function issuanceFailed(
  ctx: RequestContext,
  order: Order,
  reason: IssuanceFailureReason,
  p: AcmeProblem,
): AcmeProblem {
  emitFrom(ctx, {
    type: "certificate.issuanceFailed",
    accountId: order.accountId,
    orderId: order.id,
    reason,
    detail: p.detail,
  });
  return p;
}

/**
 * The order with `changes`, less `without`: one copy, its members in the order a spread gives
 * (`{ ...order, ...changes }`), without the spread (members added to a literal after a spread
 * take a slow path in V8).
 */
function orderWith(order: Order, changes: Partial<Order>, without?: keyof Order): Order {
  const copy: Record<string, unknown> = {};
  for (const key in order) if (key !== without) copy[key] = order[key as keyof Order];
  return Object.assign(copy, changes) as unknown as Order;
}

/** The order, no longer processing, with `changes`. */
function settled(order: Order, changes: Partial<Order>): Order {
  return orderWith(order, changes, "processingSince");
}
