/**
 * The benchmark's floor (docs/performance.md): what a sweep cannot do without — read the candidates from the
 * 16 due-index shards and, per loan, one transaction of the version-conditioned loan update and
 * its ledger entry — at the same concurrency as the sweep, with no fee logic and no events. The
 * bare floor (one conditional UpdateItem per loan) is printed beside it for scale.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX, SWEEP_SHARDS } from '../functions/contract/tables';
import type { BusinessDate } from '../functions/core/types';

/** How the floor runs; take the values from the sweep so both do the same amount of parallel I/O. */
export interface FloorOptions {
  readonly tableName: string;
  readonly ledgerTableName: string;
  readonly writes: 'single-update' | 'transaction';
  readonly horizon: BusinessDate;
  readonly asOf: BusinessDate;
  /** Shard queries in flight at once. */
  readonly queryConcurrency: number;
  /** Conditional writes in flight at once. */
  readonly writeConcurrency: number;
  /** Items per index page. */
  readonly pageSize: number;
}

/** Runs the floor over every candidate; returns how many loans it read and wrote. */
export async function runFloor(doc: DynamoDBDocumentClient, options: FloorOptions) {
  const { tableName, horizon, asOf } = options;
  const shardKey = DUE_INDEX.partitionKey.name;
  const dateKey = DUE_INDEX.sortKey?.name ?? 'nextDueDate';
  let loans = 0;
  const inFlight = new Set<Promise<void>>();

  const bumpVersion = (item: Record<string, unknown>, expected: number) => ({
    TableName: tableName,
    Key: { loanId: item.loanId },
    UpdateExpression: 'SET accruedThrough = :asOf, version = :next',
    ConditionExpression: expected === 0 ? 'attribute_not_exists(version)' : 'version = :expected',
    ExpressionAttributeValues: {
      ':asOf': asOf,
      ':next': expected + 1,
      ...(expected !== 0 && { ':expected': expected }),
    },
  });

  const write = async (item: Record<string, unknown>) => {
    const version = Number(item.version ?? 0);
    if (options.writes === 'single-update') {
      await doc.send(new UpdateCommand(bumpVersion(item, version)));
    } else {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: bumpVersion(item, version) },
            {
              Put: {
                TableName: options.ledgerTableName,
                Item: { loanId: item.loanId, entryId: `floor#${asOf}`, amount: 1 },
                ConditionExpression: 'attribute_not_exists(entryId)',
              },
            },
          ],
        }),
      );
    }
    loans += 1;
  };

  const schedule = async (item: Record<string, unknown>) => {
    while (inFlight.size >= options.writeConcurrency) await Promise.race(inFlight);
    const task: Promise<void> = write(item).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  const readShard = async (shard: number) => {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: DUE_INDEX.indexName,
          KeyConditionExpression: '#shard = :shard AND #due <= :horizon',
          ExpressionAttributeNames: { '#shard': shardKey, '#due': dateKey },
          ExpressionAttributeValues: { ':shard': shard, ':horizon': horizon },
          Limit: options.pageSize,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) await schedule(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  };

  const shards = Array.from({ length: SWEEP_SHARDS }, (_, shard) => shard);
  const readers = Array.from({ length: options.queryConcurrency }, async () => {
    for (let shard = shards.shift(); shard !== undefined; shard = shards.shift()) {
      await readShard(shard);
    }
  });
  await Promise.all(readers);
  await Promise.all(inFlight);
  return { loans };
}
