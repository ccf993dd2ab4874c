import type { KeyObject } from "node:crypto";
import type { ResultAsync } from "neverthrow";

/** An identifier the CA puts in the subjectAltName: DNS names, and IPs for local TLS. */
export interface SubjectAltName {
  readonly type: "dns" | "ip";
  readonly value: string;
}

export interface IssueRequest {
  readonly endpointId: string;
  /** The certificate's public key, from the verified CSR. */
  readonly publicKey: KeyObject;
  readonly names: readonly SubjectAltName[];
  /** Requested validity (RFC 8555 §7.4 notBefore/notAfter); the CA's default when absent. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface IssuedCertificate {
  /** Lower-case hex, no leading zeros. */
  readonly serial: string;
  /** Leaf first, then the intermediate(s), PEM. */
  readonly chainPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface CaError {
  readonly type: "caFailure";
  readonly message: string;
  readonly cause?: unknown;
}

/** The certificate authority (signer) port. */
export interface CertificateAuthority {
  /**
   * Makes the issuing CA for an endpoint ready (creates or loads keys). Called when an
   * endpoint is created: an error moves the endpoint to FAILED with the message as reason.
   */
  provision(endpointId: string): ResultAsync<void, CaError>;
  issue(request: IssueRequest): ResultAsync<IssuedCertificate, CaError>;
}
