/**
 * The HTTP exchange core answers, in the fewest objects a host can hand over: adapters on
 * `node:http` translate to it directly, without building web `Request`/`Response` objects
 * (measured ~150 µs of CPU per request through undici's classes and web streams, about as much
 * as a P-256 signature check). `server.handle(Request)` is this plus a translation (web.ts).
 */
export interface AcmeHttpRequest {
  readonly method: string;
  /** The absolute URL the client addressed, e.g. `https://acme.example.com/acme/ep/new-order`. */
  readonly url: string;
  /** A request header by lower-case name; repeated fields joined with ", " (RFC 9110 §5.3). */
  header(name: string): string | undefined;
  /**
   * Reads the whole body, stopping without buffering the rest once it passes `limit` bytes:
   * resolves with the bytes (empty when there is none), or `undefined` when it is larger than
   * `limit`. Rejects when the body cannot be read completely (the connection was lost).
   */
  readBody(limit: number): Promise<Uint8Array | undefined>;
}

export interface AcmeHttpResponse {
  readonly status: number;
  /** Lower-case names; a repeated field (Link) is one pair per value. */
  readonly headers: readonly (readonly [string, string])[];
  /** Absent for HEAD (whose `content-length` header gives the size the body would have) and 204. */
  readonly body?: string;
}
