/**
 * Proves the test harness is real: DynamoDB Local enforces conditions and transactions and
 * keeps the due index sparse; the SNS/SQS emulator applies the stack's filter policies and
 * raw delivery.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DUE_INDEX } from '../../functions/contract/tables';
import { drainQueue, freshResources, localClients } from '../../local/fixtures/aws';
import type { LocalResources } from '../../local/local-resources';

const clients = localClients();
let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'harness');
});

describe('DynamoDB Local', () => {
  it('rejects a put whose condition fails and keeps the first item', async () => {
    const TableName = resources.tables.LOANS_TABLE_NAME;
    await clients.doc.send(new PutCommand({ TableName, Item: { loanId: 'L-c', version: 1 } }));
    await expect(
      clients.doc.send(
        new PutCommand({
          TableName,
          Item: { loanId: 'L-c', version: 2 },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': 7 },
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await clients.doc.send(new GetCommand({ TableName, Key: { loanId: 'L-c' } }));
    expect(Item?.version).toBe(1);
  });

  it('cancels a whole transaction when one condition fails', async () => {
    const loans = resources.tables.LOANS_TABLE_NAME;
    const ledger = resources.tables.LEDGER_TABLE_NAME;
    await clients.doc.send(
      new PutCommand({ TableName: loans, Item: { loanId: 'L-t', version: 3 } }),
    );
    const error = await clients.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: loans,
                Key: { loanId: 'L-t' },
                UpdateExpression: 'SET version = :next',
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':next': 5, ':expected': 4 },
              },
            },
            { Put: { TableName: ledger, Item: { loanId: 'L-t', entryId: 'E-1', amount: 10 } } },
          ],
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.[0]?.Code).toBe(
      'ConditionalCheckFailed',
    );
    const { Item } = await clients.doc.send(
      new GetCommand({ TableName: ledger, Key: { loanId: 'L-t', entryId: 'E-1' } }),
    );
    expect(Item).toBeUndefined();
  });

  it('returns from the sparse due index only items that carry its keys', async () => {
    const TableName = resources.tables.LOANS_TABLE_NAME;
    const items = [
      { loanId: 'L-open', sweepShard: 3, nextDueDate: '2026-11-20' },
      { loanId: 'L-later', sweepShard: 3, nextDueDate: '2026-12-20' },
      { loanId: 'L-closed', sweepShard: 3 },
    ];
    for (const Item of items) await clients.doc.send(new PutCommand({ TableName, Item }));
    const { Items = [] } = await clients.doc.send(
      new QueryCommand({
        TableName,
        IndexName: DUE_INDEX.indexName,
        KeyConditionExpression: 'sweepShard = :shard AND nextDueDate <= :horizon',
        ExpressionAttributeValues: { ':shard': 3, ':horizon': '2026-11-28' },
      }),
    );
    expect(Items.map((item) => item.loanId)).toEqual(['L-open']);
  });
});

describe('SNS/SQS emulator', () => {
  it('delivers a published batch only to the queues whose filter policy matches, raw', async () => {
    const envelope = (type: string) => ({ id: `L-1:${type}:2026-11-28`, type, loanId: 'L-1' });
    const types = ['loan.overdue', 'loan.fee_applied'];
    await clients.sns.send(
      new PublishBatchCommand({
        TopicArn: resources.events.topicArn,
        PublishBatchRequestEntries: types.map((type, index) => ({
          Id: String(index),
          Message: JSON.stringify(envelope(type)),
          MessageAttributes: { eventType: { DataType: 'String', StringValue: type } },
        })),
      }),
    );
    const [reminder, reporting] = await Promise.all([
      drainQueue(clients.sqs, resources.events.queues.Reminder.queueUrl),
      drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl),
    ]);
    expect(reminder.map((message) => JSON.parse(message.Body ?? ''))).toEqual([
      envelope('loan.overdue'),
    ]);
    expect(
      reporting
        .map((message) => JSON.parse(message.Body ?? ''))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual([envelope('loan.fee_applied'), envelope('loan.overdue')]);
  });
});
