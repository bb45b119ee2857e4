import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isOverdueReminderDay,
  type LoanState,
  lineDatesOf,
  lineFor,
  mergeLines,
  orderedLines,
  REMINDER_KINDS,
  type ReminderLine,
} from '../../../functions/core/reminders';
import type { Loan } from '../../../functions/core/types';
import { withPayments } from '../../../local/fixtures/loans';
import { d, installment, loan, policy } from '../../support/events';
import { dueSoon, hardshipOffer, notice, overdue, promiseBroken } from '../../support/reminders';

const who = { loanId: 'L-1', borrowerId: 'B-1' };
const P = policy();
const found = (l: Loan): LoanState => ({ kind: 'found', loan: l });
const policyOf = () => P;
// One instalment of 10,000 + 300 due 2026-01-10 (see the core test support).
const overdueLoan = found(loan());

describe('overdue cadence', () => {
  it.each([1, 3, 7, 15, 30, 60, 90, 120, 180])('reminds at dpd %i', (dpd) => {
    expect(isOverdueReminderDay(dpd)).toBe(true);
  });

  it.each([0, 2, 4, 5, 8, 14, 16, 29, 31, 45, 59, 61])('stays quiet at dpd %i', (dpd) => {
    expect(isOverdueReminderDay(dpd)).toBe(false);
  });

  it('after dpd 30 reminds exactly on multiples of 30', () => {
    fc.assert(
      fc.property(fc.integer({ min: 31, max: 5_000 }), (dpd) => {
        expect(isOverdueReminderDay(dpd)).toBe(dpd % 30 === 0);
      }),
    );
  });
});

describe('overdue lines', () => {
  it('gives an overdue loan a line on a cadence day with the amount still owed', () => {
    expect(lineFor(overdue(who, '2026-01-17', 7), overdueLoan, policyOf)).toEqual({
      line: {
        loanId: 'L-1',
        kind: 'OVERDUE',
        currency: 'CNY',
        locale: 'zh-CN',
        dpd: 7,
        amountOverdue: 10_300,
      },
    });
  });

  it('states what is owed now when the borrower paid part since the sweep', () => {
    const partlyPaid = loan({
      installments: [installment({ dueDate: d('2026-01-10'), principalPaid: 4_000 })],
    });
    const decision = lineFor(overdue(who, '2026-01-17', 7), found(partlyPaid), policyOf);
    expect('line' in decision && decision.line.amountOverdue).toBe(6_300);
  });

  it('gives no line on a day off the cadence', () => {
    expect(lineFor(overdue(who, '2026-01-12', 2), overdueLoan, policyOf)).toEqual({
      suppressed: 'not-a-reminder-day',
    });
  });

  it('spares a borrower who has paid since the sweep, also by a backdated payment', () => {
    const paid = loan({
      installments: [
        withPayments(installment({ dueDate: d('2026-01-10') }), [
          ['PAY-1', '2026-01-16', 10_000, 300],
        ]),
      ],
    });
    expect(lineFor(overdue(who, '2026-01-17', 7), found(paid), policyOf)).toEqual({
      suppressed: 'no-longer-overdue',
    });
  });

  it('treats a remainder within the arrears tolerance as paid', () => {
    const almost = found(
      loan({
        installments: [
          installment({ dueDate: d('2026-01-10'), principalPaid: 9_999, interestPaid: 300 }),
        ],
      }),
    );
    const tolerant = () => policy({ arrearsTolerance: 1 });
    expect(lineFor(overdue(who, '2026-01-11', 1), almost, tolerant)).toEqual({
      suppressed: 'no-longer-overdue',
    });
    expect('line' in lineFor(overdue(who, '2026-01-11', 1), almost, policyOf)).toBe(true);
  });

  it('never in forbearance, flagged by the event or granted since the sweep', () => {
    expect(
      lineFor(overdue(who, '2026-01-11', 1, { forbearance: true }), overdueLoan, policyOf),
    ).toEqual({ suppressed: 'forbearance' });
    const granted = found(loan({ forbearanceUntil: d('2026-01-11') }));
    expect(lineFor(overdue(who, '2026-01-11', 1), granted, policyOf)).toEqual({
      suppressed: 'forbearance',
    });
    // The plan ended the day before: lines resume.
    const ended = found(loan({ forbearanceUntil: d('2026-01-10') }));
    expect('line' in lineFor(overdue(who, '2026-01-11', 1), ended, policyOf)).toBe(true);
  });

  it('never while a promise to pay is pending; an event without the flag is read as none', () => {
    const pending = overdue(who, '2026-01-11', 1, { promisePending: true });
    expect(lineFor(pending, overdueLoan, policyOf)).toEqual({ suppressed: 'promise-pending' });
    const none = overdue(who, '2026-01-11', 1, { promisePending: false });
    expect('line' in lineFor(none, overdueLoan, policyOf)).toBe(true);
    expect('line' in lineFor(overdue(who, '2026-01-11', 1), overdueLoan, policyOf)).toBe(true);
  });

  it('never when opted out, for a closed loan, or a loan that changed hands', () => {
    const event = overdue(who, '2026-01-11', 1);
    expect(lineFor(event, found(loan({ remindersOptOut: true })), policyOf)).toEqual({
      suppressed: 'opted-out',
    });
    for (const status of ['CHARGED_OFF', 'PAID_OFF', 'CANCELLED'] as const) {
      expect(lineFor(event, found(loan({ status })), policyOf)).toEqual({
        suppressed: 'not-active',
      });
    }
    expect(lineFor(event, found(loan({ borrowerId: 'B-2' })), policyOf)).toEqual({
      suppressed: 'borrower-changed',
    });
    expect(lineFor(event, { kind: 'missing' }, policyOf)).toEqual({
      suppressed: 'loan-not-found',
    });
    expect(lineFor(event, { kind: 'unreadable', reason: 'x' }, policyOf)).toEqual({
      suppressed: 'loan-unreadable',
    });
  });

  it("uses the loan's locale", () => {
    const decision = lineFor(
      overdue(who, '2026-01-11', 1),
      found(loan({ locale: 'en' })),
      policyOf,
    );
    expect('line' in decision && decision.line.locale).toBe('en');
  });
});

