import { HttpsTransport } from "./https-transport.js";

/** One answer of the admin API: status, headers and the parsed JSON body (undefined when empty). */
export interface AdminAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  /** `METHOD path → status body`, for assertion messages. */
  readonly summary: string;
}

export interface AdminRequestOptions {
  /** A JSON body (sent as application/json). */
  readonly body?: unknown;
  /**
   * The `Authorization` header to send: by default `Bearer <the client's token>`; `null` sends
   * none; a string is sent as it is (a wrong token, another scheme).
   */
  readonly authorization?: string | null;
}

/**
 * A small client of the example server's admin API (`managementRouter`, mounted at `adminUrl`),
 * over HTTPS trusting the server's TLS root (`HttpsTransport`: node:https, every request bounded).
 */
export class AdminClient {
  readonly transport: HttpsTransport;

  constructor(
    readonly adminUrl: string,
    readonly token: string,
    caPem: string,
  ) {
    this.transport = new HttpsTransport(caPem);
  }

  /** `path` is relative to the admin URL, e.g. `/endpoints/abc`. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: AdminRequestOptions = {},
  ): Promise<AdminAnswer<T>> {
    const headers = new Headers();
    const authorization =
      options.authorization === undefined ? `Bearer ${this.token}` : options.authorization;
    if (authorization !== null) headers.set("authorization", authorization);
    let body: string | undefined;
    if (options.body !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.body);
    }
    const response = await this.transport.fetch(
      new Request(`${this.adminUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) }),
    );
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return {
      status: response.status,
      headers: response.headers,
      body: parsed as T,
      summary: `${method} ${this.adminUrl}${path} → ${response.status} ${text.slice(0, 2_000)}`,
    };
  }

  get<T = Record<string, unknown>>(path: string, options?: AdminRequestOptions) {
    return this.request<T>("GET", path, options);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, options: AdminRequestOptions = {}) {
    return this.request<T>("POST", path, { ...options, ...(body === undefined ? {} : { body }) });
  }

  delete<T = Record<string, unknown>>(path: string, options?: AdminRequestOptions) {
    return this.request<T>("DELETE", path, options);
  }

  close(): void {
    this.transport.close();
  }
}
