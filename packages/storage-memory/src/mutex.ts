/**
 * A first-come, first-served lock. `acquire` answers undefined when the lock was free and is now
 * held (no promise, no turn of the event loop: the common case), or a promise that settles once
 * it is this caller's turn; whoever holds the lock calls `release`, once, when done. A release
 * hands the lock straight to the longest waiter, so a newcomer never overtakes one.
 */
export class Mutex {
  #held = false;
  readonly #waiters: (() => void)[] = [];
  #head = 0;

  acquire(): Promise<void> | undefined {
    if (!this.#held) {
      this.#held = true;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  release(): void {
    if (this.#head === this.#waiters.length) {
      this.#held = false;
      this.#waiters.length = 0;
      this.#head = 0;
      return;
    }
    const next = this.#waiters[this.#head] as () => void;
    this.#waiters[this.#head++] = undefined as never;
    // Under steady contention the queue never empties: drop the served prefix now and then.
    if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#head);
      this.#head = 0;
    }
    next();
  }
}
