/**
 * Rule 7 of docs/contract.md, Charges, hand-computed: backdated payments give back what was over-charged. Unless
 * stated: one instalment of 10,000 principal + 300 interest due 2026-01-10, grace 3 days (through
 * 01-13), penalty 0.00045 a day: 10,000 → 5 a day (4.5 HALF_UP), 5,000 → 2 (2.25); late fee 1,000.
 * Each test runs the sweep day by day on a ledger kept in memory, posting payments in between.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { postedLinesOf } from '../../../functions/core/ledger';
import { rational } from '../../../functions/core/rational';
import { ledgerNeededFrom } from '../../../functions/core/reversals';
import type { Assessment, ReversalEntry } from '../../../functions/core/types';
import {
  d,
  installment,
  ledgerBook,
  loan,
  policy,
  postPayments,
  RUN,
} from '../../../local/fixtures/loans';

const POLICY = policy({ lateFee: 1000 });

function change(result: Assessment) {
  if (result.kind !== 'change') throw new Error(`expected a change, got ${result.kind}`);
  return result;
}

const reversals = (result: Assessment) =>
  change(result).ledgerEntries.filter(
    (entry): entry is ReversalEntry =>
      entry.kind === 'PENALTY_REVERSAL' || entry.kind === 'LATE_FEE_REVERSAL',
  );

/** The loan swept daily from 01-14 through `last`, nothing paid. */
function sweptThrough(last: string, start = loan()) {
  const book = ledgerBook(start);
  for (let day = d('2026-01-14'); day <= last; day = next(day)) book.run(POLICY, day);
  return book;
}

function next(day: string) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return d(date.toISOString().slice(0, 10));
}

describe('paid on the last grace day, posted after the sweep charged', () => {
  // 01-14 charged the late fee and 01-11..01-14 (4 × 5 = 20); the payment of 01-13 arrives after.
  const book = sweptThrough('2026-01-14');
  book.loan = postPayments(book.loan, 1, [['P1', '2026-01-13', 10_000, 300]]);
  const result = book.run(POLICY, d('2026-01-15'));

  it('gives back every charge on the instalment, one reversal entry per kind', () => {
    const head = { loanId: 'L-1', currency: 'CNY', asOf: '2026-01-15', runId: 'run-1' };
    expect(reversals(result)).toEqual([
      {
        ...head,
        entryId: '2026-01-15#LATE_FEE_REVERSAL',
        kind: 'LATE_FEE_REVERSAL',
        amount: 1000,
        paymentIds: ['P1'],
        lines: [
          {
            installmentSeq: 1,
            amount: 1000,
            charged: 1000,
            reversedBefore: 0,
            correct: 0,
            paidWithinGrace: true,
          },
        ],
      },
      {
        ...head,
        entryId: '2026-01-15#PENALTY_REVERSAL',
        kind: 'PENALTY_REVERSAL',
        amount: 20,
        paymentIds: ['P1'],
        lines: [
          {
            installmentSeq: 1,
            amount: 20,
            charged: 20,
            reversedBefore: 0,
            correct: 0,
            paidWithinGrace: true,
            fromDate: '2026-01-11',
            toDate: '2026-01-14',
            days: 4,
            rate: '0.00045',
            segments: [
              { fromDate: '2026-01-11', toDate: '2026-01-13', days: 3, base: 10_000 },
              { fromDate: '2026-01-14', toDate: '2026-01-14', days: 1, base: 0 },
            ],
          },
        ],
      },
    ]);
  });

  it('lowers the totals to 0, charges nothing new, and takes the paid loan out of the index', () => {
    const { update, events, outcome } = change(result);
    expect(update).toMatchObject({
      lateFeesCharged: 0,
      penaltyCharged: 0,
      dpd: 0,
      bucket: 'M0',
      nextDueDate: null,
    });
    expect(update.installments).toEqual([
      { seq: 1, penaltyThrough: '2026-01-14', lateFeeCharged: 0, paymentsApplied: ['P1'] },
    ]);
    expect(outcome).toMatchObject({ lateFee: 0, penaltyInterest: 0, lateFeeReversed: 1000 });
    // Cured: its delinquency episode ends with the reversal (the hold placed at dpd 1 released).
    expect(events.map((e) => e.type)).toEqual([
      'loan.charges_reversed',
      'loan.delinquency_changed',
      'loan.risk_class_changed',
      'loan.credit_released',
    ]);
    expect(events[0]?.data).toEqual({
      lateFeeReversed: 1000,
      penaltyReversed: 20,
      currency: 'CNY',
      paymentIds: ['P1'],
      entryIds: ['2026-01-15#LATE_FEE_REVERSAL', '2026-01-15#PENALTY_REVERSAL'],
    });
  });

  it('gives nothing back twice: a re-run is already swept, the next day reads no ledger', () => {
    expect(book.run(POLICY, d('2026-01-15')).kind).toBe('unchanged');
    expect(ledgerNeededFrom(book.loan, d('2026-01-16'))).toBeUndefined();
    expect(book.run(POLICY, d('2026-01-16')).kind).toBe('unchanged');
    expect(book.entries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-01-14#LATE_FEE', 1000],
      ['2026-01-14#PENALTY_INTEREST', 20],
      ['2026-01-15#LATE_FEE_REVERSAL', 1000],
      ['2026-01-15#PENALTY_REVERSAL', 20],
    ]);
  });
});

