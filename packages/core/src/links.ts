/**
 * Every URL the server hands out is built here, and every incoming path is matched here, so
 * the two can never disagree. Layout under `{baseUrl}/{endpointId}/`:
 * directory, new-nonce, new-account, new-order, revoke-cert, key-change,
 * acct/{id}, acct/{id}/orders, order/{id}, order/{id}/finalize, authz/{id},
 * chall/{authzId}/{challengeId}, cert/{serial}.
 */

export type Resource =
  | { kind: "directory" }
  | { kind: "newNonce" }
  | { kind: "newAccount" }
  | { kind: "newOrder" }
  | { kind: "revokeCert" }
  | { kind: "keyChange" }
  | { kind: "account"; accountId: string }
  | { kind: "accountOrders"; accountId: string; cursor?: string }
  | { kind: "order"; orderId: string }
  | { kind: "finalize"; orderId: string }
  | { kind: "authorization"; authorizationId: string }
  | { kind: "challenge"; authorizationId: string; challengeId: string }
  | { kind: "certificate"; serial: string };

export interface RouteMatch {
  readonly endpointId: string;
  readonly resource: Resource | undefined;
}

const FIXED: Record<string, Resource> = {
  directory: { kind: "directory" },
  "new-nonce": { kind: "newNonce" },
  "new-account": { kind: "newAccount" },
  "new-order": { kind: "newOrder" },
  "revoke-cert": { kind: "revokeCert" },
  "key-change": { kind: "keyChange" },
};

/** Path segments are our own ids: URL-safe, bounded, so a hostile path cannot smuggle anything. */
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
/** Path characters the URL parser keeps exactly as they are (WHATWG URL path state). */
const PLAIN_PATH = /^[A-Za-z0-9_/-]*$/;

export class Links {
  /** `baseUrl` without a trailing slash. */
  readonly base: string;
  readonly basePath: string;

