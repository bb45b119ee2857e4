/**
 * Credit records on DynamoDB Local, written by the reporting function as the handler builds it:
 * one item per loan and month from the month's events, in the same transaction as the day's
 * counters; redelivered, reordered and concurrent deliveries give the same records; a record
 * another writer changed in between is read again, never overwritten.
 */
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  creditRecordFromItem,
  creditRecordItemOf,
} from '../../../functions/adapters/credit-record-store';
import { createReportStore } from '../../../functions/adapters/report-store';
import type { CreditRecord } from '../../../functions/core/credit-records';
import type { ParsedEvent } from '../../../functions/core/event-message';
import type { BusinessDate, EventEnvelope } from '../../../functions/core/types';
import { createReporting } from '../../../functions/reporting/wiring';
import { freshResources, localClients } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import {
  chargedOffOn,
  curedOn,
  dueSoonOn,
  feeOn,
  loanNamed,
  noticeOn,
  overdueOn,
} from '../../support/credit-events';
import { faultyDynamoDb } from '../../support/faults';
import { sqsEventOf } from '../consumers/support';

const clients = localClients();

/** A fresh set of tables, and the reporting function on it. */
async function reportingOn(label: string, dynamodb = clients.dynamodb) {
  const resources = await freshResources(clients, label);
  return { resources, ...functionOn(resources, dynamodb) };
}

function functionOn(resources: LocalResources, dynamodb = clients.dynamodb) {
  const reporting = createReporting(
    { dynamodb },
    {
      reportsTableName: resources.tables.REPORTS_TABLE_NAME,
      creditRecordsTableName: resources.tables.CREDIT_RECORDS_TABLE_NAME,
    },
    { sleep: async () => {} },
  );
  /** Delivers like SQS: failed messages come back until none is left. */
  const deliver = async (events: readonly EventEnvelope[], prefix = 'm') => {
    let pending = sqsEventOf(events, prefix).Records;
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      const { batchItemFailures }: SQSBatchResponse = await reporting.handle({ Records: pending });
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      pending = pending.filter((r) => failed.has(r.messageId));
    }
    expect(pending).toEqual([]);
  };
  return { reporting, deliver };
}

async function itemsOf(resources: LocalResources) {
  const { Items = [] } = await clients.doc.send(
    new ScanCommand({
      TableName: resources.tables.CREDIT_RECORDS_TABLE_NAME,
      ConsistentRead: true,
    }),
  );
  return Items.sort((a, b) => `${a.loanId}|${a.month}`.localeCompare(`${b.loanId}|${b.month}`));
}

/** The records stored, without the write counter (how often it was written is not the record). */
async function recordsOf(resources: LocalResources): Promise<CreditRecord[]> {
  return (await itemsOf(resources)).map((item) => {
    const read = creditRecordFromItem(item);
    if (!read.ok) throw new Error(read.reason);
    return read.stored.record;
  });
}

const OVER = loanNamed('L-over');
const CURED = loanNamed('L-cured');
const OFF = loanNamed('L-off');
const QUIET = loanNamed('L-quiet');
const TOLD = loanNamed('L-told');

/** A month end: loans overdue across it, cured, charged off, noticed and not. */
function monthEndEvents(): ParsedEvent[] {
  return [
    // Overdue from 03-20, told on 03-21, still overdue into April.
    overdueOn(OVER, '2026-03-29', 10, {
      riskClass: 'SPECIAL_MENTION',
      creditNoticeOn: '2026-03-21',
    }),
    noticeOn(OVER, '2026-03-21', 2),
    overdueOn(OVER, '2026-03-30', 11, {
      riskClass: 'SPECIAL_MENTION',
      creditNoticeOn: '2026-03-21',
    }),
    overdueOn(OVER, '2026-04-01', 13, {
      riskClass: 'SPECIAL_MENTION',
      creditNoticeOn: '2026-03-21',
    }),
    // Overdue, then paid: cured on 03-15.
    overdueOn(CURED, '2026-03-14', 40, { amountOverdue: 7_000, riskClass: 'SPECIAL_MENTION' }),
    curedOn(CURED, '2026-03-15', 'M2'),
    // Charged off on 03-08 (the same run's loan.overdue is outranked).
    overdueOn(OFF, '2026-03-08', 180, { amountOverdue: 9_900, riskClass: 'DOUBTFUL' }),
    chargedOffOn(OFF, '2026-03-08', 180, 8_000),
    // Overdue and never told (a notice rule that has not fired yet).
    overdueOn(QUIET, '2026-03-31', 5, { inGrace: false }),
    // A due-soon event alone makes no record; a fee adds nothing to one.
    dueSoonOn(TOLD, '2026-03-28'),
    feeOn(OVER, '2026-03-29'),
  ];
}