describe('a partial payment value-dated three days back', () => {
  // Swept daily through 01-20 (01-14 catch-up 20, then 5 a day: 50 in all). 5,000 of principal
  // paid on 01-17 reaches the item on 01-20: 01-18, 01-19 and 01-20 should have been 2 each.
  const book = sweptThrough('2026-01-20');
  book.loan = postPayments(book.loan, 1, [['P1', '2026-01-17', 5_000]]);
  const result = book.run(POLICY, d('2026-01-21'));

  it('gives back exactly the over-charged penalty (3 × (5 − 2) = 9), not the late fee', () => {
    expect(reversals(result)).toEqual([
      expect.objectContaining({
        entryId: '2026-01-21#PENALTY_REVERSAL',
        amount: 9,
        paymentIds: ['P1'],
        lines: [
          {
            installmentSeq: 1,
            amount: 9,
            charged: 50,
            reversedBefore: 0,
            correct: 41,
            paidWithinGrace: false,
            fromDate: '2026-01-11',
            toDate: '2026-01-20',
            days: 10,
            rate: '0.00045',
            segments: [
              { fromDate: '2026-01-11', toDate: '2026-01-17', days: 7, base: 10_000 },
              { fromDate: '2026-01-18', toDate: '2026-01-20', days: 3, base: 5_000 },
            ],
          },
        ],
      }),
    ]);
  });

  it('charges the new day on the lower base in the same write', () => {
    const { update, ledgerEntries, events } = change(result);
    expect(ledgerEntries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-01-21#PENALTY_INTEREST', 2],
      ['2026-01-21#PENALTY_REVERSAL', 9],
    ]);
    expect(update).toMatchObject({ lateFeesCharged: 1000, penaltyCharged: 50 - 9 + 2 });
    expect(events.map((e) => e.type)).toEqual([
      'loan.overdue',
      'loan.fee_applied',
      'loan.charges_reversed',
    ]);
  });

  it('gives back nothing more when swept again, and charges 2 a day from then on', () => {
    expect(book.run(POLICY, d('2026-01-21')).kind).toBe('unchanged');
    const after = change(book.run(POLICY, d('2026-01-22')));
    expect(after.ledgerEntries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-01-22#PENALTY_INTEREST', 2],
    ]);
    expect(book.loan.penaltyCharged).toBe(45);
  });

  it('a second backdated payment gives back only what the first reversal did not', () => {
    // Another 5,000 paid on 01-19, posted on 01-22: 01-20..01-22 should have been 0.
    // Charged 50 + 2 + 2 = 54; reversed 9 before; correct 20 + 3 × 5 + 2 × 2 + 0 = 39 → 6 more.
    book.loan = postPayments(book.loan, 1, [['P2', '2026-01-19', 5_000, 300]]);
    const again = reversals(book.run(POLICY, d('2026-01-23')));
    expect(again.map((e) => [e.entryId, e.amount, e.paymentIds])).toEqual([
      ['2026-01-23#PENALTY_REVERSAL', 6, ['P2']],
    ]);
    expect(again[0]?.lines[0]).toMatchObject({ charged: 54, reversedBefore: 9, correct: 39 });
    expect(book.loan).toMatchObject({ penaltyCharged: 39, lateFeesCharged: 1000 });
  });
});

describe('an event lists at most 100 payment ids, with their count', () => {
  // 150 payments of 60 fen value-dated 01-12, posted after the run of 01-14: the base of 01-13
  // and 01-14 drops to 1,000 (0.45 → 0 a day), 2 × 5 = 10 back, caused by all 150 payments.
  const book = sweptThrough('2026-01-14');
  const payments = Array.from(
    { length: 150 },
    (_, i) => [`P-${String(i).padStart(3, '0')}`, '2026-01-12', 60] as const,
  );
  book.loan = postPayments(book.loan, 1, payments);
  const result = change(book.run(POLICY, d('2026-01-15')));

  it('lists the first 100 and counts all 150; the ledger entry lists every one', () => {
    const event = result.events.find((e) => e.type === 'loan.charges_reversed');
    const data = event?.data as { paymentIds: string[]; paymentIdCount?: number };
    expect(data.paymentIds).toEqual(payments.slice(0, 100).map(([id]) => id));
    expect(data.paymentIdCount).toBe(150);
    expect(reversals(result)[0]?.paymentIds).toHaveLength(150);
    expect(JSON.stringify(event).length).toBeLessThan(4_000);
  });
});

