/**
 * Fee policies (docs/contract.md, Charges): the built-in defaults, the `FEE_POLICY` configuration that overrides them
 * (product fields over the configured default over the built-ins), and the choice per loan.
 * Configuration is validated once at start-up so a bad policy fails the cold start, not a sweep.
 */
import { z } from 'zod';
import { RISK_CLASSES } from '../contract/events';
import { fromInteger, rational, rationalFromNumber } from './rational';
import type { AdverseRiskClass, FeePolicy, PolicyBook, Rational } from './types';

/** The classes a `riskClassDpd` map names, from the mildest to the worst. */
export const ADVERSE_RISK_CLASSES = RISK_CLASSES.filter(
  (riskClass): riskClass is AdverseRiskClass => riskClass !== 'NORMAL',
);

/** The built-in policy of docs/contract.md, Charges, used for every field no configuration overrides. */
export const BUILT_IN_POLICY: FeePolicy = Object.freeze({
  graceDays: 3,
  penaltyRateMultiplier: rational(15n, 10n),
  maxPenaltyAnnualRate: rational(24n, 100n),
  lateFee: 0,
  maxChargesRatio: fromInteger(1),
  arrearsTolerance: 0,
  chargeOffDpd: 180,
  reminderOffsets: Object.freeze([3, 1, 0]),
  rounding: 'HALF_UP',
  riskClassDpd: Object.freeze({ SPECIAL_MENTION: 1, SUBSTANDARD: 91, DOUBTFUL: 121, LOSS: 181 }),
  creditHoldDpd: 1,
  creditNoticeDpd: 1,
  hardshipOfferDpd: 15,
});

/** `FEE_POLICY` cannot be used; `.problems` names each bad field with its path and reason. */
export class PolicyConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid FEE_POLICY: ${problems.join('; ')}`);
    this.name = 'PolicyConfigError';
    this.problems = problems;
  }
}

const integerAtLeast = (minimum: number) => {
  const error = `must be an integer ≥ ${minimum}`;
  return z.number({ error }).int({ error }).min(minimum, { error });
};

const nonNegativeNumber = () => {
  const error = 'must be a number ≥ 0';
  return z.number({ error }).min(0, { error });
};

const offsetsError = 'must be an array of distinct integers ≥ 0';
const reminderOffsets = z
  .array(integerAtLeast(0), { error: offsetsError })
  .refine((offsets) => new Set(offsets).size === offsets.length, { error: offsetsError });

const thresholdError = 'must be an integer ≥ 1';
const threshold = z
  .number({
    error: (issue) =>
      issue.input === undefined
        ? 'missing: a riskClassDpd names all four classes (it replaces the whole map)'
        : thresholdError,
  })
  .int({ error: thresholdError })
  .min(1, { error: thresholdError });

/** All four classes, each from a later dpd than the one before it. */
const riskClassDpd = z
  .strictObject(
    {
      SPECIAL_MENTION: threshold,
      SUBSTANDARD: threshold,
      DOUBTFUL: threshold,
      LOSS: threshold,
    },
    { error: 'must be an object of risk class → dpd' },
  )
  .superRefine((thresholds, context) => {
    ADVERSE_RISK_CLASSES.forEach((riskClass, index) => {
      const before = ADVERSE_RISK_CLASSES[index - 1];
      if (before === undefined || thresholds[riskClass] > thresholds[before]) return;
      context.addIssue({
        code: 'custom',
        path: [riskClass],
        message: `must be greater than ${before} (${thresholds[before]}): the classes' dpd increase strictly`,
      });
    });
  });

/** Every field optional: a configured policy only names what it overrides. */
const policyOverrides = z
  .strictObject({
    graceDays: integerAtLeast(0),
    penaltyRateMultiplier: nonNegativeNumber(),
    maxPenaltyAnnualRate: nonNegativeNumber(),
    lateFee: integerAtLeast(0),
    maxChargesRatio: nonNegativeNumber(),
    arrearsTolerance: integerAtLeast(0),
    chargeOffDpd: integerAtLeast(1),
    reminderOffsets,
    rounding: z.enum(['HALF_UP', 'HALF_EVEN'], { error: 'must be "HALF_UP" or "HALF_EVEN"' }),
    riskClassDpd,
    creditHoldDpd: integerAtLeast(1),
    creditNoticeDpd: integerAtLeast(1),
    hardshipOfferDpd: integerAtLeast(0),
  })
  .partial();

type PolicyOverrides = z.infer<typeof policyOverrides>;

const policyConfig = z.strictObject(
  {
    default: policyOverrides.optional(),
    products: z
      .record(z.string().min(1, { error: 'product codes must be non-empty' }), policyOverrides, {
        error: 'must be an object of product code → policy',
      })
      .optional(),
  },
  { error: 'must be a JSON object' },
);

