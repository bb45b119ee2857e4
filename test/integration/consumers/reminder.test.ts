/**
 * The reminder service on DynamoDB Local (SPEC §7): real loan reads, real conditional puts.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../../functions/adapters/dynamodb';
import { readLoanItem } from '../../../functions/adapters/loan-store';
import { type ReminderItem, saveReminderOnce } from '../../../functions/adapters/reminder-store';
import { buildLoanEvent } from '../../../functions/core/events';
import { parsePolicyBook } from '../../../functions/core/policy';
import type { Bucket, BusinessDate, EventEnvelope } from '../../../functions/core/types';
import { createReminderBatchHandler, type ReminderDeps } from '../../../functions/reminder/service';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { freshResources, localClients } from '../../support/aws';
import { putLoan, quietLogger, quietMetrics, sqsEventOf } from './support';

const clients = localClients();
// Its own base client: lib-dynamodb keeps wrapNumbers on the base client it wraps.
const loansDoc = documentClient(localClients().dynamodb, { exactNumbers: true });
let resources: LocalResources;
let loans: string;
let reminders: string;

const RUN = { runId: 'run-1', occurredAt: '2026-03-01T16:30:00.000Z' };
const d = (text: string) => text as BusinessDate;

function overdue(loanId: string, asOf: string, dpd: number, forbearance = false): EventEnvelope {
  const bucket: Bucket = 'M1';
  return buildLoanEvent(
    'loan.overdue',
    { loanId, borrowerId: `B-${loanId}` },
    { bucket, dpd },
    d(asOf),
    RUN,
    {
      dpd,
      bucket,
      inGrace: dpd <= 3,
      forbearance,
      amountOverdue: 10_300,
      currency: 'CNY',
    },
  );
}

function dueSoon(loanId: string, asOf: string, seq: number, dueDate: string, daysUntilDue: number) {
  return buildLoanEvent(
    'loan.payment_due_soon',
    { loanId, borrowerId: `B-${loanId}` },
    { bucket: 'M0', dpd: 0 },
    d(asOf),
    RUN,
    {
      installmentSeq: seq,
      dueDate: d(dueDate),
      daysUntilDue,
      amountDue: 10_300,
      currency: 'CNY',
    },
  );
}

function deps(overrides: Partial<ReminderDeps> = {}): ReminderDeps {
  return {
    readLoan: (loanId) => readLoanItem(loansDoc, loans, loanId),
    saveReminder: (item) => saveReminderOnce(clients.doc, reminders, item),
    policyBook: parsePolicyBook(undefined),
    businessTimeZone: 'Asia/Shanghai',
    now: () => new Date('2026-03-01T16:35:00.000Z'),
    logger: quietLogger(),
    metrics: quietMetrics(),
    ...overrides,
  };
}

async function remindersOf(loanId: string): Promise<ReminderItem[]> {
  const { Items = [] } = await clients.doc.send(
    new QueryCommand({
      TableName: reminders,
      KeyConditionExpression: 'loanId = :id',
      ExpressionAttributeValues: { ':id': loanId },
      ConsistentRead: true,
    }),
  );
  return Items as ReminderItem[];
}

beforeAll(async () => {
  resources = await freshResources(clients, 'reminder');
  loans = resources.tables.LOANS_TABLE_NAME;
  reminders = resources.tables.REMINDERS_TABLE_NAME;
});

describe('reminder service', () => {
  it('writes a pending reminder with the rendered message and 09:00 send time', async () => {
    await putLoan(clients.doc, loans, 'L-ok');
    const handler = createReminderBatchHandler(deps());
    const response = await handler(sqsEventOf([overdue('L-ok', '2026-03-02', 1)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(await remindersOf('L-ok')).toEqual([
      {
        loanId: 'L-ok',
        asOf: '2026-03-02',
        borrowerId: 'B-L-ok',
        kind: 'OVERDUE',
        locale: 'zh-CN',
        message:
          '【逾期提醒】您的借款（编号 L-ok）已逾期1天，逾期金额 ¥103.00，请尽快还款，以免产生更多费用。',
        amount: 10_300,
        currency: 'CNY',
        sendAfter: '2026-03-02T09:00:00+08:00',
        status: 'PENDING',
        eventId: 'L-ok:loan.overdue:2026-03-02',
        createdAt: '2026-03-01T16:35:00.000Z',
      },
    ]);
  });

  it('a message delivered twice, in one batch and again later, still yields one reminder', async () => {
    await putLoan(clients.doc, loans, 'L-dup', { locale: 'en', currency: 'USD' });
    const handler = createReminderBatchHandler(deps());
    const event = overdue('L-dup', '2026-03-04', 3);
    expect((await handler(sqsEventOf([event, event]))).batchItemFailures).toEqual([]);
    expect((await handler(sqsEventOf([event], 'again'))).batchItemFailures).toEqual([]);
    const items = await remindersOf('L-dup');
    expect(items).toHaveLength(1);
    expect(items[0]?.message).toContain('3 days past due with $103.00 overdue');
  });

  it('a borrower who pays between the sweep and the reminder gets no reminder', async () => {
    await putLoan(clients.doc, loans, 'L-paid');
    await clients.doc.send(
      new UpdateCommand({
        TableName: loans,
        Key: { loanId: 'L-paid' },
        UpdateExpression:
          'SET installments[0].principalPaid = :p, installments[0].interestPaid = :i',
        ExpressionAttributeValues: { ':p': 10_000, ':i': 300 },
      }),
    );
    const handler = createReminderBatchHandler(deps());
    const response = await handler(sqsEventOf([overdue('L-paid', '2026-03-02', 1)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(await remindersOf('L-paid')).toEqual([]);
  });

  it('a borrower whose backdated payment reached the loan after the sweep gets no reminder; one who paid part is reminded of the rest', async () => {
    // Paid on 03-01 (the due date) by bank transfer; it reached the item on 03-03, after the
    // sweep of 03-02 sent the overdue event.
    const payment = (paymentId: string, principal: number, interest: number) => ({
      principalPaid: principal,
      interestPaid: interest,
      payments: [{ paymentId, valueDate: '2026-03-01', principal, interest }],
    });
    const instalment = { seq: 1, dueDate: '2026-03-01', principalDue: 10_000, interestDue: 300 };
    await putLoan(clients.doc, loans, 'L-backdated', {
      installments: [{ ...instalment, ...payment('PAY-1', 10_000, 300) }],
    });
    await putLoan(clients.doc, loans, 'L-part', {
      installments: [{ ...instalment, ...payment('PAY-2', 4_000, 0) }],
    });
    const handler = createReminderBatchHandler(deps());
    const response = await handler(
      sqsEventOf([overdue('L-backdated', '2026-03-02', 1), overdue('L-part', '2026-03-02', 1)]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await remindersOf('L-backdated')).toEqual([]);
    expect(await remindersOf('L-part')).toEqual([
      expect.objectContaining({ kind: 'OVERDUE', amount: 6_300 }),
    ]);
  });

  it('opted-out and forbearance borrowers get none', async () => {
    await putLoan(clients.doc, loans, 'L-optout', { remindersOptOut: true });
    await putLoan(clients.doc, loans, 'L-forb', { forbearanceUntil: '2026-03-31' });
    await putLoan(clients.doc, loans, 'L-flag');
    const handler = createReminderBatchHandler(deps());
    const response = await handler(
      sqsEventOf([
        overdue('L-optout', '2026-03-02', 1),
        overdue('L-forb', '2026-03-02', 1),
        overdue('L-flag', '2026-03-02', 1, true),
      ]),
    );
    expect(response.batchItemFailures).toEqual([]);
    for (const id of ['L-optout', 'L-forb', 'L-flag']) expect(await remindersOf(id)).toEqual([]);
  });

  it('a malformed message is a batch item failure while the rest of the batch succeeds', async () => {
    await putLoan(clients.doc, loans, 'L-good');
    const { loanId: _missing, ...noLoanId } = overdue('L-x', '2026-03-02', 1);
    const handler = createReminderBatchHandler(deps());
    const response = await handler(
      sqsEventOf(['{not json', overdue('L-good', '2026-03-02', 1), noLoanId]),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
      { itemIdentifier: 'm2' },
    ]);
    expect(await remindersOf('L-good')).toHaveLength(1);
  });

  it('skips a loan that cannot be parsed or does not exist without failing the message', async () => {
    await putLoan(clients.doc, loans, 'L-broken', { currency: 'yuan' });
    const handler = createReminderBatchHandler(deps());
    const response = await handler(
      sqsEventOf([overdue('L-broken', '2026-03-02', 1), overdue('L-ghost', '2026-03-02', 1)]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await remindersOf('L-broken')).toEqual([]);
    expect(await remindersOf('L-ghost')).toEqual([]);
  });

  it('when due-soon and overdue both arrive on one day, the overdue reminder is the one written', async () => {
    await putLoan(clients.doc, loans, 'L-both', {
      installments: [
        {
          seq: 1,
          dueDate: '2026-03-01',
          principalDue: 5_000,
          interestDue: 100,
          principalPaid: 0,
          interestPaid: 0,
        },
        {
          seq: 2,
          dueDate: '2026-03-04',
          principalDue: 5_000,
          interestDue: 100,
          principalPaid: 0,
          interestPaid: 0,
        },
      ],
    });
    const handler = createReminderBatchHandler(deps());
    // Due-soon first in the batch: the decision does not depend on arrival order.
    const response = await handler(
      sqsEventOf([
        dueSoon('L-both', '2026-03-02', 2, '2026-03-04', 2),
        overdue('L-both', '2026-03-02', 1),
      ]),
    );
    expect(response.batchItemFailures).toEqual([]);
    const items = await remindersOf('L-both');
    expect(items.map((r) => [r.kind, r.amount])).toEqual([['OVERDUE', 5_100]]);
  });

  it('a due-soon reminder names the instalment and its due date', async () => {
    await putLoan(clients.doc, loans, 'L-soon', {
      installments: [
        {
          seq: 1,
          dueDate: '2026-03-10',
          principalDue: 5_000,
          interestDue: 100,
          principalPaid: 0,
          interestPaid: 0,
        },
      ],
    });
    const handler = createReminderBatchHandler(deps({ businessTimeZone: 'Europe/London' }));
    await handler(sqsEventOf([dueSoon('L-soon', '2026-03-07', 1, '2026-03-10', 3)]));
    expect(await remindersOf('L-soon')).toMatchObject([
      {
        kind: 'PAYMENT_DUE_SOON',
        amount: 5_100,
        sendAfter: '2026-03-07T09:00:00+00:00',
        message:
          '【还款提醒】您的借款（编号 L-soon）第1期应还 ¥51.00，将于3天后（2026-03-10）到期，请按时还款。',
      },
    ]);
  });

  it('a write failure fails only its own message, so SQS retries just that one', async () => {
    await putLoan(clients.doc, loans, 'L-a');
    await putLoan(clients.doc, loans, 'L-throttled');
    const throttling = deps({
      saveReminder: async (item) => {
        // Fault injection: the throttling the SDK gave up retrying.
        if (item.loanId === 'L-throttled')
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return saveReminderOnce(clients.doc, reminders, item);
      },
    });
    const response = await createReminderBatchHandler(throttling)(
      sqsEventOf([overdue('L-a', '2026-03-02', 1), overdue('L-throttled', '2026-03-02', 1)]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(await remindersOf('L-a')).toHaveLength(1);
  });
});
