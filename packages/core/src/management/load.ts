import { err, ok, type ResultAsync } from "neverthrow";
import type { Deps } from "../context.js";
import type { DomainValidation, Endpoint } from "../domain/types.js";
import type { DomainValidationRef } from "./domain-input.js";
import { fromStorage, fromVersionedUpdate, type ManagementError, notFound } from "./errors.js";

/** The endpoint, or `NotFound` naming the id asked for. */
export function load(deps: Deps, endpointId: string): ResultAsync<Endpoint, ManagementError> {
  return deps.storage.endpoints
    .get(endpointId)
    .mapErr(fromStorage("loading the endpoint"))
    .andThen((endpoint) =>
      endpoint === undefined ? err(notFound(`No endpoint ${endpointId}.`)) : ok(endpoint),
    );
}

/** The domain validation with its endpoint, or `NotFound` naming what is missing. */
export function loadDomain(
  deps: Deps,
  { endpointId, domainValidationId }: DomainValidationRef,
): ResultAsync<{ endpoint: Endpoint; domain: DomainValidation }, ManagementError> {
  return load(deps, endpointId).andThen((endpoint) =>
    deps.storage.domainValidations
      .get(endpoint.id, domainValidationId)
      .mapErr(fromStorage("loading the domain"))
      .andThen((domain) =>
        domain === undefined
          ? err(notFound(`No domain validation ${domainValidationId} in endpoint ${endpointId}.`))
          : ok({ endpoint, domain }),
      ),
  );
}

/** A versioned write of a domain validation; losing the race is a `Conflict`. */
export function saveDomain(
  deps: Deps,
  domain: DomainValidation,
): ResultAsync<DomainValidation, ManagementError> {
  return deps.storage.domainValidations
    .update(domain)
    .mapErr(fromVersionedUpdate("updating the domain", `Domain validation ${domain.id}`));
}
