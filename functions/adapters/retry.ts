/**
 * One shape for the retries this product does itself (what the SDK's own retries do not cover:
 * unprocessed BatchGet keys, PublishBatch entries SNS failed). Attempts count from 1.
 */

/** How often and how patiently to try. */
export interface RetryPolicy {
  /** Total attempts, ≥ 1 (1 = no retry). */
  readonly attempts: number;
  /** Milliseconds to wait before attempt `attempt` (2, 3, …). */
  readonly delayMs: (attempt: number) => number;
}

/** Exponential backoff from `baseMs` before attempt 2, doubling, at most `maxMs`. */
export function exponentialBackoff(attempts: number, baseMs: number, maxMs: number): RetryPolicy {
  return { attempts, delayMs: (attempt) => Math.min(maxMs, baseMs * 2 ** (attempt - 2)) };
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
