/**
 * Records are kept whole as JSON text in a `data` column, next to the few key columns the
 * lookups and uniqueness rules need. JSON hands strings back exactly as they went in and drops
 * members whose value is `undefined`, the way an absent optional field reads back; each read
 * parses a fresh object, so callers never share one with the store or with each other.
 */
export function encode(record: unknown): string {
  return JSON.stringify(record);
}

export function decode<T>(data: unknown): T {
  return JSON.parse(String(data)) as T;
}

/** The row's record, or undefined when there is no row. */
export function decodeRow<T>(row: Record<string, unknown> | undefined): T | undefined {
  return row === undefined ? undefined : decode<T>(row.data);
}

/** What a versioned update stores: the caller's record, one version on. */
export function nextVersion<R extends { readonly version: number }>(record: R): R {
  return { ...record, version: record.version + 1 };
}
