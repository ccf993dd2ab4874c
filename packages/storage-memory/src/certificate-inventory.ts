import type {
  CertificateFilter,
  CertificateRecord,
  CertificateSummary,
  Page,
  PageRequest,
  StorageError,
} from "@acme-endpoints/core";
import { checkPageLimit, invalidCursor } from "@acme-endpoints/core";
import type { Result } from "neverthrow";
import { err, ok } from "neverthrow";
import { ALL_ENDPOINTS, type InventoryIndex, type InventoryScope } from "./inventory-index.js";
import { inventoryKey, type SortedKeys, serialOfKey } from "./sorted-keys.js";

const DAY = 86_400_000;

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
  const nowMs = Date.parse(now);
  const inDays = (days: number) => new Date(nowMs + days * DAY).toISOString();
  const upTo = (keys: SortedKeys | undefined, time: string) => keys?.countUpTo(time) ?? 0;
  const valid = scope?.valid;
  const open = scope?.validOpen;
  const total = scope?.all.size ?? 0;
  const revoked = scope?.revoked.size ?? 0;
  const renewed = scope?.renewed ?? 0;
  const [expired, d7, d30, d60] = [now, inDays(7), inDays(30), inDays(60)].map((t) => upTo(valid, t)) as [
    number,
    number,
    number,
    number,
  ];
  const overdue = upTo(open, now);
  const due = upTo(open, inDays(30)) - overdue;
  const openSize = open?.size ?? 0;
  return {
    total,
    byStatus: { valid: (valid?.size ?? 0) - expired, expired, revoked },
    expiry: {
      expired,
      within7Days: d7 - expired,
      within30Days: d30 - d7,
      within60Days: d60 - d30,
      later: (valid?.size ?? 0) - d60,
    },
    renewal: {
      renewed,
      revoked: total - renewed - openSize,
      overdue,
      due,
      current: openSize - overdue - due,
    },
  };
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
