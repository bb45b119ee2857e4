/**
 * The credit records table (docs/contract.md, Credit records): one item per loan and calendar month
 * (partition key `loanId`, sort key `month`), its attributes those of the record, plus `version`
 * (the optimistic-concurrency counter its conditional writes check) and the month index's keys
 * (`monthShard`, `loanIdPrefix`). The item codec, the reads the reporting service makes before it
 * writes, and the month's records in loan id order for the extract, page by page.
 */
import { createHash } from 'node:crypto';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { RISK_CLASSES, type RiskClass } from '../contract/events';
import { CREDIT_RECORD_SHARDS, MONTH_INDEX } from '../contract/tables';
import {
  type CreditMonth,
  type CreditRecord,
  type CreditStanding,
  type CreditState,
  creditRecordKey,
  parseCreditMonth,
} from '../core/credit-records';
import { parseBusinessDate } from '../core/dates';
import type { StoredCreditRecord } from '../reporting/ports';
import { storedNumber } from './dynamodb';
import { exponentialBackoff, type RetryPolicy, sleep } from './retry';

type Item = Record<string, unknown>;

/** DynamoDB's limit of keys per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;

const DEFAULT_BATCH_RETRY = exponentialBackoff(7, 100, 2_000);

/** Code points of a loan id the month index sorts by: 256 × 4 bytes fit its 1,024-byte sort key. */
const PREFIX_CODE_POINTS = 256;

/** The month index shard of a loan: a hash of its id, so a month's writes spread over shards. */
export function monthShardOf(loanId: string, month: CreditMonth): string {
  const digest = createHash('sha256').update(loanId, 'utf8').digest();
  return `${month}#${(digest[0] ?? 0) % CREDIT_RECORD_SHARDS}`;
}

/**
 * The month index's sort key of a loan: its first 256 code points. Ordered as DynamoDB orders
 * strings (UTF-8 bytes, i.e. code points), a shorter prefix of a longer id sorts first, so the
 * prefixes' order is the ids' order except among ids that share all 256 (sorted when read).
 */
export function loanIdPrefixOf(loanId: string): string {
  return Array.from(loanId).slice(0, PREFIX_CODE_POINTS).join('');
}

/** The item of `record` at `version`. */
export function creditRecordItemOf(record: CreditRecord, version: number): Item {
  const state = record.latest;
  return {
    loanId: record.loanId,
    month: record.month,
    borrowerId: record.borrowerId,
    ...(record.currency !== undefined && { currency: record.currency }),
    maxDpd: record.maxDpd,
    ...(state && {
      lastAsOf: state.asOf,
      state: state.standing,
      dpd: state.dpd,
      amountOverdue: state.amountOverdue,
      ...(state.riskClass !== undefined && { riskClass: state.riskClass }),
      inGrace: state.inGrace,
      forbearance: state.forbearance,
    }),
    ...(record.noticeOn !== undefined && { noticeOn: record.noticeOn }),
    version,
    monthShard: monthShardOf(record.loanId, record.month),
    loanIdPrefix: loanIdPrefixOf(record.loanId),
  };
}

const isCount = (value: number | undefined): value is number =>
  value !== undefined && Number.isSafeInteger(value) && value >= 0;

const STANDINGS: readonly CreditStanding[] = ['OVERDUE', 'CURED', 'CHARGED_OFF'];

/** The state part of an item, or a problem naming the attribute. */
function stateOf(item: Item): CreditState | undefined | string {
  if (item.lastAsOf === undefined && item.state === undefined) return undefined;
  const asOf = parseBusinessDate(item.lastAsOf);
  if (!asOf) return 'lastAsOf: not a date';
  const standing = STANDINGS.find((s) => s === item.state);
  if (!standing) return 'state: not OVERDUE, CURED or CHARGED_OFF';
  const dpd = storedNumber(item.dpd);
  if (!isCount(dpd)) return 'dpd: not a count';
  const amountOverdue = storedNumber(item.amountOverdue);
  if (!isCount(amountOverdue)) return 'amountOverdue: not minor units';
  const riskClass = RISK_CLASSES.find((c) => c === item.riskClass) as RiskClass | undefined;
  if (item.riskClass !== undefined && !riskClass) return 'riskClass: not a risk class';
  if (typeof item.inGrace !== 'boolean') return 'inGrace: not a boolean';
  if (typeof item.forbearance !== 'boolean') return 'forbearance: not a boolean';
  return {
    asOf,
    standing,
    dpd,
    amountOverdue,
    ...(riskClass && { riskClass }),
    inGrace: item.inGrace,
    forbearance: item.forbearance,
  };
}

