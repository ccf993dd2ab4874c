import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { AcmeServer } from "@acme-endpoints/core";

/** What the adapter needs of the server: its web-standard handler. */
export type AcmeHandler = Pick<AcmeServer, "handle">;

export interface NodeHandlerOptions {
  /**
   * Scheme and host of request URLs (`https://acme.example.com`) when a proxy in front rewrites
   * them; they must match the server's `baseUrl`, which JWS `url`s are checked against.
   * Default: `https` on a TLS socket, else `http`, and the request's Host header.
   */
  readonly origin?: string;
}

/**
 * A `node:http` / `node:https` request listener that answers every request with `server.handle`:
 * `createServer(nodeHandler(acme)).listen(443)`. It translates only: the body is streamed to
 * core as it arrives (core counts it against `maxBodyBytes` and answers 413 past it), and the
 * answer is written in one `writeHead` + `end`.
 */
export function nodeHandler(
  server: AcmeHandler,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let request: Request;
    try {
      request = toWebRequest(req, options.origin);
    } catch {
      // Only a Host header that makes no URL gets here: nothing ACME can answer.
      res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request");
      return;
    }
    // The socket's peer, for per-IP rate limits (a proxy in front makes it the proxy's).
    const clientAddress = req.socket.remoteAddress;
    server
      .handle(request, clientAddress === undefined ? {} : { clientAddress })
      .then((response) => send(response, req, res))
      .catch(() => res.destroy());
  };
}

export function toWebRequest(req: IncomingMessage, origin?: string): Request {
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  const base = origin ?? `${tls ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (method !== "GET" && method !== "HEAD") {
    init.body = bodyStream(req);
    init.duplex = "half";
  }
  return new Request(base + (req.url ?? "/"), init);
}

/**
 * The request body as a web stream of node's own chunks, no copies, pulled one chunk at a time
 * (measured cheaper than handing `Request` a Buffer, which it copies into a stream of its own).
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => cancelled || controller.close());
      req.once("error", (e) => cancelled || controller.error(e));
    },
    pull() {
      req.resume();
    },
    // Core stopped reading (413): let the rest drain; `send` closes the connection after the answer.
    cancel() {
      cancelled = true;
      req.resume();
    },
  });
}

async function send(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    // Headers joins repeated Link fields with ", "; send them as separate fields again.
    headers[name] = name === "link" ? value.split(/,\s*(?=<)/) : value;
  }
  if (body !== undefined) headers["content-length"] = String(body.byteLength);
  // An unread remainder (an oversized body) is not worth reading to keep the connection alive.
  if (!req.complete) headers.connection = "close";
  res.writeHead(response.status, headers);
  res.end(body);
}
