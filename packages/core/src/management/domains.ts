import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import { newId } from "../domain/ids.js";
import type { DomainScope, DomainValidation } from "../domain/types.js";
import { domainChecks } from "./domain-checks.js";
import { newValidationRecord } from "./domain-dns.js";
import {
  type AddDomainInput,
  type CreateDomainInput,
  type DomainValidationRef,
  validateDomainInput,
} from "./domain-input.js";
import { requireNotDeleting } from "./endpoint-status.js";
import { conflict, fromStorage, type ManagementError, notFound } from "./errors.js";
import { load, loadDomain, saveDomain } from "./load.js";

export type { AddDomainInput, CreateDomainInput, DomainValidationRef } from "./domain-input.js";
export { normalizeDomainName } from "./domain-input.js";

export interface DomainsApi {
  /**
   * Starts DNS validation of a domain: status PENDING_VALIDATION, and the `validationRecord`
   * (a CNAME) the domain owner must publish. `validate`/`checkPending` look it up.
   */
  create(input: CreateDomainInput): ResultAsync<DomainValidation, ManagementError>;
  /**
   * Adds a domain the operator has validated by hand (validationMethod MANUAL, status
   * SUCCESS): `create` and `approve` in one step.
   */
  add(input: AddDomainInput): ResultAsync<DomainValidation, ManagementError>;
  describe(input: DomainValidationRef): ResultAsync<DomainValidation, ManagementError>;
  list(input: { readonly endpointId: string }): ResultAsync<readonly DomainValidation[], ManagementError>;
  /** Removes the domain; PRE_APPROVED orders stop being authorized by it. */
  delete(input: DomainValidationRef): ResultAsync<void, ManagementError>;
  /**
   * The operator vouches for the domain (private PKI): SUCCESS with validationMethod MANUAL,
   * whatever its state; re-validation leaves MANUAL domains alone.
   */
  approve(input: DomainValidationRef): ResultAsync<DomainValidation, ManagementError>;
  /**
   * Looks up a PENDING_VALIDATION domain's record: SUCCESS when found; else still pending until
   * `limits.validationTimeoutMs` after its creation, then FAILED with the reason.
   */
  validate(input: DomainValidationRef): ResultAsync<DomainValidation, ManagementError>;
  /** `validate` for every PENDING_VALIDATION domain of the endpoint; answers those it checked. */
  checkPending(input: {
    readonly endpointId: string;
  }): ResultAsync<readonly DomainValidation[], ManagementError>;
  /**
   * Re-checks the endpoint's SUCCESS DNS-validated domains: one whose record DNS says is gone or
   * changed becomes FAILED (coverage revoked). Unanswered lookups change nothing. Answers the
   * domains it checked, as they are now. Run it (and `checkPending`) on a schedule.
   */
  revalidate(input: {
    readonly endpointId: string;
  }): ResultAsync<readonly DomainValidation[], ManagementError>;
}

export function domainsApi(deps: Deps): DomainsApi {
  const now = () => deps.clock.now().toISOString();

  /** Inserts unless the endpoint has the name already; one transaction, so racing adds make one. */
  const insertUnique = (domain: DomainValidation) =>
    deps.storage
      .transaction((tx) =>
        tx.domainValidations
          .listByEndpoint(domain.endpointId)
          .mapErr(fromStorage("listing domains"))
          .andThen((existing) =>
            existing.some((d) => d.domainName === domain.domainName)
              ? err(
                  conflict(
                    `${domain.domainName} is already a domain of endpoint ${domain.endpointId}; delete it first to change its scope or validate it again.`,
                  ),
                )
              : tx.domainValidations.insert(domain).mapErr(fromStorage("adding the domain")),
          ),
      )
      .mapErr((e) => ("code" in e ? e : fromStorage("adding the domain")(e)));

  const begin = (input: AddDomainInput) =>
    safeTry(async function* () {
      const { domainName, scope } = yield* validateDomainInput(input);
      const endpoint = yield* requireNotDeleting(yield* load(deps, input.endpointId));
      return ok({ endpointId: endpoint.id, domainName, scope });
    });

  return {
    create: (input) =>
      safeTry(async function* () {
        const { endpointId, domainName, scope } = yield* begin(input);
        const validationRecord = yield* newValidationRecord(domainName, deps.settings.dnsValidationDomain);
        return ok(
          yield* insertUnique({
            ...record(endpointId, domainName, scope, now()),
            status: "PENDING_VALIDATION",
            validationMethod: "DNS",
            validationRecord,
          }),
        );
      }),

    add: (input) =>
      safeTry(async function* () {
        const { endpointId, domainName, scope } = yield* begin(input);
        const at = now();
        return ok(
          yield* insertUnique({
            ...record(endpointId, domainName, scope, at),
            status: "SUCCESS",
            validationMethod: "MANUAL",
            validatedAt: at,
          }),
        );
      }),

    describe: (input) => loadDomain(deps, input).map(({ domain }) => domain),

    list: ({ endpointId }) =>
      load(deps, endpointId).andThen((endpoint) =>
        deps.storage.domainValidations.listByEndpoint(endpoint.id).mapErr(fromStorage("listing domains")),
      ),

    delete: ({ endpointId, domainValidationId }) =>
      safeTry(async function* () {
        const endpoint = yield* requireNotDeleting(yield* load(deps, endpointId));
        const removed = yield* deps.storage.domainValidations
          .delete(endpoint.id, domainValidationId)
          .mapErr(fromStorage("deleting the domain"));
        return removed
          ? ok(undefined)
          : err(notFound(`No domain validation ${domainValidationId} in endpoint ${endpointId}.`));
      }),

    approve: (input) =>
      safeTry(async function* () {
        const { endpoint, domain } = yield* loadDomain(deps, input);
        yield* requireNotDeleting(endpoint);
        if (domain.status === "SUCCESS" && domain.validationMethod === "MANUAL") return ok(domain);
        const { failureReason: _reason, ...rest } = domain;
        const approved: DomainValidation = {
          ...rest,
          status: "SUCCESS",
          validationMethod: "MANUAL",
          validatedAt: now(),
        };
        return ok(yield* saveDomain(deps, approved));
      }),

    ...domainChecks(deps),
  };
}

function record(endpointId: string, domainName: string, scope: DomainScope, createdAt: string) {
  return { id: newId(), endpointId, domainName, scope, createdAt, version: 1 };
}
