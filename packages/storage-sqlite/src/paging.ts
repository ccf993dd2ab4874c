import type { StorageError } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";

/** The port's bound on a page (`PageRequest.limit`: 1..1000). */
export const MAX_PAGE_LIMIT = 1000;

/** A limit out of bounds is the caller's bug; refusing it beats a page loop that never ends. */
export function checkLimit(limit: number): Result<number, StorageError> {
  if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_LIMIT) return ok(limit);
  return err({
    type: "invalid",
    message: `page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, not ${limit}`,
  });
}

export function malformedCursor(cursor: string): StorageError {
  return { type: "invalid", message: `malformed page cursor ${JSON.stringify(cursor)}` };
}
