import { Buffer } from "node:buffer";
import { connect as connectTcp, isIP, type Socket } from "node:net";
import { connect } from "node:tls";
import { type HttpAnswer, ResponseParser, TransportError } from "./response.js";

export { type HttpAnswer, TransportError } from "./response.js";

interface Origin {
  /** scheme://host[:port]: the key of the idle pool. */
  readonly key: string;
  /** host[:port] as in the URL: the Host header. */
  readonly authority: string;
  readonly host: string;
  readonly port: number;
  /** https: TLS; http: plain TCP (the bench's `bare-http` target, TLS ended in front). */
  readonly tls: boolean;
}

interface InFlight {
  readonly parser: ResponseParser;
  readonly signal: AbortSignal;
  readonly resolve: (answer: HttpAnswer) => void;
  readonly reject: (error: TransportError) => void;
}

/**
 * A minimal HTTP/1.1 client straight over node:tls. node's https client and Agent cost a few
 * hundred µs of CPU per request, and the load generator shares the machine with the server it
 * measures: every µs here is taken from the server. Each connection carries one request at a
 * time and is reused (keep-alive), so a worker running one flow at a time keeps one connection.
 * TLS is checked against the target's own root, host name or IP included, as https does.
 * Every request ends by `signal` (the run's deadline) or by `timeoutMs` without a byte from the
 * server, so a stalled server cannot hold a run open.
 */
export class HttpClient {
  /** Idle connections by authority, most recently used last. */
  readonly #idle = new Map<string, Connection[]>();
  readonly #open = new Set<Connection>();
  readonly #origins = new Map<string, Origin>();
  readonly #watched = new WeakSet<AbortSignal>();
  requests = 0;
  /** TLS connections opened: with keep-alive working, one per concurrent flow. */
  connections = 0;

  constructor(
    /** `sockets`: the most idle connections kept (the expected concurrency). */
    readonly options: { readonly ca: string; readonly sockets: number; readonly timeoutMs: number },
  ) {}

  send(
    method: "GET" | "HEAD" | "POST",
    url: string,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<HttpAnswer> {
    this.requests++;
    if (signal.aborted) return Promise.reject(new TransportError("aborted", "run deadline"));
    this.#watch(signal);
    const scheme = url.startsWith("https://") ? "https://" : url.startsWith("http://") ? "http://" : "";
    if (scheme === "") return Promise.reject(new TransportError("bad-url", url));
    const slash = url.indexOf("/", scheme.length);
    const key = slash < 0 ? url : url.slice(0, slash);
    const path = slash < 0 ? "/" : url.slice(slash);
    const connection = this.#idle.get(key)?.pop() ?? this.#connect(this.#origin(key, scheme));
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${connection.origin.authority}\r\n`;
    return new Promise((resolve, reject) => {
      connection.current = { parser: new ResponseParser(method === "HEAD"), signal, resolve, reject };
      // The whole request in one write: one TLS record, one syscall.
      connection.socket.write(
        body === undefined
          ? `${head}\r\n`
          : `${head}Content-Type: application/jose+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    for (const connection of this.#open) connection.fail(new TransportError("aborted", "client closed"));
  }

  #connect(origin: Origin): Connection {
    this.connections++;
    const connection = new Connection(origin, this.options, (c) => this.#release(c));
    this.#open.add(connection);
    return connection;
  }

  /** A connection finished its request or closed: keep it for the next request, or forget it. */
  #release(connection: Connection): void {
    const idle = this.#idle.get(connection.origin.key) ?? [];
    this.#idle.set(connection.origin.key, idle);
    const at = idle.indexOf(connection);
    if (at >= 0) idle.splice(at, 1);
    if (connection.alive && idle.length < this.options.sockets) {
      idle.push(connection);
    } else {
      this.#open.delete(connection);
      connection.fail(new TransportError("closed", "connection closed"));
    }
  }

  /** One abort listener per signal, not per request: the run's deadline ends all its requests. */
  #watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    this.#watched.add(signal);
    signal.addEventListener(
      "abort",
      () => {
        for (const c of this.#open)
          if (c.current?.signal === signal) c.fail(new TransportError("aborted", "run deadline"));
      },
      { once: true },
    );
  }

  #origin(key: string, scheme: string): Origin {
    let origin = this.#origins.get(key);
    if (origin === undefined) {
      const url = new URL(key);
      const tls = scheme === "https://";
      // URL keeps IPv6 literals bracketed; tls.connect wants them bare.
      const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
      origin = {
        key,
        authority: key.slice(scheme.length),
        host,
        port: Number(url.port || (tls ? 443 : 80)),
        tls,
      };
      this.#origins.set(key, origin);
    }
    return origin;
  }
}

/** One TLS (or plain TCP) connection carrying one request at a time. */
class Connection {
  readonly socket: Socket;
  current: InFlight | undefined;
  /** False once the server asked to close, closed, or anything went wrong: not to be reused. */
  alive = true;

  constructor(
    readonly origin: Origin,
    options: { readonly ca: string; readonly timeoutMs: number },
    release: (c: Connection) => void,
  ) {
    const { host, port } = origin;
    // Writes before the handshake completes are queued by the socket and sent after it.
    this.socket = origin.tls
      ? connect({ host, port, ca: options.ca, servername: isIP(host) ? undefined : host })
      : connectTcp({ host, port });
    // One inactivity timer per connection (re-armed by node on each read and write), not one
    // per request: it ends a stalled request, or an idle connection nobody needs any more.
    this.socket.setTimeout(options.timeoutMs);
    this.socket.on("timeout", () =>
      this.fail(new TransportError("timeout", `no answer in ${options.timeoutMs} ms`)),
    );
    this.socket.on("error", (e) => this.fail(transportError(e)));
    this.socket.on("data", (chunk: Buffer) => {
      const request = this.current;
      if (request === undefined) return this.fail(new TransportError("bad-response", "unasked bytes"));
      let answer: HttpAnswer | undefined;
      try {
        answer = request.parser.push(chunk);
      } catch (e) {
        return this.fail(transportError(e));
      }
      if (answer === undefined) return;
      this.current = undefined;
      if (!request.parser.keepAlive) this.alive = false;
      release(this);
      request.resolve(answer);
    });
    this.socket.on("close", () => {
      this.alive = false;
      const request = this.current;
      this.current = undefined;
      release(this);
      if (request === undefined) return;
      // The server closed mid-request: an answer only if its body ran to the close.
      try {
        request.resolve(request.parser.end());
      } catch (e) {
        request.reject(transportError(e));
      }
    });
  }

  /** Ends the connection; the request in flight, if any, fails with `error`. */
  fail(error: TransportError): void {
    this.alive = false;
    const request = this.current;
    this.current = undefined;
    this.socket.destroy();
    request?.reject(error);
  }
}

function transportError(e: unknown): TransportError {
  if (e instanceof TransportError) return e;
  const error = e as NodeJS.ErrnoException;
  return new TransportError(error.code ?? error.name ?? "network", error.message);
}
