/**
 * End to end on the emulators: the real sweep handler records its events, the real publisher
 * handler on the loans table's stream publishes them to the topic, the stack's two
 * subscriptions (raw delivery, the reminder filter policy) fill the queues, and the real reminder
 * and reporting handlers consume SQS events built from the received messages, as Lambda's event
 * source mapping would. Reminders and the report must match the portfolio.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReportStore } from '../../../functions/adapters/report-store';
import { REMINDER_EVENT_TYPES } from '../../../functions/contract/events';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { drainQueue, freshResources, localClients } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import { createPublisherPump, type StreamPump } from '../../../local/stream-pump';
import { putLoan, sqsEventsFromMessages } from './support';

const clients = localClients();
const ASOF = '2026-10-31' as BusinessDate;
const due = (dpd: number) => addDays(ASOF, -dpd);

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let resources: LocalResources;
let sweep: Handler;
let pump: StreamPump;
let reminder: Handler;
let reporting: Handler;

const context = (name: string) =>
  ({
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${name}`,
    logGroupName: name,
    logStreamName: name,
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 300_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

/** id → [dueDate offset in days before asOf (negative = after), extra attributes]. */
const PORTFOLIO: Record<string, [number, Record<string, unknown>]> = {
  'L-due3': [-3, {}],
  'L-due0': [0, { locale: 'en' }],
  'L-dpd1': [1, {}],
  'L-dpd7': [7, { locale: 'en', currency: 'USD' }],
  'L-dpd45': [45, {}],
  'L-dpd100': [100, {}],
  'L-optout': [3, { remindersOptOut: true }],
  'L-forb': [15, { forbearanceUntil: addDays(ASOF, 10) }],
  'L-chargeoff': [210, {}],
  'L-later': [-45, {}],
};

async function seed() {
  const entries = Object.entries(PORTFOLIO);
  await Promise.all(
    entries.map(([loanId, [dpd, extra]], i) =>
      putLoan(clients.doc, resources.tables.LOANS_TABLE_NAME, loanId, {
        sweepShard: i % 16,
        nextDueDate: due(dpd),
        installments: [
          {
            seq: 1,
            dueDate: due(dpd),
            principalDue: 10_000,
            interestDue: 300,
            principalPaid: 0,
            interestPaid: 0,
          },
        ],
        ...extra,
      }),
    ),
  );
  // A closed loan: not in the index, so never swept.
  await putLoan(clients.doc, resources.tables.LOANS_TABLE_NAME, 'L-paidoff', {
    status: 'PAID_OFF',
    nextDueDate: undefined,
  });
}

async function deliver(queue: 'Reminder' | 'Reporting', handler: Handler) {
  await pump.drain();
  const { queueUrl, queueArn } = resources.events.queues[queue];
  const messages = await drainQueue(clients.sqs, queueUrl);
  const events: SQSEvent[] = sqsEventsFromMessages(messages, queueArn);
  for (const event of events) {
    const response = (await handler(event, context(queue))) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
  }
  return events;
}

async function scan(tableName: string) {
  const { Items = [] } = await clients.doc.send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  return Items;
}

let summary: { runId: string; loansOverdue: number; chargedOff: number; complete: boolean };
let reminderEvents: SQSEvent[];
let reportingEvents: SQSEvent[];

