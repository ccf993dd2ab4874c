/**
 * A deep, frozen copy of a record. Stored records are handed out as they are (reads copy
 * nothing, which keeps this driver cheap), so they must be immutable, and they must not share
 * anything with the object a caller passed in. Keys whose value is `undefined` are dropped, the
 * way a database answers an absent optional column.
 */
export function frozenCopy<T>(value: T): T {
  return copy(value) as T;
}

/**
 * What a versioned update stores: the caller's record, frozen, one version on. `stored` is the
 * version it replaces: a member the caller took over from it unchanged (`{ ...stored, status }`,
 * how updates are written) is that version's own deep-frozen copy, so it is shared, not copied
 * again. Anything else is copied as by `frozenCopy`.
 */
export function nextVersion<R extends { readonly version: number }>(record: R, stored: R): R {
  if (!isPlain(record)) return frozenCopy({ ...record, version: record.version + 1 });
  const source = record as unknown as Record<string, unknown>;
  const previous = stored as unknown as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key in source) {
    const member = source[key];
    if (member === undefined) continue;
    result[key] = member === previous[key] ? member : copy(member);
  }
  // `version` is one of the record's keys: assigned again, it keeps its place among them.
  result.version = record.version + 1;
  return Object.freeze(result) as unknown as R;
}

/**
 * `frozenCopy`, except for members that are one of `kept`: values this storage made (members of
 * records it holds, deep-frozen already), which the caller passed on as they are.
 */
export function frozenCopyKeeping<R extends object>(record: R, kept: readonly unknown[]): R {
  if (!isPlain(record)) return frozenCopy(record);
  const source = record as unknown as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key in source) {
    const member = source[key];
    if (member === undefined) continue;
    result[key] =
      typeof member === "object" && member !== null && !kept.includes(member) ? copy(member) : member;
  }
  return Object.freeze(result) as unknown as R;
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function copy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return copyArray(value);
  // Records are plain data; anything else (a Date in a JWK member?) is cloned, never shared.
  if (!isPlain(value)) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  // for…in, not Object.entries: no array of pairs per object (records are plain, own keys only).
  for (const key in source) {
    const member = source[key];
    if (member === undefined) continue;
    result[key] = typeof member === "object" && member !== null ? copy(member) : member;
  }
  return Object.freeze(result);
}

/** Arrays are mostly of strings (ids): `slice` copies those, only objects are copied one by one. */
function copyArray(source: readonly unknown[]): readonly unknown[] {
  const result = source.slice();
  for (let i = 0; i < result.length; i++) {
    const member = result[i];
    if (typeof member === "object" && member !== null) result[i] = copy(member);
  }
  return Object.freeze(result);
}
