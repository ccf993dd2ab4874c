import { Buffer } from "node:buffer";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { AcmeHttpRequest, AcmeHttpResponse, AcmeServer } from "@acme-endpoints/core";

/** What the adapter needs of the server: its host-neutral handler. */
export type AcmeHandler = Pick<AcmeServer, "handleHttp">;

export interface NodeHandlerOptions {
  /**
   * Scheme and host of request URLs (`https://acme.example.com`) when a proxy in front rewrites
   * them; they must match the server's `baseUrl`, which JWS `url`s are checked against.
   * Default: `https` on a TLS socket, else `http`, and the request's Host header.
   */
  readonly origin?: string;
}

/**
 * A `node:http` / `node:https` request listener that answers every request with
 * `server.handleHttp`: `createServer(nodeHandler(acme)).listen(443)`. It translates only: the
 * body is read as it arrives (core bounds it by `maxBodyBytes` and answers 413 past it), and the
 * answer is written in one `writeHead` + `end`. No web Request/Response objects are built.
 */
export function nodeHandler(
  server: AcmeHandler,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // The socket's peer, for per-IP rate limits (a proxy in front makes it the proxy's).
    const clientAddress = req.socket.remoteAddress;
    server
      .handleHttp(fromNodeRequest(req, options), clientAddress === undefined ? {} : { clientAddress })
      .then((answer) => writeNodeResponse(answer, req, res))
      .catch(() => res.destroy());
  };
}

export interface FromNodeRequestOptions extends NodeHandlerOptions {
  /** The request target to use instead of `req.url` (Express: `req.originalUrl`). */
  readonly path?: string;
  /** The body when a host's parser already consumed the stream (Express body parsers). */
  readonly body?: Uint8Array;
}

/** A node request as core reads requests: method, absolute URL, header lookup, bounded body. */
export function fromNodeRequest(req: IncomingMessage, options: FromNodeRequestOptions = {}): AcmeHttpRequest {
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  const origin = options.origin ?? `${tls ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
  const given = options.body;
  return {
    method: req.method ?? "GET",
    url: origin + (options.path ?? req.url ?? "/"),
    header(name) {
      // Node lower-cases names and joins repeated fields (keeping the first of singletons).
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    readBody: (limit) =>
      given === undefined
        ? readNodeBody(req, limit)
        : Promise.resolve(given.byteLength > limit ? undefined : given),
  };
}

/**
 * Collects the body's chunks; past `limit` it stops keeping them and lets the rest drain. Three
 * listeners that stay (they go with the request), and a flag that ignores whatever comes after
 * the answer. No `error` listener: an aborted request is destroyed, which always emits `close`
 * and emits `error` only when someone listens (node's IncomingMessage#_destroy).
 */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    // Most bodies arrive as one chunk: kept as it is, with no array and no copy.
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let settled = false;
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.byteLength;
      if (size > limit) {
        // Unread, the remainder drains (the listener stays, so the stream keeps flowing); the
        // answer closes the connection (`writeNodeResponse`).
        settled = true;
        first = chunks = undefined;
        resolve(undefined);
      } else if (first === undefined) {
        first = chunk;
      } else {
        chunks ??= [first];
        chunks.push(chunk);
      }
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? new Uint8Array(0)));
    });
    req.on("close", () => {
      if (settled) return;
      settled = true;
      reject(new Error("the connection closed before the request body ended"));
    });
  });
}

/**
 * Writes core's answer: one header object (repeated fields such as Link as arrays, which
 * survive headers the host set earlier with `setHeader`), Content-Length, one `end`.
 */
export function writeNodeResponse(answer: AcmeHttpResponse, req: IncomingMessage, res: ServerResponse): void {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of answer.headers) {
    const previous = headers[name];
    headers[name] =
      previous === undefined
        ? value
        : Array.isArray(previous)
          ? [...previous, value]
          : [String(previous), value];
  }
  if (answer.body !== undefined) headers["content-length"] = Buffer.byteLength(answer.body);
  // An unread remainder (an oversized body) is not worth reading to keep the connection alive.
  if (!req.complete) headers.connection = "close";
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
