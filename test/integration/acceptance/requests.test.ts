/**
 * docs/contract.md, Sweep from the outside: the three kinds of input, rejected payloads that write nothing, dry
 * runs, loanIds mode, malformed items, idempotent re-runs, catch-up and backfill, over a few days.
 *
 * Loans are 50,000 fen at 0.0003 a day, one instalment of 50,000 + 1,500; FEE_POLICY sets a late fee
 * of 500. One penalty day is round(50,000 × 0.00045 = 22.5) = 23 fen.
 */

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import {
  bodies,
  clients,
  drain,
  type Envelope,
  importHandler,
  lambdaContext,
  ledgerOf,
  lineOf,
  loanNow,
  oneInstalmentLoan,
  payInFull,
  putItems,
  scanAll,
} from './support';

const FEE_POLICY = JSON.stringify({ default: { lateFee: 500 } });

let resources: LocalResources;
let sweep: (event: unknown) => Promise<Record<string, unknown>>;

const loans = () => [
  oneInstalmentLoan('G-daily', '2026-11-20'),
  oneInstalmentLoan('G-paid-in-grace', '2026-11-24'),
  oneInstalmentLoan('G-recover', '2026-11-20'),
  oneInstalmentLoan('G-backfill', '2026-11-20'),
  oneInstalmentLoan('G-forgiven', '2026-11-20', { forbearanceUntil: '2026-11-30' }),
  { ...oneInstalmentLoan('G-bad-borrower', '2026-11-20'), borrowerId: undefined },
  { ...oneInstalmentLoan('G-bad-principal', '2026-11-20'), principal: 'fifty thousand' },
  { ...oneInstalmentLoan('G-bad-installments', '2026-11-20'), installments: 'none' },
];

beforeAll(async () => {
  resources = await freshResources(clients, 'acc-req');
  await putItems(
    resources.tables.LOANS_TABLE_NAME,
    loans().map((l) => JSON.parse(JSON.stringify(l))),
  );
  const handler = await importHandler('sweep', resources, FEE_POLICY);
  sweep = async (event) => (await handler(event, lambdaContext())) as Record<string, unknown>;
});

/** Nothing in the loans table carries a sweep attribute, the ledger is empty, nothing was sent. */
async function expectNothingWritten() {
  for (const item of await scanAll(resources.tables.LOANS_TABLE_NAME)) {
    expect(item.accruedThrough).toBeUndefined();
    expect(item.version).toBeUndefined();
  }
  expect(await scanAll(resources.tables.LEDGER_TABLE_NAME)).toEqual([]);
  expect(await drain(resources, 'Reporting')).toEqual([]);
}

const penaltyOf = async (loanId: string) =>
  (await ledgerOf(resources, loanId))
    .filter((e) => e.kind === 'PENALTY_INTEREST')
    .reduce((s, e) => s + Number(e.amount), 0);

describe('the sweep’s configuration (docs/contract.md, Charges)', () => {
  it('fails the cold start on an invalid FEE_POLICY with a message naming the field', async () => {
    await expect(
      importHandler('sweep', resources, JSON.stringify({ default: { graceDays: -1 } })),
    ).rejects.toThrow(/graceDays/);
    await expect(
      importHandler('sweep', resources, JSON.stringify({ products: { P1: { rounding: 'UP' } } })),
    ).rejects.toThrow(/rounding/);
    const handler = await importHandler('sweep', resources, FEE_POLICY);
    sweep = async (event) => (await handler(event, lambdaContext())) as Record<string, unknown>;
  });
});

