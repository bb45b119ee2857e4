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

/**
 * Reads the items of `keys` in `tableName`; an absent key has no item in the answer. With
 * `attributes`, an item may be read with only those top-level attributes (and any others a reader
 * of the same table asked for in the turn): the reader must ask for every attribute it reads,
 * keys included.
 */
export type BatchGet = (
  tableName: string,
  keys: readonly Item[],
  attributes?: readonly string[],
) => Promise<Item[]>;

/** DynamoDB's limit of keys per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;
const DEFAULT_RETRY = exponentialBackoff(7, 50, 2_000);

interface Pending {
  readonly tableName: string;
  readonly keys: readonly Item[];
  readonly attributes: readonly string[] | undefined;
  readonly resolve: (items: Item[]) => void;
  readonly reject: (error: unknown) => void;
}

/** One table's share of a read: its keys, and the attributes to read (all when absent). */
interface TableRead {
  readonly tableName: string;
  readonly keys: readonly Item[];
  readonly attributes: readonly string[] | undefined;
}

type TableRequest = {
  Keys: Item[];
  ConsistentRead: true;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
};

/** A table's request in one call, projected on `attributes` (names as placeholders: any name fits). */
function tableRequest(attributes: readonly string[] | undefined): TableRequest {
  if (!attributes) return { Keys: [], ConsistentRead: true };
  return {
    Keys: [],
    ConsistentRead: true,
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
  };
}

/** Reads every key of `requests` (grouped by table) in as few calls as the limit allows. */
async function readAll(
  doc: DynamoDBDocumentClient,
  requests: readonly TableRead[],
  retry: RetryPolicy,
): Promise<Map<string, Item[]>> {
  const attributesOf = new Map(requests.map((r) => [r.tableName, r.attributes] as const));
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
    const calls: Record<string, TableRequest>[] = [];
    for (let start = 0; start < queue.length; start += BATCH_GET_LIMIT) {
      const RequestItems: Record<string, TableRequest> = {};
      for (const { tableName, key } of queue.slice(start, start + BATCH_GET_LIMIT)) {
        RequestItems[tableName] ??= tableRequest(attributesOf.get(tableName));
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
    // One key once, however many readers asked for it; a table's attributes are every one its
    // readers asked for, or all of them when one reader asked for all.
    const byTable = new Map<string, { keys: Map<string, Item>; attributes: Set<string> | null }>();
    for (const { tableName, keys, attributes } of requests) {
      const table = byTable.get(tableName) ?? {
        keys: new Map<string, Item>(),
        attributes: new Set(),
      };
      for (const key of keys) table.keys.set(JSON.stringify(key), key);
      if (!attributes) table.attributes = null;
      else for (const name of attributes) table.attributes?.add(name);
      byTable.set(tableName, table);
    }
    readAll(
      doc,
      [...byTable].map(([tableName, { keys, attributes }]) => ({
        tableName,
        keys: [...keys.values()],
        attributes: attributes ? [...attributes] : undefined,
      })),
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
  return (tableName, keys, attributes) =>
    new Promise<Item[]>((resolve, reject) => {
      if (keys.length === 0) {
        resolve([]);
        return;
      }
      if (pending.length === 0) queueMicrotask(flush);
      pending.push({ tableName, keys, attributes, resolve, reject });
    });
}
