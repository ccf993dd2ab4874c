import { err, ok, type Result } from "neverthrow";
import type { StorageError } from "./storage.js";

/**
 * Rules of the storage port that every driver applies the same way, kept here so drivers call
 * them instead of each writing its own (and a fix lands in all of them at once).
 */

/** The port's bound on a page (`PageRequest.limit`: 1..1000). */
export const MAX_PAGE_LIMIT = 1000;

/** A limit out of bounds is the caller's bug; refusing it beats a page loop that never ends. */
export function checkPageLimit(limit: number): Result<number, StorageError> {
  if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_LIMIT) return ok(limit);
  return err({
    type: "invalid",
    message: `page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, not ${limit}`,
  });
}

/** A cursor the driver did not make. Quoted only in part: it is client input and may reach a response. */
export function invalidCursor(cursor: string): StorageError {
  return { type: "invalid", message: `malformed page cursor ${JSON.stringify(cursor.slice(0, 40))}` };
}

/** Why a versioned update changed nothing: the record is missing, its version moved on, or a
 * field that never changes (id, endpointId, an order's accountId…) was changed. */
export function versionConflict(
  kind: string,
  key: string,
  stored: { readonly version: number } | undefined,
  given: { readonly version: number },
): StorageError {
  const message =
    stored === undefined
      ? `no ${kind} ${key} to update`
      : stored.version !== given.version
        ? `${kind} ${key} is at version ${stored.version}, not ${given.version}`
        : `${kind} ${key}: a field that never changes was changed`;
  return { type: "conflict", message };
}

/** `endpoints.list` pages by (createdAt, id); the keyset cursor stays right as endpoints come and go. */
export interface EndpointCursor {
  readonly createdAt: string;
  readonly id: string;
}

export function encodeEndpointCursor(key: EndpointCursor): string {
  return JSON.stringify([key.createdAt, key.id]);
}

export function decodeEndpointCursor(cursor: string): EndpointCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(cursor);
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [createdAt, id] = parsed as unknown[];
    return typeof createdAt === "string" && typeof id === "string" ? { createdAt, id } : undefined;
  } catch {
    return undefined;
  }
}
