import type { EndpointStatus, Identifier } from "../domain/types.js";

/**
 * What happened, for audit logs, metrics exporters and notifications. Every event names its
 * endpoint; ACME events carry the request id (the adapter's `x-request-id` header, else one the
 * server made) so a log line leads back to the request. Events never carry secrets: no HMAC
 * keys, no private keys, no JWS bodies.
 */
export type AcmeEvent =
  | (AcmeEventBase & {
      readonly type: "account.created";
      readonly accountId: string;
      readonly externalAccountKeyId?: string;
    })
  | (AcmeEventBase & { readonly type: "account.deactivated"; readonly accountId: string })
  | (AcmeEventBase & { readonly type: "account.keyChanged"; readonly accountId: string })
  | (AcmeEventBase & {
      readonly type: "order.created";
      readonly accountId: string;
      readonly orderId: string;
      readonly identifiers: readonly Identifier[];
    })
  | (AcmeEventBase & {
      readonly type: "certificate.issued";
      readonly accountId: string;
      readonly orderId: string;
      readonly serial: string;
      readonly identifiers: readonly Identifier[];
      readonly notAfter: string;
    })
  | (AcmeEventBase & {
      readonly type: "certificate.issuanceFailed";
      readonly accountId: string;
      readonly orderId: string;
      /** Why, as a short category: badCSR problem types and the CA. */
      readonly reason: IssuanceFailureReason;
      readonly detail: string;
    })
  | (AcmeEventBase & {
      readonly type: "certificate.revoked";
      readonly accountId?: string;
      readonly serial: string;
      readonly reason: number;
    })
  | (AcmeEventBase & {
      /** A valid, not yet renewed certificate entered an expiry window (`certificates.checkExpiring`). */
      readonly type: "certificate.expiring";
      readonly serial: string;
      readonly identifiers: readonly Identifier[];
      readonly notAfter: string;
      /** Whole days left, rounded down. */
      readonly daysLeft: number;
      /** The window entered, in days (e.g. 30 or 7). */
      readonly window: number;
    })
  | (AcmeEventBase & {
      readonly type: "endpoint.updated";
      /** The settings or tags that changed, by field name (values are in the endpoint). */
      readonly changed: readonly string[];
    })
  | (AcmeEventBase & {
      readonly type: "externalAccountKey.created" | "externalAccountKey.revoked";
      readonly keyId: string;
    })
  | (AcmeEventBase & {
      readonly type: "endpoint.statusChanged";
      readonly from?: EndpointStatus;
      readonly to: EndpointStatus | "DELETED";
      readonly reason?: string;
    });

/** CertificateIssuanceFailed dimensions (seed monitoring). */
export type IssuanceFailureReason =
  | "keyAlgorithm"
  | "identifierMismatch"
  | "badCSR"
  | "orderNotReady"
  | "caFailure"
  | "storageFailure";

export interface AcmeEventBase {
  readonly endpointId: string;
  /** ISO 8601, from the server's clock. */
  readonly at: string;
  readonly requestId?: string;
}

/**
 * Receives events. It is called after the fact and never awaited by issuance: a sink that
 * throws or hangs cannot break a request (the server catches and logs the throw).
 */
export interface EventSink {
  emit(event: AcmeEvent): void | Promise<void>;
  /**
   * The event types this sink wants; absent, every type. The server hands a sink only those,
   * and does not even make an event that no sink wants (most requests emit some).
   */
  readonly types?: readonly AcmeEvent["type"][];
}
