import { describe, expect, it } from 'vitest';
import { LOAN_ITEM_ATTRIBUTES, parseLoanItem } from '../../../functions/core/loan';
import { rational } from '../../../functions/core/rational';
import type { LoanParseResult } from '../../../functions/core/types';
import { ExactNumber, MAX_REASON_CHARS } from '../../../functions/core/values';

/** A complete upstream item as the document client returns it (plain numbers). */
function item(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    loanId: 'L-1',
    borrowerId: 'B-1',
    currency: 'CNY',
    principal: 100_000,
    dailyInterestRate: 0.0003,
    status: 'ACTIVE',
    nextDueDate: '2026-01-10',
    sweepShard: 7,
    installments: [
      {
        seq: 1,
        dueDate: '2026-01-10',
        principalDue: 50_000,
        interestDue: 900,
        principalPaid: 0,
        interestPaid: 0,
      },
      {
        seq: 2,
        dueDate: '2026-02-10',
        principalDue: 50_000,
        interestDue: 900,
        principalPaid: 0,
        interestPaid: 0,
      },
    ],
    ...overrides,
  };
}

function withInstallment(index: number, changes: Record<string, unknown>): Record<string, unknown> {
  const base = item();
  const list = (base.installments as Record<string, unknown>[]).map((inst, i) =>
    i === index ? { ...inst, ...changes } : inst,
  );
  return { ...base, installments: list };
}

function reasonOf(result: LoanParseResult): string {
  if (result.ok) throw new Error('expected a failure');
  return result.reason;
}

