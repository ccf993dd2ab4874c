/**
 * A first-come, first-served lock over the one connection a storage shares. `pending` counts the
 * holder and everyone waiting: while it is not 0 a transaction has (or is about to have) the
 * connection, and single operations queue behind it instead of slipping into its BEGIN … COMMIT.
 */
export class Gate {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Answers the `release` to call, once, when done. */
  acquire(): Promise<() => void> {
    this.#pending++;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      let released = false;
      release = () => {
        if (released) return;
        released = true;
        this.#pending--;
        resolve();
      };
    });
    const turn = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return turn;
  }
}
