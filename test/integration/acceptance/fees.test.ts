/**
 * docs/contract.md: Business dates, Charges, Events from the outside: one scheduled sweep for 2026-11-28 over a portfolio written
 * as upstream writes it, every figure worked by hand in the comments.
 *
 * Unless noted a loan is 50,000 fen principal at 0.0003 a day with one instalment of
 * 50,000 + 1,500 interest. Penalty daily rate 0.0003 × 1.5 = 0.00045 (under 0.24/365 ≈ 0.000657),
 * so one day costs round(50,000 × 0.00045 = 22.5) = 23 fen HALF_UP (22 HALF_EVEN).
 * Default late fee (FEE_POLICY) 500 fen.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import {
  bodies,
  clients,
  drain,
  type Envelope,
  importHandler,
  installment,
  lambdaContext,
  ledgerOf,
  lineOf,
  loan,
  loanNow,
  oneInstalmentLoan,
  putItems,
} from './support';

const FEE_POLICY = JSON.stringify({
  default: { lateFee: 500 },
  products: {
    TINYCAP: { maxChargesRatio: 0.012 }, // floor(0.012 × 50,000) = 600 fen of charges at most
    LENIENT: { graceDays: 5, penaltyRateMultiplier: 1 },
    TOL: { arrearsTolerance: 100 },
    EVEN: { rounding: 'HALF_EVEN' },
  },
});

let resources: LocalResources;
let summary: Record<string, unknown>;
let events: Envelope[];
let messages: Awaited<ReturnType<typeof drain>>;

beforeAll(async () => {
  resources = await freshResources(clients, 'acc-fees');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    oneInstalmentLoan('F-grace', '2026-11-25'), // dpd 3
    oneInstalmentLoan('F-day4', '2026-11-24'), // dpd 4
    oneInstalmentLoan('F-ceiling', '2026-11-24', { dailyInterestRate: 0.001 }),
    oneInstalmentLoan('F-cap', '2026-11-20', { productCode: 'TINYCAP' }), // dpd 8
    oneInstalmentLoan('F-forb', '2026-11-10', { forbearanceUntil: '2026-11-30' }), // dpd 18
    oneInstalmentLoan('F-forb-ended', '2026-11-20', { forbearanceUntil: '2026-11-26' }),
    oneInstalmentLoan('F-chargeoff', '2026-05-30'), // dpd 182
    loan('F-stale', '2026-10-28', [
      installment(1, '2026-10-28', 25_000, 750, { principal: 25_000, interest: 750 }),
      installment(2, '2026-11-28', 25_000, 750),
    ]),
    loan('F-paid', '2026-11-24', [
      installment(1, '2026-11-24', 50_000, 1_500, { principal: 50_000, interest: 1_500 }),
    ]),
    loan(
      'F-tol',
      '2026-11-20',
      [installment(1, '2026-11-20', 50_000, 1_500, { principal: 49_950, interest: 1_450 })],
      { productCode: 'TOL' },
    ), // 100 unpaid ≤ tolerance 100
    loan(
      'F-tol-over',
      '2026-11-20',
      [installment(1, '2026-11-20', 50_000, 1_500, { principal: 49_899, interest: 1_500 })],
      { productCode: 'TOL' },
    ), // 101 unpaid > tolerance
    oneInstalmentLoan('F-lenient-in', '2026-11-23', { productCode: 'LENIENT' }), // dpd 5
    oneInstalmentLoan('F-lenient-out', '2026-11-22', { productCode: 'LENIENT' }), // dpd 6
    oneInstalmentLoan('F-even', '2026-11-24', { productCode: 'EVEN' }),
    oneInstalmentLoan('F-unknown', '2026-11-24', { productCode: 'NOPE' }),
    oneInstalmentLoan('F-m2', '2026-10-28'), // dpd 31
    oneInstalmentLoan('F-m1edge', '2026-10-29'), // dpd 30
    loan('F-soon', '2026-11-29', [
      installment(1, '2026-11-29', 25_000, 750),
      installment(2, '2026-12-01', 25_000, 750),
    ]),
    oneInstalmentLoan('F-soon2', '2026-11-30'),
    loan('F-multi', '2026-10-29', [
      installment(1, '2026-10-29', 25_000, 750), // dpd 30
      installment(2, '2026-11-24', 25_000, 750), // dpd 4
    ]),
  ]);
  const handler = await importHandler('sweep', resources, FEE_POLICY);
  // 00:30 in Shanghai on 28 November is 16:30 UTC on the 27th.
  summary = (await handler({ scheduledTime: '2026-11-27T16:30:00Z' }, lambdaContext())) as Record<
    string,
    unknown
  >;
  messages = await drain(resources, 'Reporting');
  events = bodies(messages);
});

const eventsOf = (loanId: string) => events.filter((e) => e.loanId === loanId);
const eventOf = (loanId: string, type: string) =>
  events.find((e) => e.loanId === loanId && e.type === type);

/** Ledger sums by kind must equal the loan's counters (docs/contract.md, Loans table). */
async function expectLedgerMatches(loanId: string, lateFees: number, penalty: number) {
  const entries = await ledgerOf(resources, loanId);
  const sum = (kind: string) =>
    entries.filter((e) => e.kind === kind).reduce((s, e) => s + Number(e.amount), 0);
  expect(sum('LATE_FEE')).toBe(lateFees);
  expect(sum('PENALTY_INTEREST')).toBe(penalty);
  const item = await loanNow(resources, loanId);
  expect(item.lateFeesCharged ?? 0).toBe(lateFees);
  expect(item.penaltyCharged ?? 0).toBe(penalty);
  for (const entry of entries) {
    expect(entry.amount).toBeGreaterThan(0);
    // An entry per kind, whose amount is the total of its lines (one per instalment charged).
    const lines = entry.lines as Record<string, unknown>[];
    expect(lines.reduce((s, line) => s + Number(line.amount), 0)).toBe(entry.amount);
  }
}

