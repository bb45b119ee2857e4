/**
 * Hand-computed examples for every boundary of docs/contract.md: Charges, Events. Unless stated: one instalment of
 * 10,000 principal + 300 interest due 2026-01-10, daily rate 0.0003 × 1.5 = 0.00045, so the daily
 * penalty is 10,000 × 0.00045 = 4.5 → 5 (HALF_UP) or 4 (HALF_EVEN).
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { isChargeEntry } from '../../../functions/core/ledger';
import { parseDecimal } from '../../../functions/core/rational';
import type { Assessment, LedgerEntry, Loan, Rational } from '../../../functions/core/types';
import { applyUpdate, d, installment, loan, policy, RUN } from '../../../local/fixtures/loans';

function change(result: Assessment) {
  if (result.kind !== 'change') throw new Error(`expected a change, got ${result.reason}`);
  return result;
}

function rate(text: string): Rational {
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(text);
  return parsed;
}

const eventTypes = (result: Assessment) => change(result).events.map((e) => e.type);

/** Every ledger line of a change, with its entry's kind (late fees first, then penalty). */
const lines = (result: { ledgerEntries: readonly LedgerEntry[] }) =>
  result.ledgerEntries
    .filter(isChargeEntry)
    .flatMap((entry) => entry.lines.map((line) => ({ kind: entry.kind, ...line })));

describe('grace', () => {
  it('charges nothing within the grace period (day 3) and keeps penaltyThrough', () => {
    const result = change(assess(loan(), policy({ lateFee: 1000 }), d('2026-01-13'), RUN));
    expect(result.ledgerEntries).toEqual([]);
    expect(result.update.installments).toEqual([]);
    expect(result.update).toMatchObject({
      dpd: 3,
      bucket: 'M1',
      penaltyCharged: 0,
      lateFeesCharged: 0,
    });
    const overdue = result.events.find((e) => e.type === 'loan.overdue');
    expect(overdue?.data).toEqual({
      dpd: 3,
      bucket: 'M1',
      inGrace: true,
      forbearance: false,
      amountOverdue: 10_300,
      currency: 'CNY',
      // The episode began with the first overdue day; the defaults hold and notify at dpd 1.
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-01-11',
      creditHold: true,
      creditNoticeOn: '2026-01-13',
      promisePending: false,
    });
  });

  it('charges the retroactive 4 days and the late fee on the first day past grace (day 4)', () => {
    const result = change(assess(loan(), policy({ lateFee: 1000 }), d('2026-01-14'), RUN));
    const head = { loanId: 'L-1', currency: 'CNY', asOf: '2026-01-14', runId: 'run-1' };
    expect(result.ledgerEntries).toEqual([
      {
        ...head,
        entryId: '2026-01-14#LATE_FEE',
        kind: 'LATE_FEE',
        amount: 1000,
        lines: [
          {
            installmentSeq: 1,
            amount: 1000,
            base: 1000,
            fromDate: '2026-01-14',
            toDate: '2026-01-14',
            days: 0,
            capped: false,
          },
        ],
      },
      {
        ...head,
        entryId: '2026-01-14#PENALTY_INTEREST',
        kind: 'PENALTY_INTEREST',
        amount: 20,
        lines: [
          {
            installmentSeq: 1,
            amount: 20,
            base: 10_000,
            rate: '0.00045',
            fromDate: '2026-01-11',
            toDate: '2026-01-14',
            days: 4,
            capped: false,
          },
        ],
      },
    ]);
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-14', lateFeeCharged: 1000 },
    ]);
    expect(result.update).toMatchObject({
      lateFeesCharged: 1000,
      penaltyCharged: 20,
      version: 1,
      expectedVersion: 0,
    });
    const fee = result.events.find((e) => e.type === 'loan.fee_applied');
    expect(fee?.data).toEqual({
      lateFee: 1000,
      penaltyInterest: 20,
      currency: 'CNY',
      capped: false,
      entryIds: ['2026-01-14#LATE_FEE', '2026-01-14#PENALTY_INTEREST'],
    });
  });

  it('charges no late fee twice: the next day only one more day of penalty', () => {
    const day4 = change(assess(loan(), policy({ lateFee: 1000 }), d('2026-01-14'), RUN));
    const after = applyUpdate(loan(), day4.update);
    const day5 = change(assess(after, policy({ lateFee: 1000 }), d('2026-01-15'), RUN));
    expect(lines(day5).map((e) => [e.kind, e.amount, e.days, e.fromDate])).toEqual([
      ['PENALTY_INTEREST', 5, 1, '2026-01-15'],
    ]);
    expect(day5.update).toMatchObject({ lateFeesCharged: 1000, penaltyCharged: 25 });
  });
});

