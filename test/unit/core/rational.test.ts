import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compare,
  divide,
  floorToInteger,
  fromInteger,
  min,
  multiply,
  parseDecimal,
  rational,
  rationalFromNumber,
  roundToInteger,
  toDecimalString,
} from '../../../functions/core/rational';

const r = (n: bigint, m = 1n) => rational(n, m);

describe('parsing', () => {
  it('parses plain and exponent decimal text exactly', () => {
    expect(parseDecimal('0.0003')).toEqual(r(3n, 10_000n));
    expect(parseDecimal('3e-4')).toEqual(r(3n, 10_000n));
    expect(parseDecimal('1.5E+2')).toEqual(r(150n));
    expect(parseDecimal('.5')).toEqual(r(1n, 2n));
    expect(parseDecimal('12')).toEqual(r(12n));
    expect(parseDecimal('-0.25')).toEqual(r(-1n, 4n));
  });

  it.each(['', '.', 'abc', '1.2.3', '0x10', 'NaN', 'Infinity', '1e', '1e99999'])(
    'rejects %j',
    (text) => {
      expect(parseDecimal(text)).toBeUndefined();
    },
  );

  it('reads a JSON number as its shortest decimal, so 0.24 is exactly 24/100', () => {
    expect(rationalFromNumber(0.24)).toEqual(r(6n, 25n));
    expect(rationalFromNumber(1e-7)).toEqual(r(1n, 10_000_000n));
    expect(rationalFromNumber(Number.NaN)).toBeUndefined();
    expect(rationalFromNumber(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('arithmetic', () => {
  it('keeps values normalised', () => {
    expect(r(2n, -4n)).toEqual({ numerator: -1n, denominator: 2n });
    expect(multiply(r(3n, 10_000n), r(3n, 2n))).toEqual(r(9n, 20_000n));
    expect(divide(r(24n, 100n), fromInteger(365))).toEqual(r(6n, 9125n));
    expect(() => divide(r(1n), r(0n))).toThrow(RangeError);
  });

  it('compares and picks the minimum', () => {
    expect(compare(r(1n, 3n), r(1n, 2n))).toBe(-1);
    expect(compare(r(2n, 4n), r(1n, 2n))).toBe(0);
    expect(min(r(9n, 20_000n), r(6n, 9125n))).toEqual(r(9n, 20_000n));
  });

  it('rounds an exact half up or to even, and other fractions to nearest', () => {
    expect(roundToInteger(r(9n, 2n), 'HALF_UP')).toBe(5n);
    expect(roundToInteger(r(9n, 2n), 'HALF_EVEN')).toBe(4n);
    expect(roundToInteger(r(11n, 2n), 'HALF_EVEN')).toBe(6n);
    expect(roundToInteger(r(449n, 100n), 'HALF_UP')).toBe(4n);
    expect(roundToInteger(r(451n, 100n), 'HALF_EVEN')).toBe(5n);
    expect(() => roundToInteger(r(-1n, 2n), 'HALF_UP')).toThrow(RangeError);
  });

  it('floors', () => {
    expect(floorToInteger(r(7n, 2n))).toBe(3n);
    expect(floorToInteger(r(-7n, 2n))).toBe(-4n);
    expect(floorToInteger(r(6n))).toBe(6n);
  });

  it('renders exact decimals, and non-terminating ones rounded to the digit limit', () => {
    expect(toDecimalString(r(9n, 20_000n))).toBe('0.00045');
    expect(toDecimalString(r(150n))).toBe('150');
    expect(toDecimalString(r(6n, 9125n))).toBe('0.00065753424657534247');
    expect(toDecimalString(r(1n, 3n), 4)).toBe('0.3333');
    expect(toDecimalString(r(-1n, 4n))).toBe('-0.25');
  });

  it('round-trips every decimal it renders exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.integer({ min: 0, max: 12 }),
        (n, e) => {
          const value = r(n, 10n ** BigInt(e));
          expect(parseDecimal(toDecimalString(value))).toEqual(value);
        },
      ),
    );
  });
});
