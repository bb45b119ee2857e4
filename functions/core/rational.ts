/**
 * Exact non-negative rationals on BigInt (docs/contract.md, Charges). Rates such as `0.24 ÷ 365` do not terminate
 * in decimal, so they stay fractions until a charge is rounded to minor units. Every value is kept
 * normalised (lowest terms, denominator > 0), so equal values have equal parts.
 */
import type { Rational, RoundingMode } from './types';

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return x;
}

/** Builds a normalised rational; throws on a zero denominator (a programming error). */
export function rational(numerator: bigint, denominator = 1n): Rational {
  if (denominator === 0n) throw new RangeError('rational with a zero denominator');
  const sign = denominator < 0n ? -1n : 1n;
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: (sign * numerator) / divisor, denominator: (sign * denominator) / divisor };
}

/** The integer `value` as a rational. */
export function fromInteger(value: number | bigint): Rational {
  return rational(BigInt(value));
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text exactly: `0.0003`, `12`, `.5`, `3e-4`, `1.5E+2` (as DynamoDB or JSON may
 * render numbers).
 * @returns the exact value, or undefined when the text is not a finite decimal number.
 */
export function parseDecimal(text: string): Rational | undefined {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText] = match;
  if (whole.length === 0 && fraction.length === 0) return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  // Guards BigInt exponentiation against absurd exponents like 1e999999999.
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return undefined;
  const digits = BigInt(`${whole}${fraction}` || '0');
  const scale = exponent - fraction.length;
  const magnitude =
    scale >= 0 ? rational(digits * 10n ** BigInt(scale)) : rational(digits, 10n ** BigInt(-scale));
  return sign === '-' ? rational(-magnitude.numerator, magnitude.denominator) : magnitude;
}

/**
 * The exact value of the shortest decimal that round-trips `value` (`String(value)`), so the JSON
 * number 0.24 becomes 24/100 rather than its binary approximation.
 * @returns undefined for NaN and infinities.
 */
export function rationalFromNumber(value: number): Rational | undefined {
  if (!Number.isFinite(value)) return undefined;
  return parseDecimal(String(value));
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.numerator * b.numerator, a.denominator * b.denominator);
}

/** `a ÷ b`; throws RangeError when `b` is zero. */
export function divide(a: Rational, b: Rational): Rational {
  if (b.numerator === 0n) throw new RangeError('division by zero');
  return rational(a.numerator * b.denominator, a.denominator * b.numerator);
}

/** Negative, zero or positive as `a` is less than, equal to or greater than `b`. */
export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function min(a: Rational, b: Rational): Rational {
  return compare(a, b) <= 0 ? a : b;
}

/** The largest integer ≤ `value`. */
export function floorToInteger(value: Rational): bigint {
  const quotient = value.numerator / value.denominator;
  // BigInt division truncates toward zero; step down for negative non-integers.
  return value.numerator < 0n && quotient * value.denominator !== value.numerator
    ? quotient - 1n
    : quotient;
}

/**
 * Rounds a non-negative value to an integer: HALF_UP sends .5 up, HALF_EVEN to the even neighbour.
 * Throws RangeError on a negative value (charges are never negative).
 */
export function roundToInteger(value: Rational, mode: RoundingMode): bigint {
  if (value.numerator < 0n) throw new RangeError('roundToInteger expects a non-negative value');
  const floor = value.numerator / value.denominator;
  const twiceRemainder = 2n * (value.numerator - floor * value.denominator);
  if (twiceRemainder < value.denominator) return floor;
  if (twiceRemainder > value.denominator) return floor + 1n;
  if (mode === 'HALF_UP') return floor + 1n;
  return floor % 2n === 0n ? floor : floor + 1n;
}

/**
 * Plain decimal text of `value`: exact when it terminates within `maxFractionDigits`, otherwise
 * rounded HALF_EVEN to that many digits (trailing zeros trimmed), e.g. `0.00045`.
 */
export function toDecimalString(value: Rational, maxFractionDigits = 20): string {
  const negative = value.numerator < 0n;
  const magnitude = rational(negative ? -value.numerator : value.numerator, value.denominator);
  const scale = 10n ** BigInt(maxFractionDigits);
  const scaled = roundToInteger(multiply(magnitude, rational(scale)), 'HALF_EVEN');
  const whole = scaled / scale;
  let fraction = (scaled % scale).toString().padStart(maxFractionDigits, '0').replace(/0+$/, '');
  if (maxFractionDigits === 0) fraction = '';
  const text = fraction.length > 0 ? `${whole}.${fraction}` : `${whole}`;
  return negative && scaled !== 0n ? `-${text}` : text;
}
