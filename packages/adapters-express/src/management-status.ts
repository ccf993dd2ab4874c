import type { ManagementError } from "@acme-endpoints/core";

/** The one mapping of management error codes to HTTP statuses, for every JSON router here. */
export const MANAGEMENT_ERROR_STATUS: Record<ManagementError["code"], number> = {
  ValidationError: 400,
  NotFound: 404,
  Conflict: 409,
  StorageFailure: 500,
};
