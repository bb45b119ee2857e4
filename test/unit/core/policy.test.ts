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
  it('is docs/contract.md, Charges when FEE_POLICY is absent or blank', () => {
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

describe('the episode thresholds', () => {
  const SPEC_CLASSES = { SPECIAL_MENTION: 1, SUBSTANDARD: 91, DOUBTFUL: 121, LOSS: 181 };

  it('default to the contract’s: the classes at 1/91/121/181, hold and notice at 1, offer at 15', () => {
    expect(BUILT_IN_POLICY).toMatchObject({
      riskClassDpd: SPEC_CLASSES,
      creditHoldDpd: 1,
      creditNoticeDpd: 1,
      hardshipOfferDpd: 15,
    });
  });

  it('a product’s riskClassDpd replaces the default map whole; other fields layer as usual', () => {
    const book = parsePolicyBook(
      JSON.stringify({
        default: { creditNoticeDpd: 3, hardshipOfferDpd: 0 },
        products: {
          QUICK: {
            riskClassDpd: { SPECIAL_MENTION: 5, SUBSTANDARD: 31, DOUBTFUL: 61, LOSS: 91 },
            creditHoldDpd: 10,
            hardshipOfferDpd: 20,
          },
        },
      }),
    );
    expect(policyFor(book, 'QUICK')).toMatchObject({
      riskClassDpd: { SPECIAL_MENTION: 5, SUBSTANDARD: 31, DOUBTFUL: 61, LOSS: 91 },
      creditHoldDpd: 10,
      creditNoticeDpd: 3,
      hardshipOfferDpd: 20,
    });
    expect(policyFor(book, undefined)).toMatchObject({
      riskClassDpd: SPEC_CLASSES,
      creditHoldDpd: 1,
      creditNoticeDpd: 3,
      hardshipOfferDpd: 0,
    });
  });

  it.each([
    [
      { products: { P: { riskClassDpd: { SPECIAL_MENTION: 5, SUBSTANDARD: 31, DOUBTFUL: 61 } } } },
      [
        'FEE_POLICY.products.P.riskClassDpd.LOSS: missing: a riskClassDpd names all four classes (it replaces the whole map)',
      ],
    ],
    [
      { default: { riskClassDpd: { ...SPEC_CLASSES, DOUBTFUL: 91, LOSS: 90 } } },
      [
        "FEE_POLICY.default.riskClassDpd.DOUBTFUL: must be greater than SUBSTANDARD (91): the classes' dpd increase strictly",
        "FEE_POLICY.default.riskClassDpd.LOSS: must be greater than DOUBTFUL (91): the classes' dpd increase strictly",
      ],
    ],
    [
      { default: { riskClassDpd: { ...SPEC_CLASSES, SPECIAL_MENTION: 0 } } },
      ['FEE_POLICY.default.riskClassDpd.SPECIAL_MENTION: must be an integer ≥ 1'],
    ],
    [
      { default: { riskClassDpd: { ...SPEC_CLASSES, SUBSTANDARD: 90.5 } } },
      ['FEE_POLICY.default.riskClassDpd.SUBSTANDARD: must be an integer ≥ 1'],
    ],
    [
      { default: { riskClassDpd: { ...SPEC_CLASSES, WATCH: 30 } } },
      ['FEE_POLICY.default.riskClassDpd.WATCH: unknown field'],
    ],
    [
      { default: { riskClassDpd: [1, 91, 121, 181] } },
      ['FEE_POLICY.default.riskClassDpd: must be an object of risk class → dpd'],
    ],
    [
      { default: { creditHoldDpd: 0 } },
      ['FEE_POLICY.default.creditHoldDpd: must be an integer ≥ 1'],
    ],
    [
      { products: { P: { creditNoticeDpd: '1' } } },
      ['FEE_POLICY.products.P.creditNoticeDpd: must be an integer ≥ 1'],
    ],
    [
      { default: { hardshipOfferDpd: -1 } },
      ['FEE_POLICY.default.hardshipOfferDpd: must be an integer ≥ 0'],
    ],
    [
      { default: { chargeOffDpd: 30, creditNoticeDpd: 31 } },
      [
        'FEE_POLICY.default.creditNoticeDpd: 31 is after chargeOffDpd (30): must be ≤ it, so a loan is held and its borrower told before it is charged off',
      ],
    ],
    [
      { default: { creditHoldDpd: 20 }, products: { SHORT: { chargeOffDpd: 10 } } },
      [
        'FEE_POLICY.products.SHORT.creditHoldDpd: 20 is after chargeOffDpd (10): must be ≤ it, so a loan is held and its borrower told before it is charged off',
      ],
    ],
  ])('%j', (config, problems) => {
    expect(problemsOf(JSON.stringify(config))).toEqual(problems);
  });

  it('a hardship offer from 0 (never) and a class beyond the charge-off are fine', () => {
    expect(() =>
      parsePolicyBook(JSON.stringify({ default: { hardshipOfferDpd: 0, chargeOffDpd: 90 } })),
    ).not.toThrow();
  });
});