function exact(value: number): Rational {
  const parsed = rationalFromNumber(value);
  // zod has already rejected non-finite numbers; this only guards the invariant.
  if (!parsed) throw new PolicyConfigError([`FEE_POLICY: ${value} is not a finite number`]);
  return parsed;
}

function resolve(base: FeePolicy, overrides: PolicyOverrides | undefined): FeePolicy {
  if (!overrides) return base;
  return Object.freeze({
    graceDays: overrides.graceDays ?? base.graceDays,
    penaltyRateMultiplier:
      overrides.penaltyRateMultiplier === undefined
        ? base.penaltyRateMultiplier
        : exact(overrides.penaltyRateMultiplier),
    maxPenaltyAnnualRate:
      overrides.maxPenaltyAnnualRate === undefined
        ? base.maxPenaltyAnnualRate
        : exact(overrides.maxPenaltyAnnualRate),
    lateFee: overrides.lateFee ?? base.lateFee,
    maxChargesRatio:
      overrides.maxChargesRatio === undefined
        ? base.maxChargesRatio
        : exact(overrides.maxChargesRatio),
    arrearsTolerance: overrides.arrearsTolerance ?? base.arrearsTolerance,
    chargeOffDpd: overrides.chargeOffDpd ?? base.chargeOffDpd,
    reminderOffsets: Object.freeze([...(overrides.reminderOffsets ?? base.reminderOffsets)]),
    rounding: overrides.rounding ?? base.rounding,
    // A configured map replaces the one below it whole: every class is named (the schema says so).
    riskClassDpd: Object.freeze({ ...(overrides.riskClassDpd ?? base.riskClassDpd) }),
    creditHoldDpd: overrides.creditHoldDpd ?? base.creditHoldDpd,
    creditNoticeDpd: overrides.creditNoticeDpd ?? base.creditNoticeDpd,
    hardshipOfferDpd: overrides.hardshipOfferDpd ?? base.hardshipOfferDpd,
  });
}

/**
 * What a resolved policy must hold across its fields, wherever each came from: a loan is charged
 * off (and reported) at `chargeOffDpd`, so its credit line is held and its borrower told by then.
 * Each problem names the field at `where` (the policy as configured there).
 */
function crossFieldProblems(policy: FeePolicy, where: string): string[] {
  const problems: string[] = [];
  for (const field of ['creditHoldDpd', 'creditNoticeDpd'] as const) {
    if (policy[field] > policy.chargeOffDpd) {
      problems.push(
        `${where}.${field}: ${policy[field]} is after chargeOffDpd (${policy.chargeOffDpd}): must be ≤ it, so a loan is held and its borrower told before it is charged off`,
      );
    }
  }
  return problems;
}

function describe(issue: z.core.$ZodIssue): string[] {
  const where = ['FEE_POLICY', ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${where}.${key}: unknown field`);
  }
  return [`${where}: ${issue.message}`];
}

/**
 * Parses and validates the `FEE_POLICY` JSON into fully resolved policies. An absent or blank
 * value yields the built-in policy for everything.
 * @throws PolicyConfigError naming every bad field, e.g.
 *   `FEE_POLICY.products.MICRO.graceDays: must be an integer ≥ 0`.
 */
export function parsePolicyBook(json: string | undefined): PolicyBook {
  if (json === undefined || json.trim() === '') {
    return { default: BUILT_IN_POLICY, products: {} };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyConfigError([`FEE_POLICY: not valid JSON (${reason})`]);
  }
  const parsed = policyConfig.safeParse(raw);
  if (!parsed.success) {
    throw new PolicyConfigError(parsed.error.issues.flatMap(describe));
  }
  const configuredDefault = resolve(BUILT_IN_POLICY, parsed.data.default);
  const problems = crossFieldProblems(configuredDefault, 'FEE_POLICY.default');
  const products: Record<string, FeePolicy> = {};
  for (const [code, overrides] of Object.entries(parsed.data.products ?? {})) {
    const product = resolve(configuredDefault, overrides);
    problems.push(...crossFieldProblems(product, `FEE_POLICY.products.${code}`));
    products[code] = product;
  }
  if (problems.length > 0) throw new PolicyConfigError(problems);
  return { default: configuredDefault, products: Object.freeze(products) };
}

/** The policy for a loan's product code: the configured default when absent or unknown. */
export function policyFor(book: PolicyBook, productCode: string | undefined): FeePolicy {
  if (productCode !== undefined && Object.hasOwn(book.products, productCode)) {
    return book.products[productCode] ?? book.default;
  }
  return book.default;
}

/** The largest reminder offset (days) over every policy: how far ahead the sweep must look. */
export function maxReminderOffset(book: PolicyBook): number {
  const all = [book.default, ...Object.values(book.products)].flatMap((p) => p.reminderOffsets);
  return all.reduce((largest, offset) => Math.max(largest, offset), 0);
}
