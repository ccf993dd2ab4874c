import { err, ok, type Result } from "neverthrow";
import type { CertificateSummary, StorageError } from "./storage.js";

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

const DAY_MS = 86_400_000;

/**
 * The instants a `CertificateSummary` counts up to (ISO 8601, so they compare with `notAfter`
 * as strings): now, and now + 7, 30 and 60 days. Drivers count "notAfter <= instant"; the
 * buckets are the differences (`summaryFromCounts`).
 */
export function summaryInstants(now: string): {
  readonly now: string;
  readonly in7Days: string;
  readonly in30Days: string;
  readonly in60Days: string;
} {
  const nowMs = Date.parse(now);
  const inDays = (days: number) => new Date(nowMs + days * DAY_MS).toISOString();
  return { now, in7Days: inDays(7), in30Days: inDays(30), in60Days: inDays(60) };
}

/** Cumulative counts a driver takes, each as of the `summaryInstants` of one `now`. */
export interface SummaryCounts {
  readonly total: number;
  readonly revoked: number;
  /** Status `valid` (not revoked), whatever its notAfter. */
  readonly valid: number;
  /** Status `valid` with notAfter <= now, now + 7, + 30, + 60 days. */
  readonly validUpTo: {
    readonly now: number;
    readonly in7Days: number;
    readonly in30Days: number;
    readonly in60Days: number;
  };
  /** `renewedBy` set. */
  readonly renewed: number;
  /** Status `valid` and not renewed ("open"), whatever its notAfter. */
  readonly open: number;
  /** Open with notAfter <= now, now + 30 days. */
  readonly openUpTo: { readonly now: number; readonly in30Days: number };
}

/** The summary's buckets from cumulative counts: the same arithmetic for every driver. */
export function summaryFromCounts(c: SummaryCounts): CertificateSummary {
  const expired = c.validUpTo.now;
  const overdue = c.openUpTo.now;
  const due = c.openUpTo.in30Days - overdue;
  return {
    total: c.total,
    byStatus: { valid: c.valid - expired, expired, revoked: c.revoked },
    expiry: {
      expired,
      within7Days: c.validUpTo.in7Days - expired,
      within30Days: c.validUpTo.in30Days - c.validUpTo.in7Days,
      within60Days: c.validUpTo.in60Days - c.validUpTo.in30Days,
      later: c.valid - c.validUpTo.in60Days,
    },
    renewal: {
      renewed: c.renewed,
      revoked: c.total - c.renewed - c.open,
      overdue,
      due,
      current: c.open - overdue - due,
    },
  };
}
