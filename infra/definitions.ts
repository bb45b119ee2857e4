/**
 * The one definition of the product's data and messaging resources (SPEC §3, §7, §8, §9).
 * The CDK stack builds from it and so do the local run and the tests, so they cannot drift.
 * Plain data only: no CDK or SDK imports here.
 */

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

/** Environment variables that carry table names to the functions (SPEC §9). */
export type TableEnvVar =
  | 'LOANS_TABLE_NAME'
  | 'LEDGER_TABLE_NAME'
  | 'REMINDERS_TABLE_NAME'
  | 'REPORTS_TABLE_NAME';

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

/** The loans table's sparse due index: 16 shards × next due date (SPEC §3). */
export const DUE_INDEX: IndexDefinition = {
  indexName: 'dueIndex',
  partitionKey: { name: 'sweepShard', type: 'N' },
  sortKey: { name: 'nextDueDate', type: 'S' },
};

/** Number of `sweepShard` values (0–15) the due index is spread over. */
export const SWEEP_SHARDS = 16;

export const LOANS_TABLE: TableDefinition = {
  id: 'Loans',
  envVar: 'LOANS_TABLE_NAME',
  partitionKey: { name: 'loanId', type: 'S' },
  indexes: [DUE_INDEX],
  // The stream publisher sends the events each sweep write records on the item (SPEC §5.5).
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
  envVar: 'LEDGER_TABLE_NAME',
  partitionKey: { name: 'loanId', type: 'S' },
  sortKey: { name: 'entryId', type: 'S' },
  indexes: [],
};

export const REMINDERS_TABLE: TableDefinition = {
  id: 'Reminders',
  envVar: 'REMINDERS_TABLE_NAME',
  partitionKey: { name: 'loanId', type: 'S' },
  sortKey: { name: 'asOf', type: 'S' },
  indexes: [],
};

export const REPORTS_TABLE: TableDefinition = {
  id: 'Reports',
  envVar: 'REPORTS_TABLE_NAME',
  partitionKey: { name: 'asOf', type: 'S' },
  indexes: [],
  // The reporting service's event-id dedupe markers expire by TTL; report items carry no expiry.
  timeToLiveAttribute: 'expiresAt',
};

export const TABLES = [LOANS_TABLE, LEDGER_TABLE, REMINDERS_TABLE, REPORTS_TABLE] as const;

/** SNS message attribute that every event carries and the filter policies match on. */
export const EVENT_TYPE_ATTRIBUTE = 'eventType';

/** The reminder queue receives only what can become a borrower reminder (SPEC §7). */
export const REMINDER_FILTER_POLICY = {
  [EVENT_TYPE_ATTRIBUTE]: ['loan.payment_due_soon', 'loan.overdue'],
} as const;

/** A subscription of a queue to the events topic, raw delivery (SPEC §9). */
export interface SubscriptionDefinition {
  readonly id: 'Reminder' | 'Reporting';
  /** Subscription filter policy on message attributes; undefined = every event. */
  readonly filterPolicy?: Readonly<Record<string, readonly string[]>>;
}

export const REMINDER_SUBSCRIPTION: SubscriptionDefinition = {
  id: 'Reminder',
  filterPolicy: REMINDER_FILTER_POLICY,
};

/** The reporting queue receives every event (SPEC §8). */
export const REPORTING_SUBSCRIPTION: SubscriptionDefinition = { id: 'Reporting' };

export const SUBSCRIPTIONS = [REMINDER_SUBSCRIPTION, REPORTING_SUBSCRIPTION] as const;

/** Environment variables other than table names that the functions read (SPEC §9). */
export const ENV_VARS = {
  eventsTopicArn: 'EVENTS_TOPIC_ARN',
  businessTimeZone: 'BUSINESS_TIMEZONE',
  feePolicy: 'FEE_POLICY',
  stateMachineArn: 'SWEEP_STATE_MACHINE_ARN',
} as const;

/** CloudWatch namespace of the functions' Powertools metrics (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'OverdueSweep';

/** Powertools service names (`POWERTOOLS_SERVICE_NAME`), also the metrics' `service` dimension. */
export const SERVICE_NAMES = {
  sweep: 'sweep',
  publisher: 'publisher',
  reminder: 'reminder',
  reporting: 'reporting',
} as const;

/** Metric the sweep emits (count 1) when a non-dry run completes; the stale-sweep alarm watches it. */
export const SWEEP_COMPLETED_METRIC = 'SweepCompleted';

/**
 * The metrics (namespace `OverdueSweep`) the functions emit and the dashboard and alarms read, so
 * both sides use one name. Amounts are minor units summed over currencies.
 */
export const METRIC_NAMES = {
  sweep: {
    loansExamined: 'LoansExamined',
    loansOverdue: 'LoansOverdue',
    loansCharged: 'LoansCharged',
    loansChargedOff: 'LoansChargedOff',
    loansSkipped: 'LoansSkipped',
    versionConflicts: 'VersionConflicts',
    eventsRecorded: 'EventsRecorded',
    lateFeesCharged: 'LateFeesCharged',
    penaltyCharged: 'PenaltyCharged',
    lateFeesReversed: 'LateFeesReversed',
    penaltyReversed: 'PenaltyReversed',
    /** Wall time of a whole run, milliseconds, emitted when it completes. */
    runDuration: 'RunDurationMs',
    /** A shard's busy time over all its parts, milliseconds, by `shard` (workflow runs). */
    shardDuration: 'ShardDurationMs',
    completed: SWEEP_COMPLETED_METRIC,
  },
  reporting: {
    /** Overdue loans counted for the day, by `bucket`. */
    overdueLoans: 'OverdueLoans',
    /** Charges counted for the day, by `currency`. */
    chargesApplied: 'ChargesAppliedMinorUnits',
    /** Charges given back after backdated payments counted for the day, by `currency`. */
    chargesReversed: 'ChargesReversedMinorUnits',
    eventsCounted: 'EventsCounted',
  },
  publisher: {
    eventsPublished: 'EventsPublished',
    eventsNotAccepted: 'EventsNotAccepted',
    unreadableOutboxes: 'UnreadableOutboxes',
  },
} as const;