describe('due-soon lines', () => {
  const upcoming = found(
    loan({ installments: [installment({ seq: 2, dueDate: d('2026-03-10') })] }),
  );

  it.each([
    [3, '2026-03-07'],
    [1, '2026-03-09'],
    [0, '2026-03-10'],
  ])('on D-%i (asOf %s), with the instalment and what is left to pay', (days, asOf) => {
    expect(lineFor(dueSoon(who, asOf, 2, '2026-03-10', days), upcoming, policyOf)).toEqual({
      line: {
        loanId: 'L-1',
        kind: 'PAYMENT_DUE_SOON',
        currency: 'CNY',
        locale: 'zh-CN',
        installmentSeq: 2,
        dueDate: '2026-03-10',
        daysUntilDue: days,
        amountDue: 10_300,
      },
    });
  });

  it('spares a borrower who has already paid that instalment', () => {
    const paid = found(
      loan({
        installments: [
          installment({
            seq: 2,
            dueDate: d('2026-03-10'),
            principalPaid: 10_000,
            interestPaid: 300,
          }),
        ],
      }),
    );
    expect(lineFor(dueSoon(who, '2026-03-07', 2, '2026-03-10', 3), paid, policyOf)).toEqual({
      suppressed: 'installment-paid',
    });
  });

  it('spares an instalment whose due date moved before the event (found by the consumers fuzz)', () => {
    // The stored line would say "due in -2 days", which the reminder store refuses to read back:
    // every later event of the borrower that week would then fail.
    const moved = found(
      loan({ installments: [installment({ seq: 2, dueDate: d('2026-03-05') })] }),
    );
    expect(lineFor(dueSoon(who, '2026-03-07', 2, '2026-03-10', 3), moved, policyOf)).toEqual({
      suppressed: 'installment-overdue',
    });
  });

  it('goes out while an earlier instalment is overdue, and in forbearance; not when opted out', () => {
    const event = dueSoon(who, '2026-03-07', 2, '2026-03-10', 3);
    const both = loan({
      installments: [
        installment({ seq: 1, dueDate: d('2026-02-10') }),
        installment({ seq: 2, dueDate: d('2026-03-10') }),
      ],
    });
    expect('line' in lineFor(event, found(both), policyOf)).toBe(true);
    const deferred = found({ ...both, forbearanceUntil: d('2026-03-31') });
    expect('line' in lineFor(event, deferred, policyOf)).toBe(true);
    expect(lineFor(event, found({ ...both, remindersOptOut: true }), policyOf)).toEqual({
      suppressed: 'opted-out',
    });
  });
});

