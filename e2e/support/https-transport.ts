import { Buffer } from "node:buffer";
import { Agent, request } from "node:https";

/** Every request over the transport is bounded by this. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A fetch-shaped function (web `Request` → `Response`, what `TestAcmeClient` takes) over
 * node:https, trusting the example server's TLS root. Node's global fetch takes no CA option;
 * this needs no extra package. Keep-alive connections make many flows cheap; `reset()` drops
 * them (after the server was killed, its old connections are dead) while the clients holding
 * `fetch` keep working.
 */
export class HttpsTransport {
  #agent: Agent;

  /** Called once a request has been handed to the operating system, whole. */
  onSent: ((method: string, url: string) => void) | undefined;

  constructor(private readonly caPem: string) {
    this.#agent = this.#newAgent();
  }

  readonly fetch = async (input: Request): Promise<Response> => {
    const body =
      input.method === "GET" || input.method === "HEAD" ? undefined : Buffer.from(await input.arrayBuffer());
    const agent = this.#agent;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(
        input.url,
        {
          method: input.method,
          headers: Object.fromEntries(input.headers),
          agent,
          timeout: REQUEST_TIMEOUT_MS,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("error", reject);
          incoming.on("end", () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
                headers.append(name, one);
              }
            }
            const status = incoming.statusCode ?? 502;
            const empty = input.method === "HEAD" || status === 204 || status === 304;
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      outgoing.on("timeout", () => outgoing.destroy(new Error(`${input.method} ${input.url} timed out`)));
      outgoing.on("error", reject);
      outgoing.on("finish", () => this.onSent?.(input.method, input.url));
      outgoing.end(body);
    });
  };

  /** Closes every connection; later requests open new ones. */
  reset(): void {
    this.#agent.destroy();
    this.#agent = this.#newAgent();
  }

  close(): void {
    this.#agent.destroy();
  }

  #newAgent(): Agent {
    return new Agent({ ca: this.caPem, keepAlive: true, maxSockets: 32 });
  }
}
