import { domainToASCII } from "node:url";
import { err, ok, type Result, safeTry } from "neverthrow";
import type { DomainScope } from "../domain/types.js";
import { dnsNameProblem } from "../policy/identifiers.js";
import { type ManagementError, validationError } from "./errors.js";
import { isRecord, knownFields } from "./validate.js";

export interface AddDomainInput {
  readonly endpointId: string;
  /** Any case, trailing dot or Unicode (IDN): stored normalized as lower-case A-labels. */
  readonly domainName: string;
  /** Default: the exact domain only. */
  readonly scope?: Partial<DomainScope>;
}

/** Names one domain validation resource of an endpoint. */
export interface DomainValidationRef {
  readonly endpointId: string;
  readonly domainValidationId: string;
}

/** `domains.create` takes what `domains.add` takes; only the validation differs. */
export type CreateDomainInput = AddDomainInput;

/** Lower case, no trailing dot, IDNs as A-labels (UTS #46 via node:url). */
export function normalizeDomainName(input: string): string {
  const trimmed = input.trim().replace(/\.$/, "");
  return domainToASCII(trimmed) || trimmed.toLowerCase();
}

export function validateDomainInput(
  input: AddDomainInput,
): Result<{ domainName: string; scope: DomainScope }, ManagementError> {
  return safeTry(function* () {
    if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
    yield* knownFields(input, ["endpointId", "domainName", "scope"]);
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
    return ok({ domainName, scope: yield* validateScope(input.scope) });
  });
}

function validateScope(value: unknown): Result<DomainScope, ManagementError> {
  return safeTry(function* () {
    if (value !== undefined && !isRecord(value)) {
      return err(
        validationError("scope", "scope must be an object: { exactDomain, subdomains, wildcards }."),
      );
    }
    const given = value ?? {};
    yield* knownFields(given, ["exactDomain", "subdomains", "wildcards"], "scope.");
    for (const flag of ["exactDomain", "subdomains", "wildcards"]) {
      if (given[flag] !== undefined && typeof given[flag] !== "boolean")
        return err(validationError(`scope.${flag}`, `scope.${flag} must be true or false.`));
    }
    const scope: DomainScope = {
      exactDomain: (given.exactDomain as boolean | undefined) ?? true,
      subdomains: (given.subdomains as boolean | undefined) ?? false,
      wildcards: (given.wildcards as boolean | undefined) ?? false,
    };
    if (!scope.exactDomain && !scope.subdomains && !scope.wildcards) {
      return err(
        validationError("scope", "scope must allow at least one of exactDomain, subdomains, wildcards."),
      );
    }
    return ok(scope);
  });
}