  /** `basePath` and the slash after it: what every matched path starts with. */
  readonly #pathPrefix: string;
  /** `base` and the slash after it, and the length of its origin. */
  readonly #urlPrefix: string;
  readonly #originLength: number;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.#pathPrefix = `${this.basePath}/`;
    this.#urlPrefix = `${this.base}/`;
    this.#originLength = url.origin.length;
  }

  endpointBase(endpointId: string): string {
    return `${this.base}/${endpointId}`;
  }
  directory(endpointId: string): string {
    return `${this.endpointBase(endpointId)}/directory`;
  }
  newNonce(endpointId: string): string {
    return `${this.endpointBase(endpointId)}/new-nonce`;
  }
  newAccount(endpointId: string): string {
    return `${this.endpointBase(endpointId)}/new-account`;
  }
  newOrder(endpointId: string): string {
    return `${this.endpointBase(endpointId)}/new-order`;
  }
  revokeCert(endpointId: string): string {
    return `${this.endpointBase(endpointId)}/revoke-cert`;
  }
  keyChange(endpointId: string): string {
    return `${this.endpointBase(endpointId)}/key-change`;
  }
  account(endpointId: string, accountId: string): string {
    return `${this.endpointBase(endpointId)}/acct/${accountId}`;
  }
  accountOrders(endpointId: string, accountId: string, cursor?: string): string {
    const url = `${this.account(endpointId, accountId)}/orders`;
    return cursor === undefined ? url : `${url}?cursor=${encodeURIComponent(cursor)}`;
  }
  order(endpointId: string, orderId: string): string {
    return `${this.endpointBase(endpointId)}/order/${orderId}`;
  }
  finalize(endpointId: string, orderId: string): string {
    return `${this.order(endpointId, orderId)}/finalize`;
  }
  authorization(endpointId: string, authorizationId: string): string {
    return `${this.endpointBase(endpointId)}/authz/${authorizationId}`;
  }
  challenge(endpointId: string, authorizationId: string, challengeId: string): string {
    return `${this.endpointBase(endpointId)}/chall/${authorizationId}/${challengeId}`;
  }
  certificate(endpointId: string, serial: string): string {
    return `${this.endpointBase(endpointId)}/cert/${serial}`;
  }

  /** The account id a `kid` names, if it is an account URL of this endpoint. */
  accountIdFromKid(endpointId: string, kid: string): string | undefined {
    const prefix = `${this.endpointBase(endpointId)}/acct/`;
    if (!kid.startsWith(prefix)) return undefined;
    const id = kid.slice(prefix.length);
    return SEGMENT.test(id) ? id : undefined;
  }

  /**
   * Matches a request path (already without query) below the base path. Answers undefined
   * when the path is not below the base path at all, and `resource: undefined` for an unknown
   * resource of a well-formed endpoint path.
   */
  match(pathname: string, search: string): RouteMatch | undefined {
    if (!pathname.startsWith(this.#pathPrefix)) return undefined;
    const parts = pathname.slice(this.#pathPrefix.length).split("/");
    const endpointId = parts[0];
    if (endpointId === undefined || !SEGMENT.test(endpointId)) return undefined;
    for (let i = 1; i < parts.length; i++) {
      if (!SEGMENT.test(parts[i] as string)) return { endpointId, resource: undefined };
    }
    return { endpointId, resource: matchResource(parts, search) };
  }

  /**
   * `match` for an absolute request URL, or undefined when it is no URL. A URL that is this
   * server's own origin and base path followed by plain path characters only is what the
   * WHATWG parser would leave as it is (no query, fragment, escapes, dot segments or
   * backslashes), so its path is read off the string; anything else is parsed.
   */
  matchUrl(raw: string): RouteMatch | undefined {
    if (raw.startsWith(this.#urlPrefix) && PLAIN_PATH.test(raw.slice(this.#urlPrefix.length))) {
      return this.match(raw.slice(this.#originLength), "");
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return undefined;
    }
    return this.match(url.pathname, url.search);
  }

  /** The canonical URL of a matched resource: what a JWS `url` must equal (RFC 8555 §6.4). */
  canonical(endpointId: string, resource: Resource): string {
    switch (resource.kind) {
      case "directory":
        return this.directory(endpointId);
      case "newNonce":
        return this.newNonce(endpointId);
      case "newAccount":
        return this.newAccount(endpointId);
      case "newOrder":
        return this.newOrder(endpointId);
      case "revokeCert":
        return this.revokeCert(endpointId);
      case "keyChange":
        return this.keyChange(endpointId);
      case "account":
        return this.account(endpointId, resource.accountId);
      case "accountOrders":
        return this.accountOrders(endpointId, resource.accountId, resource.cursor);
      case "order":
        return this.order(endpointId, resource.orderId);
      case "finalize":
        return this.finalize(endpointId, resource.orderId);
      case "authorization":
        return this.authorization(endpointId, resource.authorizationId);
      case "challenge":
        return this.challenge(endpointId, resource.authorizationId, resource.challengeId);
      case "certificate":
        return this.certificate(endpointId, resource.serial);
    }
  }
}

/** The resource named by `parts` after the first (the endpoint id). */
function matchResource(parts: readonly string[], search: string): Resource | undefined {
  const [, a, b, c, d] = parts;
  const length = parts.length - 1;
  if (a === undefined) return undefined;
  // Own properties only: "constructor" or "__proto__" is not a resource.
  if (length === 1) return Object.hasOwn(FIXED, a) ? FIXED[a] : undefined;
  if (b === undefined) return undefined;
  switch (a) {
    case "acct":
      if (length === 2) return { kind: "account", accountId: b };
      if (length === 3 && c === "orders") {
        const cursor = new URLSearchParams(search).get("cursor") ?? undefined;
        return cursor === undefined
          ? { kind: "accountOrders", accountId: b }
          : { kind: "accountOrders", accountId: b, cursor };
      }
      return undefined;
    case "order":
      if (length === 2) return { kind: "order", orderId: b };
      if (length === 3 && c === "finalize") return { kind: "finalize", orderId: b };
      return undefined;
    case "authz":
      return length === 2 ? { kind: "authorization", authorizationId: b } : undefined;
    case "chall":
      return length === 3 && c !== undefined && d === undefined
        ? { kind: "challenge", authorizationId: b, challengeId: c }
        : undefined;
    case "cert":
      return length === 2 ? { kind: "certificate", serial: b } : undefined;
    default:
      return undefined;
  }
}
