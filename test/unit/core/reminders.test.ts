import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../../functions/core/money';
import {
  decideReminder,
  isOverdueReminderDay,
  renderReminderMessage,
  sendAfterOf,
} from '../../../functions/core/reminders';
import { d, dueSoonEvent, installment, loan, overdueEvent, policy } from '../../support/events';
import { withPayments } from '../../support/loans';

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

// One instalment of 10,000 + 300 due 2026-01-10 (see the core test support).
const overdueLoan = loan();
const P = policy();

describe('overdue reminders', () => {
  it('reminds an overdue borrower on a cadence day with the amount still owed', () => {
    const decision = decideReminder(overdueEvent('2026-01-17', 7), overdueLoan, P);
    expect(decision).toEqual({
      send: true,
      locale: 'zh-CN',
      content: { kind: 'OVERDUE', loanId: 'L-1', dpd: 7, amount: 10_300, currency: 'CNY' },
    });
  });

  it('states what is owed now when the borrower paid part since the sweep', () => {
    const partlyPaid = loan({
      installments: [installment({ dueDate: d('2026-01-10'), principalPaid: 4_000 })],
    });
    const decision = decideReminder(overdueEvent('2026-01-17', 7), partlyPaid, P);
    expect(decision.send && decision.content.amount).toBe(6_300);
  });

  it('does not remind on a day off the cadence', () => {
    expect(decideReminder(overdueEvent('2026-01-12', 2), overdueLoan, P)).toEqual({
      send: false,
      reason: 'not-a-reminder-day',
    });
  });

  it('spares a borrower who has paid since the sweep', () => {
    const paid = loan({
      installments: [
        installment({ dueDate: d('2026-01-10'), principalPaid: 10_000, interestPaid: 300 }),
      ],
    });
    expect(decideReminder(overdueEvent('2026-01-11', 1), paid, P)).toEqual({
      send: false,
      reason: 'no-longer-overdue',
    });
  });

  it('spares a borrower whose backdated payment reached the loan after the sweep (value dates)', () => {
    // The sweep of 01-17 saw nothing paid; a transfer value-dated 01-16 arrived afterwards.
    const paid = loan({
      installments: [
        withPayments(installment({ dueDate: d('2026-01-10') }), [
          ['PAY-1', '2026-01-16', 10_000, 300],
        ]),
      ],
    });
    expect(decideReminder(overdueEvent('2026-01-17', 7), paid, P)).toEqual({
      send: false,
      reason: 'no-longer-overdue',
    });
  });

  it('treats a remainder within the arrears tolerance as paid', () => {
    const almost = loan({
      installments: [
        installment({ dueDate: d('2026-01-10'), principalPaid: 9_999, interestPaid: 300 }),
      ],
    });
    expect(
      decideReminder(overdueEvent('2026-01-11', 1), almost, policy({ arrearsTolerance: 1 })).send,
    ).toBe(false);
    expect(decideReminder(overdueEvent('2026-01-11', 1), almost, P).send).toBe(true);
  });

  it('never reminds during forbearance flagged by the event', () => {
    expect(
      decideReminder(overdueEvent('2026-01-11', 1, { forbearance: true }), overdueLoan, P),
    ).toEqual({
      send: false,
      reason: 'forbearance',
    });
  });

  it('never reminds when forbearance was granted after the sweep (read at reminder time)', () => {
    const granted = loan({ forbearanceUntil: d('2026-01-11') });
    expect(decideReminder(overdueEvent('2026-01-11', 1), granted, P)).toEqual({
      send: false,
      reason: 'forbearance',
    });
    // The plan ended the day before: reminders resume.
    const ended = loan({ forbearanceUntil: d('2026-01-10') });
    expect(decideReminder(overdueEvent('2026-01-11', 1), ended, P).send).toBe(true);
  });

  it('never reminds a borrower who opted out', () => {
    expect(
      decideReminder(overdueEvent('2026-01-11', 1), loan({ remindersOptOut: true }), P),
    ).toEqual({
      send: false,
      reason: 'opted-out',
    });
  });

  it.each(['CHARGED_OFF', 'PAID_OFF', 'CANCELLED'] as const)(
    'never reminds a %s loan',
    (status) => {
      expect(decideReminder(overdueEvent('2026-01-11', 1), loan({ status }), P)).toEqual({
        send: false,
        reason: 'not-active',
      });
    },
  );

  it('uses the loan locale', () => {
    const decision = decideReminder(overdueEvent('2026-01-11', 1), loan({ locale: 'en' }), P);
    expect(decision.send && decision.locale).toBe('en');
  });
});

