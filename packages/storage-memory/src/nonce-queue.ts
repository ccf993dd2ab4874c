/**
 * An endpoint's nonces: nonce → its position in the queue (a small integer, no object of its own;
 * the expiry is the queue's to keep).
 */
export type NonceMap = Map<string, number>;

/**
 * Remembers nonces in insertion order so that they can be forgotten from the oldest on, without
 * scanning: nonces are the one record every ACME response creates, and most are never used.
 *
 * An entry is forgotten once it has expired, or once more than `capacity` entries are kept
 * (RFC 8555 §6.5 lets a server drop nonces: the client gets `badNonce` with a fresh one and
 * retries). "Expired" is judged against the latest `now` that consumes have reported, i.e. the
 * server's own clock, fake ones included: this driver keeps no clock of its own. Consumed
 * entries stay in the queue, inert, until their turn comes.
 *
 * Entries are three parallel arrays, not an object each: most of what this storage keeps alive
 * is nonces, and an object (with its boxed expiry) per nonce was two more objects for every
 * scavenge to copy. Each entry has a position, counted from the first entry ever added, which
 * its map holds while the nonce is usable.
 */
export class NonceQueue {
  readonly #capacity: number;
  #nonces: string[] = [];
  #maps: NonceMap[] = [];
  /** Epoch ms; only numbers, so they sit unboxed in the array. */
  #expiresAt: number[] = [];
  #head = 0;
  /** Entries dropped from the arrays' front: position p is at index p - #dropped. */
  #dropped = 0;
  #latestNow = Number.NEGATIVE_INFINITY;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** How many entries are kept, consumed ones included. */
  get size(): number {
    return this.#nonces.length - this.#head;
  }

  /** Learns the server's time from a consume. */
  observe(now: number): void {
    if (now > this.#latestNow) this.#latestNow = now;
  }

  /** Forgets what is due, then remembers `nonce` in `nonces`; answers its position. */
  add(nonces: NonceMap, nonce: string, expiresAt: number): number {
    this.#prune();
    return this.restore(nonces, nonce, expiresAt);
  }

  /** Remembers `nonce` again (a rolled back consume), without forgetting anything. */
  restore(nonces: NonceMap, nonce: string, expiresAt: number): number {
    const position = this.#dropped + this.#nonces.length;
    this.#nonces.push(nonce);
    this.#maps.push(nonces);
    this.#expiresAt.push(expiresAt);
    nonces.set(nonce, position);
    return position;
  }

  /** When the entry at `position` expires; a position its map holds is always still kept. */
  expiresAt(position: number): number {
    return this.#expiresAt[position - this.#dropped] as number;
  }

  #prune(): void {
    const nonces = this.#nonces;
    while (this.#head < nonces.length) {
      const head = this.#head;
      if ((this.#expiresAt[head] as number) >= this.#latestNow && this.size < this.#capacity) break;
      // A consumed, rolled back or re-inserted nonce may no longer be this entry.
      const map = this.#maps[head] as NonceMap;
      const nonce = nonces[head] as string;
      if (map.get(nonce) === this.#dropped + head) map.delete(nonce);
      this.#head++;
    }
    // Drop the forgotten prefix once it is most of the arrays: amortized O(1) per entry.
    if (this.#head > 1024 && this.#head * 2 > nonces.length) {
      this.#nonces = nonces.slice(this.#head);
      this.#maps = this.#maps.slice(this.#head);
      this.#expiresAt = this.#expiresAt.slice(this.#head);
      this.#dropped += this.#head;
      this.#head = 0;
    }
  }
}
