import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { fromNodeRequest, writeNodeResponse } from "@acme-endpoints/adapters-node";
import type { AcmeHttpRequest, AcmeServer } from "@acme-endpoints/core";
import type { Request as ExpressRequest, Response as ExpressResponse, RequestHandler } from "express";

export type { DashboardRouterOptions, DashboardServer } from "./dashboard.js";
export { dashboardRouter } from "./dashboard.js";
export type { ManagementRouterOptions, ManagementServer } from "./management.js";
export { managementRouter } from "./management.js";
export type { Authorize, AuthorizeResult } from "./management-auth.js";
export { bearerToken } from "./management-auth.js";

/** What the adapter needs of the server: its host-neutral handler. */
export type AcmeHandler = Pick<AcmeServer, "handleHttp">;

/**
 * Mounts every ACME endpoint of `server` on an Express app, at any path:
 * `app.use("/acme", acmeRouter(server))` with `baseUrl: "https://host/acme"`.
 *
 * ACME bodies are `application/jose+json`, which `express.json()` leaves alone; if the host
 * installed a body parser that consumed them anyway (`express.json({ type: "*\/*" })`,
 * `express.raw()`, `express.text()`), the parsed body is used instead of the stream.
 */
export function acmeRouter(server: AcmeHandler): RequestHandler {
  // A plain middleware, not a Router: every ACME request is ours, and a Router's own dispatch
  // (layer matching, path trimming, next()) cost ~20 µs a request for nothing.
  return (req, res, next) => {
    const clientAddress = clientAddressOf(req);
    server
      .handleHttp(fromExpressRequest(req), clientAddress === undefined ? {} : { clientAddress })
      .then((answer) => writeNodeResponse(answer, req, res))
      .catch(next);
  };
}

/** The request as core reads it: Express's protocol (proxy-aware), Host, and the mount-free path. */
export function fromExpressRequest(req: ExpressRequest): AcmeHttpRequest {
  const body = consumedBody(req);
  return fromNodeRequest(req, {
    origin: originOf(req),
    path: req.originalUrl,
    ...(body === undefined ? {} : { body }),
  });
}

/*
 * Express's `req.ip` and `req.protocol` honour the app's "trust proxy": they read X-Forwarded-For
 * and X-Forwarded-Proto when the peer is trusted. Without those headers both are the socket's own
 * whatever the setting, so they are read from the socket then: proxy-addr's parse and the trust
 * check cost ~10 µs on every request for nothing.
 */

/** The client address for per-IP rate limits (RFC 8555 §6.6): `req.ip`. */
function clientAddressOf(req: ExpressRequest): string | undefined {
  if (req.headers["x-forwarded-for"] === undefined) return req.socket.remoteAddress;
  return req.ip ?? req.socket.remoteAddress;
}

/** Scheme and host as the client addressed them: `req.protocol` and the Host header. */
function originOf(req: ExpressRequest): string {
  const scheme =
    req.headers["x-forwarded-proto"] === undefined
      ? (req.socket as Partial<TLSSocket>).encrypted === true
        ? "https"
        : "http"
      : req.protocol;
  return `${scheme}://${req.headers.host ?? "localhost"}`;
}

/** The body a host's parser already read, re-encoded; undefined when the stream is untouched. */
function consumedBody(req: ExpressRequest): Uint8Array | undefined {
  if (!req.readableEnded && !(req as { _body?: boolean })._body) return undefined;
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body);
  if (body !== undefined && body !== null) return Buffer.from(JSON.stringify(body));
  return new Uint8Array(0);
}

/**
 * A web `Request` for other web-standard handlers mounted on Express (the Prometheus
 * `metricsHandler`); the ACME router itself does not build one.
 */
export function toWebRequest(req: ExpressRequest): Request {
  const url = `${originOf(req)}${req.originalUrl}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD") {
    const parsed = consumedBody(req);
    if (parsed !== undefined) {
      headers.delete("content-length");
      init.body = parsed;
    } else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = "half";
    }
  }
  return new Request(safeUrl(url, req.originalUrl), init);
}

function safeUrl(url: string, path: string): string {
  try {
    return new URL(url).toString();
  } catch {
    return new URL(path, "http://localhost").toString();
  }
}

export async function sendWebResponse(response: Response, res: ExpressResponse): Promise<void> {
  res.status(response.status);
  for (const [name, value] of response.headers) {
    // Headers joins repeated Link values with ", "; send them as separate fields.
    if (name === "link") res.append("Link", value.split(/,\s*(?=<)/));
    else res.setHeader(name, value);
  }
  const body = Buffer.from(await response.arrayBuffer());
  res.end(body.byteLength > 0 ? body : undefined);
}
