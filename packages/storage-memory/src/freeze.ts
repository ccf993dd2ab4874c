/**
 * A deep, frozen copy of a record. Stored records are handed out as they are (reads copy
 * nothing, which keeps this driver cheap), so they must be immutable, and they must not share
 * anything with the object a caller passed in. Keys whose value is `undefined` are dropped, the
 * way a database answers an absent optional column.
 */
export function frozenCopy<T>(value: T): T {
  return copy(value) as T;
}

/** What a versioned update stores: the caller's record, frozen, one version on. */
export function nextVersion<R extends { readonly version: number }>(record: R): R {
  return frozenCopy({ ...record, version: record.version + 1 });
}

function copy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(copy));
  const prototype = Object.getPrototypeOf(value);
  // Records are plain data; anything else (a Date in a JWK member?) is cloned, never shared.
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  // for…in, not Object.entries: no array of pairs per object (records are plain, own keys only).
  for (const key in source) {
    const member = source[key];
    if (member !== undefined) result[key] = copy(member);
  }
  return Object.freeze(result);
}
