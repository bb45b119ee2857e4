/**
 * What the reporting service needs from the outside world, in its own words (a port is declared by
 * its user). The DynamoDB adapter (`functions/adapters/report-store.ts`, with the credit records'
 * codec in `credit-record-store.ts`) implements the store;
 * `metrics.ts` implements the observer with Powertools logs and metrics. Nothing here knows an
 * attribute name, an expression or a transaction limit.
 */
import type { CreditRecord } from '../core/credit-records';
import type { MalformedMessage, ParsedEvent } from '../core/event-message';
import type { DailyReport, ReportDelta } from '../core/report';
import type { BusinessDate } from '../core/types';

/** The counters of one business date to add in a commit. */
export interface DateDelta {
  readonly asOf: BusinessDate;
  readonly delta: ReportDelta;
}

/** A loan's credit record of a month as stored, with the version its next write must find. */
export interface StoredCreditRecord {
  readonly record: CreditRecord;
  readonly version: number;
}

/**
 * A credit record to write with a commit: the merge of what was read (at `readVersion`; absent
 * when there was none) and what the batch's events say.
 */
export interface CreditRecordWrite {
  readonly record: CreditRecord;
  readonly readVersion?: number;
}

/** How a commit ended; anything else is thrown (and the commit wrote nothing). */
export type CommitOutcome =
  | { readonly kind: 'committed' }
  /** Nothing was written: these event ids were counted before (retry without them). */
  | { readonly kind: 'already-counted'; readonly eventIds: readonly string[] }
  /** Nothing was written: another writer held an item (retry after a pause). */
  | { readonly kind: 'conflict' }
  /**
   * Nothing was written: these dates' reports list as many runs as they may (retry with the runs
   * of those dates counted as not listed).
   */
  | { readonly kind: 'runs-full'; readonly dates: readonly BusinessDate[] }
  /** Nothing was written: a credit record changed since it was read (read again and retry). */
  | { readonly kind: 'stale-records' };

/** The daily reports as the reporting service sees them. */
export interface ReportStore {
  /** Creates each date's report with empty maps if it is missing (nested updates need the maps). */
  ensureReports(dates: readonly BusinessDate[]): Promise<void>;
  /**
   * Reads the credit records of `keys` (strongly consistent), by `creditRecordKey`; a key with no
   * record is absent.
   */
  readCreditRecords(
    keys: readonly Pick<CreditRecord, 'loanId' | 'month'>[],
  ): Promise<ReadonlyMap<string, StoredCreditRecord>>;
  /**
   * Adds the deltas, writes the credit records and records the event ids as counted, all or
   * nothing.
   * @param expiresAt when the record that an event was counted may be forgotten, epoch seconds.
   */
  commit(
    deltas: readonly DateDelta[],
    creditRecords: readonly CreditRecordWrite[],
    eventIds: readonly string[],
    expiresAt: number,
  ): Promise<CommitOutcome>;
  /**
   * Marks the date's report complete if its summary is of run `runId`, a complete run, and every
   * event that run recorded has been counted. Idempotent; false when it is not (yet) complete.
   */
  completeIfCounted(asOf: BusinessDate, runId: string): Promise<boolean>;
  /** Reads a date's report (strongly consistent), or undefined when nothing was counted. */
  get(asOf: BusinessDate): Promise<DailyReport | undefined>;
}

/** An event whose commit failed with an error (not a conflict): it fails alone. */
export interface RejectedEvent {
  readonly eventId: string;
  readonly messageIds: readonly string[];
  readonly error: unknown;
}

/** What one SQS batch came to, for logs and metrics. */
export interface BatchReport {
  /** Messages whose body is not a valid event, with the reason naming each problem. */
  readonly malformed: readonly MalformedMessage[];
  /** Events newly counted by this batch. */
  readonly counted: readonly ParsedEvent[];
  /** Ids of events counted before: acknowledged without counting. */
  readonly duplicates: readonly string[];
  /** Events the store refused; each fails alone. */
  readonly rejected: readonly RejectedEvent[];
  /** Messages whose commit kept conflicting: SQS redelivers them. */
  readonly conflicted: readonly string[];
  /** Set when counting failed before any commit: the whole batch is redelivered. */
  readonly failure?: unknown;
}

/** Told what each batch came to (the handler turns it into logs and metrics). */
export type ReportingObserver = (report: BatchReport) => void;
