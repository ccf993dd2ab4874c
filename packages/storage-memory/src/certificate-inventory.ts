import type {
  CertificateFilter,
  CertificateRecord,
  CertificateSummary,
  Page,
  PageRequest,
  StorageError,
} from "@acme-endpoints/core";
import { checkPageLimit, invalidCursor, summaryFromCounts, summaryInstants } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { ALL_ENDPOINTS, type InventoryIndex, type InventoryScope } from "./inventory-index.js";
import { inventoryKey, type SortedKeys, serialOfKey } from "./sorted-keys.js";

/**
 * Walks the scope's sorted keys from the cursor (and, for `valid`, from `now`), stopping at the
 * first key past `expiringBefore` (or, for `expired`, past `now`). Only the tag filter is
 * checked record by record.
 */
export function listCertificates(
  index: InventoryIndex,
  records: ReadonlyMap<string, CertificateRecord>,
  filter: CertificateFilter,
  page: PageRequest,
): Result<Page<CertificateRecord>, StorageError> {
  return checkPageLimit(page.limit).andThen((limit) => {
    const after = page.after === undefined ? undefined : decodeCursor(page.after);
    if (page.after !== undefined && after === undefined) return err(invalidCursor(page.after));
    const scope = index.scope(filter.endpointId ?? ALL_ENDPOINTS);
    if (scope === undefined) return ok({ items: [] });
    const keys = keysFor(scope, filter);
    // The first key after the cursor's: the `\u0001` sorts right above its own key.
    let position = after === undefined ? 0 : keys.lowerBound(`${after}\u0001`);
    if (filter.status === "valid") position = Math.max(position, keys.countUpTo(filter.now));
    const items: CertificateRecord[] = [];
    let more = false;
    for (; position < keys.size; position++) {
      const key = keys.at(position) as string;
      const notAfter = key.slice(0, key.indexOf("\u0000"));
      if (filter.status === "expired" && notAfter > filter.now) break;
      if (filter.expiringBefore !== undefined && notAfter >= filter.expiringBefore) break;
      const record = records.get(serialOfKey(key));
      if (record === undefined || !hasTag(record, filter.tag)) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(record);
    }
    const last = items.at(-1);
    return ok(more && last !== undefined ? { items, next: encodeCursor(last) } : { items });
  });
}

function keysFor(scope: InventoryScope, filter: CertificateFilter): SortedKeys {
  if (filter.status === "revoked") return scope.revoked;
  if (filter.status === undefined) return scope.all;
  return scope.valid;
}

function hasTag(record: CertificateRecord, tag: CertificateFilter["tag"]): boolean {
  if (tag === undefined) return true;
  return record.tags.some((t) => t.key === tag.key && (tag.value === undefined || t.value === tag.value));
}

/** Counts by binary search over the scope's sorted keys: O(log n) whatever the inventory's size. */
export function summarize(
  index: InventoryIndex,
  endpointId: string | undefined,
  now: string,
): CertificateSummary {
  const scope = index.scope(endpointId ?? ALL_ENDPOINTS);
  const at = summaryInstants(now);
  const upTo = (keys: SortedKeys | undefined, time: string) => keys?.countUpTo(time) ?? 0;
  const valid = scope?.valid;
  const open = scope?.validOpen;
  return summaryFromCounts({
    total: scope?.all.size ?? 0,
    revoked: scope?.revoked.size ?? 0,
    valid: valid?.size ?? 0,
    validUpTo: {
      now: upTo(valid, at.now),
      in7Days: upTo(valid, at.in7Days),
      in30Days: upTo(valid, at.in30Days),
      in60Days: upTo(valid, at.in60Days),
    },
    renewed: scope?.renewed ?? 0,
    open: open?.size ?? 0,
    openUpTo: { now: upTo(open, at.now), in30Days: upTo(open, at.in30Days) },
  });
}

function encodeCursor(record: CertificateRecord): string {
  return JSON.stringify([record.notAfter, record.serial]);
}

/** The cursor's inventory key, or undefined when it is not one of ours. */
function decodeCursor(cursor: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(cursor);
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [notAfter, serial] = parsed as unknown[];
    return typeof notAfter === "string" && typeof serial === "string"
      ? inventoryKey(notAfter, serial)
      : undefined;
  } catch {
    return undefined;
  }
}
