/**
 * Loans the sweep can never reach, reported the day they are written, and the event source
 * mapping's filters that bring those writes to the publisher, on DynamoDB Local and the emulator:
 * items are written to the loans table, its real stream records are read back and pumped through
 * the same filters the stack deploys to the deployed publisher handler, whose log lines and
 * metrics are read from its output.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHER_STREAM_FILTERS } from '../../../functions/contract/tables';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem, loanItem } from '../../../local/fixtures/loans';
import { overdueOf, readStreamRecords, withOutbox } from '../../../local/fixtures/stream-records';
import { clients, putItems, sweeper } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';
import { createPublisherPump, passesFilters } from '../../../local/stream-pump';
import { drainIntoDeployedPublisher } from '../../support/publisher';

type Item = Record<string, unknown>;

const unpaid = [installmentItem(1, '2026-11-10')];
/** Loan id, the attribute at fault, the item's index keys. */
const UNREACHABLE: [string, string, Item][] = [
  ['U-SHARD-16', 'sweepShard', { sweepShard: 16 }],
  ['U-SHARD-MINUS-1', 'sweepShard', { sweepShard: -1 }],
  ['U-SHARD-3.5', 'sweepShard', { sweepShard: 3.5 }],
  ['U-SHARD-MISSING', 'sweepShard', { sweepShard: undefined }],
  ['U-DUE-OVERDUE!', 'nextDueDate', { nextDueDate: 'overdue!' }],
  ['U-DUE-MISSING', 'nextDueDate', { nextDueDate: undefined }],
];
const BORROWER = (loanId: string) => `13800${loanId.length}99887766`;

describe('an ACTIVE loan whose index keys the sweep can never reach', () => {
  let resources: LocalResources;
  let printed: Item[];

  beforeAll(async () => {
    resources = await freshResources(clients, 'publisher-unreachable');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      ...UNREACHABLE.map(([loanId, , keys]) =>
        loanItem(loanId, unpaid, { sweepShard: 3, borrowerId: BORROWER(loanId), ...keys }),
      ),
      loanItem('OK-1', unpaid, { sweepShard: 3 }),
      // Not loans the sweep must reach: closed, or nothing left to pay.
      loanItem('CLOSED-1', unpaid, { status: 'PAID_OFF', sweepShard: 16 }),
      loanItem('PAID-1', [installmentItem(1, '2026-11-10', true)], { sweepShard: 3 }),
    ]);
  });

  it('is read by no whole run: no skip, no charge, nothing in the summary (the finding)', async () => {
    const summary = await sweeper(resources).run({ asOf: '2026-11-28' });
    expect(summary.loansExamined).toBe(1);
    expect(JSON.stringify(summary)).not.toContain('U-');
  });

  it('is reported by the publisher the day it is written, each with its attribute', async () => {
    const result = await drainIntoDeployedPublisher(resources);
    expect(result.drained.failing).toEqual([]);
    printed = result.printed;
    const reported = printed.filter((line) => line.message === 'unreachable loan');
    expect(reported.map((line) => [line.loanId, line.attribute]).sort()).toEqual(
      UNREACHABLE.map(([loanId, attribute]) => [loanId, attribute]).sort(),
    );
    const reasons = Object.fromEntries(reported.map((line) => [line.loanId, line.reason]));
    expect(reasons).toEqual({
      'U-SHARD-16': 'sweepShard: 16 is outside 0–15',
      'U-SHARD-MINUS-1': 'sweepShard: -1 is outside 0–15',
      'U-SHARD-3.5': 'sweepShard: 3.5 is not an integer',
      'U-SHARD-MISSING': 'sweepShard: missing',
      'U-DUE-OVERDUE!': 'nextDueDate: "overdue!" is not a YYYY-MM-DD date',
      'U-DUE-MISSING': 'nextDueDate: missing',
    });
    for (const line of reported) expect(line.level).toBe('ERROR');
  });

  it('counts them in UnreachableLoans, which the alarm watches', () => {
    const emf = printed.filter((line) => '_aws' in line);
    const total = emf.reduce((sum, line) => sum + Number(line.UnreachableLoans ?? 0), 0);
    expect(total).toBe(UNREACHABLE.length);
    expect(emf.every((line) => line.service === 'publisher')).toBe(true);
  });

  it('logs nothing personal', () => {
    const text = JSON.stringify(printed);
    for (const [loanId] of UNREACHABLE) expect(text).not.toContain(BORROWER(loanId));
  });
});

