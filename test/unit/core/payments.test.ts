/**
 * Value-dated payments (docs/contract.md, Value-dated payments), hand-computed. Unless stated: one instalment of 10,000
 * principal + 300 interest due 2026-01-10, grace 3 days, penalty rate 0.0003 × 1.5 = 0.00045 a day,
 * so 10,000 → 4.5 → 5 a day (HALF_UP), 6,000 → 2.7 → 3, 5,000 → 2.25 → 2; late fee 1,000.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { isChargeEntry } from '../../../functions/core/ledger';
import {
  baseSegments,
  isPaidWithinGrace,
  paidOnOf,
  penaltyBaseOn,
} from '../../../functions/core/payments';
import type { Assessment, LedgerEntry } from '../../../functions/core/types';
import {
  d,
  installment,
  ledgerBook,
  loan,
  policy,
  postPayments,
  RUN,
  withPayments,
} from '../../../local/fixtures/loans';

const POLICY = policy({ lateFee: 1000 });
const due = installment({ dueDate: d('2026-01-10') });

function change(result: Assessment) {
  if (result.kind !== 'change') throw new Error(`expected a change, got ${result.kind}`);
  return result;
}

const chargeLines = (entries: readonly LedgerEntry[]) =>
  entries
    .filter(isChargeEntry)
    .flatMap((entry) => entry.lines.map((l) => ({ kind: entry.kind, ...l })));

describe('the value-dated penalty base', () => {
  const paid = withPayments(due, [
    ['P1', '2026-01-12', 4_000],
    ['P2', '2026-01-15', 1_000, 300],
  ]);

  it('stops penalty on the principal of a payment from the day after its value date', () => {
    expect(penaltyBaseOn(paid, d('2026-01-12'))).toBe(10_000);
    expect(penaltyBaseOn(paid, d('2026-01-13'))).toBe(6_000);
    expect(penaltyBaseOn(paid, d('2026-01-16'))).toBe(5_000);
  });

  it('splits a range into segments of constant base', () => {
    expect(baseSegments(paid, d('2026-01-11'), d('2026-01-20'))).toEqual([
      { fromDate: '2026-01-11', toDate: '2026-01-12', days: 2, base: 10_000 },
      { fromDate: '2026-01-13', toDate: '2026-01-15', days: 3, base: 6_000 },
      { fromDate: '2026-01-16', toDate: '2026-01-20', days: 5, base: 5_000 },
    ]);
    expect(baseSegments(due, d('2026-01-11'), d('2026-01-20'))).toEqual([
      { fromDate: '2026-01-11', toDate: '2026-01-20', days: 10, base: 10_000 },
    ]);
  });

  it('judges "paid within grace" on value dates and the arrears tolerance', () => {
    const onLastGraceDay = withPayments(due, [['P1', '2026-01-13', 10_000, 300]]);
    const dayAfter = withPayments(due, [['P1', '2026-01-14', 10_000, 300]]);
    const shortByTen = withPayments(due, [['P1', '2026-01-13', 10_000, 290]]);
    expect(paidOnOf(onLastGraceDay, POLICY)).toBe('2026-01-13');
    expect(isPaidWithinGrace(onLastGraceDay, POLICY)).toBe(true);
    expect(isPaidWithinGrace(dayAfter, POLICY)).toBe(false);
    expect(isPaidWithinGrace(shortByTen, POLICY)).toBe(false);
    expect(isPaidWithinGrace(shortByTen, policy({ arrearsTolerance: 10 }))).toBe(true);
    // Two payments: paid on the later value date, whatever their order on the item.
    const split = withPayments(due, [
      ['P2', '2026-01-16', 5_000, 300],
      ['P1', '2026-01-12', 5_000],
    ]);
    expect(paidOnOf(split, POLICY)).toBe('2026-01-16');
  });
});

describe('charges with value-dated payments', () => {
  it('charges a catch-up range segment by segment, one line per instalment', () => {
    // Paid 4,000 on 01-12 (within grace, but not all of it): first run past grace on 01-15.
    // 01-11..01-12: 2 × 5 = 10; 01-13..01-15: 3 × round(2.7) = 9; 19 in all, plus the late fee.
    const l = loan({ installments: [withPayments(due, [['P1', '2026-01-12', 4_000]])] });
    const result = change(assess(l, POLICY, d('2026-01-15'), RUN));
    expect(chargeLines(result.ledgerEntries)).toEqual([
      {
        kind: 'LATE_FEE',
        installmentSeq: 1,
        amount: 1000,
        base: 1000,
        fromDate: '2026-01-15',
        toDate: '2026-01-15',
        days: 0,
        capped: false,
      },
      {
        kind: 'PENALTY_INTEREST',
        installmentSeq: 1,
        amount: 19,
        base: 10_000,
        rate: '0.00045',
        fromDate: '2026-01-11',
        toDate: '2026-01-15',
        days: 5,
        capped: false,
        segments: [
          { fromDate: '2026-01-11', toDate: '2026-01-12', days: 2, base: 10_000, amount: 10 },
          { fromDate: '2026-01-13', toDate: '2026-01-15', days: 3, base: 6_000, amount: 9 },
        ],
      },
    ]);
    // Every payment seen is accounted for by the write.
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-15', lateFeeCharged: 1000, paymentsApplied: ['P1'] },
    ]);
  });

  it('charges an instalment paid after grace, posted on time, for its unpaid days only once', () => {
    // Paid in full on 01-16; the last run was 01-13 (in grace). A catch-up run on 01-20 charges
    // the late fee and 01-11..01-16 at 5 a day, as the daily runs of 01-14..01-16 would have.
    const paid = withPayments(due, [['P1', '2026-01-16', 10_000, 300]]);
    const l = loan({ installments: [paid], accruedThrough: d('2026-01-13'), dpd: 3, bucket: 'M1' });
    const result = change(assess(l, POLICY, d('2026-01-20'), RUN));
    expect(
      chargeLines(result.ledgerEntries).map((x) => [x.kind, x.amount, x.fromDate, x.toDate]),
    ).toEqual([
      ['LATE_FEE', 1000, '2026-01-20', '2026-01-20'],
      ['PENALTY_INTEREST', 30, '2026-01-11', '2026-01-16'],
    ]);
    expect(result.update).toMatchObject({ dpd: 0, bucket: 'M0', nextDueDate: null });
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-16', lateFeeCharged: 1000, paymentsApplied: ['P1'] },
    ]);

    const daily = ledgerBook(loan({ installments: [due] }));
    for (const day of ['2026-01-14', '2026-01-15', '2026-01-16']) daily.run(POLICY, d(day));
    daily.loan = postPayments(daily.loan, 1, [['P1', '2026-01-16', 10_000, 300]]);
    for (const day of ['2026-01-17', '2026-01-18', '2026-01-19', '2026-01-20']) {
      daily.run(POLICY, d(day));
    }
    expect([daily.loan.lateFeesCharged, daily.loan.penaltyCharged]).toEqual([1000, 30]);
  });

  it('never charges an instalment paid within grace by value date', () => {
    const paid = withPayments(due, [['P1', '2026-01-13', 10_000, 300]]);
    const result = assess(loan({ installments: [paid] }), POLICY, d('2026-01-20'), RUN);
    expect(result.kind === 'change' ? result.ledgerEntries : []).toEqual([]);
  });

  it('charges a loan without payments exactly as before: one segment, no paymentsApplied', () => {
    const result = change(assess(loan(), POLICY, d('2026-01-14'), RUN));
    const penalty = chargeLines(result.ledgerEntries).find((x) => x.kind === 'PENALTY_INTEREST');
    expect(penalty).not.toHaveProperty('segments');
    expect(result.update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-14', lateFeeCharged: 1000 },
    ]);
  });
});
