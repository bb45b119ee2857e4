/**
 * Reads loan items from the loans table (SPEC §3): by key, by batch of keys, and page by page from
 * one shard of the sparse due index. Numbers must reach the core's parser as exact decimal text,
 * so the document client is built with `wrapNumbers` (see `createLoanDocumentClient`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX } from '../../infra/definitions';
import type { BusinessDate } from '../core/types';

/** DynamoDB's limit of keys per BatchGetItem call. */
export const BATCH_GET_LIMIT = 100;

/**
 * The document client every loans/ledger adapter uses: numbers unmarshalled as NumberValue so
 * rates stay exact, undefined values dropped on writes. lib-dynamodb stores this translation
 * config on the base client, so give it a DynamoDBClient of its own.
 */
export function createLoanDocumentClient(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  });
}

/**
 * Reads one loan item by key with a strongly consistent read (so its `version` is the latest).
 * Returns the raw item (numbers as NumberValue when `doc` wraps numbers) or undefined if absent.
 */
export async function getLoanItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: { loanId }, ConsistentRead: true }),
  );
  return Item;
}

/** A position in one shard of the due index: where the next page starts (exclusive). */
export interface DueIndexPosition {
  readonly nextDueDate: string;
  readonly loanId: string;
}

/** One page of a shard's candidates. */
export interface DuePage {
  readonly items: readonly Record<string, unknown>[];
  /** Where the following page starts; undefined when the shard is exhausted. */
  readonly next?: DueIndexPosition;
}

/** The index position of an item read from the due index, for resuming after it. */
export function positionOf(item: Record<string, unknown>): DueIndexPosition | undefined {
  const { nextDueDate, loanId } = item;
  if (typeof nextDueDate !== 'string' || typeof loanId !== 'string') return undefined;
  return { nextDueDate, loanId };
}

/**
 * Reads one page of shard `shard` (0–15) of the due index: loans with `nextDueDate ≤ horizon`,
 * in due-date order, starting after `after`. `pageSize` is a count of items.
 */
export async function queryDuePage(
  doc: DynamoDBDocumentClient,
  tableName: string,
  shard: number,
  horizon: BusinessDate,
  after: DueIndexPosition | undefined,
  pageSize: number,
): Promise<DuePage> {
  const shardKey = DUE_INDEX.partitionKey.name;
  const dateKey = DUE_INDEX.sortKey?.name ?? 'nextDueDate';
  const { Items = [], LastEvaluatedKey } = await doc.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: DUE_INDEX.indexName,
      KeyConditionExpression: '#shard = :shard AND #due <= :horizon',
      ExpressionAttributeNames: { '#shard': shardKey, '#due': dateKey },
      ExpressionAttributeValues: { ':shard': shard, ':horizon': horizon },
      Limit: pageSize,
      // The cursor is kept as plain strings (it travels in a continuation payload as JSON) and
      // rebuilt here, so a wrapped number never ends up marshalled as a map.
      ...(after && {
        ExclusiveStartKey: {
          [shardKey]: shard,
          [dateKey]: after.nextDueDate,
          loanId: after.loanId,
        },
      }),
    }),
  );
  const next = LastEvaluatedKey ? positionOf(LastEvaluatedKey) : undefined;
  return { items: Items, ...(next && { next }) };
}

/** Retry policy for keys BatchGetItem leaves unprocessed (throttling). */
export interface BatchRetry {
  readonly attempts: number;
  /** Milliseconds before retry `n` (1-based). */
  readonly delayMs: (attempt: number) => number;
}

const DEFAULT_BATCH_RETRY: BatchRetry = {
  attempts: 6,
  delayMs: (attempt) => Math.min(2_000, 50 * 2 ** attempt),
};

/** What a batch read found: items by loanId, and ids still unprocessed after every retry. */
export interface BatchGetResult {
  readonly items: ReadonlyMap<string, Record<string, unknown>>;
  readonly unprocessed: readonly string[];
}

/**
 * Reads up to 100 loans by key with strongly consistent reads, retrying UnprocessedKeys with
 * backoff. An id with no item is simply absent from `items`.
 */
export async function batchGetLoanItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanIds: readonly string[],
  retry: BatchRetry = DEFAULT_BATCH_RETRY,
): Promise<BatchGetResult> {
  if (loanIds.length > BATCH_GET_LIMIT) {
    throw new RangeError(`batchGetLoanItems takes at most ${BATCH_GET_LIMIT} ids`);
  }
  const items = new Map<string, Record<string, unknown>>();
  let keys: Record<string, unknown>[] = loanIds.map((loanId) => ({ loanId }));
  for (let attempt = 0; keys.length > 0 && attempt <= retry.attempts; attempt++) {
    if (attempt > 0) await sleep(retry.delayMs(attempt));
    const { Responses, UnprocessedKeys } = await doc.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } },
      }),
    );
    for (const item of Responses?.[tableName] ?? []) {
      if (typeof item.loanId === 'string') items.set(item.loanId, item);
    }
    keys = UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  const unprocessed = keys.map((key) => String(key.loanId));
  return { items, unprocessed };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
