/** A nonce as the memory driver keeps it: in its endpoint's map and in the queue. */
export interface NonceEntry {
  /** The endpoint's nonce map this entry lives in (a deleted endpoint's map goes with it). */
  readonly nonces: Map<string, NonceEntry>;
  readonly nonce: string;
  readonly expiresAt: number;
}

/**
 * Remembers nonces in insertion order so that they can be forgotten from the oldest on, without
 * scanning: nonces are the one record every ACME response creates, and most are never used.
 *
 * An entry is forgotten once it has expired, or once more than `capacity` entries are kept
 * (RFC 8555 §6.5 lets a server drop nonces: the client gets `badNonce` with a fresh one and
 * retries). "Expired" is judged against the latest `now` that consumes have reported, i.e. the
 * server's own clock, fake ones included: this driver keeps no clock of its own. Consumed
 * entries stay in the queue, inert, until their turn comes.
 */
export class NonceQueue {
  readonly #capacity: number;
  #entries: NonceEntry[] = [];
  #head = 0;
  #latestNow = Number.NEGATIVE_INFINITY;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** How many entries are kept, consumed ones included. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Learns the server's time from a consume. */
  observe(now: number): void {
    if (now > this.#latestNow) this.#latestNow = now;
  }

  /** Forgets what is due, then remembers `entry` in its endpoint's map. */
  add(entry: NonceEntry): void {
    this.#prune();
    this.restore(entry);
  }

  /** Remembers `entry` again (a rolled back consume), without forgetting anything. */
  restore(entry: NonceEntry): void {
    this.#entries.push(entry);
    entry.nonces.set(entry.nonce, entry);
  }

  #prune(): void {
    while (this.#head < this.#entries.length) {
      const oldest = this.#entries[this.#head]!;
      if (oldest.expiresAt >= this.#latestNow && this.size < this.#capacity) break;
      // A consumed, rolled back or re-inserted nonce may no longer be this entry.
      if (oldest.nonces.get(oldest.nonce) === oldest) oldest.nonces.delete(oldest.nonce);
      this.#head++;
    }
    // Drop the forgotten prefix once it is most of the array: amortized O(1) per entry.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
