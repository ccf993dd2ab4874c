import { err, ok, type Result } from "neverthrow";
import type { Deps } from "../context.js";
import type { Endpoint } from "../domain/types.js";
import { conflict, type ManagementError } from "./errors.js";

/*
 * Seed status lifecycle guards. CREATING and DELETING are operations in flight: the creating
 * call still has to write the endpoint's outcome with the version it holds, so any other write
 * meanwhile would strand it in CREATING. Hence every other change is a conflict until the
 * operation settles (or, for `delete`, until it counts as interrupted).
 */

/** `update` changes only ACTIVE endpoints. */
export function requireActive(endpoint: Endpoint): Result<Endpoint, ManagementError> {
  if (endpoint.status === "ACTIVE") return ok(endpoint);
  if (endpoint.status === "FAILED") {
    return err(
      conflict(
        `Endpoint ${endpoint.id} is FAILED (${endpoint.failureReason ?? "no reason recorded"}); only ACTIVE endpoints can be updated: delete it and create another.`,
      ),
    );
  }
  return err(inFlight(endpoint));
}

/** Tags may change on ACTIVE and FAILED endpoints: they describe the resource, not its service. */
export function requireSettled(endpoint: Endpoint): Result<Endpoint, ManagementError> {
  return endpoint.status === "CREATING" || endpoint.status === "DELETING"
    ? err(inFlight(endpoint))
    : ok(endpoint);
}

/** Domains and EAB credentials are records of their own; only a deletion in flight stops them. */
export function requireNotDeleting(endpoint: Endpoint): Result<Endpoint, ManagementError> {
  return endpoint.status === "DELETING" ? err(inFlight(endpoint)) : ok(endpoint);
}

/**
 * `delete` takes any endpoint except one whose create or delete is still in flight; past
 * `endpointOperationTimeoutMs` that operation counts as interrupted and `delete` takes over.
 */
export function requireDeletable(deps: Deps, endpoint: Endpoint): Result<Endpoint, ManagementError> {
  if (endpoint.status !== "CREATING" && endpoint.status !== "DELETING") return ok(endpoint);
  const since = Date.parse(endpoint.updatedAt);
  const interrupted = deps.clock.now().getTime() - since >= deps.settings.endpointOperationTimeoutMs;
  return interrupted ? ok(endpoint) : err(inFlight(endpoint));
}

function inFlight(endpoint: Endpoint): ManagementError {
  return endpoint.status === "CREATING"
    ? conflict(`Endpoint ${endpoint.id} is still being created (CREATING); retry when it is ACTIVE.`)
    : conflict(`Endpoint ${endpoint.id} is being deleted (DELETING).`);
}