describe('rounding', () => {
  it('rounds an exact .5 daily amount up under HALF_UP and to even under HALF_EVEN', () => {
    const up = change(assess(loan(), policy({ rounding: 'HALF_UP' }), d('2026-01-14'), RUN));
    const even = change(assess(loan(), policy({ rounding: 'HALF_EVEN' }), d('2026-01-14'), RUN));
    expect(lines(up)[0]?.amount).toBe(4 * 5);
    expect(lines(even)[0]?.amount).toBe(4 * 4);
  });

  it('multiplies the rounded daily amount by the days (never rounds the total)', () => {
    // 10,001 × 0.00045 = 4.50045 → 5 per day; 10 days = 50 (rounding the total would give 45).
    const l = loan({
      installments: [installment({ dueDate: d('2026-01-10'), principalDue: 10_001 })],
    });
    const result = change(assess(l, policy(), d('2026-01-20'), RUN));
    expect(lines(result)[0]).toMatchObject({ amount: 50, days: 10, base: 10_001 });
  });
});

describe('penalty-rate ceiling', () => {
  it('charges at most maxPenaltyAnnualRate ÷ 365 per day', () => {
    // 0.001 × 1.5 = 0.0015 > 0.24 / 365; 36,500 × 0.24 / 365 = 24 per day exactly.
    const l = loan({
      dailyInterestRate: rate('0.001'),
      installments: [installment({ dueDate: d('2026-01-10'), principalDue: 36_500 })],
    });
    const result = change(assess(l, policy(), d('2026-01-14'), RUN));
    expect(lines(result)[0]).toMatchObject({
      amount: 96,
      days: 4,
      rate: '0.00065753424657534247',
    });
  });

  it('uses the contract rate × multiplier when that is below the ceiling', () => {
    const result = change(assess(loan(), policy(), d('2026-01-14'), RUN));
    expect(lines(result)[0]?.rate).toBe('0.00045');
  });
});

describe('cap', () => {
  // principal 20,000, ratio 0.005 → cap 100.
  const capped = (overrides: Partial<Loan>) =>
    loan({ principal: 20_000, penaltyCharged: 50, ...overrides });
  const capPolicy = policy({ lateFee: 40, maxChargesRatio: rate('0.005') });

  it('cuts a penalty to what the cap allows and flags it', () => {
    // 50 charged before; late fee 40 fits (90); penalty 4 × 5 = 20 is cut to 10.
    const result = change(assess(capped({}), capPolicy, d('2026-01-14'), RUN));
    expect(lines(result).map((e) => [e.kind, e.amount, e.capped])).toEqual([
      ['LATE_FEE', 40, false],
      ['PENALTY_INTEREST', 10, true],
    ]);
    expect(result.update).toMatchObject({ lateFeesCharged: 40, penaltyCharged: 60 });
    expect(result.outcome.capped).toBe(true);
    expect(result.events.find((e) => e.type === 'loan.fee_applied')?.data).toMatchObject({
      capped: true,
    });
  });

  it('cuts a late fee, posts no zero entry for the penalty, and never charges the cut dates later', () => {
    // 75 charged before: late fee 40 is cut to 25, the penalty to nothing.
    const before = capped({ penaltyCharged: 75 });
    const result = change(assess(before, capPolicy, d('2026-01-14'), RUN));
    expect(lines(result).map((e) => [e.kind, e.amount, e.capped])).toEqual([
      ['LATE_FEE', 25, true],
    ]);
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-14', lateFeeCharged: 25 },
    ]);
    const raised = policy({ lateFee: 40, maxChargesRatio: rate('1') });
    const next = change(assess(applyUpdate(before, result.update), raised, d('2026-01-15'), RUN));
    expect(lines(next).map((e) => [e.kind, e.amount, e.days])).toEqual([
      ['PENALTY_INTEREST', 5, 1],
    ]);
  });

  it('posts charges in instalment order: the first instalment takes what is left', () => {
    const two = capped({
      installments: [
        installment({ seq: 1, dueDate: d('2026-01-10') }),
        installment({ seq: 2, dueDate: d('2026-01-10') }),
      ],
    });
    const result = change(assess(two, capPolicy, d('2026-01-14'), RUN));
    expect(lines(result).map((e) => [e.installmentSeq, e.kind, e.amount])).toEqual([
      [1, 'LATE_FEE', 40],
      [1, 'PENALTY_INTEREST', 10],
    ]);
    // The second instalment's late fee was cut to nothing: not marked charged.
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-14', lateFeeCharged: 40 },
      { seq: 2, penaltyThrough: '2026-01-14', lateFeeCharged: 0 },
    ]);
    expect(result.update.lateFeesCharged + result.update.penaltyCharged).toBe(100);
  });
});

