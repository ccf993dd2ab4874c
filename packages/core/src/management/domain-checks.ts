import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import type { DnsValidationRecord, DomainValidation } from "../domain/types.js";
import { afterPendingCheck, afterRevalidation, checkRecord, type DnsCheck } from "./domain-dns.js";
import type { DomainValidationRef } from "./domain-input.js";
import { requireNotDeleting } from "./endpoint-status.js";
import { conflict, fromStorage, type ManagementError } from "./errors.js";
import { load, loadDomain, saveDomain } from "./load.js";

type WithRecord = DomainValidation & { validationRecord: DnsValidationRecord };

const isPendingDns = (d: DomainValidation): d is WithRecord =>
  d.status === "PENDING_VALIDATION" && d.validationMethod === "DNS" && d.validationRecord !== undefined;

const isValidatedDns = (d: DomainValidation): d is WithRecord =>
  d.status === "SUCCESS" && d.validationMethod === "DNS" && d.validationRecord !== undefined;

/** The DNS look-ups of domain validation: one pending domain, all pending ones, re-validation. */
export function domainChecks(deps: Deps) {
  /** An unanswered lookup changes nothing, so the operator learns of it only from the log. */
  const lookup = async (domain: WithRecord): Promise<DnsCheck> => {
    const check = await checkRecord(deps.dns, domain.validationRecord);
    if (!check.found && !check.definite) {
      deps.logger.warn("DNS did not answer a domain validation lookup", {
        endpointId: domain.endpointId,
        domainValidationId: domain.id,
        detail: check.detail,
      });
    }
    return check;
  };
  const afterPending = (domain: DomainValidation, check: DnsCheck) =>
    afterPendingCheck(domain, check, deps.clock.now(), deps.settings.validationTimeoutMs);

  /** Looks up every domain of the endpoint that `pick` selects and stores what changed. */
  const recheck = (
    endpointId: string,
    pick: (d: DomainValidation) => d is WithRecord,
    next: (d: DomainValidation, check: DnsCheck) => DomainValidation | undefined,
  ): ResultAsync<readonly DomainValidation[], ManagementError> =>
    safeTry(async function* () {
      const endpoint = yield* requireNotDeleting(yield* load(deps, endpointId));
      const domains = yield* deps.storage.domainValidations
        .listByEndpoint(endpoint.id)
        .mapErr(fromStorage("listing domains"));
      const checked: DomainValidation[] = [];
      for (const domain of domains.filter(pick)) {
        const changed = next(domain, await lookup(domain));
        if (changed === undefined) {
          checked.push(domain);
          continue;
        }
        const stored = await deps.storage.domainValidations.update(changed);
        // Changed or deleted by another request meanwhile: its own outcome stands; skip it.
        if (stored.isErr() && stored.error.type === "conflict") continue;
        checked.push(yield* stored.mapErr(fromStorage("updating the domain")));
      }
      return ok(checked);
    });

  return {
    validate: (input: DomainValidationRef): ResultAsync<DomainValidation, ManagementError> =>
      safeTry(async function* () {
        const { endpoint, domain } = yield* loadDomain(deps, input);
        yield* requireNotDeleting(endpoint);
        if (!isPendingDns(domain)) return err(notValidatable(domain));
        const changed = afterPending(domain, await lookup(domain));
        return ok(changed === undefined ? domain : yield* saveDomain(deps, changed));
      }),

    checkPending: ({ endpointId }: { readonly endpointId: string }) =>
      recheck(endpointId, isPendingDns, afterPending),

    revalidate: ({ endpointId }: { readonly endpointId: string }) =>
      recheck(endpointId, isValidatedDns, (domain, check) =>
        afterRevalidation(domain, check, deps.clock.now()),
      ),
  };
}

function notValidatable(domain: DomainValidation): ManagementError {
  const what = `Domain validation ${domain.id} (${domain.domainName})`;
  switch (domain.status) {
    case "SUCCESS":
      return conflict(`${what} is already SUCCESS; revalidate re-checks validated domains.`);
    case "FAILED":
      return conflict(
        `${what} is FAILED (${domain.failureReason ?? "no reason recorded"}); delete it and create it again for a new record, or approve it by hand.`,
      );
    case "PENDING_VALIDATION":
      return conflict(`${what} has no DNS validation record; approve it by hand.`);
  }
}