describe('credit-report notice lines', () => {
  it('always: also when opted out, closed, or the loan cannot be read', () => {
    const event = notice(who, '2026-01-11', 1);
    const expected = {
      loanId: 'L-1',
      kind: 'CREDIT_REPORT_NOTICE',
      currency: 'CNY',
      dpd: 1,
      amountOverdue: 10_300,
      settlementDate: '2026-01-31',
      noticeRaisedOn: '2026-01-11',
    };
    for (const state of [
      found(loan({ remindersOptOut: true })),
      found(loan({ status: 'CHARGED_OFF' })),
      found(loan({ forbearanceUntil: d('2026-02-01') })),
    ]) {
      expect(lineFor(event, state, policyOf)).toEqual({ line: { ...expected, locale: 'zh-CN' } });
    }
    // Without the loan, from the event alone, in the default locale.
    for (const state of [{ kind: 'missing' }, { kind: 'unreadable', reason: 'x' }] as const) {
      expect(lineFor(event, state, policyOf)).toEqual({ line: { ...expected, locale: 'zh-CN' } });
    }
  });

  it('states the figures of the date it is delivered on, or the raised ones once paid', () => {
    const event = notice(who, '2026-01-11', 1, 10_300);
    // Backfilled: delivered on 2026-01-20, 10 days past due.
    expect(lineFor(event, overdueLoan, policyOf, d('2026-01-20'))).toMatchObject({
      line: { dpd: 10, amountOverdue: 10_300, noticeRaisedOn: '2026-01-11' },
    });
    const paid = found(
      loan({
        installments: [
          installment({ dueDate: d('2026-01-10'), principalPaid: 10_000, interestPaid: 300 }),
        ],
      }),
    );
    expect(lineFor(event, paid, policyOf, d('2026-01-20'))).toMatchObject({
      line: { kind: 'CREDIT_REPORT_NOTICE', dpd: 1, amountOverdue: 10_300 },
    });
  });

  it("goes into today's reminder when raised for an earlier date, and tomorrow's too once today's window closed", () => {
    expect(lineDatesOf(notice(who, '2026-01-11', 1), d('2026-01-20'), false)).toEqual([
      '2026-01-20',
    ]);
    expect(lineDatesOf(notice(who, '2026-01-20', 1), d('2026-01-20'), true)).toEqual([
      '2026-01-20',
      '2026-01-21',
    ]);
    // Every other event keeps its own date, whose window may have passed.
    expect(lineDatesOf(overdue(who, '2026-01-11', 1), d('2026-01-20'), true)).toEqual([
      '2026-01-11',
    ]);
  });
});

