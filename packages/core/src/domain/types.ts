/**
 * The records the core keeps through the storage port. Field names follow RFC 8555 and the
 * managed-endpoint seed; every mutable record carries a `version` for optimistic concurrency
 * (a stale update is refused by storage with a `conflict`).
 */

/** RFC 8555 §9.7.7: only "dns" identifiers are issued for (no RFC 8738 IP identifiers yet). */
export interface Identifier {
  readonly type: "dns";
  readonly value: string;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Endpoint status lifecycle (seed): CREATING → ACTIVE | FAILED; DELETING, then gone. */
export type EndpointStatus = "CREATING" | "ACTIVE" | "FAILED" | "DELETING";

export type AuthorizationBehavior = "PRE_APPROVED";
export type ContactPolicy = "REQUIRED" | "NOT_REQUIRED";
/** RFC 8555 §7.3.4: whether newAccount must carry an external account binding. */
export type ExternalAccountBindingPolicy = "REQUIRED" | "NOT_REQUIRED";
/** Certificate key types an endpoint may enforce on CSRs (seed: AllowedKeyAlgorithms). */
export type KeyAlgorithm = "RSA_2048" | "EC_prime256v1" | "EC_secp384r1";

export interface EndpointCertificateAuthority {
  /** Unset or empty: no key-algorithm enforcement. */
  readonly allowedKeyAlgorithms?: readonly KeyAlgorithm[];
}

/** One RFC 8555 §6.6 rate limit: at most `count` per `windowMs`, refilled evenly. */
export interface RateLimitSetting {
  readonly count: number;
  readonly windowMs: number;
}

/**
 * Per-endpoint rate limits (RFC 8555 §6.6), opt-in: an absent limit is not enforced.
 * See the README (Rate limits) for what each counts and its defaults.
 */
export interface EndpointRateLimits {
  /** newAccount requests that would create an account, per client IP address. */
  readonly newAccountsPerIp?: RateLimitSetting;
  /** Orders created, per account. */
  readonly newOrdersPerAccount?: RateLimitSetting;
  /** Finalizes that go on to issuance, per registered domain (last two labels) of the order. */
  readonly certificatesPerDomain?: RateLimitSetting;
}

export interface Endpoint {
  /** UUID; the path segment of every ACME URL of this endpoint. */
  readonly id: string;
  /** ARN-like identifier for the management API. */
  readonly arn: string;
  readonly status: EndpointStatus;
  readonly failureReason?: string;
  readonly authorizationBehavior: AuthorizationBehavior;
  readonly contact: ContactPolicy;
  readonly externalAccountBinding: ExternalAccountBindingPolicy;
  readonly certificateAuthority: EndpointCertificateAuthority;
  readonly certificateTags: readonly Tag[];
  /** Unset (the default): no rate limits at this endpoint. */
  readonly rateLimits?: EndpointRateLimits;
  /** Endpoint resource tags; the name is the `Name` tag. */
  readonly tags: readonly Tag[];
  /**
   * The create request's idempotency token and a hash of its input: the same token with the same
   * input finds this endpoint again; with other input it is a conflict. Unique across endpoints.
   */
  readonly idempotency?: { readonly token: string; readonly inputHash: string };
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** What PRE_APPROVED coverage of a domain validation resource includes. */
export interface DomainScope {
  /** The domain name itself. */
  readonly exactDomain: boolean;
  /** Any name below it (a.example.com, b.a.example.com). */
  readonly subdomains: boolean;
  /** Wildcard identifiers (*.example.com, and *.sub.example.com when subdomains is set). */
  readonly wildcards: boolean;
}

export type DomainValidationStatus = "PENDING_VALIDATION" | "SUCCESS" | "FAILED";

export interface DomainValidation {
  readonly id: string;
  readonly endpointId: string;
  /** Normalized: lower case, A-labels, no trailing dot. */
  readonly domainName: string;
  readonly scope: DomainScope;
  readonly status: DomainValidationStatus;
  /** How the domain was validated: by hand by the operator, or by a DNS record. */
  readonly validationMethod: "MANUAL" | "DNS";
  /** For DNS validation: the record the domain owner publishes. */
  readonly validationRecord?: DnsValidationRecord;
  readonly validatedAt?: string;
  /** When the DNS record was last looked up. */
  readonly lastCheckedAt?: string;
  /** Why validation failed (status FAILED). */
  readonly failureReason?: string;
  readonly createdAt: string;
  readonly version: number;
}

/** A DNS record that proves control of a domain (like ACM's DNS validation CNAME). */
export interface DnsValidationRecord {
  readonly type: "CNAME" | "TXT";
  /** Fully qualified name, no trailing dot. */
  readonly name: string;
  readonly value: string;
}

/** RFC 8555 §7.1.6 account status. */
export type AccountStatus = "valid" | "deactivated" | "revoked";

export interface Account {
  readonly id: string;
  readonly endpointId: string;
  readonly status: AccountStatus;
  /** The account's public key (RFC 7517), without any private members. */
  readonly jwk: JsonWebKeyPublic;
  /** RFC 7638 SHA-256 thumbprint of `jwk`: unique per endpoint. */
  readonly thumbprint: string;
  readonly contact: readonly string[];
  readonly termsOfServiceAgreed: boolean;
  /** RFC 8555 §7.3.4: the external account key that bound this account, if any. */
  readonly externalAccountBinding?: { readonly keyId: string };
  readonly createdAt: string;
  readonly version: number;
}

export type ExternalAccountKeyStatus = "ACTIVE" | "REVOKED";

/**
 * RFC 8555 §7.3.4 external account binding credential of one endpoint: a key id and a 256-bit
 * HMAC key (base64url). The HMAC key is kept because verifying a binding needs it; the
 * management API shows it once, at creation.
 */
export interface ExternalAccountKey {
  readonly keyId: string;
  readonly endpointId: string;
  readonly hmacKey: string;
  readonly status: ExternalAccountKeyStatus;
  readonly expiresAt?: string;
  readonly tags: readonly Tag[];
  readonly createdAt: string;
  readonly revokedAt?: string;
  /** When an account was last bound with it. */
  readonly lastUsedAt?: string;
  readonly version: number;
}

export interface JsonWebKeyPublic {
  readonly kty: string;
  readonly [member: string]: unknown;
}

/** RFC 8555 §7.1.6 order status. */
export type OrderStatus = "pending" | "ready" | "processing" | "valid" | "invalid";

export interface ProblemRecord {
  readonly type: string;
  readonly detail: string;
  readonly status: number;
}

export interface Order {
  readonly id: string;
  readonly endpointId: string;
  readonly accountId: string;
  readonly status: OrderStatus;
  readonly identifiers: readonly Identifier[];
  readonly authorizationIds: readonly string[];
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly expires: string;
  readonly error?: ProblemRecord;
  /** Serial (lower-case hex) of the certificate issued for this order, once `valid`. */
  readonly certificateSerial?: string;
  /** When finalize moved the order to `processing`: an order stuck there past the server's
   * `processingTimeoutMs` was interrupted (a crash mid-issuance) and is made `ready` again. */
  readonly processingSince?: string;
  readonly createdAt: string;
  readonly version: number;
}

/** RFC 8555 §7.1.6 authorization status. */
export type AuthorizationStatus = "pending" | "valid" | "invalid" | "deactivated" | "expired" | "revoked";
export type ChallengeStatus = "pending" | "processing" | "valid" | "invalid";
export type ChallengeType = "http-01" | "dns-01" | "tls-alpn-01";

export interface Challenge {
  readonly id: string;
  readonly type: ChallengeType;
  readonly status: ChallengeStatus;
  readonly token: string;
  readonly validated?: string;
}

export interface Authorization {
  readonly id: string;
  readonly endpointId: string;
  readonly accountId: string;
  readonly identifier: Identifier;
  readonly wildcard: boolean;
  readonly status: AuthorizationStatus;
  readonly expires: string;
  readonly challenges: readonly Challenge[];
  /** The domain validation resource that pre-approved this authorization. */
  readonly domainValidationId?: string;
  readonly createdAt: string;
  readonly version: number;
}

export type CertificateStatus = "valid" | "revoked";

export interface CertificateRecord {
  /** Lower-case hex serial number without leading zeros; unique across the server. */
  readonly serial: string;
  readonly endpointId: string;
  readonly accountId: string;
  readonly orderId: string;
  readonly identifiers: readonly Identifier[];
  /** Leaf first, then the issuing chain, PEM (application/pem-certificate-chain). */
  readonly chainPem: string;
  /** base64url SHA-256 of the leaf's SubjectPublicKeyInfo: revocation by the certificate key. */
  readonly publicKeyThumbprint: string;
  readonly keyAlgorithm: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly status: CertificateStatus;
  readonly revokedAt?: string;
  /** RFC 5280 §5.3.1 CRLReason code. */
  readonly revocationReason?: number;
  readonly tags: readonly Tag[];
  /** Set when the endpoint that issued it was deleted: the record stays for the inventory. */
  readonly endpointDeleted?: boolean;
  /**
   * Serial of a later certificate of the same endpoint for the same identifier set: set by
   * storage when that one is inserted (see `CertificateStore.insert`).
   */
  readonly renewedBy?: string;
  /** Expiry windows (days) already announced by `certificates.checkExpiring`. */
  readonly expiryNotified?: readonly number[];
  readonly createdAt: string;
  readonly version: number;
}