describe('forbearance', () => {
  it('charges nothing while asOf ≤ forbearanceUntil and forgives those dates', () => {
    const l = loan({ forbearanceUntil: d('2026-01-20') });
    const result = change(assess(l, policy({ lateFee: 1000 }), d('2026-01-15'), RUN));
    expect(result.ledgerEntries).toEqual([]);
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-15', lateFeeCharged: 0 },
    ]);
    expect(result.events.find((e) => e.type === 'loan.overdue')?.data).toMatchObject({
      dpd: 5,
      inGrace: false,
      forbearance: true,
    });
  });

  it('keeps forgiven dates forgiven when the plan is removed after the fact', () => {
    const l = loan({ forbearanceUntil: d('2026-01-20') });
    const during = change(assess(l, policy({ lateFee: 1000 }), d('2026-01-15'), RUN));
    const { forbearanceUntil: _removed, ...rest } = applyUpdate(l, during.update);
    const result = change(assess(rest, policy({ lateFee: 1000 }), d('2026-01-18'), RUN));
    // Only 16–18 Jan: 3 × 5 = 15, not the 8 days since the due date; the late fee now applies.
    expect(lines(result).map((e) => [e.kind, e.amount, e.fromDate, e.toDate])).toEqual([
      ['LATE_FEE', 1000, '2026-01-18', '2026-01-18'],
      ['PENALTY_INTEREST', 15, '2026-01-16', '2026-01-18'],
    ]);
  });

  it('charges from the day after the plan ends', () => {
    const l = loan({ forbearanceUntil: d('2026-01-20') });
    const result = change(assess(l, policy(), d('2026-01-22'), RUN));
    expect(lines(result)[0]).toMatchObject({ amount: 10, days: 2, fromDate: '2026-01-21' });
  });
});

describe('charge-off', () => {
  // 2026-01-10 + 180 days = 2026-07-09.
  const sweptTo = (date: string): Loan =>
    loan({
      accruedThrough: d(date),
      dpd: 179,
      bucket: 'M6',
      penaltyCharged: 895,
      installments: [installment({ dueDate: d('2026-01-10'), penaltyThrough: d(date) })],
    });

  it('charges off on the exact day: one more day of penalty, status and index key cleared', () => {
    const result = change(assess(sweptTo('2026-07-08'), policy(), d('2026-07-09'), RUN));
    expect(lines(result).map((e) => [e.amount, e.toDate])).toEqual([[5, '2026-07-09']]);
    expect(result.update).toMatchObject({
      status: 'CHARGED_OFF',
      nextDueDate: null,
      dpd: 180,
      bucket: 'M6',
    });
    expect(result.outcome.chargedOff).toBe(true);
    const event = result.events.find((e) => e.type === 'loan.charged_off');
    expect(event?.data).toEqual({
      dpd: 180,
      principalOutstanding: 10_000,
      chargesTotal: 900,
      currency: 'CNY',
    });
    expect(eventTypes(result)).not.toContain('loan.delinquency_changed');
  });

  it('is not charged off the day before', () => {
    const day = { ...sweptTo('2026-07-07'), dpd: 178 };
    const result = change(assess(day, policy(), d('2026-07-08'), RUN));
    expect(result.update.status).toBeUndefined();
    expect(result.update.nextDueDate).toBe('2026-01-10');
  });

  it('leaves a charged-off loan alone the day after', () => {
    const after = applyUpdate(
      sweptTo('2026-07-08'),
      change(assess(sweptTo('2026-07-08'), policy(), d('2026-07-09'), RUN)).update,
    );
    expect(assess(after, policy(), d('2026-07-10'), RUN)).toEqual({
      kind: 'unchanged',
      reason: 'not-active',
    });
  });

  it('charges nothing for a charge-off date that fell inside a forbearance since ended', () => {
    // Daily runs would have charged off on 9 Jul, inside the plan, without a charge.
    const forborne = loan({ forbearanceUntil: d('2026-07-10') });
    const result = change(assess(forborne, policy({ lateFee: 1000 }), d('2026-07-12'), RUN));
    expect(result.ledgerEntries).toEqual([]);
    expect(result.update.status).toBe('CHARGED_OFF');
  });

  it('a late catch-up charges only through the charge-off date', () => {
    const result = change(assess(sweptTo('2026-07-08'), policy(), d('2026-07-12'), RUN));
    expect(lines(result).map((e) => [e.amount, e.days, e.toDate])).toEqual([[5, 1, '2026-07-09']]);
    expect(result.update).toMatchObject({ dpd: 183, bucket: 'M7', status: 'CHARGED_OFF' });
    expect(eventTypes(result)).toContain('loan.delinquency_changed');
  });
});