describe('the event source mapping filters, on DynamoDB Local stream records', () => {
  let resources: LocalResources;
  let records: DynamoDBRecord[];
  let delivered: string[];

  const describeRecord = (record: DynamoDBRecord) =>
    `${record.eventName} ${record.dynamodb?.Keys?.loanId?.S}`;

  beforeAll(async () => {
    resources = await freshResources(clients, 'publisher-filters');
    const table = resources.tables.LOANS_TABLE_NAME;
    await putItems(table, [loanItem('A-ACTIVE', unpaid, { sweepShard: 3 })]);
    await putItems(table, [loanItem('B-CLOSED', unpaid, { status: 'PAID_OFF', sweepShard: 3 })]);
    // A sweep write that records events on a loan it takes out of ACTIVE (a charge-off).
    await putItems(table, [
      withOutbox(loanItem('C-CHARGED-OFF', unpaid, { status: 'CHARGED_OFF' }), [
        overdueOf('C-CHARGED-OFF'),
      ]),
    ]);
    // An upstream write to a closed loan, and one that removes a closed loan's outbox.
    await clients.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { loanId: 'B-CLOSED' },
        UpdateExpression: 'SET locale = :en',
        ExpressionAttributeValues: { ':en': 'en' },
      }),
    );
    await clients.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { loanId: 'C-CHARGED-OFF' },
        UpdateExpression: 'REMOVE outbox',
      }),
    );
    // A payment posted on an ACTIVE loan (upstream), then the loan deleted.
    await clients.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { loanId: 'A-ACTIVE' },
        UpdateExpression: 'SET installments[0].principalPaid = :paid',
        ExpressionAttributeValues: { ':paid': 100 },
      }),
    );
    await clients.doc.send(new DeleteCommand({ TableName: table, Key: { loanId: 'A-ACTIVE' } }));
    // A run record carrying its run's sweep.completed (no status).
    await putItems(table, [{ loanId: '#run#sweep-2026-11-28', outbox: '{"asOf":"2026-11-28"}' }]);

    records = await readStreamRecords(resources.loansStreamArn);
    delivered = [];
    const pump = createPublisherPump(resources.loansStreamArn, async (event) => {
      delivered.push(...event.Records.map(describeRecord));
      return { batchItemFailures: [] };
    });
    await pump.drain();
  });

  it('delivers writes that record events or write an ACTIVE loan, and nothing else', () => {
    expect(records.map(describeRecord)).toEqual([
      'INSERT A-ACTIVE',
      'INSERT B-CLOSED',
      'INSERT C-CHARGED-OFF',
      'MODIFY B-CLOSED',
      'MODIFY C-CHARGED-OFF',
      'MODIFY A-ACTIVE',
      'REMOVE A-ACTIVE',
      'INSERT #run#sweep-2026-11-28',
    ]);
    expect(delivered).toEqual([
      'INSERT A-ACTIVE',
      'INSERT C-CHARGED-OFF',
      'MODIFY A-ACTIVE',
      'INSERT #run#sweep-2026-11-28',
    ]);
  });

  it('the local pump applies exactly the stack’s filters', () => {
    const passing = records.filter((record) => passesFilters(record, PUBLISHER_STREAM_FILTERS));
    expect(passing.map(describeRecord)).toEqual(delivered);
  });
});