describe('valid items', () => {
  it('parses an upstream item and defaults the sweep attributes', () => {
    const result = parseLoanItem(item());
    if (!result.ok) throw new Error(result.reason);
    expect(result.loan).toMatchObject({
      loanId: 'L-1',
      principal: 100_000,
      dailyInterestRate: rational(3n, 10_000n),
      locale: 'zh-CN',
      remindersOptOut: false,
      dpd: 0,
      bucket: 'M0',
      lateFeesCharged: 0,
      penaltyCharged: 0,
      version: 0,
    });
    expect(result.loan.installments[0]?.lateFeeCharged).toBe(0);
    expect(result.loan.installments[0]?.penaltyThrough).toBeUndefined();
    expect(result.loan.accruedThrough).toBeUndefined();
  });

  it('accepts exact numbers and keeps rates exact', () => {
    const result = parseLoanItem(
      item({
        principal: new ExactNumber('100000'),
        dailyInterestRate: new ExactNumber('3E-4'),
        version: new ExactNumber('4'),
      }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.loan.dailyInterestRate).toEqual(rational(3n, 10_000n));
    expect(result.loan.principal).toBe(100_000);
    expect(result.loan.version).toBe(4);
  });

  it('parses sweep attributes and ignores the recorded events', () => {
    const result = parseLoanItem(
      item({
        accruedThrough: '2026-01-12',
        dpd: 2,
        bucket: 'M1',
        penaltyCharged: 10,
        locale: 'en',
        remindersOptOut: true,
        forbearanceUntil: null,
        outbox: '{"not":"read by the sweep"}',
      }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.loan).toMatchObject({
      dpd: 2,
      bucket: 'M1',
      locale: 'en',
      remindersOptOut: true,
    });
    expect(result.loan.forbearanceUntil).toBeUndefined();
  });
});

describe('malformed items are rejected with a reason naming the attribute', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['missing loanId', item({ loanId: undefined }), 'loanId: missing'],
    ['missing borrowerId', item({ borrowerId: undefined }), 'borrowerId: missing'],
    ['string principal', item({ principal: '100000' }), 'principal: "100000" is not a number'],
    ['zero principal', item({ principal: 0 }), 'principal: 0 must be > 0'],
    ['negative principal', item({ principal: -5 }), 'principal: -5 is negative'],
    ['fractional principal', item({ principal: 10.5 }), 'principal: 10.5 is not an integer'],
    ['negative rate', item({ dailyInterestRate: -0.001 }), 'dailyInterestRate: -0.001 is negative'],
    ['missing rate', item({ dailyInterestRate: undefined }), 'dailyInterestRate: missing'],
    [
      'bad exact number',
      item({ dailyInterestRate: new ExactNumber('abc') }),
      'dailyInterestRate: "abc" is not a number',
    ],
    ['bad currency', item({ currency: 'yuan' }), 'currency: "yuan" is not an ISO 4217 code'],
    [
      'unknown status',
      item({ status: 'OPEN' }),
      'status: "OPEN" is not one of ACTIVE, PAID_OFF, CHARGED_OFF, CANCELLED',
    ],
    ['unknown locale', item({ locale: 'fr' }), 'locale: "fr" is not one of zh-CN, en'],
    ['shard too large', item({ sweepShard: 16 }), 'sweepShard: 16 is outside 0–15'],
    ['missing shard', item({ sweepShard: undefined }), 'sweepShard: missing'],
    ['bad bucket', item({ bucket: 'M9' }), 'bucket: "M9" is not a bucket (M0–M7)'],
    ['negative charges', item({ penaltyCharged: -1 }), 'penaltyCharged: -1 is negative'],
    [
      'bad accruedThrough',
      item({ accruedThrough: '28/11/2026' }),
      'accruedThrough: "28/11/2026" is not a YYYY-MM-DD date',
    ],
    [
      'non-boolean opt-out',
      item({ remindersOptOut: 'yes' }),
      'remindersOptOut: "yes" is not a boolean',
    ],
    ['no installments', item({ installments: undefined }), 'installments: missing'],
    ['empty installments', item({ installments: [] }), 'installments: empty list'],
    ['installments not a list', item({ installments: {} }), 'installments: not a list'],
    [
      'impossible due date',
      withInstallment(1, { dueDate: '2026-13-01' }),
      'installments[1].dueDate: "2026-13-01" is not a YYYY-MM-DD date',
    ],
    [
      'missing interestPaid',
      withInstallment(0, { interestPaid: undefined }),
      'installments[0].interestPaid: missing',
    ],
    [
      'string principalDue',
      withInstallment(0, { principalDue: '50000' }),
      'installments[0].principalDue: "50000" is not a number',
    ],
    [
      'overpaid principal',
      withInstallment(0, { principalPaid: 50_001 }),
      'installments[0].principalPaid: 50001 exceeds principalDue 50000',
    ],
    [
      'overpaid interest',
      withInstallment(0, { interestPaid: 901 }),
      'installments[0].interestPaid: 901 exceeds interestDue 900',
    ],
    ['duplicate seq', withInstallment(1, { seq: 1 }), 'installments[1].seq: 1 is duplicate'],
    ['unordered seq', withInstallment(0, { seq: 5 }), 'installments[1].seq: 2 is out of order'],
    [
      'bad penaltyThrough',
      withInstallment(0, { penaltyThrough: 'yesterday' }),
      'installments[0].penaltyThrough: "yesterday" is not a YYYY-MM-DD date',
    ],
    [
      'negative lateFeeCharged',
      withInstallment(0, { lateFeeCharged: -2 }),
      'installments[0].lateFeeCharged: -2 is negative',
    ],
  ])('%s', (_name, bad, reason) => {
    const result = parseLoanItem(bad);
    expect(reasonOf(result)).toBe(reason);
  });

  it('keeps the loanId on a failure so the run can report it', () => {
    const result = parseLoanItem(item({ principal: 'x' }));
    expect(result).toMatchObject({ ok: false, loanId: 'L-1' });
    expect(parseLoanItem(item({ loanId: 42 }))).toMatchObject({
      ok: false,
      reason: 'loanId: 42 is not a string',
    });
  });
});

