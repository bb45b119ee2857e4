import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../../functions/core/money';
import { reminderContent, renderReminderMessage } from '../../../functions/core/reminder-message';
import type { ReminderLine } from '../../../functions/core/reminders';
import { d } from '../../support/events';

const base = { currency: 'CNY', locale: 'zh-CN' } as const;
const dueSoon: ReminderLine = {
  ...base,
  loanId: 'L-1',
  kind: 'PAYMENT_DUE_SOON',
  installmentSeq: 2,
  dueDate: d('2026-03-10'),
  daysUntilDue: 3,
  amountDue: 123_456,
};
const overdue: ReminderLine = {
  ...base,
  loanId: 'L-2',
  kind: 'OVERDUE',
  dpd: 7,
  amountOverdue: 123_456,
};
const notice: ReminderLine = {
  ...base,
  loanId: 'L-3',
  kind: 'CREDIT_REPORT_NOTICE',
  dpd: 1,
  amountOverdue: 51_500,
  settlementDate: d('2026-11-30'),
  noticeRaisedOn: d('2026-11-28'),
};
const offer: ReminderLine = {
  ...base,
  loanId: 'L-4',
  kind: 'HARDSHIP_OFFER',
  dpd: 15,
  amountOverdue: 20_000,
  offerId: 'L-4:hardship:2026-11-13',
};
const promise: ReminderLine = {
  ...base,
  loanId: 'L-5',
  kind: 'PROMISE_BROKEN',
  dpd: 12,
  amountOverdue: 6_300,
  promiseId: 'P-1',
  until: d('2026-11-25'),
  amount: 10_300,
  paid: 4_000,
};

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

describe('one line', () => {
  it('a due-soon reminder names the instalment, the amount and the date, in Chinese', () => {
    expect(renderReminderMessage([dueSoon], 'zh-CN')).toBe(
      '【还款提醒】您的借款（编号 L-1）第2期应还 ¥1,234.56，将于3天后（2026-03-10）到期。请按时还款。',
    );
    expect(renderReminderMessage([{ ...dueSoon, daysUntilDue: 0 }], 'zh-CN')).toContain('将于今天');
    expect(renderReminderMessage([{ ...dueSoon, daysUntilDue: 1 }], 'zh-CN')).toContain('将于明天');
  });

  it('an overdue reminder says how late and how much, how to pay and where to get help', () => {
    expect(renderReminderMessage([overdue], 'zh-CN')).toBe(
      '【逾期提醒】您的借款（编号 L-2）已逾期7天，逾期金额 ¥1,234.56。' +
        '请尽快通过App或官方渠道还款，以免产生更多费用；如有疑问或还款困难，请联系客服。',
    );
    expect(renderReminderMessage([{ ...overdue, dpd: 1, currency: 'USD' }], 'en')).toBe(
      'Overdue notice: Your loan L-2: 1 day past due, $1,234.56 overdue. Please pay in the app or ' +
        'through our official channels as soon as you can, to avoid further charges. If you have ' +
        'questions or difficulty paying, please contact customer service.',
    );
  });

  it('a due-soon reminder in English, in the loan currency', () => {
    expect(renderReminderMessage([{ ...dueSoon, currency: 'USD' }], 'en')).toBe(
      'Payment reminder: Your loan L-1: instalment 2, $1,234.56, is due in 3 days (2026-03-10). Please pay on time.',
    );
    expect(renderReminderMessage([{ ...dueSoon, daysUntilDue: 0 }], 'en')).toContain(
      'is due today',
    );
  });

  it('the credit-report notice names the settlement date it is reported on unless repaid', () => {
    expect(renderReminderMessage([notice], 'zh-CN')).toBe(
      '【征信提示】您的借款（编号 L-3）已逾期1天，逾期金额 ¥515.00，' +
        '如在2026-11-30前仍未还清，该笔逾期信息将依法报送金融信用信息基础数据库（征信系统）。' +
        '请尽快通过App或官方渠道还款，以免产生更多费用；如有疑问或还款困难，请联系客服。',
    );
    expect(renderReminderMessage([notice], 'en')).toContain(
      'Your loan L-3: 1 day past due, CN¥515.00 overdue; if it is not repaid by 2026-11-30, the overdue will be reported to the credit reference system',
    );
  });

  it('a plan offer carries its id; a broken promise what was promised and paid', () => {
    expect(renderReminderMessage([offer], 'zh-CN')).toContain(
      '可申请还款方案（方案编号 L-4:hardship:2026-11-13）',
    );
    expect(renderReminderMessage([offer], 'en')).toContain(
      'you can take up a repayment plan (offer L-4:hardship:2026-11-13)',
    );
    expect(renderReminderMessage([promise], 'zh-CN')).toContain(
      '您承诺于2026-11-25前还款 ¥103.00，目前已还 ¥40.00，已逾期12天，逾期金额 ¥63.00',
    );
    expect(renderReminderMessage([promise], 'en')).toContain(
      'you promised to pay CN¥103.00 by 2026-11-25 and CN¥40.00 has been paid; 12 days past due, CN¥63.00 overdue',
    );
  });

  it('a line of several events says what each said', () => {
    const merged: ReminderLine = {
      ...notice,
      offerId: 'O-1',
      installmentSeq: 3,
      dueDate: d('2026-12-01'),
      daysUntilDue: 3,
      amountDue: 100,
    };
    const text = renderReminderMessage([merged], 'en');
    for (const part of ['past due', 'credit reference system', 'offer O-1', 'instalment 3']) {
      expect(text).toContain(part);
    }
  });

  it('never threatens', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const text = renderReminderMessage([dueSoon, overdue, notice, offer, promise], locale);
      expect(text).not.toMatch(/legal action|lawsuit|court|police|collector|起诉|法院|催收|警/i);
    }
  });
});

describe('a reminder of several loans', () => {
  it('lists every line, most urgent first then by loan id, in the most urgent line’s locale', () => {
    const lines = new Map(
      [dueSoon, { ...overdue, locale: 'en' as const }, notice, { ...overdue, loanId: 'L-0' }].map(
        (l) => [l.loanId, l],
      ),
    );
    const content = reminderContent(lines);
    expect(content.kind).toBe('CREDIT_REPORT_NOTICE');
    expect(content.locale).toBe('zh-CN');
    const at = (id: string) => content.message.indexOf(`编号 ${id}）`);
    expect(at('L-3')).toBeGreaterThan(0);
    expect(at('L-3')).toBeLessThan(at('L-0'));
    expect(at('L-0')).toBeLessThan(at('L-2'));
    expect(at('L-2')).toBeLessThan(at('L-1'));
  });

  it('formats each amount in its loan’s currency, exactly', () => {
    const lines = new Map([
      ['L-1', { ...overdue, loanId: 'L-1', currency: 'USD', amountOverdue: 9_007_199_254_740_991 }],
      ['L-2', { ...overdue, loanId: 'L-2', currency: 'JPY', amountOverdue: 1_500 }],
    ]);
    const { message } = reminderContent(lines);
    expect(message).toContain('US$90,071,992,547,409.91');
    expect(message).toContain('JP¥1,500');
  });
});
