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
  readonly id: 'Loans' | 'Ledger' | 'Reminders' | 'Reports';
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
 * The event filter of the publisher's event source mapping (Lambda event filtering syntax): only
 * inserts and updates whose new image carries recorded events invoke it; upstream writes to loans
 * the sweep never recorded events on do not.
 */
export const PUBLISHER_STREAM_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { [OUTBOX_ATTRIBUTE]: { S: [{ exists: true }] } } },
} as const;

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

export const TABLES = [LOANS_TABLE, LEDGER_TABLE, REMINDERS_TABLE, REPORTS_TABLE] as const;