describe('reasons carry no personal data and stay short (docs/contract.md, Summary)', () => {
  const NAME = 'Zhang San';
  const PHONE = '13800138000';

  it.each<[string, unknown, string]>([
    ['a number', Number(PHONE), 'borrowerId: a number is not a string'],
    ['a map', { name: NAME, phone: PHONE }, 'borrowerId: a map is not a string'],
    ['a list', [NAME, PHONE], 'borrowerId: a list is not a string'],
    ['an exact number', new ExactNumber(PHONE), 'borrowerId: a number is not a string'],
  ])(
    'a borrowerId holding a name and phone number as %s is never quoted',
    (_kind, value, reason) => {
      const text = reasonOf(parseLoanItem(item({ borrowerId: value })));
      expect(text).toBe(reason);
      expect(text).not.toContain(NAME);
      expect(text).not.toContain(PHONE);
    },
  );

  it('a map in a known attribute is described, never opened (its keys may be personal)', () => {
    const text = reasonOf(parseLoanItem(item({ currency: { name: NAME, phone: PHONE } })));
    expect(text).toBe('currency: a map of 2 entries is not a string');
  });

  it('a huge malformed value gives a short reason naming the attribute', () => {
    const huge = 'x'.repeat(390_000);
    const reason = reasonOf(parseLoanItem(withInstallment(1, { dueDate: huge })));
    expect(reason).toBe(
      'installments[1].dueDate: a string of 390000 characters is not a YYYY-MM-DD date',
    );
    const list = Array.from({ length: 50_000 }, (_, i) => i);
    expect(reasonOf(parseLoanItem(item({ status: list })))).toBe(
      'status: a list of 50000 items is not a string',
    );
    expect(reasonOf(parseLoanItem(item({ principal: new ExactNumber('9'.repeat(5000)) })))).toBe(
      'principal: a number of 5000 characters is not an integer',
    );
  });

  it('quotes a short value whole', () => {
    expect(reasonOf(parseLoanItem(item({ status: 'OPEN' })))).toBe(
      'status: "OPEN" is not one of ACTIVE, PAID_OFF, CHARGED_OFF, CANCELLED',
    );
    expect(reasonOf(parseLoanItem(item({ status: 'O'.repeat(41) })))).toBe(
      'status: a string of 41 characters is not one of ACTIVE, PAID_OFF, CHARGED_OFF, CANCELLED',
    );
  });

  it('keeps every reason within 200 characters, naming the attribute, whatever the value', () => {
    const huge = 'x'.repeat(390_000);
    const cases: [Record<string, unknown>, string][] = [
      [{ currency: huge }, 'currency'],
      [{ status: huge }, 'status'],
      [{ principal: huge }, 'principal'],
      [{ productCode: 42 }, 'productCode'],
      [{ borrowerId: { name: huge } }, 'borrowerId'],
      [{ installments: [{ seq: 1, dueDate: huge }] }, 'installments[0]'],
    ];
    for (const [bad, attribute] of cases) {
      const reason = reasonOf(parseLoanItem(item(bad)));
      expect(reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
      expect(reason.startsWith(attribute), reason).toBe(true);
      expect(reason).not.toContain('xxxxxxxxxx');
    }
  });
});

describe('value-dated payments (docs/contract.md, Loans table payments, paymentsApplied)', () => {
  const paid = (payments: unknown, extra: Record<string, unknown> = {}) =>
    withInstallment(0, { principalPaid: 30_000, interestPaid: 900, payments, ...extra });
  const good = [
    { paymentId: 'P-1', valueDate: '2026-01-12', principal: 20_000, interest: 900 },
    { paymentId: 'P-2', valueDate: '2026-01-15', principal: 10_000, interest: 0 },
  ];

  it('parses payments and paymentsApplied; an instalment without them has none applied', () => {
    const result = parseLoanItem(paid(good, { paymentsApplied: ['P-1'] }));
    if (!result.ok) throw new Error(result.reason);
    expect(result.loan.installments[0]).toMatchObject({ payments: good, paymentsApplied: ['P-1'] });
    expect(result.loan.installments[1]?.payments).toBeUndefined();
    expect(result.loan.installments[1]?.paymentsApplied).toEqual([]);
  });

  it('lets one payment id appear on two instalments (one payment spread over both)', () => {
    const both = item();
    const list = (both.installments as Record<string, unknown>[]).map((inst) => ({
      ...inst,
      principalPaid: 1_000,
      payments: [{ paymentId: 'P-9', valueDate: '2026-01-05', principal: 1_000, interest: 0 }],
    }));
    expect(parseLoanItem({ ...both, installments: list }).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['not a list', paid({}), 'installments[0].payments: not a list'],
    ['not a map', paid(['P-1']), 'installments[0].payments[0]: not a map'],
    [
      'principal sums differ',
      paid([good[0]]),
      'installments[0].payments: principal sums to 20000, but principalPaid is 30000',
    ],
    [
      'interest sums differ',
      paid([good[0], { ...good[1], interest: 5 }]),
      'installments[0].payments: interest sums to 905, but interestPaid is 900',
    ],
    [
      'negative amount',
      paid([
        { ...good[0], principal: 40_000 },
        { ...good[1], principal: -10_000 },
      ]),
      'installments[0].payments[1].principal: -10000 is negative',
    ],
    [
      'bad value date',
      paid([good[0], { ...good[1], valueDate: '2026-02-30' }]),
      'installments[0].payments[1].valueDate: "2026-02-30" is not a YYYY-MM-DD date',
    ],
    [
      'missing value date',
      paid([good[0], { ...good[1], valueDate: undefined }]),
      'installments[0].payments[1].valueDate: missing',
    ],
    [
      'repeated id',
      paid([good[0], { ...good[1], paymentId: 'P-1' }]),
      'installments[0].payments[1].paymentId: "P-1" is repeated',
    ],
    [
      'missing id',
      paid([good[0], { ...good[1], paymentId: undefined }]),
      'installments[0].payments[1].paymentId: missing',
    ],
    [
      'oversized id',
      paid([good[0], { ...good[1], paymentId: 'x'.repeat(300) }]),
      'installments[0].payments[1].paymentId: a string of 300 characters is longer than 256 characters',
    ],
    [
      'paymentsApplied not a list',
      paid(good, { paymentsApplied: 'P-1' }),
      'installments[0].paymentsApplied: not a list',
    ],
    [
      'paymentsApplied with a number',
      paid(good, { paymentsApplied: ['P-1', 7] }),
      'installments[0].paymentsApplied[1]: 7 is not a string',
    ],
  ])('%s skips the loan with a reason naming the attribute', (_name, bad, reason) => {
    expect(reasonOf(parseLoanItem(bad))).toBe(reason);
  });
});

describe('the borrower id keys the borrower’s reminders', () => {
  it('may be 2,048 bytes in UTF-8, not one more, and the reason never shows it', () => {
    expect(parseLoanItem(item({ borrowerId: 'B'.repeat(2048) })).ok).toBe(true);
    // 683 three-byte characters: 2,049 bytes, though only 683 characters.
    const long = '张'.repeat(683);
    const reason = reasonOf(parseLoanItem(item({ borrowerId: long })));
    expect(reason).toBe(
      "borrowerId: a string over the 2048-byte limit (it keys the borrower's reminders)",
    );
    expect(reason).not.toContain('张');
    expect(reason).not.toContain('683');
  });

  it('a loan id over the key limit is refused naming its size', () => {
    expect(reasonOf(parseLoanItem(item({ loanId: 'L'.repeat(2049) })))).toBe(
      'loanId: 2049 bytes in UTF-8, over the 2048-byte limit (a partition key)',
    );
  });
});

describe('promiseToPay (upstream) and the episode attributes (the sweep’s)', () => {
  const promise = { promiseId: 'PTP-1', madeOn: '2026-01-12', until: '2026-01-20', amount: 5_000 };

  it('parses a promise and the episode; absent ones default to NORMAL, not on hold', () => {
    const plain = parseLoanItem(item());
    if (!plain.ok) throw new Error(plain.reason);
    expect(plain.loan.episode).toEqual({ riskClass: 'NORMAL', creditHold: false });
    expect(plain.loan.promiseToPay).toBeUndefined();
    const result = parseLoanItem(
      item({
        promiseToPay: { ...promise, amount: new ExactNumber('5000'), note: 'kept by upstream' },
        riskClass: 'SUBSTANDARD',
        delinquentSince: '2026-01-11',
        creditHold: true,
        creditNoticeOn: '2026-01-11',
        hardshipOfferId: 'L-1:hardship:2026-01-11',
        promiseOutcome: { promiseId: 'PTP-0', outcome: 'BROKEN', asOf: '2026-01-05' },
      }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.loan.promiseToPay).toEqual(promise);
    expect(result.loan.episode).toEqual({
      riskClass: 'SUBSTANDARD',
      delinquentSince: '2026-01-11',
      creditHold: true,
      creditNoticeOn: '2026-01-11',
      hardshipOfferId: 'L-1:hardship:2026-01-11',
      promiseOutcome: { promiseId: 'PTP-0', outcome: 'BROKEN', asOf: '2026-01-05' },
    });
  });

  it.each<[string, unknown, string]>([
    ['not a map', 'tomorrow', 'promiseToPay: "tomorrow" is not a map'],
    ['no id', { ...promise, promiseId: undefined }, 'promiseToPay.promiseId: missing'],
    ['no madeOn', { ...promise, madeOn: undefined }, 'promiseToPay.madeOn: missing'],
    ['no until', { ...promise, until: undefined }, 'promiseToPay.until: missing'],
    ['no amount', { ...promise, amount: undefined }, 'promiseToPay.amount: missing'],
    [
      'a bad date',
      { ...promise, madeOn: '2026-02-30' },
      'promiseToPay.madeOn: "2026-02-30" is not a YYYY-MM-DD date',
    ],
    [
      'until before madeOn',
      { ...promise, until: '2026-01-11' },
      'promiseToPay.until: 2026-01-11 is before madeOn 2026-01-12',
    ],
    ['a zero amount', { ...promise, amount: 0 }, 'promiseToPay.amount: 0 must be > 0'],
    ['a negative amount', { ...promise, amount: -1 }, 'promiseToPay.amount: -1 is negative'],
    [
      'a fractional amount',
      { ...promise, amount: 10.5 },
      'promiseToPay.amount: 10.5 is not an integer',
    ],
    [
      'a text amount',
      { ...promise, amount: '5000' },
      'promiseToPay.amount: "5000" is not a number',
    ],
  ])('a promise with %s skips the loan with a reason naming it', (_name, promiseToPay, reason) => {
    const result = parseLoanItem(item({ promiseToPay }));
    expect(result).toMatchObject({ ok: false, loanId: 'L-1' });
    expect(reasonOf(result)).toBe(reason);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown class',
      { riskClass: 'WATCH' },
      'riskClass: "WATCH" is not one of NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS',
    ],
    ['a text hold', { creditHold: 'yes' }, 'creditHold: "yes" is not a boolean'],
    [
      'a bad episode date',
      { delinquentSince: '2026-13-01' },
      'delinquentSince: "2026-13-01" is not a YYYY-MM-DD date',
    ],
    [
      'a bad outcome',
      { promiseOutcome: { promiseId: 'P', outcome: 'MAYBE', asOf: '2026-01-01' } },
      'promiseOutcome.outcome: "MAYBE" is not one of KEPT, BROKEN',
    ],
  ])('an episode attribute with %s is malformed', (_name, bad, reason) => {
    expect(reasonOf(parseLoanItem(item(bad)))).toBe(reason);
  });
});

describe('LOAN_ITEM_ATTRIBUTES: what a projected read must keep', () => {
  /** The top-level attributes the codec looks at while parsing `source`, present or not. */
  function attributesRead(source: Record<string, unknown>): Set<string> {
    const read = new Set<string>();
    const watched = new Proxy(source, {
      get(target, name, receiver) {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name, receiver);
      },
    });
    parseLoanItem(watched);
    return read;
  }

  it('names every attribute the codec reads, of a bare item and of one with every attribute', () => {
    const full = item({
      locale: 'en',
      productCode: 'P-1',
      remindersOptOut: true,
      forbearanceUntil: '2026-01-20',
      accruedThrough: '2026-01-09',
      bucket: 'M1',
      dpd: 3,
      lateFeesCharged: 100,
      penaltyCharged: 20,
      version: 4,
      promiseToPay: { promiseId: 'P-9', madeOn: '2026-01-11', until: '2026-01-15', amount: 500 },
      creditHold: true,
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-01-11',
      creditNoticeOn: '2026-01-12',
      hardshipOfferId: 'H-1',
      promiseOutcome: { promiseId: 'P-8', outcome: 'BROKEN', asOf: '2026-01-05' },
    });
    expect(parseLoanItem(full).ok).toBe(true);
    for (const source of [item(), full]) {
      const missing = [...attributesRead(source)].filter((n) => !LOAN_ITEM_ATTRIBUTES.includes(n));
      expect(missing).toEqual([]);
    }
  });

  it('parses an item read with those attributes only exactly as the whole item', () => {
    const whole = item({ outbox: '[{"type":"loan.overdue"}]', lastRun: { runId: 'R-1' } });
    const projected = Object.fromEntries(
      Object.entries(whole).filter(([name]) => LOAN_ITEM_ATTRIBUTES.includes(name)),
    );
    expect(parseLoanItem(projected)).toEqual(parseLoanItem(whole));
  });
});
