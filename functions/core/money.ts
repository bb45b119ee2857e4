/** Minor-unit amounts (SPEC §3): integer counts of a currency's minor unit, always safe integers. */
import type { MinorUnits } from './types';

/** True when `value` is a non-negative safe integer, i.e. a valid amount in minor units. */
export function isMinorUnits(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Converts an exact BigInt amount (minor units) to a number.
 * @throws RangeError when it does not fit a safe integer (it would lose precision).
 */
export function minorUnitsFromBigInt(value: bigint): MinorUnits {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount ${value} is outside 0..${Number.MAX_SAFE_INTEGER} minor units`);
  }
  return Number(value);
}

/**
 * The exact sum of amounts in minor units.
 * @throws RangeError when the sum is not a safe integer.
 */
export function sumMinorUnits(amounts: Iterable<MinorUnits>): MinorUnits {
  let total = 0n;
  for (const amount of amounts) total += BigInt(amount);
  return minorUnitsFromBigInt(total);
}
