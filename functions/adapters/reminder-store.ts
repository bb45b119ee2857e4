/**
 * The reminders table (docs/contract.md, Reminders) as the reminder service's store: the outbox a
 * messaging gateway drains, one item per borrower and business date (partition key `borrowerId`,
 * sort key `asOf`), and beside each borrower's reminders, under a partition of their own, the lines
 * the weekly cap holds back. Every write is conditional on what was read: a single date's reminder
 * on its revision (and on still being pending), several dates in one transaction on every date
 * read. Every attribute name and expression of the reminders table lives here and in
 * reminder-item.ts.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { REMINDERS_TABLE } from '../contract/tables';
import { addDays } from '../core/dates';
import type { BusinessDate } from '../core/types';
import {
  type ReminderKey,
  type ReminderStore,
  reminderKeyOf,
  type StoredDay,
  type UnreadableDay,
  type WriteOutcome,
} from '../reminder/ports';
import type { BatchGet } from './batch-get';
import {
  decodeHeldItem,
  decodeReminderItem,
  encodeHeldItem,
  encodeReminderItem,
  heldPartitionOf,
  PENDING,
  REMINDER_STATE_ATTRIBUTES,
  StoredReminderError,
} from './reminder-item';

/** DynamoDB's limit of actions per TransactWriteItems. */
const TRANSACTION_LIMIT = 100;

const PARTITION = REMINDERS_TABLE.partitionKey.name;
const SORT = REMINDERS_TABLE.sortKey?.name ?? 'asOf';

type Item = Record<string, unknown>;

/** A condition of a write or check, with its placeholders. */
interface Condition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * The condition that a key's item is still as read: absent, or of the revision read (and, for a
 * reminder about to change, still pending: a sent reminder never changes).
 */
function expectation(revision: string | undefined, pending: boolean): Condition {
  if (revision === undefined) {
    return {
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PARTITION },
    };
  }
  return {
    ConditionExpression: pending
      ? '#revision = :revision AND #status = :pending'
      : '#revision = :revision',
    ExpressionAttributeNames: { '#revision': 'revision', ...(pending && { '#status': 'status' }) },
    ExpressionAttributeValues: { ':revision': revision, ...(pending && { ':pending': PENDING }) },
  };
}

