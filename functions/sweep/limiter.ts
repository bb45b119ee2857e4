/** A counting semaphore: bounds how many loans are in flight at once (write concurrency). */
export interface Limiter {
  /** Waits for a free slot. */
  acquire(): Promise<void>;
  /** Frees a slot taken by `acquire`. */
  release(): void;
}

/** A limiter with `slots` concurrent holders (≥ 1). */
export function createLimiter(slots: number): Limiter {
  let free = Math.max(1, slots);
  const waiting: (() => void)[] = [];
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      // Hand the slot straight to the next waiter so no one can jump the queue.
      if (next) next();
      else free++;
    },
  };
}
