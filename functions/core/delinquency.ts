/** Delinquency buckets: the PBoC credit-report steps of 30 days. */
import { BUCKETS } from '../contract/events';
import type { Bucket } from './types';

/**
 * The bucket for a loan's days past due: M0 = 0, M1 = 1–30, …, M6 = 151–180, M7 = 181+.
 * @param dpd days past due, an integer ≥ 0.
 */
export function bucketOf(dpd: number): Bucket {
  if (dpd <= 0) return 'M0';
  const step = Math.min(Math.ceil(dpd / 30), 7);
  return BUCKETS[step] ?? 'M7';
}

/** True when `value` names a bucket. */
export function isBucket(value: unknown): value is Bucket {
  return typeof value === 'string' && (BUCKETS as readonly string[]).includes(value);
}