describe('the sweep’s input (docs/contract.md, Sweep), in the order an operator would meet it', () => {
  it('rejects a payload naming every problem: unknown field, bad date, empty list — and writes nothing', async () => {
    const attempt = sweep({ asOf: '2026-02-30', loanIds: [], colour: 'red' });
    await expect(attempt).rejects.toThrow(/colour/);
    await expect(sweep({ asOf: '2026-02-30', loanIds: [], colour: 'red' })).rejects.toThrow(
      /asOf.*2026-02-30|2026-02-30.*asOf/,
    );
    await expect(sweep({ asOf: '2026-02-30', loanIds: [], colour: 'red' })).rejects.toThrow(
      /loanIds/,
    );
    await expectNothingWritten();
  });

  it('rejects 1,001 loan ids and a future asOf without dryRun', async () => {
    const ids = Array.from({ length: 1_001 }, (_, i) => `X-${i}`);
    await expect(sweep({ loanIds: ids })).rejects.toThrow(/loanIds.*1,?000|1,?001/);
    await expect(sweep({ asOf: '2099-01-01' })).rejects.toThrow(/asOf.*future|future.*asOf/);
    await expect(sweep({ asOf: '2026-11-28', dryRun: 'yes' })).rejects.toThrow(/dryRun/);
    await expectNothingWritten();
  });

  it('allows a future asOf in a dry run, and defaults asOf to today in the business time zone', async () => {
    expect((await sweep({ asOf: '2099-01-01', dryRun: true })).asOf).toBe('2099-01-01');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
      new Date(),
    );
    expect((await sweep({ dryRun: true })).asOf).toBe(today);
    await expectNothingWritten();
  });

  it('computes and reports a dry run but writes and publishes nothing', async () => {
    const summary = await sweep({ asOf: '2026-11-28', dryRun: true });
    // 4 good loans due 11-20 / 11-24: each a 500 late fee; 8, 8, 8 and 4 days of 23 fen.
    expect(summary).toMatchObject({
      asOf: '2026-11-28',
      dryRun: true,
      loansExamined: 5, // the three malformed items are skipped, not examined
      loansOverdue: 5,
      loansCharged: 4, // G-forgiven is in forbearance
      charges: { CNY: { lateFees: 2_000, penaltyInterest: 3 * 184 + 92 } },
      eventsPublished: 0,
      complete: true,
    });
    expect(summary.skipped).toMatchObject({ count: 3 });
    await expectNothingWritten();
  });

  it('sweeps just the listed loans and reports a missing id as skipped', async () => {
    for (const day of ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']) {
      const summary = await sweep({ asOf: day, loanIds: ['G-daily'] });
      expect(summary).toMatchObject({ loansExamined: 1, complete: true });
    }
    const summary = await sweep({ asOf: '2026-11-25', loanIds: ['G-daily', 'G-nope'] });
    expect(summary.skipped).toMatchObject({
      count: 1,
      loans: [{ loanId: 'G-nope', reason: expect.stringMatching(/\S/) }],
    });
    expect((await loanNow(resources, 'G-recover')).accruedThrough).toBeUndefined();
    // Day 4 (11-24) charged 4 days and the late fee, day 5 one more day: 5 × 23 = 115.
    expect(await penaltyOf('G-daily')).toBe(115);
    await drain(resources, 'Reporting');
  });

  it('takes asOf from an EventBridge rule event’s time and skips malformed items with a reason', async () => {
    const summary = await sweep({
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-11-25T16:30:00Z', // 00:30 on 26 November in Shanghai
      region: 'ap-east-1',
      resources: ['arn:aws:events:ap-east-1:000000000000:rule/daily-sweep'],
      detail: {},
    });
    expect(summary).toMatchObject({ asOf: '2026-11-26', dryRun: false, complete: true });
    const skipped = (summary.skipped as { loans: { loanId: string; reason: string }[] }).loans;
    const reasons = Object.fromEntries(skipped.map((s) => [s.loanId, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'G-bad-borrower',
      'G-bad-installments',
      'G-bad-principal',
    ]);
    expect(reasons['G-bad-borrower']).toMatch(/borrowerId/);
    expect(reasons['G-bad-principal']).toMatch(/principal/);
    expect(reasons['G-bad-installments']).toMatch(/installments/);
    // The rest were swept: G-recover is 6 days overdue, charged 500 + 6 × 23 = 138.
    expect(await loanNow(resources, 'G-recover')).toMatchObject({
      accruedThrough: '2026-11-26',
      dpd: 6,
      bucket: 'M1',
      lateFeesCharged: 500,
      penaltyCharged: 138,
    });
    // G-paid-in-grace is on dpd 2: nothing yet.
    expect(await ledgerOf(resources, 'G-paid-in-grace')).toEqual([]);
    expect(await penaltyOf('G-daily')).toBe(6 * 23);
    await drain(resources, 'Reporting');
  });

  it('after a missed day and a late-written loan, one run charges what the daily runs would have', async () => {
    await payInFull(resources, 'G-paid-in-grace', 0);
    await payInFull(resources, 'G-recover', 0);
    // The hardship plan is withdrawn: the dates it covered (through 11-26) stay forgiven.
    await clients.doc.send(
      new UpdateCommand({
        TableName: resources.tables.LOANS_TABLE_NAME,
        Key: { loanId: 'G-forgiven' },
        UpdateExpression: 'REMOVE forbearanceUntil',
      }),
    );
    await sweep({ asOf: '2026-11-27', loanIds: ['G-daily'] });
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      oneInstalmentLoan('G-catchup', '2026-11-20'),
    ]);
    const summary = await sweep({ scheduledTime: '2026-11-27T16:30:00Z' });
    expect(summary).toMatchObject({ asOf: '2026-11-28', complete: true });
    // Due 11-20, swept daily or once on 11-28: 8 days × 23 = 184 and one late fee either way.
    expect(await penaltyOf('G-daily')).toBe(184);
    expect(await penaltyOf('G-catchup')).toBe(184);
    expect(await penaltyOf('G-backfill')).toBe(184);
    for (const id of ['G-daily', 'G-catchup', 'G-backfill']) {
      expect(await loanNow(resources, id)).toMatchObject({
        lateFeesCharged: 500,
        penaltyCharged: 184,
        dpd: 8,
        accruedThrough: '2026-11-28',
      });
    }
    expect(
      (await ledgerOf(resources, 'G-daily')).filter((e) => e.kind === 'LATE_FEE'),
    ).toHaveLength(1);
  });

  it('charges a loan whose forbearance was withdrawn only after the forgiven dates: 2 × 23 = 46', async () => {
    expect(await loanNow(resources, 'G-forgiven')).toMatchObject({
      lateFeesCharged: 500,
      penaltyCharged: 46,
    });
    const penalty = lineOf(await ledgerOf(resources, 'G-forgiven'), 'PENALTY_INTEREST');
    expect(penalty).toMatchObject({ fromDate: '2026-11-27', toDate: '2026-11-28', days: 2 });
  });

  it('never charges a loan paid within grace, and takes it out of the index', async () => {
    expect(await ledgerOf(resources, 'G-paid-in-grace')).toEqual([]);
    const item = await loanNow(resources, 'G-paid-in-grace');
    expect(item).toMatchObject({ dpd: 0, accruedThrough: '2026-11-28' });
    expect(item.nextDueDate).toBeUndefined();
  });

  it('announces a recovery to M0 and stops the overdue events of loans paid up', async () => {
    const events = bodies(await drain(resources, 'Reporting'));
    lastDay = events;
    const recovered = events.filter((e) => e.loanId === 'G-recover');
    // The cure ends its delinquency episode: back to NORMAL, the credit hold released.
    expect(recovered.map((e) => e.type)).toEqual([
      'loan.delinquency_changed',
      'loan.risk_class_changed',
      'loan.credit_released',
    ]);
    expect(recovered[0]?.data).toEqual({ from: 'M1', to: 'M0', dpd: 0 });
    const item = await loanNow(resources, 'G-recover');
    expect(item).toMatchObject({ dpd: 0, bucket: 'M0', penaltyCharged: 138 });
    expect(item.nextDueDate).toBeUndefined();
    // Paid on dpd 2 it was M1 (1–30) yesterday, so it recovers to M0 too, with no fee or overdue event.
    expect(events.filter((e) => e.loanId === 'G-paid-in-grace').map((e) => e.type)).toEqual([
      'loan.delinquency_changed',
      'loan.risk_class_changed',
      'loan.credit_released',
    ]);
  });

  it('re-run for the same date charges nothing more and publishes no new event id', async () => {
    const before = await scanAll(resources.tables.LOANS_TABLE_NAME);
    const ledgerBefore = await scanAll(resources.tables.LEDGER_TABLE_NAME);
    const summary = await sweep({ asOf: '2026-11-28' });
    expect(summary).toMatchObject({ loansCharged: 0, complete: true });
    expect(await scanAll(resources.tables.LEDGER_TABLE_NAME)).toHaveLength(ledgerBefore.length);
    const byId = (items: Record<string, unknown>[]) =>
      Object.fromEntries(items.map((i) => [i.loanId as string, i]));
    expect(byId(await scanAll(resources.tables.LOANS_TABLE_NAME))).toEqual(byId(before));
    const known = new Set(lastDay.map((e) => e.id));
    for (const e of bodies(await drain(resources, 'Reporting'))) expect(known).toContain(e.id);
  });

  it('two runs at once for a new loan charge it once', async () => {
    await putItems(resources.tables.LOANS_TABLE_NAME, [oneInstalmentLoan('G-race', '2026-11-20')]);
    await Promise.all([
      sweep({ asOf: '2026-11-28', loanIds: ['G-race'] }),
      sweep({ asOf: '2026-11-28', loanIds: ['G-race', 'G-daily'] }),
    ]);
    const entries = await ledgerOf(resources, 'G-race');
    expect(entries.map((e) => [e.kind, e.amount]).sort()).toEqual([
      ['LATE_FEE', 500],
      ['PENALTY_INTEREST', 184],
    ]);
    expect(await loanNow(resources, 'G-race')).toMatchObject({
      lateFeesCharged: 500,
      penaltyCharged: 184,
    });
    const ids = bodies(await drain(resources, 'Reporting'))
      .filter((e) => e.loanId === 'G-race')
      .map((e) => e.id);
    expect([...new Set(ids)].sort()).toEqual([
      'G-race:loan.credit_hold:2026-11-28',
      'G-race:loan.credit_report_notice:2026-11-28',
      'G-race:loan.delinquency_changed:2026-11-28',
      'G-race:loan.fee_applied:2026-11-28',
      'G-race:loan.overdue:2026-11-28',
      'G-race:loan.risk_class_changed:2026-11-28',
    ]);
  });

  it('a backfill for an earlier date leaves a loan swept later as it is', async () => {
    const before = await loanNow(resources, 'G-backfill');
    const entries = (await ledgerOf(resources, 'G-backfill')).length;
    const summary = await sweep({ asOf: '2026-11-26', loanIds: ['G-backfill'] });
    expect(summary).toMatchObject({ asOf: '2026-11-26', loansCharged: 0 });
    expect(await loanNow(resources, 'G-backfill')).toEqual(before);
    expect(await ledgerOf(resources, 'G-backfill')).toHaveLength(entries);
  });
});

let lastDay: Envelope[] = [];
