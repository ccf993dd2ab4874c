import type { Endpoint } from "@acme-endpoints/core";

/** Where an endpoint sits in `list`: by `createdAt`, then `id` (plain string order, like SQL's). */
export interface EndpointKey {
  readonly createdAt: string;
  readonly id: string;
}

function compare(a: EndpointKey, b: EndpointKey): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** The index of the first endpoint at or after `key` (binary search). */
function lowerBound(sorted: readonly Endpoint[], key: EndpointKey): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle]!, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The index of the first endpoint strictly after `key`: where the page after a cursor starts. */
export function indexAfter(sorted: readonly Endpoint[], key: EndpointKey): number {
  const index = lowerBound(sorted, key);
  const found = sorted[index];
  return found !== undefined && compare(found, key) === 0 ? index + 1 : index;
}

/** Replaces `previous` by `next` in the sorted array; either may be undefined (insert, delete). */
export function moveInOrder(
  sorted: Endpoint[],
  previous: Endpoint | undefined,
  next: Endpoint | undefined,
): void {
  if (previous !== undefined) {
    const index = lowerBound(sorted, previous);
    if (sorted[index] !== undefined && compare(sorted[index], previous) === 0) sorted.splice(index, 1);
  }
  if (next !== undefined) sorted.splice(lowerBound(sorted, next), 0, next);
}
