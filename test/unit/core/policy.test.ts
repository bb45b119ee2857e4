import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_POLICY,
  maxReminderOffset,
  PolicyConfigError,
  parsePolicyBook,
  policyFor,
} from '../../../functions/core/policy';
import { rational } from '../../../functions/core/rational';

function problemsOf(json: string): readonly string[] {
  try {
    parsePolicyBook(json);
  } catch (error) {
    if (error instanceof PolicyConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a PolicyConfigError');
}

describe('built-in policy', () => {
  it('is SPEC §4 when FEE_POLICY is absent or blank', () => {
    for (const json of [undefined, '', '  ']) {
      const book = parsePolicyBook(json);
      expect(book.default).toEqual(BUILT_IN_POLICY);
      expect(book.products).toEqual({});
    }
    expect(BUILT_IN_POLICY).toMatchObject({
      graceDays: 3,
      penaltyRateMultiplier: rational(3n, 2n),
      maxPenaltyAnnualRate: rational(6n, 25n),
      lateFee: 0,
      maxChargesRatio: rational(1n),
      arrearsTolerance: 0,
      chargeOffDpd: 180,
      reminderOffsets: [3, 1, 0],
      rounding: 'HALF_UP',
    });
  });
});

describe('layering', () => {
  const book = parsePolicyBook(
    JSON.stringify({
      default: { lateFee: 500, maxPenaltyAnnualRate: 0.18 },
      products: { MICRO: { graceDays: 1, lateFee: 300 }, BILL: { reminderOffsets: [7, 2] } },
    }),
  );

  it('product fields override the configured default, which overrides the built-ins', () => {
    const micro = policyFor(book, 'MICRO');
    expect(micro.graceDays).toBe(1);
    expect(micro.lateFee).toBe(300);
    expect(micro.maxPenaltyAnnualRate).toEqual(rational(18n, 100n));
    expect(micro.chargeOffDpd).toBe(180);
  });

  it('uses the configured default for an absent or unknown product code', () => {
    expect(policyFor(book, undefined).lateFee).toBe(500);
    expect(policyFor(book, 'NOPE').lateFee).toBe(500);
    expect(policyFor(book, 'toString').lateFee).toBe(500);
  });

  it('looks as far ahead as the largest reminder offset of any policy', () => {
    expect(maxReminderOffset(book)).toBe(7);
    expect(maxReminderOffset(parsePolicyBook(undefined))).toBe(3);
  });
});

describe('invalid policies name every bad field', () => {
  it.each([
    [
      { products: { MICRO: { graceDays: -1 } } },
      'FEE_POLICY.products.MICRO.graceDays: must be an integer ≥ 0',
    ],
    [{ default: { graceDays: 1.5 } }, 'FEE_POLICY.default.graceDays: must be an integer ≥ 0'],
    [
      { default: { penaltyRateMultiplier: -0.5 } },
      'FEE_POLICY.default.penaltyRateMultiplier: must be a number ≥ 0',
    ],
    [
      { default: { maxPenaltyAnnualRate: '0.24' } },
      'FEE_POLICY.default.maxPenaltyAnnualRate: must be a number ≥ 0',
    ],
    [{ default: { lateFee: 0.5 } }, 'FEE_POLICY.default.lateFee: must be an integer ≥ 0'],
    [
      { default: { maxChargesRatio: -1 } },
      'FEE_POLICY.default.maxChargesRatio: must be a number ≥ 0',
    ],
    [
      { default: { arrearsTolerance: -3 } },
      'FEE_POLICY.default.arrearsTolerance: must be an integer ≥ 0',
    ],
    [{ default: { chargeOffDpd: 0 } }, 'FEE_POLICY.default.chargeOffDpd: must be an integer ≥ 1'],
    [
      { default: { reminderOffsets: [3, 3] } },
      'FEE_POLICY.default.reminderOffsets: must be an array of distinct integers ≥ 0',
    ],
    [
      { default: { reminderOffsets: 3 } },
      'FEE_POLICY.default.reminderOffsets: must be an array of distinct integers ≥ 0',
    ],
    [
      { default: { reminderOffsets: [1, -1] } },
      'FEE_POLICY.default.reminderOffsets.1: must be an integer ≥ 0',
    ],
    [
      { default: { rounding: 'DOWN' } },
      'FEE_POLICY.default.rounding: must be "HALF_UP" or "HALF_EVEN"',
    ],
    [{ default: { grace: 3 } }, 'FEE_POLICY.default.grace: unknown field'],
    [{ defaults: {} }, 'FEE_POLICY.defaults: unknown field'],
    [{ products: [] }, 'FEE_POLICY.products: must be an object of product code → policy'],
  ])('%j', (config, problem) => {
    expect(problemsOf(JSON.stringify(config))).toEqual([problem]);
  });

  it('reports every problem at once, in the error message too', () => {
    const json = JSON.stringify({
      default: { graceDays: -1, rounding: 'UP' },
      products: { MICRO: { lateFee: -5, extra: true } },
    });
    expect(() => parsePolicyBook(json)).toThrow(PolicyConfigError);
    const problems = problemsOf(json);
    expect(problems).toHaveLength(4);
    expect(problems).toContain('FEE_POLICY.products.MICRO.extra: unknown field');
    expect(problems).toContain('FEE_POLICY.products.MICRO.lateFee: must be an integer ≥ 0');
    try {
      parsePolicyBook(json);
    } catch (error) {
      expect((error as Error).message).toContain(
        'FEE_POLICY.default.graceDays: must be an integer ≥ 0',
      );
      expect((error as Error).message).toContain('FEE_POLICY.default.rounding');
    }
  });

  it('rejects text that is not JSON or not an object', () => {
    expect(problemsOf('{graceDays: 3}')[0]).toMatch(/^FEE_POLICY: not valid JSON/);
    expect(problemsOf('[1]')).toEqual(['FEE_POLICY: must be a JSON object']);
  });
});
