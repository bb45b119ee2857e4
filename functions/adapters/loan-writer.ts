/**
 * Writes the sweep's changes (SPEC §3, §5): one transaction per changed loan (the loan update
 * conditioned on the version it read, its outbox entries and its ledger entries), and the outbox
 * clearing step once SNS has accepted the events. DynamoDB expressions stay behind this file.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  NumberValue,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BusinessDate, EventEnvelope, LedgerEntry, LoanUpdate } from '../core/types';

/** What to do with the `nextDueDate` index key in a write. */
export type IndexKeyChange =
  | { readonly kind: 'keep' }
  | { readonly kind: 'set'; readonly nextDueDate: BusinessDate }
  | { readonly kind: 'remove' };

/** The index key change that makes the item carry `nextDueDate` (null: leave the index). */
export function indexKeyTo(nextDueDate: BusinessDate | null): IndexKeyChange {
  return nextDueDate === null ? { kind: 'remove' } : { kind: 'set', nextDueDate };
}

/** One loan's transaction. */
export interface LoanCommit {
  readonly update: LoanUpdate;
  readonly ledgerEntries: readonly LedgerEntry[];
  /** Events to record in the item's outbox with the update. */
  readonly events: readonly EventEnvelope[];
  /** True when the item's outbox is empty (or absent) at `expectedVersion`: write it whole. */
  readonly outboxWasEmpty: boolean;
  readonly indexKey: IndexKeyChange;
}

/**
 * `committed`; `conflict` when the loan changed (or was being changed) since it was read;
 * `rejected` when a ledger entry already exists.
 */
export type CommitResult =
  | { readonly kind: 'committed' }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'rejected'; readonly reason: string };

/** Table names the writer needs. */
export interface SweepTables {
  readonly loans: string;
  readonly ledger: string;
}

/** Builds SET/REMOVE clauses with generated placeholders, so ids with ':' or '.' are safe. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly sets: string[] = [];
  readonly removes: string[] = [];
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

  set(path: string, value: unknown): void {
    this.sets.push(`${path} = ${this.value(value)}`);
  }

  update(): string {
    return [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  /** `version = :expected`, or no version yet (0) on an item that exists. */
  versionCondition(expectedVersion: number): string {
    const version = this.name('version');
    return expectedVersion === 0
      ? `attribute_exists(${this.name('loanId')}) AND attribute_not_exists(${version})`
      : `${version} = ${this.value(expectedVersion)}`;
  }

  indexKey(change: IndexKeyChange): void {
    if (change.kind === 'set') this.set(this.name('nextDueDate'), change.nextDueDate);
    if (change.kind === 'remove') this.removes.push(this.name('nextDueDate'));
  }
}

