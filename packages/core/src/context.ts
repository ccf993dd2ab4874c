import type { Endpoint } from "./domain/types.js";
import type { AcmeHttpRequest } from "./http/message.js";
import type { KeyCache } from "./jws/key-cache.js";
import type { Links, Resource } from "./links.js";
import type { CertificateAuthority } from "./ports/certificate-authority.js";
import type { Clock } from "./ports/clock.js";
import type { DnsResolver } from "./ports/dns.js";
import type { EventSink } from "./ports/events.js";
import type { Logger } from "./ports/logger.js";
import type { RateLimiter } from "./ports/rate-limiter.js";
import type { AcmeStorage } from "./ports/storage.js";

/** Limits and lifetimes, with the defaults documented on `AcmeServerOptions`. */
export interface ServerSettings {
  readonly maxBodyBytes: number;
  readonly maxIdentifiersPerOrder: number;
  readonly maxContacts: number;
  readonly ordersPageSize: number;
  readonly nonceLifetimeMs: number;
  readonly orderLifetimeMs: number;
  readonly authorizationLifetimeMs: number;
  /** The longest certificate validity a notBefore/notAfter request may ask for. */
  readonly maxCertificateValidityMs: number;
  /** How long finalize waits for the CA before answering `processing` with Retry-After. */
  readonly finalizeWaitMs: number;
  /**
   * How long an order may stay `processing` before it counts as interrupted (its issuance died
   * with a crashed process) and goes back to `ready`, so the client can finalize again.
   */
  readonly processingTimeoutMs: number;
  /**
   * How long an endpoint may stay CREATING or DELETING before that operation counts as
   * interrupted (its process died): until then a second change is a conflict; after, `delete`
   * may take the endpoint over, so a crash never leaves an endpoint nobody can remove.
   */
  readonly endpointOperationTimeoutMs: number;
  /** How long a DNS domain validation may stay PENDING_VALIDATION before it is FAILED. */
  readonly validationTimeoutMs: number;
  readonly directoryMeta: DirectoryMeta;
  /** Validation CNAMEs point at `<token>.validation.<dnsValidationDomain>`. */
  readonly dnsValidationDomain: string;
}

/** The numeric settings, overridable through `createAcmeServer({ limits })`. */
export type Limits = Omit<ServerSettings, "directoryMeta" | "dnsValidationDomain">;

export interface DirectoryMeta {
  readonly termsOfService?: string;
  readonly website?: string;
  readonly caaIdentities?: readonly string[];
}

/** The ports and settings every handler works with. */
export interface Deps {
  readonly storage: AcmeStorage;
  readonly ca: CertificateAuthority;
  readonly clock: Clock;
  readonly dns: DnsResolver;
  readonly links: Links;
  readonly logger: Logger;
  readonly settings: ServerSettings;
  readonly keys: KeyCache;
  /** Receivers of AcmeEvents (audit log, metrics); see events/emit.ts. */
  readonly events: readonly EventSink[];
  /** Counts requests against endpoints' RFC 8555 §6.6 rate limits (`Endpoint.rateLimits`). */
  readonly rateLimiter: RateLimiter;
}

/** One ACME request, routed to an ACTIVE endpoint. */
export interface RequestContext {
  readonly deps: Deps;
  readonly request: AcmeHttpRequest;
  readonly endpoint: Endpoint;
  readonly resource: Resource;
  /** The canonical URL of the resource: what a JWS `url` must equal. */
  readonly url: string;
  /** Names this request in events and logs (the host's `x-request-id`, else one of ours). */
  readonly requestId?: string;
  /** The client's IP address as the adapter saw it; absent: per-IP limits do not apply. */
  readonly clientAddress?: string;
}

/** What a host adapter knows about a request beyond the request itself. */
export interface HandleOptions {
  /**
   * The client's IP address (the socket's peer, or the host's proxy-aware notion of it, e.g.
   * Express `req.ip`). Needed for the `newAccountsPerIp` limit; absent, that limit is skipped.
   */
  readonly clientAddress?: string;
}
