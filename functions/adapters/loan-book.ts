/**
 * The sweep's LoanBook on DynamoDB (docs/contract.md: Loans table, Sweep): the loans table's sparse due index read page by
 * page, loans read by key, and one transaction per change — the loan update conditioned on what
 * the assessment read, its ledger entries, and its events recorded for the stream publisher.
 * Every attribute name and expression of the sweep's writes lives in this file.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX, OUTBOX_ATTRIBUTE } from '../contract/tables';
import { runRecordKeyOf } from '../core/outbox';
import type { EventEnvelope, LedgerEntry, Loan } from '../core/types';
import { isRecord } from '../core/values';
import type {
  CompletionRecord,
  DueCursor,
  DueEntry,
  LedgerRead,
  LoanBook,
  LoanChange,
  LoanRead,
  RecordResult,
} from '../sweep/ports';
import { fitsPartitionKey } from './dynamodb';
import { decodeLedgerItems, decodeLoanItem, episodeWriteOf } from './item-codec';
import { storedOutboxOf } from './outbox-text';
import { exponentialBackoff, type RetryPolicy, sleep } from './retry';

/** DynamoDB's limit of keys per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;

/** Table names the book reads and writes. */
export interface LoanBookTables {
  readonly loans: string;
  readonly ledger: string;
}

export interface LoanBookOptions {
  /** Retries of keys BatchGetItem leaves unprocessed (throttling). */
  readonly batchRetry?: RetryPolicy;
}

const DEFAULT_BATCH_RETRY = exponentialBackoff(7, 100, 2_000);

type Item = Record<string, unknown>;