describe('due-soon reminders', () => {
  const upcoming = (dueDate: string) =>
    loan({ installments: [installment({ seq: 2, dueDate: d(dueDate) })] });

  it.each([
    [3, '2026-03-07'],
    [1, '2026-03-09'],
    [0, '2026-03-10'],
  ])('reminds on D-%i (asOf %s)', (daysUntilDue, asOf) => {
    const event = dueSoonEvent(asOf, daysUntilDue, { installmentSeq: 2, dueDate: '2026-03-10' });
    expect(decideReminder(event, upcoming('2026-03-10'), P)).toEqual({
      send: true,
      locale: 'zh-CN',
      content: {
        kind: 'PAYMENT_DUE_SOON',
        loanId: 'L-1',
        installmentSeq: 2,
        dueDate: '2026-03-10',
        daysUntilDue,
        amount: 10_300,
        currency: 'CNY',
      },
    });
  });

  it('spares a borrower who has already paid that instalment', () => {
    const paid = loan({
      installments: [
        installment({ seq: 2, dueDate: d('2026-03-10'), principalPaid: 10_000, interestPaid: 300 }),
      ],
    });
    const event = dueSoonEvent('2026-03-07', 3, { installmentSeq: 2, dueDate: '2026-03-10' });
    expect(decideReminder(event, paid, P)).toEqual({ send: false, reason: 'installment-paid' });
  });

  it('gives way to the overdue reminder when the loan is on an overdue reminder day', () => {
    const both = loan({
      installments: [
        installment({ seq: 1, dueDate: d('2026-02-05') }), // dpd 30 on 2026-03-07
        installment({ seq: 2, dueDate: d('2026-03-10') }),
      ],
    });
    const event = dueSoonEvent('2026-03-07', 3, { installmentSeq: 2, dueDate: '2026-03-10' });
    expect(decideReminder(event, both, P)).toEqual({
      send: false,
      reason: 'overdue-takes-precedence',
    });
  });

  it('still sends due-soon while an earlier instalment is overdue on an off-cadence day', () => {
    const both = loan({
      installments: [
        installment({ seq: 1, dueDate: d('2026-02-10') }), // dpd 25 on 2026-03-07
        installment({ seq: 2, dueDate: d('2026-03-10') }),
      ],
    });
    const event = dueSoonEvent('2026-03-07', 3, { installmentSeq: 2, dueDate: '2026-03-10' });
    expect(decideReminder(event, both, P)).toMatchObject({
      send: true,
      content: { kind: 'PAYMENT_DUE_SOON', installmentSeq: 2, daysUntilDue: 3 },
    });
  });

  it('never reminds during forbearance, opted out, or when the loan is closed', () => {
    const event = dueSoonEvent('2026-03-07', 3, { installmentSeq: 2, dueDate: '2026-03-10' });
    const base = { installments: [installment({ seq: 2, dueDate: d('2026-03-10') })] };
    expect(
      decideReminder(event, loan({ ...base, forbearanceUntil: d('2026-03-31') }), P),
    ).toMatchObject({ send: false, reason: 'forbearance' });
    expect(decideReminder(event, loan({ ...base, remindersOptOut: true }), P)).toMatchObject({
      send: false,
      reason: 'opted-out',
    });
    expect(decideReminder(event, loan({ ...base, status: 'PAID_OFF' }), P)).toMatchObject({
      send: false,
      reason: 'not-active',
    });
  });
});