beforeAll(async () => {
  resources = await freshResources(clients, 'e2e');
  Object.assign(process.env, resources.env, {
    BUSINESS_TIMEZONE: 'Asia/Shanghai',
    FEE_POLICY: JSON.stringify({ default: { lateFee: 500 } }),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // The real handler modules, configured from the environment at "cold start".
  sweep = (await import('../../../functions/sweep/handler')).handler as Handler;
  reminder = (await import('../../../functions/reminder/handler')).handler as Handler;
  reporting = (await import('../../../functions/reporting/handler')).handler as Handler;
  const publisher = (await import('../../../functions/publisher/handler')).handler as Handler;
  pump = createPublisherPump(
    resources.loansStreamArn,
    async (event) => (await publisher(event, context('publisher'))) as never,
  );
  await seed();
  summary = (await sweep({ asOf: ASOF }, context('sweep'))) as typeof summary;
  reminderEvents = await deliver('Reminder', reminder);
  reportingEvents = await deliver('Reporting', reporting);
});

describe('sweep → topic → queues → reminder and reporting', () => {
  it('the reminder queue receives only the event types a reminder line can come from', () => {
    const types = reminderEvents.flatMap((e) => e.Records.map((r) => JSON.parse(r.body).type));
    for (const type of new Set(types)) expect(REMINDER_EVENT_TYPES).toContain(type);
    expect(types).toContain('loan.payment_due_soon');
    expect(types).toContain('loan.overdue');
    const reportingTypes = reportingEvents.flatMap((e) =>
      e.Records.map((r) => JSON.parse(r.body).type),
    );
    expect(reportingTypes).toContain('loan.fee_applied');
    expect(reportingTypes).toContain('sweep.completed');
  });

  it('reminds exactly the borrowers the rules select, one item each for the date', async () => {
    // Each loan here is its borrower's only loan (`B-<loanId>`). Credit-report notices of this
    // past date go into today's reminders, so the date's items hold the other kinds only.
    const items = (await scan(resources.tables.REMINDERS_TABLE_NAME)).filter(
      (item) => item.asOf === ASOF,
    );
    const byLoan = Object.fromEntries(
      items.flatMap((item) => Object.keys(item.lines as object).map((loanId) => [loanId, item])),
    );
    // Past the plan-offer dpd (15), the loans 45 and 100 days overdue are offered a plan: that is
    // their line, off their overdue cadence; the one in forbearance is offered none.
    expect(Object.keys(byLoan).sort()).toEqual([
      'L-dpd1',
      'L-dpd100',
      'L-dpd45',
      'L-dpd7',
      'L-due0',
      'L-due3',
    ]);
    for (const loanId of ['L-dpd45', 'L-dpd100']) {
      expect(byLoan[loanId]).toMatchObject({
        kind: 'HARDSHIP_OFFER',
        lines: {
          [loanId]: {
            kind: 'HARDSHIP_OFFER',
            offerId: expect.stringContaining(`${loanId}:hardship:`),
          },
        },
      });
    }
    for (const [loanId, item] of Object.entries(byLoan)) {
      expect(item.borrowerId).toBe(`B-${loanId}`);
    }
    expect(byLoan['L-due3']).toMatchObject({
      kind: 'PAYMENT_DUE_SOON',
      locale: 'zh-CN',
      lines: { 'L-due3': { amountDue: 10_300 } },
    });
    expect(byLoan['L-due0']?.message).toContain('is due today');
    expect(byLoan['L-dpd1']).toMatchObject({ kind: 'OVERDUE', asOf: ASOF, status: 'PENDING' });
    expect(byLoan['L-dpd7']?.message).toContain('7 days past due, $103.00 overdue');
    for (const item of items) {
      expect(item.sendAfter).toBe('2026-10-31T09:00:00+08:00');
      expect(item.sendBefore).toBe('2026-10-31T21:00:00+08:00');
    }
  });

  it('the report matches the portfolio: buckets, amounts, charges, charge-offs, due-soon', async () => {
    const report = await createReportStore(clients.doc, resources.tables.REPORTS_TABLE_NAME).get(
      ASOF,
    );
    const ledger = await scan(resources.tables.LEDGER_TABLE_NAME);
    const ledgerSum = (currency: string, kind?: string) =>
      ledger
        .filter((e) => e.currency === currency && (kind === undefined || e.kind === kind))
        .reduce((sum, e) => sum + Number(e.amount), 0);
    expect(ledgerSum('CNY')).toBeGreaterThan(0);
    expect(report).toMatchObject({
      loansOverdue: 7,
      buckets: { M1: 4, M2: 1, M4: 1, M7: 1 },
      amountOverdue: { CNY: 6 * 10_300, USD: 10_300 },
      chargesApplied: { CNY: ledgerSum('CNY'), USD: ledgerSum('USD') },
      lateFees: { CNY: ledgerSum('CNY', 'LATE_FEE'), USD: ledgerSum('USD', 'LATE_FEE') },
      chargedOff: 1,
      dueSoon: 2,
      complete: true,
    });
    expect(report?.loansOverdue).toBe(summary.loansOverdue);
    expect(report?.chargedOff).toBe(summary.chargedOff);
    expect(report?.summary?.runId).toBe(summary.runId);
  });

  it('redelivered messages and a re-run of the sweep change neither reminders nor report', async () => {
    const store = createReportStore(clients.doc, resources.tables.REPORTS_TABLE_NAME);
    const before = await store.get(ASOF);
    const remindersBefore = await scan(resources.tables.REMINDERS_TABLE_NAME);
    for (const event of reminderEvents) await reminder(event, context('Reminder'));
    for (const event of reportingEvents) await reporting(event, context('Reporting'));
    await sweep({ asOf: ASOF }, context('sweep'));
    await deliver('Reminder', reminder);
    await deliver('Reporting', reporting);
    const after = await store.get(ASOF);
    const { summary: _a, ...countsAfter } = after ?? {};
    const { summary: _b, ...countsBefore } = before ?? {};
    expect(countsAfter).toEqual(countsBefore);
    expect(await scan(resources.tables.REMINDERS_TABLE_NAME)).toEqual(remindersBefore);
  });
});
