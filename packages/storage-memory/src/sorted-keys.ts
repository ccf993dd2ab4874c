/**
 * Certificates in inventory order (`notAfter`, then `serial`) as one sorted array of string keys
 * `notAfter \0 serial`: the separator sorts below every character, so comparing keys compares
 * the pairs. Binary search finds a position in O(log n); an insert or a removal moves the tail
 * of the array (a memmove, cheap at 100k).
 */
export class SortedKeys {
  readonly #keys: string[] = [];

  get size(): number {
    return this.#keys.length;
  }

  at(index: number): string | undefined {
    return this.#keys[index];
  }

  add(key: string): void {
    const keys = this.#keys;
    // Certificates come in about `notAfter` order: a new key is mostly the greatest yet.
    if (keys.length === 0 || (keys[keys.length - 1] as string) < key) {
      keys.push(key);
      return;
    }
    const index = this.lowerBound(key);
    if (keys[index] !== key) keys.splice(index, 0, key);
  }

  remove(key: string): void {
    const keys = this.#keys;
    if (keys[keys.length - 1] === key) {
      keys.pop();
      return;
    }
    const index = this.lowerBound(key);
    if (keys[index] === key) keys.splice(index, 1);
  }

  /** The index of the first key >= `key`. */
  lowerBound(key: string): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#keys[middle] as string) < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** How many keys have `notAfter <= time`. */
  countUpTo(time: string): number {
    return this.lowerBound(`${time}\u0001`);
  }
}

export function inventoryKey(notAfter: string, serial: string): string {
  return `${notAfter}\u0000${serial}`;
}

export function serialOfKey(key: string): string {
  return key.slice(key.indexOf("\u0000") + 1);
}