/** A stored item as a record and its version, or the reason it cannot be one. */
export type CreditRecordRead =
  | { readonly ok: true; readonly stored: StoredCreditRecord }
  | { readonly ok: false; readonly loanId: string; readonly reason: string };

/** Parses a stored item (never quoting its values: ids and amounts may be personal). */
export function creditRecordFromItem(item: Item): CreditRecordRead {
  const loanId = typeof item.loanId === 'string' ? item.loanId : '';
  const fail = (reason: string): CreditRecordRead => ({ ok: false, loanId, reason });
  const month = parseCreditMonth(item.month);
  if (!loanId) return fail('loanId: missing');
  if (!month) return fail('month: not YYYY-MM');
  if (typeof item.borrowerId !== 'string' || item.borrowerId === '') {
    return fail('borrowerId: missing');
  }
  if (item.currency !== undefined && typeof item.currency !== 'string') {
    return fail('currency: not a string');
  }
  const maxDpd = storedNumber(item.maxDpd);
  if (!isCount(maxDpd)) return fail('maxDpd: not a count');
  const version = storedNumber(item.version);
  if (!isCount(version)) return fail('version: not a count');
  const noticeOn = item.noticeOn === undefined ? undefined : parseBusinessDate(item.noticeOn);
  if (item.noticeOn !== undefined && !noticeOn) return fail('noticeOn: not a date');
  const state = stateOf(item);
  if (typeof state === 'string') return fail(state);
  const record: CreditRecord = {
    loanId,
    month,
    borrowerId: item.borrowerId,
    ...(typeof item.currency === 'string' && { currency: item.currency }),
    maxDpd,
    ...(state && { latest: state }),
    ...(noticeOn && { noticeOn }),
  };
  return { ok: true, stored: { record, version } };
}

/**
 * Reads the records of `keys` (strongly consistent), keyed by `creditRecordKey`; a key without a
 * record is absent. Keys BatchGetItem leaves unprocessed are retried.
 * @throws Error naming the key of an item that cannot be parsed (its event fails alone).
 */
export async function readCreditRecords(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Pick<CreditRecord, 'loanId' | 'month'>[],
  retry: RetryPolicy = DEFAULT_BATCH_RETRY,
): Promise<Map<string, StoredCreditRecord>> {
  const found = new Map<string, StoredCreditRecord>();
  const unique = [...new Map(keys.map((k) => [creditRecordKey(k), k])).values()];
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    let pending: Item[] = unique
      .slice(start, start + BATCH_GET_LIMIT)
      .map(({ loanId, month }) => ({ loanId, month }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > retry.attempts) {
          throw new Error(
            `${pending.length} credit records left unread after ${retry.attempts} tries`,
          );
        }
        await sleep(retry.delayMs(attempt));
      }
      const { Responses, UnprocessedKeys } = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of Responses?.[tableName] ?? []) {
        const read = creditRecordFromItem(item);
        if (!read.ok) {
          throw new Error(
            `credit record of month ${String(item.month)} unreadable: ${read.reason}`,
          );
        }
        found.set(creditRecordKey(read.stored.record), read.stored);
      }
      pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

/**
 * The conditional write of a record: it may not exist yet (`version` 1), or must still be at the
 * version it was read at (`version` = that + 1), so a concurrent writer's merge is never lost.
 */
export function creditRecordPut(
  tableName: string,
  record: CreditRecord,
  readVersion?: number,
): { readonly Put: NonNullable<TransactWriteItem['Put']> } {
  const Item = creditRecordItemOf(record, (readVersion ?? 0) + 1);
  if (readVersion === undefined) {
    return {
      Put: {
        TableName: tableName,
        Item,
        ConditionExpression: 'attribute_not_exists(#loanId)',
        ExpressionAttributeNames: { '#loanId': 'loanId' },
      },
    };
  }
  return {
    Put: {
      TableName: tableName,
      Item,
      ConditionExpression: '#version = :read',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':read': readVersion },
    },
  };
}

type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** UTF-8 byte order (= code point order), the order DynamoDB sorts string keys in. */
export function compareLoanIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** An unreadable record the month's reader passed by. */
export interface SkippedRecord {
  readonly loanId: string;
  readonly reason: string;
}