describe('credit records of a month end', () => {
  let resources: LocalResources;

  beforeAll(async () => {
    const setup = await reportingOn('credit');
    resources = setup.resources;
    await setup.deliver(monthEndEvents());
  });

  it("keeps one item per loan and month with the record's attributes", async () => {
    const items = await itemsOf(resources);
    expect(items.map((item) => `${item.loanId} ${item.month}`)).toEqual([
      'L-cured 2026-03',
      'L-off 2026-03',
      'L-over 2026-03',
      'L-over 2026-04',
      'L-quiet 2026-03',
    ]);
    const overMarch = items.find((i) => i.loanId === 'L-over' && i.month === '2026-03');
    expect(overMarch).toEqual({
      loanId: 'L-over',
      month: '2026-03',
      borrowerId: 'B-L-over',
      currency: 'CNY',
      maxDpd: 11,
      lastAsOf: '2026-03-30',
      state: 'OVERDUE',
      dpd: 11,
      amountOverdue: 10_300,
      riskClass: 'SPECIAL_MENTION',
      inGrace: false,
      forbearance: false,
      noticeOn: '2026-03-21',
      version: expect.any(Number),
      monthShard: expect.stringMatching(/^2026-03#([0-9]|1[0-5])$/),
      loanIdPrefix: 'L-over',
    });
    // In April the notice of March's episode comes with loan.overdue.
    expect(items.find((i) => i.loanId === 'L-over' && i.month === '2026-04')).toMatchObject({
      maxDpd: 13,
      lastAsOf: '2026-04-01',
      noticeOn: '2026-03-21',
    });
  });

  it("records a cure and a charge-off as the latest state, outranking that day's overdue", async () => {
    const items = await itemsOf(resources);
    expect(items.find((i) => i.loanId === 'L-cured')).toMatchObject({
      maxDpd: 40,
      lastAsOf: '2026-03-15',
      state: 'CURED',
      dpd: 0,
      amountOverdue: 0,
      riskClass: 'NORMAL',
      currency: 'CNY',
    });
    expect(items.find((i) => i.loanId === 'L-off')).toMatchObject({
      maxDpd: 180,
      lastAsOf: '2026-03-08',
      state: 'CHARGED_OFF',
      dpd: 180,
      amountOverdue: 8_000,
      riskClass: 'LOSS',
    });
    const quiet = items.find((i) => i.loanId === 'L-quiet');
    expect(quiet?.noticeOn).toBeUndefined();
  });

  it("counts the same events into the day's reports", async () => {
    const store = createReportStore(clients.doc, resources.tables.REPORTS_TABLE_NAME);
    expect(await store.get('2026-03-08' as BusinessDate)).toMatchObject({
      loansOverdue: 1,
      chargedOff: 1,
      riskClasses: { DOUBTFUL: 1 },
    });
    expect((await store.get('2026-03-21' as BusinessDate))?.creditNotices).toBe(1);
  });
});

describe('redelivered and out-of-order events', () => {
  it('give the same records, whatever the order, the duplicates and the concurrency', async () => {
    const events = monthEndEvents();
    const inOrder = await reportingOn('credit-ordered');
    await inOrder.deliver(events);

    const shuffled = await reportingOn('credit-shuffled');
    // Newest first, every event twice, in four concurrent streams of batches.
    const storm = [...events].reverse().flatMap((event, i) => (i % 2 ? [event, event] : [event]));
    const streams = [0, 1, 2, 3].map((s) => storm.filter((_, i) => i % 4 === s));
    await Promise.all(streams.map((stream, s) => shuffled.deliver(stream, `s${s}-`)));
    await shuffled.deliver(events, 'again-');

    expect(await recordsOf(shuffled.resources)).toEqual(await recordsOf(inOrder.resources));
  });
});

describe('a record written by another writer in between', () => {
  it('is read again and merged, never overwritten', async () => {
    const resources = await freshResources(clients, 'credit-stale');
    const table = resources.tables.CREDIT_RECORDS_TABLE_NAME;
    const loan = loanNamed('L-race');
    // What the other writer stored: the notice of 03-02, at version 1.
    const theirs = creditRecordFromItem(
      creditRecordItemOf(
        {
          loanId: 'L-race',
          month: '2026-03' as CreditRecord['month'],
          borrowerId: 'B-L-race',
          currency: 'CNY',
          maxDpd: 1,
          noticeOn: '2026-03-02' as BusinessDate,
        },
        1,
      ),
    );
    if (!theirs.ok) throw new Error('fixture');
    let raced = false;
    // The other writer's put lands between this function's read and its transaction, which
    // DynamoDB then cancels: the record's condition no longer holds.
    const racing = faultyDynamoDb('TransactWriteItemsCommand', async () => {
      if (!raced) {
        raced = true;
        await clients.doc.send(
          new PutCommand({ TableName: table, Item: creditRecordItemOf(theirs.stored.record, 1) }),
        );
      }
      return undefined;
    });
    const { deliver } = functionOn(resources, racing);
    await deliver([overdueOn(loan, '2026-03-09', 8)]);
    const { Item } = await clients.doc.send(
      new GetCommand({
        TableName: table,
        Key: { loanId: 'L-race', month: '2026-03' },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({
      noticeOn: '2026-03-02',
      lastAsOf: '2026-03-09',
      dpd: 8,
      maxDpd: 8,
      version: 2,
    });
  });
});

describe('the month index', () => {
  it("holds each record under its month's shard, by the loan id's first 256 characters", async () => {
    const { resources, deliver } = await reportingOn('credit-index');
    const long = loanNamed('ж'.repeat(1_024), 'B-long');
    await deliver([overdueOn(long, '2026-03-09', 8)]);
    const [item] = await itemsOf(resources);
    expect(item?.loanIdPrefix).toBe('ж'.repeat(256));
    const { Items = [] } = await clients.doc.send(
      new QueryCommand({
        TableName: resources.tables.CREDIT_RECORDS_TABLE_NAME,
        IndexName: 'monthIndex',
        KeyConditionExpression: 'monthShard = :shard',
        ExpressionAttributeValues: { ':shard': item?.monthShard },
      }),
    );
    expect(Items.map((i) => i.loanId)).toEqual([long.loanId]);
  });
});
