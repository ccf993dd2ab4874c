export type { LocalCertificateAuthority, LocalCertificateAuthorityOptions } from "./ca/local.js";
export { createLocalCertificateAuthority } from "./ca/local.js";
export type { DirectoryMeta, HandleOptions, Limits, ServerSettings } from "./context.js";
export type {
  Account,
  AccountStatus,
  Authorization,
  AuthorizationBehavior,
  AuthorizationStatus,
  CertificateRecord,
  CertificateStatus,
  Challenge,
  ChallengeStatus,
  ChallengeType,
  ContactPolicy,
  DnsValidationRecord,
  DomainScope,
  DomainValidation,
  DomainValidationStatus,
  Endpoint,
  EndpointCertificateAuthority,
  EndpointRateLimits,
  EndpointStatus,
  ExternalAccountBindingPolicy,
  ExternalAccountKey,
  ExternalAccountKeyStatus,
  Identifier,
  JsonWebKeyPublic,
  KeyAlgorithm,
  Order,
  OrderStatus,
  ProblemRecord,
  RateLimitSetting,
  Tag,
} from "./domain/types.js";
export type { AuditLogOptions } from "./events/audit-log.js";
export { createAuditLog } from "./events/audit-log.js";
export type { AcmeHttpRequest, AcmeHttpResponse } from "./http/message.js";
export type {
  CertificateDescription,
  CertificateDetails,
  CertificatePage,
  CertificatesApi,
  CheckExpiringInput,
  ExpiringAnnouncement,
  ListCertificatesInput,
  RenewalStatus,
} from "./management/certificates.js";
export type {
  AddDomainInput,
  CreateDomainInput,
  DomainsApi,
  DomainValidationRef,
} from "./management/domains.js";
export { normalizeDomainName } from "./management/domains.js";
export type {
  CreateExternalAccountKeyInput,
  ExternalAccountKeyCredentials,
  ExternalAccountKeyDescription,
  ExternalAccountKeyRef,
  ExternalAccountKeysApi,
} from "./management/eab.js";
export type { EndpointRateLimitsInput } from "./management/endpoint-input.js";
export { DEFAULT_RATE_LIMITS } from "./management/endpoint-input.js";
export type {
  CreateEndpointInput,
  EndpointDescription,
  EndpointPage,
  EndpointsApi,
  ListEndpointsInput,
  ListTagsInput,
  TagEndpointInput,
  UntagEndpointInput,
  UpdateEndpointInput,
} from "./management/endpoints.js";
export type { ManagementError } from "./management/errors.js";
export type { GetMetricInput, MetricDatapoint, MetricSeries, MetricsApi } from "./management/metrics.js";
export { ISSUANCE_METRICS, MAX_DATAPOINTS } from "./management/metrics.js";
export { metricsRecorder } from "./metrics/recorder.js";
export { KEY_ALGORITHMS } from "./policy/key-algorithm.js";
export type {
  CaError,
  CertificateAuthority,
  IssuedCertificate,
  IssueRequest,
  SubjectAltName,
} from "./ports/certificate-authority.js";
export type { Clock } from "./ports/clock.js";
export { systemClock } from "./ports/clock.js";
export type { DnsError, DnsResolver, NodeDnsResolverOptions, StaticDnsResolver } from "./ports/dns.js";
export { createNodeDnsResolver, createStaticDnsResolver } from "./ports/dns.js";
export type { AcmeEvent, AcmeEventBase, EventSink, IssuanceFailureReason } from "./ports/events.js";
export type { Logger } from "./ports/logger.js";
export { consoleLogger } from "./ports/logger.js";
export type {
  MemoryRateLimiterOptions,
  RateLimit,
  RateLimitDecision,
  RateLimiter,
  RateLimiterError,
} from "./ports/rate-limiter.js";
export { createMemoryRateLimiter } from "./ports/rate-limiter.js";
export type {
  AccountStore,
  AcmeStorage,
  AcmeStores,
  AuthorizationStore,
  CaMaterialStore,
  CertificateFilter,
  CertificateStore,
  CertificateSummary,
  DomainValidationStore,
  EndpointStore,
  ExternalAccountKeyStore,
  InventoryStatus,
  IssuanceMetric,
  MetricBucket,
  MetricIncrement,
  MetricPeriod,
  MetricQuery,
  MetricStore,
  NonceStore,
  OrderStore,
  Page,
  PageRequest,
  RateLimitStore,
  RateLimitTake,
  RateLimitTaken,
  StorageError,
  StorageResult,
} from "./ports/storage.js";
export {
  bucketStart,
  gcraStep,
  identifierSetKey,
  METRIC_PERIODS,
  rateLimitTakeProblem,
} from "./ports/storage.js";
export { createStorageRateLimiter } from "./ports/storage-rate-limiter.js";
export type { EndpointCursor, SummaryCounts } from "./ports/storage-rules.js";
export {
  checkPageLimit,
  decodeEndpointCursor,
  encodeEndpointCursor,
  invalidCursor,
  MAX_PAGE_LIMIT,
  summaryFromCounts,
  summaryInstants,
  versionConflict,
} from "./ports/storage-rules.js";
export type { AcmeProblem, ProblemType, Subproblem } from "./problems.js";
export { ACME_ERROR_NS, PROBLEM_STATUS, problem, problemDocument } from "./problems.js";
export type { AcmeServer, AcmeServerOptions } from "./server.js";
export { createAcmeServer, DEFAULT_LIMITS } from "./server.js";
