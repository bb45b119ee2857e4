/**
 * The names logs and metrics go by: the functions' Powertools service names, the CloudWatch
 * namespace and every metric the functions emit and the dashboard and alarms read, so both sides use
 * one name. Amounts are minor units summed over currencies.
 */

/** CloudWatch namespace of the functions' Powertools metrics (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'OverdueSweep';

/** Powertools service names (`POWERTOOLS_SERVICE_NAME`), also the metrics' `service` dimension. */
export const SERVICE_NAMES = {
  sweep: 'sweep',
  publisher: 'publisher',
  reminder: 'reminder',
  reporting: 'reporting',
} as const;

/** The product's functions, by their Powertools service name. */
export type ServiceName = (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES];

/** The metrics (namespace `OverdueSweep`) each function emits. */
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
    /**
     * Count 1 when a non-dry run completes with its sweep.completed recorded in its run record;
     * the stale-sweep alarm watches it.
     */
    completed: 'SweepCompleted',
  },
  publisher: {
    eventsPublished: 'EventsPublished',
    /** PublishBatch calls made (events per call = efficiency of the packing). */
    publishBatchCalls: 'PublishBatchCalls',
    /** Events SNS failed for a passing reason (throttling, an outage): their record is retried. */
    eventsNotAccepted: 'EventsNotAccepted',
    /** Stream records whose recorded events cannot be read: nothing of them is published. */
    unreadableOutboxes: 'UnreadableOutboxes',
    /** Events SNS can never accept as they are (too large, refused as invalid): not retried. */
    eventsUnpublishable: 'EventsUnpublishable',
    /** ACTIVE loans written with index keys the due index can never bring to the sweep. */
    unreachableLoans: 'UnreachableLoans',
  },
  reminder: {
    /** Borrower reminders written for the first time (one per borrower and date). */
    remindersCreated: 'RemindersCreated',
    /** Loan lines added to (or changed in) a borrower's reminder. */
    linesAdded: 'ReminderLinesAdded',
    /** The rules or the loan's state gave an event no line, by `reason`. */
    remindersSuppressed: 'RemindersSuppressed',
    /** The loan could not be read or parsed (a notice still goes, from the event). */
    remindersSkipped: 'RemindersSkipped',
    /** Lines the weekly contact cap held back (credit-report notices are never held). */
    linesCapped: 'ReminderLinesCapped',
    /** Lines that came after their date's reminder was sent (notices move to the next date). */
    linesTooLate: 'ReminderLinesTooLate',
    /** Messages whose body is not an event. */
    malformedEvents: 'MalformedEvents',
    /**
     * Messages handed back to SQS because their reminders could not be read or written (the
     * malformed ones excluded): redelivered, and after five receives in the dead-letter queue.
     */
    messagesFailed: 'ReminderMessagesFailed',
  },
  reporting: {
    /** Overdue loans counted for the day, by `bucket`. */
    overdueLoans: 'OverdueLoans',
    /** Charges counted for the day, by `currency`. */
    chargesApplied: 'ChargesAppliedMinorUnits',
    /** Charges given back after backdated payments counted for the day, by `currency`. */
    chargesReversed: 'ChargesReversedMinorUnits',
    eventsCounted: 'EventsCounted',
    /** Messages whose body is not an event. */
    malformedEvents: 'MalformedEvents',
    /** Events delivered again after they were counted. */
    duplicateEvents: 'DuplicateEvents',
    /** Events the reports table cannot store; each fails alone. */
    uncountableEvents: 'UncountableEvents',
  },
} as const;
