/**
 * The product's tables, their keys and indexes, and the attributes that more than one side names
 * (docs/contract.md, Loans table). The CDK stack builds from these and so do the local run and the
 * tests, so they cannot drift. Plain data only.
 */
import { ENV, type TableEnvVar } from './environment';

/** A DynamoDB key attribute. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/** A global secondary index, all attributes projected. */
export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

/** A table's keys and indexes. */
export interface TableDefinition {
  /** Logical id in the stack and the default base name locally. */
  readonly id: 'Loans' | 'Ledger' | 'Reminders' | 'Reports' | 'CreditRecords';
  /** The environment variable that carries the table's name to the functions. */
  readonly envVar: TableEnvVar;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry that DynamoDB TTL deletes by; none if absent. */
  readonly timeToLiveAttribute?: string;
  /** The table's stream, when something consumes it. */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
}

/**
 * Longest `loanId` or `borrowerId`, in UTF-8 bytes: each keys a table (the loans table, the
 * borrower's reminders), and a DynamoDB partition key holds at most 2,048 bytes.
 */
export const MAX_ID_BYTES = 2048;

/** Number of `sweepShard` values (0 to 15) the due index is spread over. */
export const SWEEP_SHARDS = 16;

/** The loans table's sparse due index: 16 shards × next due date. */
export const DUE_INDEX: IndexDefinition = {
  indexName: 'dueIndex',
  partitionKey: { name: 'sweepShard', type: 'N' },
  sortKey: { name: 'nextDueDate', type: 'S' },
};

export const LOANS_TABLE: TableDefinition = {
  id: 'Loans',
  envVar: ENV.loansTable,
  partitionKey: { name: 'loanId', type: 'S' },
  indexes: [DUE_INDEX],
  // The stream publisher sends the events each sweep write records on the item.
  stream: 'NEW_AND_OLD_IMAGES',
};

/** The loan attribute holding the events a sweep write records (see functions/core/outbox.ts). */
export const OUTBOX_ATTRIBUTE = 'outbox';

/**
 * The loans-table key prefix of a run record: the item that carries a run's `sweep.completed` in
 * its outbox until the stream publisher has sent it. Such an item has no `status`, `sweepShard` or
 * `nextDueDate`: it is never in the due index and never a loan.
 */
export const RUN_RECORD_KEY_PREFIX = '#run#';

/**
 * The event filters of the publisher's event source mapping (Lambda event filtering syntax; a record
 * passing any one of them is delivered): inserts and updates whose new image carries recorded
 * events, and inserts and updates of ACTIVE loans, whose index keys the publisher checks (a loan the
 * due index can never bring to the sweep is reported the day it is written). Deletes, and writes to
 * closed loans that record no events, never invoke it.
 */
export const PUBLISHER_STREAM_FILTERS = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { [OUTBOX_ATTRIBUTE]: { S: [{ exists: true }] } } },
  },
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { status: { S: ['ACTIVE'] } } },
  },
] as const;

export const LEDGER_TABLE: TableDefinition = {
  id: 'Ledger',
  envVar: ENV.ledgerTable,
  partitionKey: { name: 'loanId', type: 'S' },
  sortKey: { name: 'entryId', type: 'S' },
  indexes: [],
};

/**
 * One item per borrower and business date: the borrower's reminder of that date, naming each of
 * their loans with a line (docs/contract.md, Reminders).
 */
export const REMINDERS_TABLE: TableDefinition = {
  id: 'Reminders',
  envVar: ENV.remindersTable,
  partitionKey: { name: 'borrowerId', type: 'S' },
  sortKey: { name: 'asOf', type: 'S' },
  indexes: [],
};

export const REPORTS_TABLE: TableDefinition = {
  id: 'Reports',
  envVar: ENV.reportsTable,
  partitionKey: { name: 'asOf', type: 'S' },
  indexes: [],
  // The reporting service's event-id dedupe markers expire by TTL; report items carry no expiry.
  timeToLiveAttribute: 'expiresAt',
};

/** Number of shards each month's credit records are spread over in the month index. */
export const CREDIT_RECORD_SHARDS = 16;

/**
 * The credit records table's month index (docs/contract.md, Credit records): a month's records in
 * `CREDIT_RECORD_SHARDS` partitions (`monthShard` = `YYYY-MM#<shard>`, a hash of the loan id
 * picks the shard, so no one partition takes a whole month's writes), each in loan id order; the
 * sort key is the loan id's first 256 characters, since an index sort key holds at most 1,024
 * bytes and a loan id up to 2,048.
 */
export const MONTH_INDEX: IndexDefinition = {
  indexName: 'monthIndex',
  partitionKey: { name: 'monthShard', type: 'S' },
  sortKey: { name: 'loanIdPrefix', type: 'S' },
};

export const CREDIT_RECORDS_TABLE: TableDefinition = {
  id: 'CreditRecords',
  envVar: ENV.creditRecordsTable,
  partitionKey: { name: 'loanId', type: 'S' },
  sortKey: { name: 'month', type: 'S' },
  indexes: [MONTH_INDEX],
};

export const TABLES = [
  LOANS_TABLE,
  LEDGER_TABLE,
  REMINDERS_TABLE,
  REPORTS_TABLE,
  CREDIT_RECORDS_TABLE,
] as const;