/** Builds SET/REMOVE clauses with generated placeholders. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private counter = 0;

  name(attribute: string): string {
    const placeholder = `#n${this.counter++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.counter++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(attribute: string, value: unknown): void {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
  }

  remove(attribute: string): void {
    this.removes.push(this.name(attribute));
  }

  /** `attribute = value`, or `attribute_not_exists(attribute)` when the value is undefined. */
  equals(attribute: string, value: unknown): string {
    return value === undefined
      ? `attribute_not_exists(${this.name(attribute)})`
      : `${this.name(attribute)} = ${this.value(value)}`;
  }

  update(): string {
    return [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
}

/** A read of one item, parsed at the edge; the raw item is kept for the whole-list write. */
function readOf(item: Item, raw: WeakMap<Loan, Item>, requestedId?: string): LoanRead {
  const parsed = decodeLoanItem(item);
  if (!parsed.ok) {
    return {
      ok: false,
      loanId: parsed.loanId ?? requestedId ?? '(no loanId)',
      reason: parsed.reason,
    };
  }
  raw.set(parsed.loan, item);
  return { ok: true, loan: parsed.loan };
}

/** Where to resume after an index item: its keys as stored (DynamoDB makes them strings). */
function cursorOf(item: Item): DueCursor | undefined {
  const { nextDueDate, loanId } = item;
  if (typeof nextDueDate !== 'string' || typeof loanId !== 'string') return undefined;
  return { nextDueDate, loanId };
}

/**
 * The instalments list as read, with the sweep's fields of the changed instalments replaced. The
 * list is written whole (one placeholder, however many instalments: DynamoDB's 4 KB expression
 * limit never binds), guarded by the condition that it is still exactly what was read, so an
 * upstream field the sweep does not know, or a payment written meanwhile, is never lost.
 */
function installmentsAfter(change: LoanChange, rawList: readonly unknown[]): unknown[] {
  const bySeq = new Map(change.update.installments.map((inst) => [inst.seq, inst]));
  return rawList.map((value, index) => {
    const seq = change.loan.installments[index]?.seq;
    const inst = seq === undefined ? undefined : bySeq.get(seq);
    if (!inst || !isRecord(value)) return value;
    return {
      ...value,
      ...(inst.penaltyThrough === undefined ? {} : { penaltyThrough: inst.penaltyThrough }),
      lateFeeCharged: inst.lateFeeCharged,
      ...(inst.paymentsApplied === undefined ? {} : { paymentsApplied: inst.paymentsApplied }),
    };
  });
}

function loanUpdateOf(tables: LoanBookTables, change: LoanChange, item: Item) {
  const { update, loan } = change;
  const x = new Expression();
  x.set('accruedThrough', update.accruedThrough);
  x.set('dpd', update.dpd);
  x.set('bucket', update.bucket);
  x.set('lateFeesCharged', update.lateFeesCharged);
  x.set('penaltyCharged', update.penaltyCharged);
  x.set('version', update.version);
  if (update.status) x.set('status', update.status);
  const rawList = Array.isArray(item.installments) ? item.installments : [];
  if (update.installments.length > 0) x.set('installments', installmentsAfter(change, rawList));
  if (update.nextDueDate === null) x.remove('nextDueDate');
  else x.set('nextDueDate', update.nextDueDate);
  // The episode attributes that change: a loan never overdue carries none of them.
  const episode = episodeWriteOf(loan.episode, update.episode);
  for (const [name, value] of episode.set) x.set(name, value);
  for (const name of episode.remove) x.remove(name);
  // Each write replaces the recorded events: the publisher sends what a write adds.
  const outbox = storedOutboxOf(change.events);
  if (outbox === undefined) x.remove(OUTBOX_ATTRIBUTE);
  else x.set(OUTBOX_ATTRIBUTE, outbox);

  const conditions = [
    loan.version === 0
      ? `attribute_exists(${x.name('loanId')}) AND attribute_not_exists(${x.name('version')})`
      : x.equals('version', loan.version),
    // What the assessment depended on, in case a writer changed it without bumping `version`.
    x.equals('installments', item.installments),
    x.equals('status', item.status),
    x.equals('forbearanceUntil', item.forbearanceUntil),
    x.equals('promiseToPay', item.promiseToPay),
  ];
  return {
    Update: {
      TableName: tables.loans,
      Key: { loanId: update.loanId },
      UpdateExpression: x.update(),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: x.names,
      ExpressionAttributeValues: x.values,
    },
  };
}

function ledgerPutOf(tables: LoanBookTables, entry: LedgerEntry) {
  // Rates are written as DynamoDB numbers from their exact decimal text, never via a float.
  const lines = (entry.lines as readonly { readonly rate?: string }[]).map(({ rate, ...line }) => ({
    ...line,
    ...(rate === undefined ? {} : { rate: NumberValue.from(rate) }),
  }));
  return {
    Put: {
      TableName: tables.ledger,
      Item: { ...entry, lines },
      ConditionExpression: 'attribute_not_exists(entryId)',
    },
  };
}

/** A LoanBook on the document client `doc`, which must read numbers exactly (`exactNumbers`). */
export function createLoanBook(
  doc: DynamoDBDocumentClient,
  tables: LoanBookTables,
  options: LoanBookOptions = {},
): LoanBook {
  // The raw item behind each loan this book handed out, for the whole-list write (never exposed).
  const raw = new WeakMap<Loan, Item>();
  const batchRetry = options.batchRetry ?? DEFAULT_BATCH_RETRY;

  const batchGet = async (loanIds: readonly string[]): Promise<Map<string, LoanRead>> => {
    const reads = new Map<string, LoanRead>();
    let keys: Item[] = loanIds.map((loanId) => ({ loanId }));
    for (let attempt = 1; keys.length > 0 && attempt <= batchRetry.attempts; attempt++) {
      if (attempt > 1) await sleep(batchRetry.delayMs(attempt));
      const { Responses, UnprocessedKeys } = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tables.loans]: { Keys: keys, ConsistentRead: true } },
        }),
      );
      for (const item of Responses?.[tables.loans] ?? []) {
        if (typeof item.loanId === 'string') reads.set(item.loanId, readOf(item, raw));
      }
      keys = UnprocessedKeys?.[tables.loans]?.Keys ?? [];
    }
    for (const key of keys) {
      const loanId = String(key.loanId);
      reads.set(loanId, {
        ok: false,
        loanId,
        reason: 'throttled: still unprocessed after retries',
      });
    }
    return reads;
  };

  return {
    async duePage(shard, horizon, after, pageSize) {
      // Nothing due by the horizon lies after a cursor beyond it; and DynamoDB rejects such a
      // start key (ValidationException: it does not match the range key predicate).
      if (after && after.nextDueDate > horizon) return { entries: [] };
      const shardKey = DUE_INDEX.partitionKey.name;
      const dateKey = DUE_INDEX.sortKey?.name ?? 'nextDueDate';
      const { Items = [], LastEvaluatedKey } = await doc.send(
        new QueryCommand({
          TableName: tables.loans,
          IndexName: DUE_INDEX.indexName,
          KeyConditionExpression: '#shard = :shard AND #due <= :horizon',
          ExpressionAttributeNames: { '#shard': shardKey, '#due': dateKey },
          ExpressionAttributeValues: { ':shard': shard, ':horizon': horizon },
          Limit: pageSize,
          ...(after && {
            ExclusiveStartKey: {
              [shardKey]: shard,
              [dateKey]: after.nextDueDate,
              loanId: after.loanId,
            },
          }),
        }),
      );
      const entries: DueEntry[] = [];
      for (const item of Items) {
        // Every item of the index carries its keys; one that does not cannot be resumed after.
        const cursor = cursorOf(item);
        if (cursor) entries.push({ read: readOf(item, raw), cursor });
      }
      const next = LastEvaluatedKey ? cursorOf(LastEvaluatedKey) : undefined;
      return { entries, ...(next && { next }) };
    },

    async readByIds(loanIds) {
      const found = new Map<string, LoanRead>();
      // An id no key can hold cannot name a loan: it is not found, and never reaches BatchGet
      // (whose ValidationException would fail the whole call).
      const askable = loanIds.filter(fitsPartitionKey);
      for (let start = 0; start < askable.length; start += BATCH_GET_LIMIT) {
        const reads = await batchGet(askable.slice(start, start + BATCH_GET_LIMIT));
        for (const [loanId, read] of reads) found.set(loanId, read);
      }
      return loanIds.map(
        (loanId) => found.get(loanId) ?? { ok: false, loanId, reason: 'not found' },
      );
    },

    async ledgerSince(loanId, from): Promise<LedgerRead> {
      const items: Item[] = [];
      let ExclusiveStartKey: Item | undefined;
      do {
        // Entry ids start with their business date, so the sort key narrows the read to the
        // dates that can hold a charge on the instalments concerned.
        const page = await doc.send(
          new QueryCommand({
            TableName: tables.ledger,
            KeyConditionExpression: '#loan = :loan AND #entry >= :from',
            ExpressionAttributeNames: { '#loan': 'loanId', '#entry': 'entryId' },
            ExpressionAttributeValues: { ':loan': loanId, ':from': from },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return decodeLedgerItems(items);
    },

    async record(change): Promise<RecordResult> {
      const item = raw.get(change.loan);
      if (!item) throw new Error('record: the loan was not read through this book');
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              loanUpdateOf(tables, change, item),
              ...change.ledgerEntries.map((entry) => ledgerPutOf(tables, entry)),
            ],
          }),
        );
        return { kind: 'recorded' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'conflict' };
        // Another transaction (a concurrent run, a payment) held one of the items: like a version
        // conflict, a re-read shows what it wrote. The SDK does not retry a cancelled transaction.
        if (reasons.some((r) => r.Code === 'TransactionConflict')) return { kind: 'conflict' };
        const ledger = reasons.findIndex((r, i) => i > 0 && r.Code === 'ConditionalCheckFailed');
        if (ledger > 0) {
          const entryId = change.ledgerEntries[ledger - 1]?.entryId;
          return { kind: 'rejected', reason: `ledger entry ${entryId} already exists` };
        }
        throw error;
      }
    },

    async recordCompletion(event: EventEnvelope): Promise<CompletionRecord> {
      try {
        // Written once: a later finish of the same run id (a re-run, a redrive) never replaces
        // the first record, whose summary is the one the day's report keeps.
        await doc.send(
          new PutCommand({
            TableName: tables.loans,
            Item: {
              loanId: runRecordKeyOf(event.runId),
              asOf: event.asOf,
              runId: event.runId,
              recordedAt: event.occurredAt,
              [OUTBOX_ATTRIBUTE]: storedOutboxOf([event]),
            },
            ConditionExpression: 'attribute_not_exists(loanId)',
          }),
        );
        return 'recorded';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'kept';
        throw error;
      }
    },
  };
}