describe('arrears tolerance', () => {
  const almostPaid = loan({
    installments: [
      installment({ dueDate: d('2026-01-10'), principalPaid: 10_000, interestPaid: 295 }),
    ],
  });

  it('counts an instalment short by no more than the tolerance as paid', () => {
    const result = assess(
      { ...almostPaid, nextDueDate: undefined },
      policy({ arrearsTolerance: 5 }),
      d('2026-01-20'),
      RUN,
    );
    expect(result).toMatchObject({ kind: 'unchanged', reason: 'nothing-to-change' });
  });

  it('counts it unpaid when short by more than the tolerance', () => {
    const result = change(
      assess(almostPaid, policy({ arrearsTolerance: 4, lateFee: 100 }), d('2026-01-20'), RUN),
    );
    expect(result.update.dpd).toBe(10);
    // Unpaid principal is 0: a late fee but no penalty entry.
    expect(lines(result).map((e) => e.kind)).toEqual(['LATE_FEE']);
  });
});

describe('several instalments', () => {
  it('charges each overdue instalment on its own dates and takes dpd from the oldest', () => {
    const two = loan({
      installments: [
        installment({ seq: 1, dueDate: d('2026-01-10') }),
        installment({ seq: 2, dueDate: d('2026-02-10') }),
        installment({ seq: 3, dueDate: d('2026-03-10') }),
      ],
    });
    const result = change(assess(two, policy(), d('2026-02-14'), RUN));
    expect(lines(result).map((e) => [e.installmentSeq, e.days, e.amount, e.fromDate])).toEqual([
      [1, 35, 175, '2026-01-11'],
      [2, 4, 20, '2026-02-11'],
    ]);
    expect(result.update).toMatchObject({
      dpd: 35,
      bucket: 'M2',
      penaltyCharged: 195,
      nextDueDate: '2026-01-10',
    });
    expect(result.events.find((e) => e.type === 'loan.overdue')?.data).toMatchObject({
      amountOverdue: 20_600,
    });
  });
});

describe('delinquency changes', () => {
  it('reports a recovery to M0 and moves the index key to the next unpaid instalment', () => {
    const paid = loan({
      dpd: 5,
      bucket: 'M1',
      accruedThrough: d('2026-01-15'),
      installments: [
        installment({ seq: 1, dueDate: d('2026-01-10'), principalPaid: 10_000, interestPaid: 300 }),
        installment({ seq: 2, dueDate: d('2026-02-10') }),
      ],
    });
    const result = change(assess(paid, policy(), d('2026-01-16'), RUN));
    expect(eventTypes(result)).toEqual(['loan.delinquency_changed']);
    expect(result.events[0]?.data).toEqual({ from: 'M1', to: 'M0', dpd: 0 });
    expect(result.update).toMatchObject({ dpd: 0, bucket: 'M0', nextDueDate: '2026-02-10' });
  });

  it('removes the index key when nothing is left unpaid', () => {
    const done = loan({
      installments: [
        installment({ dueDate: d('2026-01-10'), principalPaid: 10_000, interestPaid: 300 }),
      ],
    });
    const result = change(assess(done, policy(), d('2026-01-16'), RUN));
    expect(result.update.nextDueDate).toBeNull();
    expect(result.events).toEqual([]);
  });
});

