/** How much of an invocation's time the sweep may use (docs/contract.md, Guarantees: never killed mid-way). */
import type { TimeBudget } from './run';

/** At most a minute, at least 5 s, otherwise a fifth of the time the invocation started with. */
export function safetyMarginMs(initialRemainingMs: number): number {
  return Math.min(60_000, Math.max(5_000, Math.floor(initialRemainingMs * 0.2)));
}

/**
 * The budget of an invocation whose remaining time `remainingMs()` reports (the Lambda context's
 * getRemainingTimeInMillis): exhausted once less than the safety margin is left.
 */
export function budgetOf(remainingMs: () => number, marginOf = safetyMarginMs): TimeBudget {
  const margin = marginOf(remainingMs());
  return { exhausted: () => remainingMs() < margin };
}
