/**
 * The sweep handler as an outsider runs it: items written with a plain DocumentClient (numbers as
 * numbers, docs/contract.md, Loans table shape), the environment of docs/contract.md, Infrastructure, the schedule's event, and expectations
 * computed by hand from docs/contract.md, Charges — not by the engine under test.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { drainQueue, freshResources } from '../../../local/fixtures/aws';
import { loanItem } from '../../../local/fixtures/loans';
import { clients, ledgerOf, publishRecorded, putItems } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

let resources: LocalResources;
let summary: Record<string, unknown>;

const context = {
  awsRequestId: 'r',
  functionName: 'sweep',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sweep',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

/** One instalment of 100,000 fen principal + 900 interest, unpaid, due on `dueDate`. */
function loan(loanId: string, dueDate: string, extra: Record<string, unknown> = {}) {
  const installment = {
    seq: 1,
    dueDate,
    principalDue: 100_000,
    interestDue: 900,
    principalPaid: 0,
    interestPaid: 0,
  };
  return loanItem(loanId, [installment], extra);
}

beforeAll(async () => {
  resources = await freshResources(clients, 'hand');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    loan('H-grace', '2026-11-25'), // dpd 3 on 2026-11-28: within grace
    loan('H-past', '2026-11-24'), // dpd 4: first day past grace, penalty back to the due date
    loan('H-ceiling', '2026-11-24', { dailyInterestRate: 0.001 }), // 1.5 × 0.001 > 0.24 / 365
  ]);
  vi.resetModules();
  for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
  vi.stubEnv('BUSINESS_TIMEZONE', 'Asia/Shanghai');
  vi.stubEnv('FEE_POLICY', '');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  const { handler } = await import('../../../functions/sweep/handler');
  // 00:30 in Shanghai on 28 November is 16:30 UTC on the 27th.
  summary = (await handler({ scheduledTime: '2026-11-27T16:30:00Z' }, context)) as Record<
    string,
    unknown
  >;
  vi.unstubAllEnvs();
});

const ledger = (loanId: string) => ledgerOf(resources, loanId);

async function item(loanId: string) {
  const { Item } = await clients.doc.send(
    new GetCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Key: { loanId } }),
  );
  return Item ?? {};
}

describe('a scheduled sweep on 2026-11-28 (Asia/Shanghai)', () => {
  it('takes asOf from the scheduled time and reports a complete run', () => {
    expect(summary).toMatchObject({ asOf: '2026-11-28', dryRun: false, complete: true });
    expect(summary.loansExamined).toBe(3);
    expect(summary.loansOverdue).toBe(3);
    expect(summary.loansCharged).toBe(2);
  });

  it('charges nothing on grace day 3', async () => {
    expect(await ledger('H-grace')).toEqual([]);
    expect(await item('H-grace')).toMatchObject({ dpd: 3, bucket: 'M1', penaltyCharged: 0 });
  });

  it('charges 4 days of 100000 × 0.00045 = 45 fen on day 4, retroactively', async () => {
    const entries = await ledger('H-past');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      loanId: 'H-past',
      entryId: '2026-11-28#PENALTY_INTEREST',
      kind: 'PENALTY_INTEREST',
      amount: 180,
      currency: 'CNY',
      asOf: '2026-11-28',
      runId: 'sweep-2026-11-28',
      lines: [
        {
          installmentSeq: 1,
          amount: 180,
          base: 100_000,
          rate: 0.00045,
          fromDate: '2026-11-25',
          toDate: '2026-11-28',
          days: 4,
          capped: false,
        },
      ],
    });
    expect(await item('H-past')).toMatchObject({
      accruedThrough: '2026-11-28',
      dpd: 4,
      bucket: 'M1',
      penaltyCharged: 180,
      version: 1, // one write: the transaction that also recorded the events
      nextDueDate: '2026-11-24',
      installments: [expect.objectContaining({ penaltyThrough: '2026-11-28' })],
    });
  });

  it('caps the penalty rate at 0.24 / 365 a day: round(65.75…) = 66 fen a day', async () => {
    const [entry] = await ledger('H-ceiling');
    expect(entry).toMatchObject({ amount: 4 * 66, lines: [{ days: 4, amount: 4 * 66 }] });
  });

  it('publishes the day’s events with their ids and filter attributes', async () => {
    await publishRecorded(resources);
    const messages = await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl);
    const byId = new Map(messages.map((m) => [JSON.parse(m.Body ?? '{}').id as string, m]));
    const fee = byId.get('H-past:loan.fee_applied:2026-11-28');
    expect(JSON.parse(fee?.Body ?? '{}')).toMatchObject({
      type: 'loan.fee_applied',
      schemaVersion: 1,
      asOf: '2026-11-28',
      loanId: 'H-past',
      borrowerId: 'B-H-past',
      data: { lateFee: 0, penaltyInterest: 180, currency: 'CNY', capped: false },
    });
    const overdue = byId.get('H-grace:loan.overdue:2026-11-28');
    expect(JSON.parse(overdue?.Body ?? '{}').data).toMatchObject({
      dpd: 3,
      bucket: 'M1',
      inGrace: true,
      forbearance: false,
      amountOverdue: 100_900,
      currency: 'CNY',
    });
    expect(overdue?.MessageAttributes?.eventType?.StringValue).toBe('loan.overdue');
    expect(overdue?.MessageAttributes?.bucket?.StringValue).toBe('M1');
    expect(overdue?.MessageAttributes?.dpd).toMatchObject({ DataType: 'Number', StringValue: '3' });
    expect(byId.has('sweep.completed:2026-11-28:sweep-2026-11-28')).toBe(true);
  });
});
