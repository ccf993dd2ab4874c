/**
 * Certificates in inventory order (`notAfter`, then `serial`) as one sorted array of string keys
 * `notAfter \0 serial`: the separator sorts below every character, so comparing keys compares
 * the pairs. Binary search finds a position in O(log n); a removal moves the tail of the array
 * (a memmove, cheap at 100k).
 *
 * Adds wait in `#pending` until something reads or removes: every issuance adds a key to six of
 * these, and certificates issued in the same second (same `notAfter`) arrive in random serial
 * order, so sorting them in one by one cost a binary search and a splice each. The inventory is
 * read rarely (management list and summary); a read merges the waiting keys in once.
 */
/** Up to this many waiting keys are spliced in one by one rather than merged in one pass. */
const SPLICE_AT_MOST = 16;

export class SortedKeys {
  #keys: string[] = [];
  #pending: string[] = [];

  get size(): number {
    return this.#sorted().length;
  }

  at(index: number): string | undefined {
    return this.#sorted()[index];
  }

  add(key: string): void {
    const keys = this.#keys;
    // Certificates come in about `notAfter` order: a new key is often the greatest yet.
    if (this.#pending.length === 0 && (keys.length === 0 || (keys[keys.length - 1] as string) < key)) {
      keys.push(key);
      return;
    }
    this.#pending.push(key);
  }

  remove(key: string): void {
    // Through the merged keys: a waiting add may repeat a key already present or waiting, and
    // the key must be gone whatever copies there were (removes are rare: rollbacks, revocations).
    const keys = this.#sorted();
    if (keys[keys.length - 1] === key) {
      keys.pop();
      return;
    }
    const index = this.lowerBound(key);
    if (keys[index] === key) keys.splice(index, 1);
  }

  /** The index of the first key >= `key`. */
  lowerBound(key: string): number {
    const keys = this.#sorted();
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((keys[middle] as string) < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** How many keys have `notAfter <= time`. */
  countUpTo(time: string): number {
    return this.lowerBound(`${time}\u0001`);
  }

  #sorted(): string[] {
    if (this.#pending.length > 0) this.#merge();
    return this.#keys;
  }

  /** Sorts the waiting keys and merges them in, once each (an add of a present key adds nothing). */
  #merge(): void {
    // The default sort compares UTF-16 code units, as `<` does.
    const pending = this.#pending.sort();
    this.#pending = [];
    const keys = this.#keys;
    // A few keys (a read after each issuance) are spliced in: no pass over the whole array.
    if (pending.length <= SPLICE_AT_MOST) {
      for (const key of pending) {
        const index = this.lowerBound(key);
        if (keys[index] !== key) keys.splice(index, 0, key);
      }
      return;
    }
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < keys.length || j < pending.length) {
      const next =
        j === pending.length || (i < keys.length && (keys[i] as string) <= (pending[j] as string))
          ? (keys[i++] as string)
          : (pending[j++] as string);
      if (merged.length === 0 || merged[merged.length - 1] !== next) merged.push(next);
    }
    this.#keys = merged;
  }
}

export function inventoryKey(notAfter: string, serial: string): string {
  return `${notAfter}\u0000${serial}`;
}

export function serialOfKey(key: string): string {
  return key.slice(key.indexOf("\u0000") + 1);
}