describe('a loan set PAID_OFF after a backdated final payment', () => {
  // Swept through 01-18 (20 + 4 × 5 = 40). Paid in full on 01-16, posted on 01-18, and upstream
  // closes the loan: 01-17 and 01-18 should not have been charged (2 × 5 = 10 back).
  const book = sweptThrough('2026-01-18');
  book.loan = {
    ...postPayments(book.loan, 1, [['P1', '2026-01-16', 10_000, 300]]),
    status: 'PAID_OFF',
  };
  const result = change(book.run(POLICY, d('2026-01-19')));

  it('makes the reversal in the write that takes it out of the index, ends its episode, and nothing else', () => {
    expect(result.ledgerEntries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-01-19#PENALTY_REVERSAL', 10],
    ]);
    expect(result.update).toMatchObject({
      penaltyCharged: 30,
      lateFeesCharged: 1000,
      nextDueDate: null,
      dpd: 0,
      bucket: 'M0',
      episode: { riskClass: 'NORMAL', creditHold: false },
    });
    expect(result.update.status).toBeUndefined();
    expect(result.events.map((e) => e.type)).toEqual([
      'loan.charges_reversed',
      'loan.delinquency_changed',
      'loan.risk_class_changed',
      'loan.credit_released',
    ]);
  });

  it('leaves it in the index when already swept for the date, for the next date to reverse', () => {
    const swept = { ...book.loan, accruedThrough: d('2026-01-19') };
    const posted = postPayments(swept, 1, [['P9', '2026-01-12', 0, 0]]);
    expect(assess(posted, POLICY, d('2026-01-19'), RUN, [])).toEqual({
      kind: 'unchanged',
      reason: 'already-swept',
    });
  });
});

describe('the cap and forgiven dates', () => {
  it('a reversal frees headroom for later charges, and capped dates stay uncharged', () => {
    // Cap 1,010 (principal 100,000 × 0.0101). Instalment 1 due 01-10, instalment 2 due 01-11.
    // 01-15: late fee 1,000 on 1, its penalty 5 × 5 = 25 cut to 10; instalment 2 gets nothing.
    const capped = policy({ lateFee: 1000, maxChargesRatio: rational(101n, 10_000n) });
    const two = loan({
      installments: [
        installment({ seq: 1, dueDate: d('2026-01-10') }),
        installment({ seq: 2, dueDate: d('2026-01-11') }),
      ],
    });
    const book = ledgerBook(two);
    book.run(capped, d('2026-01-15'));
    expect(book.loan).toMatchObject({ lateFeesCharged: 1000, penaltyCharged: 10 });
    // Instalment 1 was paid on 01-13, within grace: all 1,010 comes back. Instalment 2's dates
    // 01-12..01-15 were cut by the cap and stay uncharged; 01-16 and its late fee now fit.
    book.loan = postPayments(book.loan, 1, [['P1', '2026-01-13', 10_000, 300]]);
    const result = change(book.run(capped, d('2026-01-16')));
    expect(result.ledgerEntries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-01-16#LATE_FEE', 1000],
      ['2026-01-16#PENALTY_INTEREST', 5],
      ['2026-01-16#LATE_FEE_REVERSAL', 1000],
      ['2026-01-16#PENALTY_REVERSAL', 10],
    ]);
    const penalty = result.ledgerEntries.find((e) => e.entryId === '2026-01-16#PENALTY_INTEREST');
    expect(penalty?.lines[0]).toMatchObject({ installmentSeq: 2, fromDate: '2026-01-16', days: 1 });
    expect(book.loan).toMatchObject({ lateFeesCharged: 1000, penaltyCharged: 5 });
  });

  it('leaves a capped line as it is when its correct amount is still above what was posted', () => {
    // Cap 12: the 01-14 catch-up (20) was cut to 12. Half the principal paid on 01-12: the
    // value-dated penalty is 2 × 5 + 2 × 2 = 14 ≥ 12, so nothing comes back.
    const tight = policy({ maxChargesRatio: rational(12n, 100_000n) });
    const book = ledgerBook(loan());
    book.run(tight, d('2026-01-14'));
    expect(book.loan.penaltyCharged).toBe(12);
    book.loan = postPayments(book.loan, 1, [['P1', '2026-01-12', 5_000]]);
    const result = change(book.run(tight, d('2026-01-15')));
    expect(result.ledgerEntries).toEqual([]);
    expect(result.update.installments[0]?.paymentsApplied).toEqual(['P1']);
  });

  it('never touches dates forgiven by forbearance', () => {
    // Forbearance through 01-16 forgave 01-11..01-16; 01-17..01-18 charged 5 each. A payment of
    // 01-12 lowers only the charged dates: 2 × (5 − 2) = 6 back.
    const book = ledgerBook(loan({ forbearanceUntil: d('2026-01-16') }));
    for (const day of ['2026-01-14', '2026-01-15', '2026-01-16', '2026-01-17', '2026-01-18']) {
      book.run(POLICY, d(day));
    }
    expect(book.loan.penaltyCharged).toBe(10);
    book.loan = postPayments(book.loan, 1, [['P1', '2026-01-12', 5_000]]);
    const back = reversals(book.run(POLICY, d('2026-01-19')));
    expect(back.map((e) => [e.kind, e.amount])).toEqual([['PENALTY_REVERSAL', 6]]);
    expect(back[0]?.lines[0]).toMatchObject({ fromDate: '2026-01-17', toDate: '2026-01-18' });
  });
});

