import { domainToASCII } from "node:url";
import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import { newId } from "../domain/ids.js";
import type { DomainScope, DomainValidation } from "../domain/types.js";
import { dnsNameProblem } from "../policy/identifiers.js";
import { load } from "./endpoints.js";
import { fromStorage, type ManagementError, notFound, validationError } from "./errors.js";

export interface AddDomainInput {
  readonly endpointId: string;
  /** Any case, trailing dot or Unicode (IDN): stored normalized as lower-case A-labels. */
  readonly domainName: string;
  /** Default: the exact domain only. */
  readonly scope?: Partial<DomainScope>;
}

export interface DomainsApi {
  /**
   * Adds a domain the operator has validated by hand (validationMethod MANUAL, status
   * SUCCESS): PRE_APPROVED orders for names it covers are authorized at once.
   */
  add(input: AddDomainInput): ResultAsync<DomainValidation, ManagementError>;
  list(input: { readonly endpointId: string }): ResultAsync<readonly DomainValidation[], ManagementError>;
  remove(input: {
    readonly endpointId: string;
    readonly domainValidationId: string;
  }): ResultAsync<void, ManagementError>;
}

/** Lower case, no trailing dot, IDNs as A-labels (UTS #46 via node:url). */
export function normalizeDomainName(input: string): string {
  const trimmed = input.trim().replace(/\.$/, "");
  return domainToASCII(trimmed) || trimmed.toLowerCase();
}

export function domainsApi(deps: Deps): DomainsApi {
  return {
    add: (input) =>
      safeTry(async function* () {
        if (typeof input.domainName !== "string")
          return err(validationError("domainName", "domainName must be a string."));
        const domainName = normalizeDomainName(input.domainName);
        const why = domainName.startsWith("*")
          ? "give the base domain and set scope.wildcards"
          : dnsNameProblem(domainName);
        if (why !== undefined) {
          return err(
            validationError(
              "domainName",
              `${JSON.stringify(input.domainName)} is not a valid domain name: ${why}.`,
            ),
          );
        }
        const scope: DomainScope = {
          exactDomain: input.scope?.exactDomain ?? true,
          subdomains: input.scope?.subdomains ?? false,
          wildcards: input.scope?.wildcards ?? false,
        };
        if (!scope.exactDomain && !scope.subdomains && !scope.wildcards) {
          return err(
            validationError("scope", "scope must allow at least one of exactDomain, subdomains, wildcards."),
          );
        }
        const endpoint = yield* load(deps, input.endpointId);
        if (endpoint.status === "DELETING") {
          return err<never, ManagementError>({ code: "Conflict", message: "The endpoint is being deleted." });
        }
        const existing = yield* deps.storage.domainValidations
          .listByEndpoint(endpoint.id)
          .mapErr(fromStorage("listing domains"));
        if (existing.some((d) => d.domainName === domainName)) {
          return err<never, ManagementError>({
            code: "Conflict",
            message: `${domainName} is already a domain of endpoint ${endpoint.id}; remove it first to change its scope.`,
          });
        }
        const now = deps.clock.now().toISOString();
        const stored = yield* deps.storage.domainValidations
          .insert({
            id: newId(),
            endpointId: endpoint.id,
            domainName,
            scope,
            status: "SUCCESS",
            validationMethod: "MANUAL",
            validatedAt: now,
            createdAt: now,
            version: 1,
          })
          .mapErr(fromStorage("adding the domain"));
        return ok(stored);
      }),

    list: ({ endpointId }) =>
      load(deps, endpointId).andThen((endpoint) =>
        deps.storage.domainValidations.listByEndpoint(endpoint.id).mapErr(fromStorage("listing domains")),
      ),

    remove: ({ endpointId, domainValidationId }) =>
      deps.storage.domainValidations
        .delete(endpointId, domainValidationId)
        .mapErr(fromStorage("removing the domain"))
        .andThen((removed) =>
          removed
            ? ok(undefined)
            : err(notFound(`No domain validation ${domainValidationId} in endpoint ${endpointId}.`)),
        ),
  };
}
