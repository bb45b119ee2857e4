/**
 * What the reminder service needs from the outside world, in its own words (a port is declared by
 * its user). The DynamoDB adapters implement them (`functions/adapters/reminder-loans.ts`,
 * `functions/adapters/reminder-store.ts`); `metrics.ts` implements the observer with Powertools
 * logs and metrics. Nothing here knows an attribute name, an expression or a batch limit.
 */
import type { DatedLine, DayState } from '../core/contact-calendar';
import type { MalformedMessage, ParsedEvent } from '../core/event-message';
import type { LoanState, SuppressionReason } from '../core/reminders';
import type { BusinessDate, Locale } from '../core/types';

/** The loans table as the reminder service reads it: each loan parsed at the edge. */
export interface LoanReader {
  /**
   * The loans as they are now (strongly consistent): each found and parsed, missing, or
   * unreadable with the reason naming the attribute. Every id asked for has an answer.
   */
  read(loanIds: readonly string[]): Promise<ReadonlyMap<string, LoanState>>;
}

/** A borrower's reminder of one business date, by its key. */
export interface ReminderKey {
  readonly borrowerId: string;
  readonly asOf: BusinessDate;
}

/** One date of a borrower as stored: its state, and what a write must find to change it. */
export interface StoredDay {
  readonly state: DayState;
  /** The reminder's revision as read; undefined when the date has no reminder. */
  readonly reminderRevision?: string;
  /** The held lines' revision as read; undefined when none are stored. */
  readonly heldRevision?: string;
}

/** What a stored reminder says besides its lines: derived from them and from the contact policy. */
export interface ReminderText {
  readonly kind: string;
  readonly locale: Locale;
  readonly message: string;
  /** The contact window on the reminder's date, ISO-8601 instants with the zone's offset. */
  readonly sendAfter: string;
  readonly sendBefore: string;
}

/** The new state of one date; `text` is given whenever the state has a reminder. */
export interface DayWrite {
  readonly asOf: BusinessDate;
  readonly state: DayState;
  readonly text?: ReminderText;
}

/** How a conditional write ended; anything else is thrown (and nothing was written). */
export type WriteOutcome = 'written' | 'conflict';

/**
 * A stored date that cannot be read back (written or damaged outside the service): the error names
 * the attribute, never a value. It fails its borrower's messages only.
 */
export interface UnreadableDay {
  readonly unreadable: Error;
}

/** The reminders table as the reminder service sees it (one item per borrower and date). */
export interface ReminderStore {
  /**
   * The reminders of these keys (strongly consistent), keyed by {@link reminderKeyOf}; a key with
   * no reminder is absent, one whose item cannot be read back is an {@link UnreadableDay}. Held
   * lines are not read.
   */
  readReminders(
    keys: readonly ReminderKey[],
  ): Promise<ReadonlyMap<string, StoredDay | UnreadableDay>>;
  /**
   * One borrower's dates `from`…`to` (inclusive, strongly consistent): the dates that hold a
   * reminder, or, with `withHeld`, held lines too.
   */
  readDays(
    borrowerId: string,
    from: BusinessDate,
    to: BusinessDate,
    withHeld: boolean,
  ): Promise<ReadonlyMap<BusinessDate, StoredDay>>;
  /**
   * Writes one date's reminder (its held lines untouched) if the reminder is still as `read`
   * found it: absent, or pending with the revision read.
   */
  putReminder(
    borrowerId: string,
    write: DayWrite,
    read: StoredDay | undefined,
  ): Promise<WriteOutcome>;
  /**
   * Writes every date of `writes` at once, reminders and held lines, if every date of
   * `from`…`to` is still as `read` found it; nothing is written otherwise.
   */
  commit(
    borrowerId: string,
    writes: readonly DayWrite[],
    read: {
      readonly from: BusinessDate;
      readonly to: BusinessDate;
      readonly days: ReadonlyMap<BusinessDate, StoredDay>;
    },
  ): Promise<WriteOutcome>;
}

/** The key the store's answers are keyed by. */
export function reminderKeyOf(key: ReminderKey): string {
  return `${key.borrowerId}\u0000${key.asOf}`;
}

/** An event that gave no line, and why. */
export interface Suppressed {
  readonly event: ParsedEvent;
  readonly reason: SuppressionReason;
  /** For an unreadable loan: the reason naming the attribute. */
  readonly detail?: string;
}

/** A borrower whose reminders could not be written: their messages are redelivered. */
export interface FailedBorrower {
  readonly messageIds: readonly string[];
  readonly error: unknown;
}

/** What one SQS batch came to, for logs and metrics. */
export interface BatchReport {
  /** Messages whose body is not a valid event, with the reason naming each problem. */
  readonly malformed: readonly MalformedMessage[];
  /** Events of a type the reminder does not act on (the subscription filter should keep them out). */
  readonly ignored: readonly ParsedEvent[];
  readonly suppressed: readonly Suppressed[];
  /** Notices whose loan could not be read: their lines were built from the event alone. */
  readonly noticesWithoutLoan: readonly Suppressed[];
  /** Reminders created (a borrower's first line of a date). */
  readonly remindersCreated: number;
  /** Lines added to reminders or changed in them. */
  readonly linesAdded: number;
  /** Lines the weekly cap held back. */
  readonly linesCapped: number;
  /** Lines for a date whose reminder was already sent; notices among them went to the next date. */
  readonly tooLate: readonly DatedLine[];
  readonly moved: readonly DatedLine[];
  /** Notices already in an earlier reminder (a redelivery after a backfill): not added again. */
  readonly noticesAlreadyPlaced: number;
  readonly failed: readonly FailedBorrower[];
  /** Set when the batch failed before any write (a read failed): every message is redelivered. */
  readonly failure?: unknown;
  /** Messages failed back to SQS for a failed read or write (of `failed`, or of `failure`). */
  readonly messagesFailed: number;
}

/** Told what each batch came to (the handler turns it into logs and metrics). */
export type ReminderObserver = (report: BatchReport) => void;