describe('plan offer and broken promise lines', () => {
  it('an offer carries its id; none in forbearance, opted out or once paid', () => {
    const event = hardshipOffer(who, '2026-01-25', 15);
    expect(lineFor(event, overdueLoan, policyOf)).toEqual({
      line: {
        loanId: 'L-1',
        kind: 'HARDSHIP_OFFER',
        currency: 'CNY',
        locale: 'zh-CN',
        dpd: 15,
        amountOverdue: 10_300,
        offerId: 'L-1:hardship:2026-01-01',
      },
    });
    expect(lineFor(event, found(loan({ forbearanceUntil: d('2026-02-28') })), policyOf)).toEqual({
      suppressed: 'forbearance',
    });
    expect(lineFor(event, found(loan({ remindersOptOut: true })), policyOf)).toEqual({
      suppressed: 'opted-out',
    });
  });

  it('a broken promise carries what was promised and paid, whatever the cadence', () => {
    const event = promiseBroken(who, '2026-01-22', {
      until: '2026-01-21',
      amount: 10_300,
      paid: 4_000,
    });
    const partly = found(
      loan({ installments: [installment({ dueDate: d('2026-01-10'), principalPaid: 4_000 })] }),
    );
    expect(lineFor(event, partly, policyOf)).toEqual({
      line: {
        loanId: 'L-1',
        kind: 'PROMISE_BROKEN',
        currency: 'CNY',
        locale: 'zh-CN',
        dpd: 12,
        amountOverdue: 6_300,
        promiseId: 'P-L-1',
        until: '2026-01-21',
        amount: 10_300,
        paid: 4_000,
      },
    });
    expect(lineFor(event, found(loan({ remindersOptOut: true })), policyOf)).toEqual({
      suppressed: 'opted-out',
    });
  });
});

describe('merging the lines of one loan and date', () => {
  const line = (kind: ReminderLine['kind'], extra: Partial<ReminderLine> = {}): ReminderLine => ({
    loanId: 'L-1',
    kind,
    currency: 'CNY',
    locale: 'zh-CN',
    ...extra,
  });
  const arbitraryLine = fc
    .record(
      {
        kind: fc.constantFrom(...REMINDER_KINDS),
        dpd: fc.integer({ min: 1, max: 400 }),
        amountOverdue: fc.integer({ min: 0, max: 1_000_000 }),
        offerId: fc.constantFrom('O-1', 'O-2'),
        settlementDate: fc.constantFrom(d('2026-01-31'), d('2026-02-28')),
        daysUntilDue: fc.integer({ min: 0, max: 3 }),
      },
      { requiredKeys: ['kind'] },
    )
    .map(({ kind, ...extra }) => line(kind, extra));

  it('takes the most urgent kind and carries what each line says', () => {
    const merged = mergeLines(
      line('OVERDUE', { dpd: 7, amountOverdue: 10_300 }),
      line('CREDIT_REPORT_NOTICE', {
        dpd: 7,
        amountOverdue: 10_300,
        settlementDate: d('2026-01-31'),
      }),
    );
    expect(merged).toEqual(
      line('CREDIT_REPORT_NOTICE', {
        dpd: 7,
        amountOverdue: 10_300,
        settlementDate: d('2026-01-31'),
      }),
    );
    expect(
      mergeLines(
        line('PAYMENT_DUE_SOON', { daysUntilDue: 1 }),
        line('HARDSHIP_OFFER', { offerId: 'O' }),
      ),
    ).toEqual(line('HARDSHIP_OFFER', { daysUntilDue: 1, offerId: 'O' }));
  });

  it('is commutative, associative and idempotent, so order and redelivery do not matter', () => {
    fc.assert(
      fc.property(arbitraryLine, arbitraryLine, arbitraryLine, (a, b, c) => {
        expect(mergeLines(a, b)).toEqual(mergeLines(b, a));
        expect(mergeLines(mergeLines(a, b), c)).toEqual(mergeLines(a, mergeLines(b, c)));
        expect(mergeLines(a, a)).toEqual(a);
      }),
    );
  });

  it('orders lines most urgent first, then by loan id', () => {
    const lines = [
      { ...line('OVERDUE'), loanId: 'L-2' },
      { ...line('PAYMENT_DUE_SOON'), loanId: 'L-0' },
      { ...line('OVERDUE'), loanId: 'L-1' },
      { ...line('CREDIT_REPORT_NOTICE'), loanId: 'L-9' },
    ];
    expect(orderedLines(lines).map((l) => l.loanId)).toEqual(['L-9', 'L-1', 'L-2', 'L-0']);
  });
});