/** True when a transaction was cancelled because an item it checked had changed. */
function isConflict(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const reasons = error.CancellationReasons ?? [];
  return reasons.some(
    (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
  );
}

/**
 * A ReminderStore on the document client `doc` (plain numbers: a reminder holds minor units and
 * day counts only); reads by key go through `batchGet`, shared with the batch's other reads (its
 * numbers may come exact: the codec reads both).
 */
export function createReminderStore(
  doc: DynamoDBDocumentClient,
  tableName: string,
  batchGet: BatchGet,
): ReminderStore {
  const queryPartition = async (partition: string, from: BusinessDate, to: BusinessDate) => {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': PARTITION, '#sk': SORT },
          ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };

  return {
    async readReminders(keys: readonly ReminderKey[]) {
      const found = new Map<string, StoredDay | UnreadableDay>();
      const wanted = new Set(keys.map(reminderKeyOf));
      const items = await batchGet(
        tableName,
        keys.map(({ borrowerId, asOf }) => ({ [PARTITION]: borrowerId, [SORT]: asOf })),
        REMINDER_STATE_ATTRIBUTES,
      );
      // The shared read answers other readers' keys too: only this reader's items are decoded,
      // and one that cannot be read back is its key's answer, not the whole read's failure.
      for (const item of items) {
        const key = reminderKeyOf({
          borrowerId: String(item[PARTITION]),
          asOf: String(item[SORT]) as BusinessDate,
        });
        if (!wanted.has(key)) continue;
        try {
          found.set(key, decodeReminderItem(item).stored);
        } catch (error) {
          if (!(error instanceof StoredReminderError)) throw error;
          found.set(key, { unreadable: error });
        }
      }
      return found;
    },

    async readDays(borrowerId, from, to, withHeld) {
      const [reminders, held] = await Promise.all([
        queryPartition(borrowerId, from, to),
        withHeld ? queryPartition(heldPartitionOf(borrowerId), from, to) : Promise.resolve([]),
      ]);
      const days = new Map<BusinessDate, StoredDay>();
      for (const item of reminders) {
        const { asOf, stored } = decodeReminderItem(item);
        days.set(asOf, stored);
      }
      for (const item of held) {
        const { asOf, held: lines, revision } = decodeHeldItem(item);
        const day = days.get(asOf);
        days.set(asOf, {
          ...day,
          state: { ...(day?.state ?? {}), held: lines },
          heldRevision: revision,
        });
      }
      return days;
    },

    async putReminder(borrowerId, write, read): Promise<WriteOutcome> {
      if (!write.text) throw new RangeError('putReminder writes a reminder');
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: encodeReminderItem(borrowerId, write.asOf, write.state, write.text),
            ...expectation(read?.reminderRevision, true),
          }),
        );
        return 'written';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'conflict';
        throw error;
      }
    },

    async commit(borrowerId, writes, read): Promise<WriteOutcome> {
      const heldKey = heldPartitionOf(borrowerId);
      const key = (partition: string, asOf: BusinessDate) => ({
        [PARTITION]: partition,
        [SORT]: asOf,
      });
      const actions: NonNullable<
        ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
      > = [];
      const written = new Set<BusinessDate>();
      for (const { asOf, state, text } of writes) {
        written.add(asOf);
        const before = read.days.get(asOf);
        const pendingBefore = before?.state.reminder?.pending === true;
        if (state.reminder && text) {
          actions.push({
            Put: {
              TableName: tableName,
              Item: encodeReminderItem(borrowerId, asOf, state, text),
              ...expectation(before?.reminderRevision, pendingBefore),
            },
          });
        } else if (before?.reminderRevision !== undefined) {
          actions.push({
            Delete: {
              TableName: tableName,
              Key: key(borrowerId, asOf),
              ...expectation(before.reminderRevision, pendingBefore),
            },
          });
        } else {
          actions.push({
            ConditionCheck: {
              TableName: tableName,
              Key: key(borrowerId, asOf),
              ...expectation(undefined, false),
            },
          });
        }
        if (state.held.size > 0) {
          actions.push({
            Put: {
              TableName: tableName,
              Item: encodeHeldItem(borrowerId, asOf, state.held),
              ...expectation(before?.heldRevision, false),
            },
          });
        } else if (before?.heldRevision !== undefined) {
          actions.push({
            Delete: {
              TableName: tableName,
              Key: key(heldKey, asOf),
              ...expectation(before.heldRevision, false),
            },
          });
        } else {
          actions.push({
            ConditionCheck: {
              TableName: tableName,
              Key: key(heldKey, asOf),
              ...expectation(undefined, false),
            },
          });
        }
      }
      // Every other date read that holds something must still be as read, and so must the empty
      // dates within a week of a change (a reminder created there would change the plan).
      const changed = [...written].sort();
      const near = {
        from: addDays(changed[0] ?? read.from, -6),
        to: addDays(changed[changed.length - 1] ?? read.to, 6),
      };
      for (let asOf = read.from; asOf <= read.to; asOf = addDays(asOf, 1)) {
        if (written.has(asOf)) continue;
        const before = read.days.get(asOf);
        const isNear = asOf >= near.from && asOf <= near.to;
        for (const [partition, revision] of [
          [borrowerId, before?.reminderRevision],
          [heldKey, before?.heldRevision],
        ] as const) {
          if (revision === undefined && !isNear) continue;
          actions.push({
            ConditionCheck: {
              TableName: tableName,
              Key: key(partition, asOf),
              ...expectation(revision, false),
            },
          });
        }
      }
      if (actions.length > TRANSACTION_LIMIT) {
        throw new RangeError(
          `a plan over ${read.from}…${read.to} needs ${actions.length} conditions, over DynamoDB's ${TRANSACTION_LIMIT}`,
        );
      }
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: actions }));
        return 'written';
      } catch (error) {
        if (isConflict(error)) return 'conflict';
        throw error;
      }
    },
  };
}
