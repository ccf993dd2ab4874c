import { Buffer } from "node:buffer";
import { Agent, request } from "node:https";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Thrown for transport failures; `code` names the kind for the error tally. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A keep-alive HTTPS client over node:https: one socket per concurrent flow, reused for every
 * request, TLS checked against the target's own root. Every request ends by `signal` (the run's
 * deadline) or `timeoutMs`, so a stalled server cannot hold a run open.
 */
export class HttpClient {
  readonly #agent: Agent;
  readonly #seen = new WeakSet<object>();
  requests = 0;
  /** TLS connections opened: with keep-alive working, one per concurrent flow. */
  connections = 0;

  constructor(
    readonly options: { readonly ca: string; readonly sockets: number; readonly timeoutMs: number },
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.sockets, ca: options.ca });
  }

  send(
    method: "GET" | "HEAD" | "POST",
    url: string,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<HttpAnswer> {
    this.requests++;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (body !== undefined) {
        headers["content-type"] = "application/jose+json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      const req = request(url, {
        method,
        headers,
        agent: this.#agent,
        signal,
        timeout: this.options.timeoutMs,
      });
      req.once("socket", (socket) => {
        if (this.#seen.has(socket)) return;
        this.#seen.add(socket);
        this.connections++;
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          // A connection closed mid-answer still ends the stream: that is not an answer.
          if (!res.complete) return reject(new TransportError("truncated", "the answer was cut short"));
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          });
        });
        res.on("error", (e) => reject(transportError(e)));
      });
      req.on("timeout", () =>
        req.destroy(new TransportError("timeout", `no answer in ${this.options.timeoutMs} ms`)),
      );
      req.on("error", (e) => reject(transportError(e)));
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function transportError(e: unknown): TransportError {
  if (e instanceof TransportError) return e;
  const error = e as NodeJS.ErrnoException;
  const code = error.name === "AbortError" ? "aborted" : (error.code ?? error.name ?? "network");
  return new TransportError(code, error.message);
}