describe('what the assessment needs and refuses', () => {
  it('needs the ledger from the day after the earliest affected due date', () => {
    const book = sweptThrough('2026-01-16');
    const posted = postPayments(book.loan, 1, [['P1', '2026-01-12', 100]]);
    expect(ledgerNeededFrom(posted, d('2026-01-17'))).toBe('2026-01-11');
    expect(() => assess(posted, POLICY, d('2026-01-17'), RUN)).toThrow(/needs its ledger/);
    // A payment value-dated on penaltyThrough lowers no date already charged.
    const onThrough = postPayments(book.loan, 1, [['P1', '2026-01-16', 100]]);
    expect(ledgerNeededFrom(onThrough, d('2026-01-17'))).toBeUndefined();
  });

  it('skips a loan whose ledger gives back more than its totals hold', () => {
    const book = sweptThrough('2026-01-14');
    const posted = postPayments(book.loan, 1, [['P1', '2026-01-13', 10_000, 300]]);
    const tampered = { ...posted, penaltyCharged: 15 };
    const history = postedLinesOf(book.entries);
    expect(assess(tampered, POLICY, d('2026-01-15'), RUN, history)).toEqual({
      kind: 'skip',
      reason: 'ledger: penalty to give back (20) exceeds penaltyCharged (15)',
    });
  });
});

describe('the worked example of docs/engine.md', () => {
  // ¥1,000.00 + ¥9.00 due 2026-11-10, late fee ¥15.00: 45 fen a day on 100,000, 23 on 50,000.
  const P15 = policy({ lateFee: 1500 });
  const start = loan({
    principal: 1_000_000,
    installments: [
      installment({ seq: 2, dueDate: d('2026-11-10'), principalDue: 100_000, interestDue: 900 }),
    ],
  });
  const days = ['2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17'];

  it('a partial payment posted two days late: 44 back, 23 charged, 294 in all', () => {
    const book = ledgerBook(start);
    for (const day of days) book.run(P15, d(day));
    expect(book.loan).toMatchObject({ lateFeesCharged: 1500, penaltyCharged: 315 });
    book.loan = postPayments(book.loan, 2, [['PAY-1', '2026-11-15', 50_000]]);
    const result = change(book.run(P15, d('2026-11-18')));
    expect(result.ledgerEntries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-11-18#PENALTY_INTEREST', 23],
      ['2026-11-18#PENALTY_REVERSAL', 44],
    ]);
    expect(reversals(result)[0]?.lines[0]).toMatchObject({ charged: 315, correct: 271 });
    expect(book.loan.penaltyCharged).toBe(294);
    // Posted in time, one catch-up run on 11-18 posts the same: 1,500 + 225 + 69.
    const once = ledgerBook(postPayments(start, 2, [['PAY-1', '2026-11-15', 50_000]]));
    once.run(P15, d('2026-11-18'));
    expect(once.loan).toMatchObject({ lateFeesCharged: 1500, penaltyCharged: 294 });
  });

  it('paid in full on the last day of grace: 1,500 and 315 back, both totals 0', () => {
    const book = ledgerBook(start);
    for (const day of days) book.run(P15, d(day));
    book.loan = postPayments(book.loan, 2, [['PAY-2', '2026-11-13', 100_000, 900]]);
    const result = change(book.run(P15, d('2026-11-18')));
    expect(result.ledgerEntries.map((e) => [e.entryId, e.amount])).toEqual([
      ['2026-11-18#LATE_FEE_REVERSAL', 1500],
      ['2026-11-18#PENALTY_REVERSAL', 315],
    ]);
    expect(book.loan).toMatchObject({ lateFeesCharged: 0, penaltyCharged: 0 });
    expect(result.update.nextDueDate).toBeNull();
  });
});
