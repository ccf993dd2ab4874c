/**
 * The one table of RFC 8555 §6.7 error types and their HTTP status, and the constructors every
 * handler uses. Every error response is an RFC 7807 problem document
 * (`application/problem+json`) with `type`, `detail` and `status`.
 */
import type { Identifier } from "./domain/types.js";

export const ACME_ERROR_NS = "urn:ietf:params:acme:error:";

/** RFC 8555 §6.7, Table: error type → default HTTP status. */
export const PROBLEM_STATUS = {
  accountDoesNotExist: 400,
  alreadyRevoked: 400,
  badCSR: 400,
  badNonce: 400,
  badPublicKey: 400,
  badRevocationReason: 400,
  badSignatureAlgorithm: 400,
  caa: 403,
  compound: 400,
  connection: 400,
  dns: 400,
  externalAccountRequired: 400,
  incorrectResponse: 400,
  invalidContact: 400,
  malformed: 400,
  orderNotReady: 403,
  rateLimited: 429,
  rejectedIdentifier: 400,
  serverInternal: 500,
  tls: 400,
  unauthorized: 403,
  unsupportedContact: 400,
  unsupportedIdentifier: 400,
  userActionRequired: 403,
} as const;

export type ProblemType = keyof typeof PROBLEM_STATUS;

/** RFC 8555 §6.7.1: a problem about one identifier of a request. */
export interface Subproblem {
  readonly type: ProblemType;
  readonly detail: string;
  readonly identifier: Identifier;
}

export interface AcmeProblem {
  readonly type: ProblemType;
  readonly detail: string;
  readonly status: number;
  readonly subproblems?: readonly Subproblem[];
  /** RFC 8555 §6.2: with badSignatureAlgorithm, the algorithms the server accepts. */
  readonly algorithms?: readonly string[];
  /** Extra response headers (Location for a keyChange conflict, Retry-After, Allow). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ProblemExtras {
  readonly status?: number;
  readonly subproblems?: readonly Subproblem[];
  readonly algorithms?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

export function problem(type: ProblemType, detail: string, extras: ProblemExtras = {}): AcmeProblem {
  return { type, detail, status: extras.status ?? PROBLEM_STATUS[type], ...withoutStatus(extras) };
}

function withoutStatus({ status: _status, ...rest }: ProblemExtras): Omit<ProblemExtras, "status"> {
  return rest;
}

/** The wire form (RFC 7807 + RFC 8555 §6.7). */
export function problemDocument(p: AcmeProblem): Record<string, unknown> {
  const doc: Record<string, unknown> = { type: ACME_ERROR_NS + p.type, detail: p.detail, status: p.status };
  if (p.subproblems && p.subproblems.length > 0) {
    doc.subproblems = p.subproblems.map((s) => ({
      type: ACME_ERROR_NS + s.type,
      detail: s.detail,
      identifier: s.identifier,
    }));
  }
  if (p.algorithms) doc.algorithms = p.algorithms;
  return doc;
}

/** A storage or CA failure: the cause goes to the log, never to the client. */
export const internalProblem = (): AcmeProblem =>
  problem(
    "serverInternal",
    "The server could not complete the request; the failure was logged. Retry later.",
  );
