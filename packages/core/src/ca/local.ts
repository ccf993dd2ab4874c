import { err, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import type {
  CaError,
  CertificateAuthority,
  IssuedCertificate,
  IssueRequest,
} from "../ports/certificate-authority.js";
import { type Clock, systemClock } from "../ports/clock.js";
import type { CaMaterialStore, StorageError } from "../ports/storage.js";
import { type CaLevel, type CaLevelProfile, createCaLevel, decodeCaLevel } from "./ca-level.js";
import { issueLeaf, type LeafIssuer, leafIssuer } from "./leaf.js";
import { wholeSeconds, wholeSecondsMs } from "./x509-builder.js";

export interface LocalCertificateAuthorityOptions {
  /** Where the CA keys and certificates are kept (PEM), e.g. `storage.caMaterials`. */
  readonly store: CaMaterialStore;
  /** Curve of newly created CA keys; default "P-256". A CA already in the store keeps its key. */
  readonly keyAlgorithm?: "P-256" | "P-384";
  /** Leaf validity when the request names no notAfter; default 90 days. */
  readonly validityDays?: number;
  /** Default "acme-endpoints local": subjects "<prefix> root CA" and "<prefix> intermediate CA". */
  readonly commonNamePrefix?: string;
  readonly clock?: Clock;
}

export interface LocalCertificateAuthority extends CertificateAuthority {
  /** Root certificate PEM: what clients must trust (REQUESTS_CA_BUNDLE / LEGO_CA_CERTIFICATES). */
  rootCertificatePem(): ResultAsync<string, CaError>;
  /** Intermediate certificate PEM. */
  intermediateCertificatePem(): ResultAsync<string, CaError>;
}

/** Store names of the two levels; each holds the key PEM and certificate PEM as one blob. */
export const LOCAL_CA_ROOT = "local-ca/root";
export const LOCAL_CA_INTERMEDIATE = "local-ca/intermediate";

const DAY_MS = 86_400_000;
const ROOT_DAYS = 3650;
const INTERMEDIATE_DAYS = 1825;
/** Leaves start a minute in the past so clients with a slightly slow clock accept them at once. */
const LEAF_BACKDATE_MS = 60_000;
/** CA certificates are backdated more: they are made once and serve hosts with any clock. */
const CA_BACKDATE_MS = 3_600_000;

interface Hierarchy {
  readonly root: CaLevel;
  readonly issuer: LeafIssuer;
}

function caError(message: string, cause?: unknown): CaError {
  return { type: "caFailure", message, ...(cause === undefined ? {} : { cause }) };
}

const storeError = (error: StorageError): CaError =>
  caError(`local CA: the CA material store failed: ${error.message}`, error);

/**
 * A local certificate authority (root → intermediate → leaf) for development, tests and
 * private PKI. One hierarchy per store, shared by every endpoint; created on first use and
 * kept in the store, so restarts and other processes on the same database reuse it.
 */
export function createLocalCertificateAuthority(
  options: LocalCertificateAuthorityOptions,
): LocalCertificateAuthority {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const curve = options.keyAlgorithm ?? "P-256";
  const validityMs = (options.validityDays ?? 90) * DAY_MS;
  const prefix = options.commonNamePrefix ?? "acme-endpoints local";
  let loading: Promise<Result<Hierarchy, CaError>> | undefined;
  /** The hierarchy once a load succeeded: issuing from it then waits on nothing. */
  let loaded: Hierarchy | undefined;

  const profile = (level: string, days: number, notAfterCap?: Date): CaLevelProfile => {
    const notBefore = wholeSeconds(new Date(clock.now().getTime() - CA_BACKDATE_MS));
    const notAfter = wholeSeconds(new Date(notBefore.getTime() + days * DAY_MS));
    return {
      curve,
      commonName: `${prefix} ${level} CA`,
      notBefore,
      notAfter: notAfterCap && notAfterCap < notAfter ? notAfterCap : notAfter,
    };
  };

  /**
   * Loads a level, or creates it and stores it with putIfAbsent. When another process stored
   * its own first, putIfAbsent answers that one, and everyone converges on the stored blob.
   */
  const level = (name: string, create: () => ResultAsync<string, string>, issuer?: CaLevel) =>
    store
      .get(name)
      .mapErr(storeError)
      .andThen((stored) =>
        stored !== undefined
          ? okAsync<string, CaError>(stored)
          : create()
              .mapErr((message) => caError(`local CA: ${message}`))
              .andThen((created) => store.putIfAbsent(name, created).mapErr(storeError)),
      )
      .andThen((blob) =>
        decodeCaLevel(blob, issuer).mapErr((message) =>
          caError(`local CA: stored "${name}" is unusable: ${message}`),
        ),
      );

  const loadHierarchy = () =>
    safeTry(async function* () {
      const root = yield* level(LOCAL_CA_ROOT, () => createCaLevel(profile("root", ROOT_DAYS)));
      const intermediate = yield* level(
        LOCAL_CA_INTERMEDIATE,
        () => createCaLevel(profile("intermediate", INTERMEDIATE_DAYS, root.notAfter), root),
        root,
      );
      return ok({ root, issuer: leafIssuer(intermediate) });
    });

  /** The hierarchy, loaded once; a failed load (e.g. the store was down) is retried on next use. */
  const hierarchy = (): ResultAsync<Hierarchy, CaError> => {
    if (loading === undefined) {
      const attempt: Promise<Result<Hierarchy, CaError>> = Promise.resolve(loadHierarchy())
        .catch((cause: unknown) => err(caError("local CA: loading the CA failed", cause)))
        .then((result) => {
          if (result.isOk()) loaded = result.value;
          else if (loading === attempt) loading = undefined;
          return result;
        });
      loading = attempt;
    }
    return new ResultAsync(loading);
  };

  const validity = (
    request: IssueRequest,
    ca: CaLevel,
  ): Result<{ notBefore: Date; notAfter: Date }, CaError> => {
    if (!(validityMs > 0)) return err(caError("local CA: validityDays must be a positive number"));
    // Times as numbers (whole seconds, RFC 5280 §4.1.2.5) and compared as numbers; Dates only
    // for the two answered.
    const notBeforeMs = wholeSecondsMs(
      request.notBefore?.getTime() ?? clock.now().getTime() - LEAF_BACKDATE_MS,
    );
    if (Number.isNaN(notBeforeMs)) return err(caError("notBefore is not a valid date"));
    const caNotAfterMs = ca.notAfter.getTime();
    if (request.notAfter !== undefined) {
      const notAfterMs = wholeSecondsMs(request.notAfter.getTime());
      if (Number.isNaN(notAfterMs)) return err(caError("notAfter is not a valid date"));
      if (notAfterMs <= notBeforeMs) return err(caError("notAfter must be later than notBefore"));
      if (notAfterMs > caNotAfterMs) {
        return err(caError(`notAfter is past the issuing CA's expiry (${ca.notAfter.toISOString()})`));
      }
      return ok({ notBefore: new Date(notBeforeMs), notAfter: new Date(notAfterMs) });
    }
    // The default validity is cut at the issuing CA's expiry (RFC 5280 §6.1 would fail the chain past it).
    const notAfterMs = Math.min(notBeforeMs + validityMs, caNotAfterMs);
    if (notAfterMs <= notBeforeMs)
      return err(caError(`the issuing CA expired at ${ca.notAfter.toISOString()}`));
    return ok({ notBefore: new Date(notBeforeMs), notAfter: new Date(notAfterMs) });
  };

  const issueFrom = ({ issuer }: Hierarchy, request: IssueRequest): Result<IssuedCertificate, CaError> => {
    const valid = validity(request, issuer.ca);
    if (valid.isErr()) return err(valid.error);
    return issueLeaf(issuer, request, valid.value.notBefore, valid.value.notAfter);
  };

  return {
    provision: () => hierarchy().map(() => undefined),
    issue: (request): ResultAsync<IssuedCertificate, CaError> => {
      if (loaded === undefined) return hierarchy().andThen((h) => issueFrom(h, request));
      // Loaded: one settled promise, not a chain on the load's. A throw still rejects, as it
      // would inside andThen.
      try {
        return new ResultAsync(Promise.resolve(issueFrom(loaded, request)));
      } catch (cause) {
        return new ResultAsync(Promise.reject(cause));
      }
    },
    rootCertificatePem: () => hierarchy().map(({ root }) => root.certificatePem),
    intermediateCertificatePem: () => hierarchy().map(({ issuer }) => issuer.ca.certificatePem),
  };
}
