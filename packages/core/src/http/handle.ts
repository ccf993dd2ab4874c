import { randomUUID } from "node:crypto";
import type { Deps, HandleOptions, RequestContext } from "../context.js";
import type { Endpoint } from "../domain/types.js";
import { issueNonce } from "../jws/nonce.js";
import type { Resource } from "../links.js";
import { type AcmeProblem, internalProblem, problem } from "../problems.js";
import type { AcmeHttpRequest, AcmeHttpResponse } from "./message.js";
import { problemResponse, type ResponseDecoration, replyResponse } from "./respond.js";
import { routeFor } from "./router.js";
import { fromWebRequest, toWebResponse } from "./web.js";

/** `handleAcmeMessage` for hosts with web-standard Request/Response. */
export async function handleAcmeRequest(
  deps: Deps,
  request: Request,
  options: HandleOptions = {},
): Promise<Response> {
  return toWebResponse(await handleAcmeMessage(deps, fromWebRequest(request), options));
}

/**
 * Request → response for every ACME URL: route, load the endpoint, check it serves, run the
 * handler, and decorate the answer (Replay-Nonce, Link rel="index"). Nothing a client sends
 * makes this throw; an unexpected exception is logged and answered as serverInternal.
 */
export async function handleAcmeMessage(
  deps: Deps,
  request: AcmeHttpRequest,
  options: HandleOptions = {},
): Promise<AcmeHttpResponse> {
  const bare: ResponseDecoration = { head: request.method === "HEAD" };
  try {
    return await route(deps, request, bare, options);
  } catch (cause) {
    deps.logger.error("unexpected exception while handling an ACME request", { cause });
    return problemResponse(internalProblem(), bare);
  }
}

async function route(
  deps: Deps,
  request: AcmeHttpRequest,
  bare: ResponseDecoration,
  options: HandleOptions,
): Promise<AcmeHttpResponse> {
  const match = deps.links.matchUrl(request.url);
  if (match === undefined) {
    return problemResponse(problem("malformed", "No ACME resource at this URL.", { status: 404 }), bare);
  }
  const loaded = await deps.storage.endpoints.get(match.endpointId);
  if (loaded.isErr()) {
    deps.logger.error("storage failure while loading an endpoint", { message: loaded.error.message });
    return problemResponse(internalProblem(), bare);
  }
  const endpoint = loaded.value;
  if (endpoint === undefined) {
    return problemResponse(
      problem("malformed", `No ACME endpoint ${match.endpointId} exists here.`, { status: 404 }),
      bare,
    );
  }
  const unavailable = notServing(endpoint);
  if (unavailable !== undefined) return problemResponse(unavailable, bare);

  const nonce = await issueNonce(deps, endpoint.id);
  if (nonce.isErr())
    deps.logger.error("storage failure while issuing a nonce", { message: nonce.error.message });
  // Absent members are undefined rather than left out: no spreads, one object shape.
  const decoration: ResponseDecoration = {
    head: bare.head,
    nonce: nonce.isOk() ? nonce.value : undefined,
    index: match.resource?.kind === "directory" ? undefined : deps.links.directory(endpoint.id),
  };
  // RFC 8555 §7.2: newNonce exists to hand out a nonce; without one, say the server failed.
  if (nonce.isErr() && match.resource?.kind === "newNonce")
    return problemResponse(internalProblem(), decoration);
  if (match.resource === undefined) {
    return problemResponse(
      problem("malformed", "No ACME resource at this URL.", { status: 404 }),
      decoration,
    );
  }
  const routed = routeFor(match.resource);
  if (!routed.methods.includes(request.method)) {
    const allow = routed.methods.join(", ");
    const hint = allow === "POST" ? " (read resources with POST-as-GET, RFC 8555 §6.3)" : "";
    return problemResponse(
      problem("malformed", `Method ${request.method} is not allowed here; use ${allow}${hint}.`, {
        status: 405,
        headers: { Allow: allow },
      }),
      decoration,
    );
  }
  const ctx = new AcmeRequestContext(
    deps,
    request,
    endpoint,
    match.resource,
    deps.links.canonical(endpoint.id, match.resource),
    typeof options.clientAddress === "string" && options.clientAddress !== ""
      ? options.clientAddress
      : undefined,
  );
  const result = await routed.handle(ctx);
  // HEAD answers carry headers only (`decoration.head`). A branch, not `match`: no closures.
  return result.isOk() ? replyResponse(result.value, decoration) : problemResponse(result.error, decoration);
}

/** Seed status lifecycle: only ACTIVE endpoints serve ACME; every other state says why. */
function notServing(endpoint: Endpoint): AcmeProblem | undefined {
  switch (endpoint.status) {
    case "ACTIVE":
      return undefined;
    case "CREATING":
      return problem("serverInternal", "This ACME endpoint is still being created; retry shortly.", {
        status: 503,
        headers: { "Retry-After": "2" },
      });
    case "FAILED":
      return problem(
        "serverInternal",
        `This ACME endpoint failed to be created: ${endpoint.failureReason ?? "unknown reason"}.`,
        {
          status: 503,
        },
      );
    case "DELETING":
      return problem("malformed", "This ACME endpoint is being deleted.", { status: 404 });
  }
}

/**
 * A request's context. Its `requestId` is made when first read (by an event that names it):
 * most requests emit none, and a UUID costs ~0.3 µs and ~0.5 KB of garbage on each.
 */
class AcmeRequestContext implements RequestContext {
  #requestId: string | undefined;

  constructor(
    readonly deps: Deps,
    readonly request: AcmeHttpRequest,
    readonly endpoint: Endpoint,
    readonly resource: Resource,
    readonly url: string,
    readonly clientAddress: string | undefined,
  ) {}

  get requestId(): string {
    this.#requestId ??= requestIdOf(this.request);
    return this.#requestId;
  }
}

/** The host's request id (`x-request-id`, as proxies set it) when it is sane, else a new one. */
function requestIdOf(request: AcmeHttpRequest): string {
  const given = request.header("x-request-id");
  return given !== undefined && /^[\x21-\x7e]{1,128}$/.test(given) ? given : randomUUID();
}
