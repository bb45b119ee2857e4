/**
 * Strongly consistent reads by key, coalesced: the reads several readers start together (in the
 * same turn of the event loop) go to DynamoDB as one BatchGetItem across their tables, at most 100
 * keys a call and the calls of one read sent at once, keys left unprocessed retried with backoff.
 * The reminder function reads a batch's loans and the borrowers' reminders around its dates this
 * way: one round trip per SQS batch.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { exponentialBackoff, type RetryPolicy, sleep } from './retry';

type Item = Record<string, unknown>;

/** Reads the items of `keys` in `tableName`; an absent key has no item in the answer. */
export type BatchGet = (tableName: string, keys: readonly Item[]) => Promise<Item[]>;

/** DynamoDB's limit of keys per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;
const DEFAULT_RETRY = exponentialBackoff(7, 50, 2_000);

interface Pending {
  readonly tableName: string;
  readonly keys: readonly Item[];
  readonly resolve: (items: Item[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Reads every key of `requests` (grouped by table) in as few calls as the limit allows. */
async function readAll(
  doc: DynamoDBDocumentClient,
  requests: readonly { readonly tableName: string; readonly keys: readonly Item[] }[],
  retry: RetryPolicy,
): Promise<Map<string, Item[]>> {
  const found = new Map<string, Item[]>();
  let queue: { tableName: string; key: Item }[] = requests.flatMap(({ tableName, keys }) =>
    keys.map((key) => ({ tableName, key })),
  );
  for (let attempt = 1; queue.length > 0; attempt++) {
    if (attempt > retry.attempts) {
      throw new Error(`${queue.length} keys still unprocessed after ${retry.attempts} attempts`);
    }
    if (attempt > 1) await sleep(retry.delayMs(attempt));
    const unprocessed: { tableName: string; key: Item }[] = [];
    const calls: Record<string, { Keys: Item[]; ConsistentRead: true }>[] = [];
    for (let start = 0; start < queue.length; start += BATCH_GET_LIMIT) {
      const RequestItems: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
      for (const { tableName, key } of queue.slice(start, start + BATCH_GET_LIMIT)) {
        RequestItems[tableName] ??= { Keys: [], ConsistentRead: true };
        RequestItems[tableName].Keys.push(key);
      }
      calls.push(RequestItems);
    }
    // The calls of one attempt go out together: a batch's reads wait for one round trip, not one
    // per hundred keys.
    const answers = await Promise.all(
      calls.map((RequestItems) => doc.send(new BatchGetCommand({ RequestItems }))),
    );
    for (const { Responses, UnprocessedKeys } of answers) {
      for (const [tableName, items] of Object.entries(Responses ?? {})) {
        found.set(tableName, [...(found.get(tableName) ?? []), ...items]);
      }
      for (const [tableName, { Keys = [] }] of Object.entries(UnprocessedKeys ?? {})) {
        for (const key of Keys) unprocessed.push({ tableName, key });
      }
    }
    queue = unprocessed;
  }
  return found;
}

/**
 * A BatchGet on `doc` that joins the reads started in the same turn into shared calls. Each
 * caller gets the items of its own table (of any of the keys asked for that table in the turn).
 */
export function coalescedBatchGet(
  doc: DynamoDBDocumentClient,
  retry: RetryPolicy = DEFAULT_RETRY,
): BatchGet {
  let pending: Pending[] = [];
  const flush = () => {
    const requests = pending;
    pending = [];
    // One key once, however many readers asked for it.
    const byTable = new Map<string, Map<string, Item>>();
    for (const { tableName, keys } of requests) {
      const keyed = byTable.get(tableName) ?? new Map<string, Item>();
      for (const key of keys) keyed.set(JSON.stringify(key), key);
      byTable.set(tableName, keyed);
    }
    readAll(
      doc,
      [...byTable].map(([tableName, keys]) => ({ tableName, keys: [...keys.values()] })),
      retry,
    ).then(
      (found) => {
        for (const request of requests) request.resolve(found.get(request.tableName) ?? []);
      },
      (error: unknown) => {
        for (const request of requests) request.reject(error);
      },
    );
  };
  return (tableName, keys) =>
    new Promise<Item[]>((resolve, reject) => {
      if (keys.length === 0) {
        resolve([]);
        return;
      }
      if (pending.length === 0) queueMicrotask(flush);
      pending.push({ tableName, keys, resolve, reject });
    });
}