describe('due-soon events', () => {
  const upcoming = loan({
    installments: [
      installment({ seq: 1, dueDate: d('2026-01-10') }),
      installment({ seq: 2, dueDate: d('2026-01-11'), principalDue: 5_000 }),
    ],
  });

  it.each([
    ['2026-01-07', 3],
    ['2026-01-09', 1],
    ['2026-01-10', 0],
  ])('on %s names the instalment due in %i days', (asOf, days) => {
    const result = change(assess(upcoming, policy(), d(asOf), RUN));
    const event = result.events.find((e) => e.type === 'loan.payment_due_soon');
    expect(event?.data).toEqual({
      installmentSeq: 1,
      dueDate: '2026-01-10',
      daysUntilDue: days,
      amountDue: 10_300,
      currency: 'CNY',
    });
    expect(event?.id).toBe(`L-1:loan.payment_due_soon:${asOf}`);
  });

  it('names the earliest matching instalment when an earlier one does not match', () => {
    // On 8 Jan the first is due in 2 days (no offset), the second in 3.
    const result = change(assess(upcoming, policy(), d('2026-01-08'), RUN));
    expect(result.events.find((e) => e.type === 'loan.payment_due_soon')?.data).toMatchObject({
      installmentSeq: 2,
      daysUntilDue: 3,
      amountDue: 5_300,
    });
  });

  it('sends nothing on a day that is no offset', () => {
    const result = assess(upcoming, policy({ reminderOffsets: [1] }), d('2026-01-07'), RUN);
    expect(result).toMatchObject({ kind: 'unchanged', reason: 'nothing-to-change' });
  });
});

describe('idempotence and scope', () => {
  it('leaves a loan already swept for the date or later alone', () => {
    for (const accruedThrough of ['2026-01-14', '2026-01-20']) {
      expect(
        assess(loan({ accruedThrough: d(accruedThrough) }), policy(), d('2026-01-14'), RUN),
      ).toEqual({
        kind: 'unchanged',
        reason: 'already-swept',
      });
    }
  });

  it('a second run for the same date changes nothing', () => {
    const first = change(assess(loan(), policy({ lateFee: 1000 }), d('2026-01-14'), RUN));
    const again = assess(
      applyUpdate(loan(), first.update),
      policy({ lateFee: 1000 }),
      d('2026-01-14'),
      RUN,
    );
    expect(again).toEqual({ kind: 'unchanged', reason: 'already-swept' });
  });

  it('only sweeps ACTIVE loans', () => {
    for (const status of ['PAID_OFF', 'CHARGED_OFF', 'CANCELLED'] as const) {
      expect(
        assess(loan({ status, nextDueDate: undefined }), policy(), d('2026-01-14'), RUN),
      ).toEqual({ kind: 'unchanged', reason: 'not-active' });
    }
  });

  it('takes a loan that left ACTIVE out of the index and charges it nothing', () => {
    const closed = loan({ status: 'PAID_OFF', version: 4 });
    const result = change(assess(closed, policy(), d('2026-01-14'), RUN));
    expect(result.update).toMatchObject({
      nextDueDate: null,
      expectedVersion: 4,
      version: 5,
      lateFeesCharged: 0,
      penaltyCharged: 0,
      installments: [],
    });
    expect(result.update.status).toBeUndefined();
    expect(result.ledgerEntries).toEqual([]);
    expect(result.events).toEqual([]);
  });

  it('a loan last swept overdue that left ACTIVE goes back to M0 on the write that takes it out', () => {
    const closed = loan({ status: 'PAID_OFF', version: 4, dpd: 4, bucket: 'M1' });
    const result = change(assess(closed, policy(), d('2026-01-14'), RUN));
    expect(result.update).toMatchObject({ nextDueDate: null, dpd: 0, bucket: 'M0' });
    expect(result.ledgerEntries).toEqual([]);
    expect(result.events.map((e) => [e.type, e.data])).toEqual([
      ['loan.delinquency_changed', { from: 'M1', to: 'M0', dpd: 0 }],
    ]);
  });

  it('puts the post-assessment bucket and dpd and deterministic ids on every event', () => {
    const result = change(assess(loan(), policy(), d('2026-01-14'), RUN));
    expect(result.events.map((e) => [e.id, e.bucket, e.dpd, e.runId, e.occurredAt])).toEqual([
      ['L-1:loan.overdue:2026-01-14', 'M1', 4, 'run-1', RUN.occurredAt],
      ['L-1:loan.fee_applied:2026-01-14', 'M1', 4, 'run-1', RUN.occurredAt],
      ['L-1:loan.delinquency_changed:2026-01-14', 'M1', 4, 'run-1', RUN.occurredAt],
      ['L-1:loan.risk_class_changed:2026-01-14', 'M1', 4, 'run-1', RUN.occurredAt],
      ['L-1:loan.credit_hold:2026-01-14', 'M1', 4, 'run-1', RUN.occurredAt],
      ['L-1:loan.credit_report_notice:2026-01-14', 'M1', 4, 'run-1', RUN.occurredAt],
    ]);
  });
});
