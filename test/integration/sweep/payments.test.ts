/**
 * Value-dated payments on DynamoDB Local and the SNS/SQS emulator (docs/contract.md, Value-dated payments): a payment
 * that reaches the item after the sweep charged dates it covers gives the over-charge back, in the
 * loan's own transaction, once. Policy of these tests: grace 3 days, late fee 500, penalty
 * 0.0003 × 1.5 = 0.00045 a day: 10,000 of principal → 5 a day (4.5 HALF_UP), 5,000 → 2 (2.25).
 * Every expectation is computed by hand.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../functions/core/types';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  ledgerOf,
  postPayment,
  putItems,
  receivedEvents,
  storedLoan,
  sweeper,
} from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';
import { expectReconciled } from '../../support/ledger';

const sweepOf = (resources: LocalResources, loanIds: string[]) => (asOf: string) =>
  sweeper(resources).run({ asOf, loanIds });

const entryAmounts = async (resources: LocalResources, loanId: string) =>
  (await ledgerOf(resources, loanId)).map((e) => [e.entryId, Number(e.amount)]);

const ofLoan = (events: EventEnvelope[], loanId: string) =>
  events.filter((e) => e.loanId === loanId).map((e) => e.id);

describe('backdated payments, loan by loan', () => {
  let resources: LocalResources;

  beforeAll(async () => {
    resources = await freshResources(clients, 'payments');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('R-grace', [inst(1, '2026-11-20')]),
      loanItem('R-part', [inst(1, '2026-11-10')]),
      loanItem('R-race', [inst(1, '2026-11-10')]),
      loanItem('R-plain', [inst(1, '2026-11-20')]),
    ]);
  });

  it('paid on the last grace day, posted after the sweep charged: every charge comes back', async () => {
    const sweep = sweepOf(resources, ['R-grace']);
    // 11-24 (dpd 4) charges the late fee and 11-21..11-24: 4 × 5 = 20.
    await sweep('2026-11-24');
    expect(await entryAmounts(resources, 'R-grace')).toEqual([
      ['2026-11-24#LATE_FEE', 500],
      ['2026-11-24#PENALTY_INTEREST', 20],
    ]);
    await receivedEvents(resources);
    await postPayment(resources, 'R-grace', 0, {
      paymentId: 'PAY-1',
      valueDate: '2026-11-23',
      principal: 10_000,
      interest: 300,
    });

    const run = sweeper(resources);
    const summary = await run.run({ asOf: '2026-11-25', loanIds: ['R-grace'] });
    expect(summary.reversals).toEqual({ CNY: { lateFees: 500, penaltyInterest: 20 } });
    expect(summary.charges).toEqual({});
    expect(run.ledgerQueries).toEqual(['R-grace']);
    expect(run.log.lines).toContainEqual({
      level: 'info',
      message: 'charges reversed',
      extra: {
        loanId: 'R-grace',
        currency: 'CNY',
        lateFeeReversed: 500,
        penaltyReversed: 20,
        paymentIds: ['PAY-1'],
      },
    });

    const entries = await ledgerOf(resources, 'R-grace');
    expect(entries.filter((e) => String(e.kind).endsWith('REVERSAL'))).toEqual([
      {
        loanId: 'R-grace',
        entryId: '2026-11-25#LATE_FEE_REVERSAL',
        kind: 'LATE_FEE_REVERSAL',
        amount: 500,
        currency: 'CNY',
        asOf: '2026-11-25',
        runId: summary.runId,
        paymentIds: ['PAY-1'],
        lines: [
          {
            installmentSeq: 1,
            amount: 500,
            charged: 500,
            reversedBefore: 0,
            correct: 0,
            paidWithinGrace: true,
          },
        ],
      },
      {
        loanId: 'R-grace',
        entryId: '2026-11-25#PENALTY_REVERSAL',
        kind: 'PENALTY_REVERSAL',
        amount: 20,
        currency: 'CNY',
        asOf: '2026-11-25',
        runId: summary.runId,
        paymentIds: ['PAY-1'],
        lines: [
          {
            installmentSeq: 1,
            amount: 20,
            charged: 20,
            reversedBefore: 0,
            correct: 0,
            paidWithinGrace: true,
            fromDate: '2026-11-21',
            toDate: '2026-11-24',
            days: 4,
            rate: 0.00045,
            segments: [
              { fromDate: '2026-11-21', toDate: '2026-11-23', days: 3, base: 10_000 },
              { fromDate: '2026-11-24', toDate: '2026-11-24', days: 1, base: 0 },
            ],
          },
        ],
      },
    ]);
    const loan = await storedLoan(resources, 'R-grace');
    expect(loan).toMatchObject({ lateFeesCharged: 0, penaltyCharged: 0, dpd: 0, bucket: 'M0' });
    expect(loan.nextDueDate).toBeUndefined();
    expect(loan.installments).toEqual([
      expect.objectContaining({
        lateFeeCharged: 0,
        penaltyThrough: '2026-11-24',
        paymentsApplied: ['PAY-1'],
        payments: [
          { paymentId: 'PAY-1', valueDate: '2026-11-23', principal: 10_000, interest: 300 },
        ],
      }),
    ]);

    const events = await receivedEvents(resources);
    const reversed = events.find((e) => e.type === 'loan.charges_reversed');
    expect(reversed).toMatchObject({
      id: 'R-grace:loan.charges_reversed:2026-11-25',
      loanId: 'R-grace',
      data: {
        lateFeeReversed: 500,
        penaltyReversed: 20,
        currency: 'CNY',
        paymentIds: ['PAY-1'],
        entryIds: ['2026-11-25#LATE_FEE_REVERSAL', '2026-11-25#PENALTY_REVERSAL'],
      },
    });
    // Cured by the payment: the episode ends with the reversal.
    expect(ofLoan(events, 'R-grace').sort()).toEqual([
      'R-grace:loan.charges_reversed:2026-11-25',
      'R-grace:loan.credit_released:2026-11-25',
      'R-grace:loan.delinquency_changed:2026-11-25',
      'R-grace:loan.risk_class_changed:2026-11-25',
    ]);
    await expectReconciled(resources, ['R-grace'], events);
  });

  it('a partial payment value-dated three days back gives back exactly the over-charged penalty', async () => {
    const sweep = sweepOf(resources, ['R-part']);
    // 11-14 charges 11-11..11-14 (20) and the late fee; 11-15..11-20 one day each: 50 in all.
    for (const day of ['14', '15', '16', '17', '18', '19', '20']) await sweep(`2026-11-${day}`);
    expect(await storedLoan(resources, 'R-part')).toMatchObject({ penaltyCharged: 50 });
    await receivedEvents(resources);
    // 5,000 of principal paid on 11-17, posted on 11-20: 11-18..11-20 should have been 2, not 5.
    await postPayment(resources, 'R-part', 0, {
      paymentId: 'PAY-2',
      valueDate: '2026-11-17',
      principal: 5_000,
      interest: 0,
    });

    const summary = await sweep('2026-11-21');
    expect(summary.reversals).toEqual({ CNY: { lateFees: 0, penaltyInterest: 9 } });
    expect(summary.charges).toEqual({ CNY: { lateFees: 0, penaltyInterest: 2 } });
    const entries = await ledgerOf(resources, 'R-part');
    const reversal = entries.find((e) => e.entryId === '2026-11-21#PENALTY_REVERSAL');
    expect(reversal).toMatchObject({
      amount: 9,
      paymentIds: ['PAY-2'],
      lines: [{ installmentSeq: 1, amount: 9, charged: 50, reversedBefore: 0, correct: 41 }],
    });
    expect(entries.some((e) => e.kind === 'LATE_FEE_REVERSAL')).toBe(false);
    expect(await storedLoan(resources, 'R-part')).toMatchObject({
      lateFeesCharged: 500,
      penaltyCharged: 50 - 9 + 2,
      nextDueDate: '2026-11-10',
    });
    const events = await receivedEvents(resources);
    expect(ofLoan(events, 'R-part')).toContain('R-part:loan.charges_reversed:2026-11-21');
    await expectReconciled(resources, ['R-part'], events);
  });

  it('the same loan swept again gives back nothing more; the next day reads no ledger', async () => {
    const before = await entryAmounts(resources, 'R-part');
    const again = sweeper(resources);
    const summary = await again.run({ asOf: '2026-11-21', loanIds: ['R-part'] });
    expect(summary.reversals).toEqual({});
    expect(again.ledgerQueries).toEqual([]);
    expect(await entryAmounts(resources, 'R-part')).toEqual(before);
    expect(ofLoan(await receivedEvents(resources), 'R-part')).toEqual([]);

    const next = sweeper(resources);
    const day22 = await next.run({ asOf: '2026-11-22', loanIds: ['R-part'] });
    expect(day22.reversals).toEqual({});
    expect(day22.charges).toEqual({ CNY: { lateFees: 0, penaltyInterest: 2 } });
    expect(next.ledgerQueries).toEqual([]);
  });

  it('two runs at once give back once', async () => {
    const sweep = sweepOf(resources, ['R-race']);
    await sweep('2026-11-14');
    await receivedEvents(resources);
    await postPayment(resources, 'R-race', 0, {
      paymentId: 'PAY-3',
      valueDate: '2026-11-13',
      principal: 10_000,
      interest: 300,
    });
    const [a, b] = await Promise.all([sweep('2026-11-15'), sweep('2026-11-15')]);
    const given = (s: typeof a) =>
      (s.reversals.CNY?.lateFees ?? 0) + (s.reversals.CNY?.penaltyInterest ?? 0);
    expect(given(a) + given(b)).toBe(500 + 20);
    expect(await entryAmounts(resources, 'R-race')).toEqual([
      ['2026-11-14#LATE_FEE', 500],
      ['2026-11-14#PENALTY_INTEREST', 20],
      ['2026-11-15#LATE_FEE_REVERSAL', 500],
      ['2026-11-15#PENALTY_REVERSAL', 20],
    ]);
    expect(await storedLoan(resources, 'R-race')).toMatchObject({
      lateFeesCharged: 0,
      penaltyCharged: 0,
    });
    const events = await receivedEvents(resources);
    const reversedIds = ofLoan(events, 'R-race').filter((id) => id.includes('charges_reversed'));
    expect(new Set(reversedIds)).toEqual(new Set(['R-race:loan.charges_reversed:2026-11-15']));
    await expectReconciled(resources, ['R-race'], events);
  });

  it('a loan without payments behaves exactly as before: no ledger read, nothing new written', async () => {
    const run = sweeper(resources);
    await run.run({ asOf: '2026-11-24', loanIds: ['R-plain'] });
    await run.run({ asOf: '2026-11-25', loanIds: ['R-plain'] });
    expect(run.ledgerQueries).toEqual([]);
    const entries = await ledgerOf(resources, 'R-plain');
    expect(entries.map((e) => [e.entryId, Number(e.amount), e.lines])).toEqual([
      [
        '2026-11-24#LATE_FEE',
        500,
        [
          {
            installmentSeq: 1,
            amount: 500,
            base: 500,
            fromDate: '2026-11-24',
            toDate: '2026-11-24',
            days: 0,
            capped: false,
          },
        ],
      ],
      [
        '2026-11-24#PENALTY_INTEREST',
        20,
        [
          {
            installmentSeq: 1,
            amount: 20,
            base: 10_000,
            rate: 0.00045,
            fromDate: '2026-11-21',
            toDate: '2026-11-24',
            days: 4,
            capped: false,
          },
        ],
      ],
      [
        '2026-11-25#PENALTY_INTEREST',
        5,
        [
          {
            installmentSeq: 1,
            amount: 5,
            base: 10_000,
            rate: 0.00045,
            fromDate: '2026-11-25',
            toDate: '2026-11-25',
            days: 1,
            capped: false,
          },
        ],
      ],
    ]);
    const [stored] = (await storedLoan(resources, 'R-plain')).installments as Record<
      string,
      unknown
    >[];
    expect(stored).toEqual({
      seq: 1,
      dueDate: '2026-11-20',
      principalDue: 10_000,
      interestDue: 300,
      principalPaid: 0,
      interestPaid: 0,
      lateFeeCharged: 500,
      penaltyThrough: '2026-11-25',
    });
  });
});

describe('a loan set PAID_OFF after a backdated final payment', () => {
  let resources: LocalResources;

  beforeAll(async () => {
    resources = await freshResources(clients, 'payments-off');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('R-off', [inst(1, '2026-11-20')]),
      loanItem('R-open', [inst(1, '2026-11-20')]),
    ]);
  });

  it('makes the reversal in the write that takes it out of the index, ends its episode, and nothing else', async () => {
    // Daily runs 11-24..11-27 charge 20 + 5 + 5 + 5 = 35 and the late fee.
    for (const day of ['24', '25', '26', '27']) {
      await sweeper(resources).run({ asOf: `2026-11-${day}` });
    }
    await receivedEvents(resources);
    // Paid in full on 11-25, posted late, and upstream closes the loan in the same write:
    // 11-26 and 11-27 should not have been charged (2 × 5 = 10); the late fee stands.
    await postPayment(
      resources,
      'R-off',
      0,
      { paymentId: 'PAY-4', valueDate: '2026-11-25', principal: 10_000, interest: 300 },
      'PAID_OFF',
    );

    const run = sweeper(resources);
    const summary = await run.run({ asOf: '2026-11-28' });
    expect(summary.reversals).toEqual({ CNY: { lateFees: 0, penaltyInterest: 10 } });
    expect(run.ledgerQueries).toEqual(['R-off']);
    expect((await entryAmounts(resources, 'R-off')).slice(-1)).toEqual([
      ['2026-11-28#PENALTY_REVERSAL', 10],
    ]);
    const loan = await storedLoan(resources, 'R-off');
    expect(loan).toMatchObject({
      status: 'PAID_OFF',
      lateFeesCharged: 500,
      penaltyCharged: 25,
      accruedThrough: '2026-11-28',
    });
    expect(loan.nextDueDate).toBeUndefined();
    const events = await receivedEvents(resources);
    // The write that takes it out of the index also ends its delinquency episode.
    expect(ofLoan(events, 'R-off')).toEqual([
      'R-off:loan.charges_reversed:2026-11-28',
      'R-off:loan.delinquency_changed:2026-11-28',
      'R-off:loan.risk_class_changed:2026-11-28',
      'R-off:loan.credit_released:2026-11-28',
    ]);
    await expectReconciled(resources, ['R-off', 'R-open'], events);

    // Out of the index: the due index no longer returns it, and the next run does not read it.
    const { Items = [] } = await clients.doc.send(
      new QueryCommand({
        TableName: resources.tables.LOANS_TABLE_NAME,
        IndexName: 'dueIndex',
        KeyConditionExpression: 'sweepShard = :shard',
        ExpressionAttributeValues: { ':shard': loan.sweepShard },
      }),
    );
    expect(Items.map((item) => item.loanId)).not.toContain('R-off');
    const later = sweeper(resources);
    await later.run({ asOf: '2026-11-28' });
    expect(later.reads).not.toContain('R-off');
  });
});
