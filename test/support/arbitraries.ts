/**
 * fast-check arbitraries of the fee engine's inputs, shared by the property tests of docs/contract.md, Charges:
 * loans, fee policies and (value-dated) payment schedules.
 */
import fc from 'fast-check';
import { addDays } from '../../functions/core/dates';
import { rational } from '../../functions/core/rational';
import type { FeePolicy, Loan } from '../../functions/core/types';
import { d, installment, loan, policy } from '../../local/fixtures/loans';

/** The day before every generated loan's first due date. */
export const BASE = d('2026-01-01');

/** Fee policies over the ranges that matter: grace, rates, late fee, cap, tolerance, charge-off. */
export const policyArb: fc.Arbitrary<FeePolicy> = fc
  .record({
    graceDays: fc.integer({ min: 0, max: 5 }),
    multiplierTenths: fc.integer({ min: 0, max: 30 }),
    maxAnnualPercent: fc.integer({ min: 0, max: 50 }),
    lateFee: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_000 })),
    ratioPercent: fc.oneof(
      fc.integer({ min: 0, max: 5 }),
      fc.constant(100),
      fc.integer({ min: 0, max: 200 }),
    ),
    arrearsTolerance: fc.integer({ min: 0, max: 50 }),
    chargeOffDpd: fc.integer({ min: 5, max: 60 }),
    rounding: fc.constantFrom('HALF_UP' as const, 'HALF_EVEN' as const),
  })
  .map((p) =>
    policy({
      graceDays: p.graceDays,
      penaltyRateMultiplier: rational(BigInt(p.multiplierTenths), 10n),
      maxPenaltyAnnualRate: rational(BigInt(p.maxAnnualPercent), 100n),
      lateFee: p.lateFee,
      maxChargesRatio: rational(BigInt(p.ratioPercent), 100n),
      arrearsTolerance: p.arrearsTolerance,
      chargeOffDpd: p.chargeOffDpd,
      rounding: p.rounding,
    }),
  );

const installmentArb = fc.record({
  gap: fc.integer({ min: 1, max: 40 }),
  principalDue: fc.integer({ min: 0, max: 200_000 }),
  interestDue: fc.integer({ min: 0, max: 5_000 }),
  principalPaidShare: fc.integer({ min: 0, max: 100 }),
  interestPaidShare: fc.integer({ min: 0, max: 100 }),
});

/** ACTIVE loans of 1–4 instalments, partly paid (without `payments`), some in forbearance. */
export const loanArb: fc.Arbitrary<Loan> = fc
  .record({
    firstDue: fc.integer({ min: 5, max: 30 }),
    installments: fc.array(installmentArb, { minLength: 1, maxLength: 4 }),
    principal: fc.integer({ min: 1, max: 1_000_000 }),
    ratePerMillion: fc.integer({ min: 0, max: 2_000 }),
    forbearanceDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
  })
  .map((g) => {
    let due = addDays(BASE, g.firstDue);
    const installments = g.installments.map((inst, index) => {
      if (index > 0) due = addDays(due, inst.gap);
      return installment({
        seq: index + 1,
        dueDate: due,
        principalDue: inst.principalDue,
        interestDue: inst.interestDue,
        principalPaid: Math.floor((inst.principalDue * inst.principalPaidShare) / 100),
        interestPaid: Math.floor((inst.interestDue * inst.interestPaidShare) / 100),
      });
    });
    const base = loan({
      principal: g.principal,
      dailyInterestRate: rational(BigInt(g.ratePerMillion), 1_000_000n),
      installments,
      accruedThrough: BASE,
    });
    return g.forbearanceDays === undefined
      ? base
      : { ...base, forbearanceUntil: addDays(BASE, g.forbearanceDays) };
  });

/**
 * One payment of a generated schedule, relative to its instalment: value-dated `valueOffset` days
 * after the due date, it reaches the item `delay` days after the first run that could have seen it
 * (0 = on time: seen by the run of the day after its value date), and pays the given shares (%) of
 * what is then left of the instalment's principal and interest.
 */
export interface PaymentSpec {
  readonly installment: number;
  readonly valueOffset: number;
  readonly delay: number;
  readonly principalShare: number;
  readonly interestShare: number;
}

/** Payment schedules; `maxDelay` 0 posts every payment on time. */
export const paymentSpecsArb = (maxDelay: number): fc.Arbitrary<PaymentSpec[]> =>
  fc.array(
    fc.record({
      installment: fc.nat({ max: 3 }),
      // Often around grace, where a backdated payment decides whether anything was owed at all.
      valueOffset: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.integer({ min: -3, max: 50 })),
      delay: fc.integer({ min: 0, max: maxDelay }),
      // Often the whole rest, so instalments get paid off (within grace or after it).
      principalShare: fc.oneof(fc.constant(100), fc.integer({ min: 0, max: 100 })),
      interestShare: fc.oneof(fc.constant(100), fc.integer({ min: 0, max: 100 })),
    }),
    { maxLength: 6 },
  );
