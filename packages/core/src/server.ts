import type { Deps, DirectoryMeta, HandleOptions, Limits } from "./context.js";
import { handleAcmeMessage, handleAcmeRequest } from "./http/handle.js";
import type { AcmeHttpRequest, AcmeHttpResponse } from "./http/message.js";
import { KeyCache } from "./jws/key-cache.js";
import { Links } from "./links.js";
import { type CertificatesApi, certificatesApi } from "./management/certificates.js";
import { type DomainsApi, domainsApi } from "./management/domains.js";
import { type ExternalAccountKeysApi, externalAccountKeysApi } from "./management/eab.js";
import { type EndpointsApi, endpointsApi } from "./management/endpoints.js";
import { type MetricsApi, metricsApi } from "./management/metrics.js";
import { metricsRecorder } from "./metrics/recorder.js";
import { dnsNameProblem } from "./policy/identifiers.js";
import type { CertificateAuthority } from "./ports/certificate-authority.js";
import { type Clock, systemClock } from "./ports/clock.js";
import { createNodeDnsResolver, type DnsResolver } from "./ports/dns.js";
import type { EventSink } from "./ports/events.js";
import { consoleLogger, type Logger } from "./ports/logger.js";
import { createMemoryRateLimiter, type RateLimiter } from "./ports/rate-limiter.js";
import type { AcmeStorage } from "./ports/storage.js";

export interface AcmeServerOptions {
  readonly storage: AcmeStorage;
  readonly certificateAuthority: CertificateAuthority;
  /**
   * The public URL under which `handle` is reachable, e.g. `https://acme.example.com/acme`.
   * Every endpoint lives at `{baseUrl}/{endpointId}/…`; JWS `url`s are checked against it.
   */
  readonly baseUrl: string;
  readonly clock?: Clock;
  /** Looks up domain validation records; default `createNodeDnsResolver()`. */
  readonly dns?: DnsResolver;
  /**
   * The domain validation CNAMEs point into: `<token>.validation.<dnsValidationDomain>`.
   * Default `acme-endpoints.invalid` (the target need not resolve; only the CNAME is checked).
   */
  readonly dnsValidationDomain?: string;
  readonly logger?: Logger;
  /** Directory `meta` (RFC 8555 §7.1.1). With `termsOfService`, newAccount needs termsOfServiceAgreed. */
  readonly directoryMeta?: DirectoryMeta;
  readonly limits?: Partial<Limits>;
  /**
   * Receives events (account created, order created, certificate issued or failed, revoked,
   * endpoint status changed) for audit logs and metrics. Never awaited by issuance.
   */
  readonly events?: EventSink | readonly EventSink[];
  /**
   * Counts requests against endpoints' `rateLimits` (RFC 8555 §6.6); default
   * `createMemoryRateLimiter()`, which counts per process. Endpoints without `rateLimits` are
   * never limited.
   */
  readonly rateLimiter?: RateLimiter;
}

export interface AcmeServer {
  /**
   * Answers one ACME request; never throws, never answers 500 for client input. Adapters pass
   * `{ clientAddress }` so per-IP rate limits can apply; without it they are skipped.
   */
  handle(request: Request, options?: HandleOptions): Promise<Response>;
  /**
   * `handle` without web Request/Response objects, for adapters on `node:http` and other hosts
   * that can hand over the method, URL, headers and a body reader directly (cheaper per request).
   */
  handleHttp(request: AcmeHttpRequest, options?: HandleOptions): Promise<AcmeHttpResponse>;
  readonly endpoints: EndpointsApi;
  readonly domains: DomainsApi;
  /** RFC 8555 §7.3.4 external account binding credentials. */
  readonly eab: ExternalAccountKeysApi;
  /** The certificates inventory: list, describe, summary, expiry announcements. */
  readonly certificates: CertificatesApi;
  /** Issuance metrics per endpoint over time (CertificateIssuanceSuccess / Failed). */
  readonly metrics: MetricsApi;
  /** `{baseUrl}/{endpointId}/directory` */
  directoryUrl(endpointId: string): string;
}

/** Defaults of `limits`; each is documented in the README. */
export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 64 * 1024,
  maxIdentifiersPerOrder: 100,
  maxContacts: 10,
  ordersPageSize: 100,
  nonceLifetimeMs: 15 * 60_000,
  orderLifetimeMs: 7 * 86_400_000,
  authorizationLifetimeMs: 30 * 86_400_000,
  maxCertificateValidityMs: 397 * 86_400_000,
  finalizeWaitMs: 10_000,
  processingTimeoutMs: 120_000,
  endpointOperationTimeoutMs: 10 * 60_000,
  validationTimeoutMs: 72 * 3_600_000,
};

const DEFAULT_DNS_VALIDATION_DOMAIN = "acme-endpoints.invalid";

/**
 * Creates a multi-tenant RFC 8555 server: mount `handle` on any host that speaks web-standard
 * Request/Response, and manage endpoints and their domains through the typed API.
 *
 * @example
 * const storage = createMemoryStorage();
 * const server = createAcmeServer({
 *   storage,
 *   certificateAuthority: createLocalCertificateAuthority({ store: storage.caMaterials }),
 *   baseUrl: "https://localhost:14000/acme",
 * });
 * const endpoint = (await server.endpoints.create({ name: "dev" }))._unsafeUnwrap();
 */
export function createAcmeServer(options: AcmeServerOptions): AcmeServer {
  const links = new Links(options.baseUrl);
  const deps: Deps = {
    storage: options.storage,
    ca: options.certificateAuthority,
    clock: options.clock ?? systemClock,
    dns: options.dns ?? createNodeDnsResolver(),
    logger: options.logger ?? consoleLogger,
    links,
    keys: new KeyCache(),
    rateLimiter: options.rateLimiter ?? createMemoryRateLimiter(),
    // The metrics recorder first: issuance counts are kept whatever sinks the host adds.
    events: [
      metricsRecorder({ storage: options.storage, logger: options.logger ?? consoleLogger }),
      ...(options.events === undefined ? [] : [options.events].flat()),
    ],
    settings: {
      ...DEFAULT_LIMITS,
      ...options.limits,
      directoryMeta: options.directoryMeta ?? {},
      dnsValidationDomain: checkedValidationDomain(
        options.dnsValidationDomain ?? DEFAULT_DNS_VALIDATION_DOMAIN,
      ),
    },
  };
  return {
    handle: (request, handleOptions) => handleAcmeRequest(deps, request, handleOptions),
    handleHttp: (request, handleOptions) => handleAcmeMessage(deps, request, handleOptions),
    endpoints: endpointsApi(deps),
    domains: domainsApi(deps),
    eab: externalAccountKeysApi(deps),
    certificates: certificatesApi(deps),
    metrics: metricsApi(deps),
    directoryUrl: (endpointId) => links.directory(endpointId),
  };
}

/** A bad validation domain is a programming error: refuse it before any record names it. */
function checkedValidationDomain(name: string): string {
  const why = dnsNameProblem(name);
  // The record value is `<32 hex>.validation.<name>`: 44 characters of it are ours.
  if (why !== undefined || name.length > 253 - 44) {
    throw new TypeError(
      `dnsValidationDomain ${JSON.stringify(name)} is not usable: ${why ?? "it is too long"}.`,
    );
  }
  return name;
}
