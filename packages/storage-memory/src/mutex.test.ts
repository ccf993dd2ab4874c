import { describe, expect, it } from "vitest";
import { Mutex } from "./mutex.js";

describe("Mutex", () => {
  it("is taken at once, without a promise, when free", () => {
    const mutex = new Mutex();
    expect(mutex.acquire()).toBeUndefined();
    expect(mutex.acquire()).toBeInstanceOf(Promise);
  });

  it("hands the lock to waiters first come, first served, and never to a newcomer before them", async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    expect(mutex.acquire()).toBeUndefined();
    const waiting = ["a", "b", "c"].map((name) =>
      (mutex.acquire() as Promise<void>).then(() => {
        order.push(name);
        mutex.release();
      }),
    );
    mutex.release();
    // Released to "a": the lock is held again, so a newcomer waits behind "b" and "c".
    const late = mutex.acquire();
    expect(late).toBeInstanceOf(Promise);
    await Promise.all(waiting);
    await late;
    order.push("late");
    expect(order).toEqual(["a", "b", "c", "late"]);
    mutex.release();
    expect(mutex.acquire()).toBeUndefined();
  });

  it("serves a long run of waiters in order", async () => {
    const mutex = new Mutex();
    expect(mutex.acquire()).toBeUndefined();
    const served: number[] = [];
    const all = Array.from({ length: 5000 }, (_, i) =>
      (mutex.acquire() as Promise<void>).then(() => {
        served.push(i);
        mutex.release();
      }),
    );
    mutex.release();
    await Promise.all(all);
    expect(served).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(mutex.acquire()).toBeUndefined();
  });
});