describe('money formatting', () => {
  it('formats CNY in zh-CN with ¥ and two decimals', () => {
    expect(formatMoney(123_456, 'CNY', 'zh-CN')).toBe('¥1,234.56');
    expect(formatMoney(5, 'CNY', 'zh-CN')).toBe('¥0.05');
  });

  it('formats USD and CNY in en', () => {
    expect(formatMoney(123_456, 'USD', 'en')).toBe('$1,234.56');
    expect(formatMoney(100, 'CNY', 'en')).toBe('CN¥1.00');
  });

  it('respects currencies without or with three minor digits', () => {
    expect(formatMoney(1_500, 'JPY', 'en')).toBe('¥1,500');
    expect(formatMoney(1_234, 'KWD', 'en')).toMatch(/1\.234/);
  });

  it('is exact up to the largest safe integer, where float division would not be', () => {
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en')).toBe('$90,071,992,547,409.91');
  });

  it('keeps every digit of any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (amount) => {
        const digits = formatMoney(amount, 'USD', 'en').replace(/\D/g, '');
        expect(BigInt(digits)).toBe(BigInt(amount));
      }),
    );
  });
});

describe('message rendering', () => {
  const dueSoon = {
    kind: 'PAYMENT_DUE_SOON' as const,
    loanId: 'L-1',
    installmentSeq: 2,
    dueDate: d('2026-03-10'),
    daysUntilDue: 3,
    amount: 123_456,
    currency: 'CNY',
  };
  const overdue = {
    kind: 'OVERDUE' as const,
    loanId: 'L-1',
    dpd: 7,
    amount: 123_456,
    currency: 'CNY',
  };

  it('renders a due-soon reminder in Chinese', () => {
    expect(renderReminderMessage(dueSoon, 'zh-CN')).toBe(
      '【还款提醒】您的借款（编号 L-1）第2期应还 ¥1,234.56，将于3天后（2026-03-10）到期，请按时还款。',
    );
    expect(renderReminderMessage({ ...dueSoon, daysUntilDue: 0 }, 'zh-CN')).toContain('将于今天');
    expect(renderReminderMessage({ ...dueSoon, daysUntilDue: 1 }, 'zh-CN')).toContain('将于明天');
  });

  it('renders an overdue reminder in Chinese', () => {
    expect(renderReminderMessage(overdue, 'zh-CN')).toBe(
      '【逾期提醒】您的借款（编号 L-1）已逾期7天，逾期金额 ¥1,234.56，请尽快还款，以免产生更多费用。',
    );
  });

  it('renders both kinds in English with the loan currency', () => {
    expect(renderReminderMessage({ ...dueSoon, currency: 'USD' }, 'en')).toBe(
      'Payment reminder: instalment 2 of your loan L-1, $1,234.56, is due in 3 days (2026-03-10). Please pay on time.',
    );
    expect(renderReminderMessage({ ...dueSoon, daysUntilDue: 0 }, 'en')).toContain('is due today');
    expect(renderReminderMessage({ ...overdue, dpd: 1, currency: 'USD' }, 'en')).toBe(
      'Overdue notice: your loan L-1 is 1 day past due with $1,234.56 overdue. Please pay as soon as possible to avoid further charges.',
    );
  });
});

describe('send-after time', () => {
  it('is 09:00 business time in Asia/Shanghai', () => {
    expect(sendAfterOf(d('2026-11-28'), 'Asia/Shanghai')).toBe('2026-11-28T09:00:00+08:00');
  });

  it('follows daylight saving in America/New_York', () => {
    expect(sendAfterOf(d('2026-07-01'), 'America/New_York')).toBe('2026-07-01T09:00:00-04:00');
    expect(sendAfterOf(d('2026-12-01'), 'America/New_York')).toBe('2026-12-01T09:00:00-05:00');
    // The day clocks go forward (at 02:00) still gets 09:00 in the new offset.
    expect(sendAfterOf(d('2026-03-08'), 'America/New_York')).toBe('2026-03-08T09:00:00-04:00');
  });

  it('handles half-hour offsets and UTC', () => {
    expect(sendAfterOf(d('2026-01-05'), 'Asia/Kolkata')).toBe('2026-01-05T09:00:00+05:30');
    expect(sendAfterOf(d('2026-01-05'), 'UTC')).toBe('2026-01-05T09:00:00+00:00');
  });

  it('names the instant of 09:00 on that date in the zone', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Sydney'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (date, zone) => {
          const asOf = d(date.toISOString().slice(0, 10));
          const instant = new Date(sendAfterOf(asOf, zone));
          const wall = new Intl.DateTimeFormat('en-CA', {
            timeZone: zone,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
          }).format(instant);
          expect(wall).toBe(`${asOf}, 09:00`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