/** How the month's records are read. */
export interface MonthReadOptions {
  /** Items per Query page (DynamoDB also stops at 1 MB). */
  readonly pageSize?: number;
  /** Told of each item that is not a readable record (it is left out). */
  readonly onSkipped?: (skipped: SkippedRecord) => void;
  /** Told of each page read: items in it and items held in memory after it (for tests). */
  readonly onPage?: (items: number, held: number) => void;
}

/** Records of one month index shard in its sort key order, a page at a time. */
async function* shardRecords(
  doc: DynamoDBDocumentClient,
  tableName: string,
  shard: string,
  options: MonthReadOptions,
  held: { count: number },
): AsyncGenerator<CreditRecord> {
  let ExclusiveStartKey: Item | undefined;
  // Ids that share all of the index's prefix come in no defined order: sorted here, as a group.
  let group: CreditRecord[] = [];
  let groupPrefix: string | undefined;
  const flush = function* () {
    group.sort((a, b) => compareLoanIds(a.loanId, b.loanId));
    const out = group;
    group = [];
    for (const record of out) {
      held.count -= 1;
      yield record;
    }
  };
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: MONTH_INDEX.indexName,
        KeyConditionExpression: '#shard = :shard',
        ExpressionAttributeNames: { '#shard': MONTH_INDEX.partitionKey.name },
        ExpressionAttributeValues: { ':shard': shard },
        ...(options.pageSize !== undefined && { Limit: options.pageSize }),
        ...(ExclusiveStartKey && { ExclusiveStartKey }),
      }),
    );
    const items = page.Items ?? [];
    held.count += items.length;
    options.onPage?.(items.length, held.count);
    for (const item of items) {
      const read = creditRecordFromItem(item);
      if (!read.ok) {
        held.count -= 1;
        options.onSkipped?.({ loanId: read.loanId, reason: read.reason });
        continue;
      }
      const prefix = loanIdPrefixOf(read.stored.record.loanId);
      if (prefix !== groupPrefix) yield* flush();
      groupPrefix = prefix;
      group.push(read.stored.record);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  yield* flush();
}

/**
 * The records of `month` in loan id order (UTF-8 byte order), read page by page from the month
 * index's shards and merged as they come: memory holds a page per shard, not the month.
 */
export async function* recordsOfMonth(
  doc: DynamoDBDocumentClient,
  tableName: string,
  month: CreditMonth,
  options: MonthReadOptions = {},
): AsyncGenerator<CreditRecord> {
  const held = { count: 0 };
  const shards = Array.from({ length: CREDIT_RECORD_SHARDS }, (_, shard) =>
    shardRecords(doc, tableName, `${month}#${shard}`, options, held),
  );
  const heads: { record: CreditRecord; shard: number }[] = [];
  const advance = async (shard: number) => {
    const next = await shards[shard]?.next();
    if (next && !next.done) heads.push({ record: next.value, shard });
  };
  await Promise.all(shards.map((_, shard) => advance(shard)));
  while (heads.length > 0) {
    // Sixteen heads at most: a scan for the smallest costs less than keeping a heap.
    let smallest = 0;
    for (let i = 1; i < heads.length; i++) {
      const candidate = heads[i];
      const best = heads[smallest];
      if (candidate && best && compareLoanIds(candidate.record.loanId, best.record.loanId) < 0) {
        smallest = i;
      }
    }
    const [head] = heads.splice(smallest, 1);
    if (!head) break;
    yield head.record;
    await advance(head.shard);
  }
}

/**
 * The currency of `loanId`'s latest record before `month` that names one (a month whose only
 * event was a cure names none; the loan's currency never changes), or undefined.
 */
export async function earlierCurrency(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
  month: CreditMonth,
): Promise<string | undefined> {
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#loanId = :loanId AND #month < :month',
        ExpressionAttributeNames: {
          '#loanId': 'loanId',
          '#month': 'month',
          '#currency': 'currency',
        },
        ExpressionAttributeValues: { ':loanId': loanId, ':month': month },
        ProjectionExpression: '#currency',
        ScanIndexForward: false,
        Limit: 12,
        ...(ExclusiveStartKey && { ExclusiveStartKey }),
      }),
    );
    const found = (page.Items ?? []).find((item) => typeof item.currency === 'string');
    if (found) return String(found.currency);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return undefined;
}