describe('the summary of the scheduled run', () => {
  it('sweeps the business date of the scheduled time, not the clock', () => {
    expect(summary.asOf).toBe('2026-11-28');
    expect(summary.dryRun).toBe(false);
    expect(summary.complete).toBe(true);
  });

  it('counts loans, charges per currency and charge-offs as worked by hand', () => {
    expect(summary).toMatchObject({
      loansExamined: 20,
      loansOverdue: 15,
      loansCharged: 12,
      chargedOff: 1,
      charges: { CNY: { lateFees: 6_500, penaltyInterest: 6_557 } },
    });
    expect(typeof summary.runId).toBe('string');
    expect(typeof summary.durationMs).toBe('number');
    expect(summary.skipped).toMatchObject({ count: 0, loans: [] });
  });

  it('reports the events it published: 15 overdue, 15 bucket changes, 12 fee, 1 charge-off, 2 due-soon, and each episode begun', () => {
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('loan.overdue')).toBe(15);
    expect(count('loan.delinquency_changed')).toBe(15);
    expect(count('loan.fee_applied')).toBe(12);
    expect(count('loan.charged_off')).toBe(1);
    expect(count('loan.payment_due_soon')).toBe(2);
    // A first run: every overdue loan's episode begins (class, hold at dpd 1); the notice for
    // each but the one in forbearance; the offer for dpd ≥ 15 (30, 30, 31 and the charge-off).
    expect(count('loan.risk_class_changed')).toBe(15);
    expect(count('loan.credit_hold')).toBe(15);
    expect(count('loan.credit_report_notice')).toBe(14);
    expect(count('loan.hardship_offer')).toBe(4);
    expect(count('sweep.completed')).toBe(1);
    expect(events).toHaveLength(94);
    // sweep.completed carries the summary, so the count is of the 93 loan events.
    expect(summary.eventsPublished).toBe(93);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});

describe('grace (docs/contract.md, Charges) and retroactive penalty (docs/contract.md, Charges)', () => {
  it('charges nothing on dpd 3 but records dpd and bucket', async () => {
    expect(await ledgerOf(resources, 'F-grace')).toEqual([]);
    const item = await loanNow(resources, 'F-grace');
    expect(item).toMatchObject({ accruedThrough: '2026-11-28', dpd: 3, bucket: 'M1' });
    expect(item.penaltyCharged ?? 0).toBe(0);
    expect((item.installments as Record<string, unknown>[])[0]?.penaltyThrough).toBeUndefined();
    expect(eventOf('F-grace', 'loan.fee_applied')).toBeUndefined();
    expect(eventOf('F-grace', 'loan.overdue')?.data).toMatchObject({ dpd: 3, inGrace: true });
  });

  it('on dpd 4 charges the late fee and 4 × 23 = 92 fen back to the due date', async () => {
    const entries = await ledgerOf(resources, 'F-day4');
    const fee = entries.find((e) => e.kind === 'LATE_FEE');
    const penalty = entries.find((e) => e.kind === 'PENALTY_INTEREST');
    expect(entries).toHaveLength(2);
    expect(fee).toMatchObject({
      amount: 500,
      currency: 'CNY',
      asOf: '2026-11-28',
      runId: summary.runId,
      lines: [{ installmentSeq: 1, amount: 500, capped: false }],
    });
    expect(penalty).toMatchObject({
      amount: 92,
      currency: 'CNY',
      asOf: '2026-11-28',
      runId: summary.runId,
      lines: [
        {
          installmentSeq: 1,
          amount: 92,
          base: 50_000,
          rate: 0.00045,
          fromDate: '2026-11-25',
          toDate: '2026-11-28',
          days: 4,
          capped: false,
        },
      ],
    });
    const item = await loanNow(resources, 'F-day4');
    expect(item).toMatchObject({
      accruedThrough: '2026-11-28',
      dpd: 4,
      bucket: 'M1',
      lateFeesCharged: 500,
      penaltyCharged: 92,
      nextDueDate: '2026-11-24',
      status: 'ACTIVE',
    });
    expect(item.version).toBeGreaterThanOrEqual(1);
    expect((item.installments as Record<string, unknown>[])[0]).toMatchObject({
      penaltyThrough: '2026-11-28',
      lateFeeCharged: 500,
    });
    await expectLedgerMatches('F-day4', 500, 92);
  });

  it('caps the daily rate at 0.24/365: round(50,000 × 0.24 / 365 = 32.88) = 33 fen a day', async () => {
    const penalty = lineOf(await ledgerOf(resources, 'F-ceiling'), 'PENALTY_INTEREST');
    expect(penalty).toMatchObject({ amount: 132, days: 4, base: 50_000 });
    expect(Number(penalty?.rate)).toBeCloseTo(0.24 / 365, 12);
    await expectLedgerMatches('F-ceiling', 500, 132);
  });

  it('rounds HALF_EVEN when the product says so: 22.5 → 22 a day', async () => {
    await expectLedgerMatches('F-even', 500, 88);
  });

  it('uses the default policy for an unknown product code', async () => {
    await expectLedgerMatches('F-unknown', 500, 92);
  });

  it('applies a product override of grace and multiplier', async () => {
    expect(await ledgerOf(resources, 'F-lenient-in')).toEqual([]); // dpd 5 ≤ grace 5
    // dpd 6 > 5: 6 days × round(50,000 × 0.0003 × 1 = 15) = 90
    await expectLedgerMatches('F-lenient-out', 500, 90);
  });
});

describe('the cap (docs/contract.md, Charges)', () => {
  it('posts the late fee in full, cuts the penalty 184 → 100 and flags it capped', async () => {
    const entries = await ledgerOf(resources, 'F-cap');
    expect(lineOf(entries, 'LATE_FEE')).toMatchObject({ amount: 500, capped: false });
    expect(lineOf(entries, 'PENALTY_INTEREST')).toMatchObject({ amount: 100, capped: true });
    await expectLedgerMatches('F-cap', 500, 100);
    expect(eventOf('F-cap', 'loan.fee_applied')?.data).toMatchObject({
      lateFee: 500,
      penaltyInterest: 100,
      capped: true,
    });
    const item = await loanNow(resources, 'F-cap');
    expect((item.installments as Record<string, unknown>[])[0]?.penaltyThrough).toBe('2026-11-28');
  });
});

describe('forbearance (docs/contract.md, Charges)', () => {
  it('charges nothing while asOf ≤ forbearanceUntil and forgives the dates for good', async () => {
    expect(await ledgerOf(resources, 'F-forb')).toEqual([]);
    const item = await loanNow(resources, 'F-forb');
    expect(item).toMatchObject({ dpd: 18, bucket: 'M1' });
    expect(item.lateFeesCharged ?? 0).toBe(0);
    expect((item.installments as Record<string, unknown>[])[0]?.penaltyThrough).toBe('2026-11-28');
    expect(eventOf('F-forb', 'loan.overdue')?.data).toMatchObject({
      dpd: 18,
      inGrace: false,
      forbearance: true,
    });
  });

  it('after the plan ends charges only the dates after forbearanceUntil: 2 × 23 = 46', async () => {
    const penalty = lineOf(await ledgerOf(resources, 'F-forb-ended'), 'PENALTY_INTEREST');
    expect(penalty).toMatchObject({ fromDate: '2026-11-27', toDate: '2026-11-28', days: 2 });
    await expectLedgerMatches('F-forb-ended', 500, 46);
  });
});

describe('charge-off (docs/contract.md, Charges)', () => {
  it('at dpd 182 charges through 2026-11-26 (due + 180): 180 × 23 = 4,140, and charges off', async () => {
    const penalty = lineOf(await ledgerOf(resources, 'F-chargeoff'), 'PENALTY_INTEREST');
    expect(penalty).toMatchObject({
      fromDate: '2026-05-31',
      toDate: '2026-11-26',
      days: 180,
      amount: 4_140,
    });
    await expectLedgerMatches('F-chargeoff', 500, 4_140);
    const item = await loanNow(resources, 'F-chargeoff');
    expect(item).toMatchObject({ status: 'CHARGED_OFF', bucket: 'M7', dpd: 182 });
    expect(item.nextDueDate).toBeUndefined();
    expect(eventOf('F-chargeoff', 'loan.charged_off')?.data).toEqual({
      dpd: 182,
      principalOutstanding: 50_000,
      chargesTotal: 4_640,
      currency: 'CNY',
    });
    expect(eventOf('F-chargeoff', 'loan.delinquency_changed')?.data).toEqual({
      from: 'M0',
      to: 'M7',
      dpd: 182,
    });
  });
});

describe('what is unpaid (docs/contract.md, Loans table) and the index', () => {
  it('counts an instalment short by no more than the tolerance as paid: nothing charged, leaves the index', async () => {
    expect(await ledgerOf(resources, 'F-tol')).toEqual([]);
    const item = await loanNow(resources, 'F-tol');
    expect(item.dpd).toBe(0);
    expect(item.nextDueDate).toBeUndefined();
    expect(eventsOf('F-tol')).toEqual([]);
  });

  it('one fen over the tolerance is overdue: the late fee, and no zero penalty entry (101 × 0.00045 rounds to 0)', async () => {
    const entries = await ledgerOf(resources, 'F-tol-over');
    expect(entries.map((e) => e.kind)).toEqual(['LATE_FEE']);
    await expectLedgerMatches('F-tol-over', 500, 0);
    expect(eventOf('F-tol-over', 'loan.overdue')?.data).toMatchObject({
      dpd: 8,
      amountOverdue: 101,
    });
  });

  it('takes a loan with nothing unpaid out of the index without charging it', async () => {
    const item = await loanNow(resources, 'F-paid');
    expect(await ledgerOf(resources, 'F-paid')).toEqual([]);
    expect(item.nextDueDate).toBeUndefined();
    expect(item.status).toBe('ACTIVE'); // status is upstream's business
    expect(item.dpd).toBe(0);
  });

  it('moves a stale nextDueDate forward to the earliest unpaid instalment', async () => {
    const item = await loanNow(resources, 'F-stale');
    expect(item).toMatchObject({ nextDueDate: '2026-11-28', dpd: 0 });
    expect(item.bucket ?? 'M0').toBe('M0');
  });

  it('charges each overdue instalment in order and sets the loan dpd to the oldest', async () => {
    // seq 1: 30 × round(25,000 × 0.00045 = 11.25) = 330; seq 2: 4 × 11 = 44; a late fee each.
    const entries = await ledgerOf(resources, 'F-multi');
    const bySeq = (seq: number, kind: string) => lineOf(entries, kind, seq)?.amount;
    expect(bySeq(1, 'LATE_FEE')).toBe(500);
    expect(bySeq(1, 'PENALTY_INTEREST')).toBe(330);
    expect(bySeq(2, 'LATE_FEE')).toBe(500);
    expect(bySeq(2, 'PENALTY_INTEREST')).toBe(44);
    await expectLedgerMatches('F-multi', 1_000, 374);
    expect(await loanNow(resources, 'F-multi')).toMatchObject({ dpd: 30, bucket: 'M1' });
    expect(eventOf('F-multi', 'loan.overdue')?.data).toMatchObject({ amountOverdue: 51_500 });
  });

  it('buckets dpd 30 as M1 and dpd 31 as M2', async () => {
    expect(await loanNow(resources, 'F-m1edge')).toMatchObject({ dpd: 30, bucket: 'M1' });
    expect(await loanNow(resources, 'F-m2')).toMatchObject({ dpd: 31, bucket: 'M2' });
    await expectLedgerMatches('F-m1edge', 500, 690);
    await expectLedgerMatches('F-m2', 500, 713);
  });
});

describe('events (docs/contract.md, Events)', () => {
  it('wraps each event in the envelope with its id, schema version and times', () => {
    const overdue = eventOf('F-day4', 'loan.overdue');
    expect(overdue).toEqual({
      id: 'F-day4:loan.overdue:2026-11-28',
      type: 'loan.overdue',
      schemaVersion: 1,
      asOf: '2026-11-28',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      runId: summary.runId,
      loanId: 'F-day4',
      borrowerId: 'B-F-day4',
      data: {
        dpd: 4,
        bucket: 'M1',
        inGrace: false,
        forbearance: false,
        amountOverdue: 51_500,
        currency: 'CNY',
        riskClass: 'SPECIAL_MENTION',
        delinquentSince: '2026-11-25',
        creditHold: true,
        creditNoticeOn: '2026-11-28',
        promisePending: false,
      },
    });
    for (const e of events) {
      const expected =
        e.type === 'sweep.completed'
          ? `sweep.completed:2026-11-28:${e.runId}`
          : `${e.loanId}:${e.type}:2026-11-28`;
      expect(e.id).toBe(expected);
    }
  });

  it('lists exactly the data fields of the docs/contract.md, Events table for each type', () => {
    const fields: Record<string, string[]> = {
      'loan.payment_due_soon': [
        'amountDue',
        'currency',
        'daysUntilDue',
        'dueDate',
        'installmentSeq',
      ],
      'loan.overdue': [
        'amountOverdue',
        'bucket',
        'creditHold',
        'creditNoticeOn',
        'currency',
        'delinquentSince',
        'dpd',
        'forbearance',
        'inGrace',
        'promisePending',
        'riskClass',
      ],
      'loan.fee_applied': ['capped', 'currency', 'entryIds', 'lateFee', 'penaltyInterest'],
      'loan.delinquency_changed': ['dpd', 'from', 'to'],
      'loan.charged_off': ['chargesTotal', 'currency', 'dpd', 'principalOutstanding'],
      'loan.risk_class_changed': ['dpd', 'from', 'to'],
      'loan.credit_hold': ['bucket', 'delinquentSince', 'dpd'],
      'loan.credit_report_notice': [
        'amountOverdue',
        'currency',
        'delinquentSince',
        'dpd',
        'settlementDate',
      ],
      'loan.hardship_offer': ['amountOverdue', 'currency', 'dpd', 'offerId'],
    };
    for (const e of events.filter((x) => x.type !== 'sweep.completed')) {
      const expected = fields[e.type] ?? [];
      // creditNoticeOn only once the episode's notice is raised (not in forbearance).
      const data = Object.keys(e.data).sort();
      expect(data, e.id).toEqual(
        e.type === 'loan.overdue' && e.data.creditNoticeOn === undefined
          ? expected.filter((field) => field !== 'creditNoticeOn')
          : expected,
      );
    }
  });

  it('names the ledger entries of a fee event', async () => {
    const data = eventOf('F-day4', 'loan.fee_applied')?.data;
    const ids = (await ledgerOf(resources, 'F-day4')).map((e) => e.entryId).sort();
    expect([...((data?.entryIds ?? []) as string[])].sort()).toEqual(ids);
    expect(data).toMatchObject({
      lateFee: 500,
      penaltyInterest: 92,
      currency: 'CNY',
      capped: false,
    });
  });

  it('carries eventType, bucket and dpd as message attributes for filter policies', () => {
    const message = messages.find((m) => m.Body?.includes('"F-m2:loan.overdue:2026-11-28"'));
    expect(message?.MessageAttributes?.eventType).toMatchObject({
      DataType: 'String',
      StringValue: 'loan.overdue',
    });
    expect(message?.MessageAttributes?.bucket).toMatchObject({
      DataType: 'String',
      StringValue: 'M2',
    });
    expect(message?.MessageAttributes?.dpd).toMatchObject({
      DataType: 'Number',
      StringValue: '31',
    });
    for (const m of messages) {
      expect(m.MessageAttributes?.eventType?.StringValue).toBe(JSON.parse(m.Body ?? '{}').type);
    }
  });

  it('sends due-soon on offsets 0 and 1, naming the earliest matching instalment, and not on day 2', () => {
    expect(eventOf('F-stale', 'loan.payment_due_soon')?.data).toEqual({
      installmentSeq: 2,
      dueDate: '2026-11-28',
      daysUntilDue: 0,
      amountDue: 25_750,
      currency: 'CNY',
    });
    // seq 1 is due in 1 day and seq 2 in 3: one event, for seq 1.
    expect(eventsOf('F-soon').map((e) => e.type)).toEqual(['loan.payment_due_soon']);
    expect(eventOf('F-soon', 'loan.payment_due_soon')?.data).toMatchObject({
      installmentSeq: 1,
      dueDate: '2026-11-29',
      daysUntilDue: 1,
      amountDue: 25_750,
    });
    expect(eventsOf('F-soon2')).toEqual([]);
  });

  it('announces the bucket change from no bucket (M0) to M1', () => {
    expect(eventOf('F-grace', 'loan.delinquency_changed')?.data).toEqual({
      from: 'M0',
      to: 'M1',
      dpd: 3,
    });
  });

  it('ends a non-dry run with sweep.completed carrying the summary', () => {
    const done = events.find((e) => e.type === 'sweep.completed');
    expect(done?.id).toBe(`sweep.completed:2026-11-28:${summary.runId}`);
    expect(done?.data).toMatchObject({
      runId: summary.runId,
      asOf: '2026-11-28',
      loansExamined: 20,
      loansCharged: 12,
      chargedOff: 1,
    });
  });
});

describe('the day after (a dry run for 2026-11-29)', () => {
  it('charges a loan at its cap nothing more, and a charged-off loan nothing at all', async () => {
    const handler = await importHandler('sweep', resources, FEE_POLICY);
    const next = (await handler(
      { asOf: '2026-11-29', dryRun: true, loanIds: ['F-cap', 'F-chargeoff', 'F-day4'] },
      lambdaContext(),
    )) as Record<string, unknown>;
    // Only F-day4 is charged: one more day, 23 fen.
    expect(next).toMatchObject({
      dryRun: true,
      loansCharged: 1,
      charges: { CNY: { lateFees: 0, penaltyInterest: 23 } },
    });
  });
});