function loanUpdateItem(tables: SweepTables, commit: LoanCommit) {
  const { update } = commit;
  const x = new Expression();
  x.set(x.name('accruedThrough'), update.accruedThrough);
  x.set(x.name('dpd'), update.dpd);
  x.set(x.name('bucket'), update.bucket);
  x.set(x.name('lateFeesCharged'), update.lateFeesCharged);
  x.set(x.name('penaltyCharged'), update.penaltyCharged);
  x.set(x.name('version'), update.version);
  if (update.status) x.set(x.name('status'), update.status);
  const conditions = [x.versionCondition(update.expectedVersion)];
  // Placeholders are made only when used: DynamoDB rejects unused expression names.
  const installments = update.installments.length > 0 ? x.name('installments') : '';
  for (const inst of update.installments) {
    const at = `${installments}[${inst.index}]`;
    if (inst.penaltyThrough !== undefined) {
      x.set(`${at}.${x.name('penaltyThrough')}`, inst.penaltyThrough);
    }
    x.set(`${at}.${x.name('lateFeeCharged')}`, inst.lateFeeCharged);
    // Instalment fields are written by list index: make sure the index still names that seq.
    conditions.push(`${at}.${x.name('seq')} = ${x.value(inst.seq)}`);
  }
  const outbox = commit.events.length > 0 ? x.name('outbox') : '';
  if (commit.outboxWasEmpty) {
    if (commit.events.length > 0) {
      x.set(outbox, Object.fromEntries(commit.events.map((e) => [e.id, JSON.stringify(e)])));
    }
  } else {
    for (const event of commit.events)
      x.set(`${outbox}.${x.name(event.id)}`, JSON.stringify(event));
  }
  x.indexKey(commit.indexKey);
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

function ledgerPut(tables: SweepTables, entry: LedgerEntry) {
  const { rate, ...rest } = entry;
  return {
    Put: {
      TableName: tables.ledger,
      // The rate is written as a DynamoDB number from its exact decimal text, never via a float.
      Item: { ...rest, ...(rate !== undefined && { rate: NumberValue.from(rate) }) },
      ConditionExpression: 'attribute_not_exists(entryId)',
    },
  };
}

/**
 * Writes one loan's update, outbox and ledger entries in one transaction.
 * @returns `conflict` when the loan's version (or an instalment's position) changed since it
 *   was read, or another transaction held one of its items; `rejected` when a ledger entry
 *   already exists. Other errors are thrown after the SDK's own retries.
 */
export async function commitLoan(
  doc: DynamoDBDocumentClient,
  tables: SweepTables,
  commit: LoanCommit,
): Promise<CommitResult> {
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          loanUpdateItem(tables, commit),
          ...commit.ledgerEntries.map((entry) => ledgerPut(tables, entry)),
        ],
      }),
    );
    return { kind: 'committed' };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'conflict' };
    // Another transaction (a concurrent run, a payment) held one of the items: like a version
    // conflict, a re-read shows what it wrote. The SDK does not retry a cancelled transaction.
    if (reasons.some((r) => r.Code === 'TransactionConflict')) return { kind: 'conflict' };
    const ledger = reasons.findIndex((r, i) => i > 0 && r.Code === 'ConditionalCheckFailed');
    if (ledger > 0) {
      const entryId = commit.ledgerEntries[ledger - 1]?.entryId;
      return { kind: 'rejected', reason: `ledger entry ${entryId} already exists` };
    }
    throw error;
  }
}

/** One outbox clearing step. */
export interface OutboxClear {
  readonly loanId: string;
  /** The version the caller knows the outbox at. */
  readonly expectedVersion: number;
  /** Accepted event ids to remove. */
  readonly eventIds: readonly string[];
  /** True when these are all the outbox holds: the attribute is removed and the key finalised. */
  readonly empties: boolean;
  /** The final index key, applied only when `empties`. */
  readonly indexKey: IndexKeyChange;
}

/**
 * Removes accepted events from a loan's outbox and bumps its version; when the outbox empties,
 * applies the final index key. Conditioned on `expectedVersion`.
 * @returns `cleared`, or `conflict` when the loan changed since.
 */
export async function clearOutbox(
  doc: DynamoDBDocumentClient,
  loansTable: string,
  clear: OutboxClear,
): Promise<'cleared' | 'conflict'> {
  const x = new Expression();
  const outbox = x.name('outbox');
  if (clear.empties) {
    x.removes.push(outbox);
    x.indexKey(clear.indexKey);
  } else {
    for (const id of clear.eventIds) x.removes.push(`${outbox}.${x.name(id)}`);
  }
  x.set(x.name('version'), clear.expectedVersion + 1);
  try {
    await doc.send(
      new UpdateCommand({
        TableName: loansTable,
        Key: { loanId: clear.loanId },
        UpdateExpression: x.update(),
        ConditionExpression: x.versionCondition(clear.expectedVersion),
        ExpressionAttributeNames: x.names,
        ExpressionAttributeValues: x.values,
      }),
    );
    return 'cleared';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'conflict';
    throw error;
  }
}
