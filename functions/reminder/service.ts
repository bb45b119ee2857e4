/**
 * The reminder function's work on one SQS batch (docs/contract.md, Reminders): parse each message,
 * read the batch's loans as they are now, give each event its loan's line, and add the lines to
 * each borrower's reminder of the date, one item per borrower and date, under the weekly cap. It
 * knows no AWS client and no Powertools object: the wiring gives it its ports.
 *
 * Writes are conditional, so concurrent batches for one borrower never lose a line: the common
 * case (lines for one date whose neighbours the lines cannot change) is one conditional write of
 * that date's reminder; anything that can change another date (a late event for an earlier date,
 * the cap holding lines back, a reminder already sent) is planned over the borrower's dates around
 * it and committed in one transaction conditioned on every date read (docs/decisions.md, Reminders).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type CalendarPlan,
  type DatedLine,
  type DayState,
  planCalendar,
} from '../core/contact-calendar';
import { type ContactPolicy, contactWindowOn } from '../core/contact-policy';
import { addDays, businessDateOf } from '../core/dates';
import { type ParsedEvent, parseEventBatch } from '../core/event-message';
import { policyFor } from '../core/policy';
import { reminderContent } from '../core/reminder-message';
import {
  isReminderEvent,
  type LoanState,
  lineDatesOf,
  lineFor,
  type ReminderEvent,
  sameLine,
  sameLines,
  withLine,
} from '../core/reminders';
import type { BusinessDate, PolicyBook } from '../core/types';
import { boundedMemo } from '../core/values';
import {
  type DayWrite,
  type FailedBorrower,
  type LoanReader,
  type ReminderKey,
  type ReminderObserver,
  type ReminderStore,
  reminderKeyOf,
  type StoredDay,
  type Suppressed,
  type UnreadableDay,
} from './ports';

/** What the service is built on. */
export interface ReminderServiceDeps {
  readonly loans: LoanReader;
  readonly store: ReminderStore;
  readonly policyBook: PolicyBook;
  readonly contactPolicy: ContactPolicy;
  /** IANA zone of business dates and of the contact window. */
  readonly timeZone: string;
  readonly now: () => Date;
  readonly observer: ReminderObserver;
  /** Waits `ms` milliseconds between conflicting writes (tests pass one that does not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Write attempts per borrower on conflicts before their messages are failed. */
  readonly maxConflictAttempts?: number;
}

/** The reminder function, ready to take SQS batches. */
export interface ReminderService {
  /**
   * Handles one batch. A malformed message fails alone (and reaches the DLQ after retries); a
   * borrower whose reminders could not be written fails their messages only; nothing is lost or
   * doubled by a redelivery.
   */
  handle(event: SQSEvent): Promise<SQSBatchResponse>;
}

const DEFAULT_CONFLICT_ATTEMPTS = 6;
/** How far past its first read a plan may have to look for dates a change reaches (days). */
const MAX_PLAN_REACH_DAYS = 120;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown when a borrower's writes kept conflicting: their messages are redelivered. */
export class ReminderConflictError extends Error {
  constructor(attempts: number) {
    super(`the borrower's reminders kept changing under ${attempts} attempts to write them`);
    this.name = 'ReminderConflictError';
  }
}

/** A line bound for a borrower's reminder, and the message it came from. */
interface Addition extends DatedLine {
  readonly messageId: string;
}

/** What writing one borrower's lines came to. */
interface BorrowerOutcome {
  created: number;
  linesAdded: number;
  linesCapped: number;
  tooLate: DatedLine[];
  moved: DatedLine[];
}

const emptyOutcome = (): BorrowerOutcome => ({
  created: 0,
  linesAdded: 0,
  linesCapped: 0,
  tooLate: [],
  moved: [],
});

/**
 * The dates a date's first reminder is decided from: the six before it decide the cap, the week
 * after whether a later reminder depends on it.
 */
function firstReminderReach(date: BusinessDate): { from: BusinessDate; to: BusinessDate } {
  return { from: addDays(date, -6), to: addDays(date, 7) };
}

/** The earliest of some dates (at least one); business dates sort as text. */
function minDate(dates: Iterable<BusinessDate>): BusinessDate {
  return [...dates].sort()[0] as BusinessDate;
}

/** The latest of some dates (at least one). */
function maxDate(dates: Iterable<BusinessDate>): BusinessDate {
  return [...dates].sort().at(-1) as BusinessDate;
}

/** Lines in `after`'s reminder that `before`'s did not have or said differently. */
function linesChanged(before: DayState | undefined, after: DayState): number {
  let changed = 0;
  for (const [loanId, line] of after.reminder?.lines ?? []) {
    const earlier = before?.reminder?.lines.get(loanId);
    if (!earlier || !sameLine(earlier, line)) changed++;
  }
  return changed;
}

/** Builds the reminder service on `deps`. */
export function createReminderService(deps: ReminderServiceDeps): ReminderService {
  const { store, contactPolicy, timeZone } = deps;
  const cap = contactPolicy.maxContactDaysPer7;
  const sleep = deps.sleep ?? wait;
  const maxAttempts = deps.maxConflictAttempts ?? DEFAULT_CONFLICT_ATTEMPTS;
  // The window of a date is the same for every borrower: worked out once per date.
  const windowOf = boundedMemo(1_000, (date: BusinessDate) =>
    contactWindowOn(date, contactPolicy, timeZone),
  );
  const policyOf = (loan: { readonly productCode?: string }) =>
    policyFor(deps.policyBook, loan.productCode);

  /** The writes that take `plan`'s dates to their new states. */
  const writesOf = (changes: ReadonlyMap<BusinessDate, DayState>): DayWrite[] =>
    [...changes].map(([asOf, state]) => {
      if (!state.reminder) return { asOf, state };
      const content = reminderContent(state.reminder.lines);
      const { sendAfter, sendBefore } = windowOf(asOf);
      return { asOf, state, text: { ...content, sendAfter, sendBefore } };
    });

  const tally = (
    outcome: BorrowerOutcome,
    plan: CalendarPlan,
    before: ReadonlyMap<BusinessDate, StoredDay>,
  ) => {
    for (const [date, after] of plan.changes) {
      const earlier = before.get(date)?.state;
      if (after.reminder && !earlier?.reminder) outcome.created++;
      outcome.linesAdded += linesChanged(earlier, after);
    }
    outcome.linesCapped += plan.capped;
    outcome.tooLate.push(...plan.tooLate);
    outcome.moved.push(...plan.moved);
  };

  /**
   * Plans the borrower's dates around the additions with held lines read too, and commits every
   * change in one transaction conditioned on every date read.
   */
  const planAndCommit = async (borrowerId: string, additions: readonly DatedLine[]) => {
    const dates = additions.map((a) => a.date);
    const from = addDays(minDate(dates), -6);
    const limit = addDays(maxDate(dates), MAX_PLAN_REACH_DAYS);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs(attempt));
      let to = addDays(maxDate(dates), 7);
      let days = await store.readDays(borrowerId, from, to, true);
      let plan = planCalendar({ from, to, days: statesOf(days), additions, cap });
      // A change near the end of what was read may reach later dates: read further.
      while (plan.reachesBeyond && to < limit) {
        to = addDays(to, 14);
        days = await store.readDays(borrowerId, from, to, true);
        plan = planCalendar({ from, to, days: statesOf(days), additions, cap });
      }
      const outcome = emptyOutcome();
      tally(outcome, plan, days);
      if (plan.changes.size === 0) return outcome;
      const written = await store.commit(borrowerId, writesOf(plan.changes), { from, to, days });
      if (written === 'written') return outcome;
    }
    throw new ReminderConflictError(maxAttempts);
  };

  /**
   * Lines for one date whose reminder exists and is pending: one conditional write, unless the
   * cap holds some of them back (then they are planned with the held lines).
   */
  const addToReminder = async (
    borrowerId: string,
    date: BusinessDate,
    additions: readonly DatedLine[],
    read: StoredDay,
  ): Promise<BorrowerOutcome | 'plan' | 'conflict'> => {
    const reminder = read.state.reminder;
    if (!reminder?.pending) return 'plan';
    if (reminder.capped && additions.some((a) => a.line.kind !== 'CREDIT_REPORT_NOTICE')) {
      return 'plan';
    }
    let lines = reminder.lines;
    for (const { line } of additions) lines = withLine(lines, line);
    const outcome = emptyOutcome();
    if (sameLines(lines, reminder.lines)) return outcome;
    const state: DayState = { ...read.state, reminder: { ...reminder, lines } };
    const [write] = writesOf(new Map([[date, state]]));
    if (!write || (await store.putReminder(borrowerId, write, read)) === 'conflict') {
      return 'conflict';
    }
    outcome.linesAdded = linesChanged(read.state, state);
    return outcome;
  };

  /**
   * Lines for one date that has no reminder yet: decided from the six dates before it, and
   * written with one conditional put when nothing else changes. A date at the edge of the cap is
   * checked again after the write, in case an earlier date gained its reminder meanwhile.
   */
  const createReminder = async (
    borrowerId: string,
    date: BusinessDate,
    additions: readonly DatedLine[],
  ): Promise<BorrowerOutcome | 'plan' | 'conflict' | { existing: StoredDay }> => {
    // Read by key, not by a Query of the range: the batch's new reminders start their reads
    // together, so they share one BatchGetItem (docs/decisions.md, Reminders).
    const { from, to } = firstReminderReach(date);
    const dates = datesFrom(from, to);
    const read = await store.readReminders(dates.map((asOf) => ({ borrowerId, asOf })));
    const days = new Map<BusinessDate, StoredDay>();
    for (const asOf of dates) {
      const stored = readable(read.get(reminderKeyOf({ borrowerId, asOf })));
      if (stored) days.set(asOf, stored);
    }
    const existing = days.get(date);
    if (existing) return { existing };
    const plan = planCalendar({ from, to, days: statesOf(days), additions, cap });
    const change = plan.changes.get(date);
    const onlyThisReminder =
      !plan.reachesBeyond &&
      plan.tooLate.length === 0 &&
      plan.moved.length === 0 &&
      plan.changes.size <= 1 &&
      (change === undefined || change.held.size === 0);
    if (!onlyThisReminder) return 'plan';
    const outcome = emptyOutcome();
    if (!change) return outcome;
    const [write] = writesOf(plan.changes);
    if (!write || (await store.putReminder(borrowerId, write, undefined)) === 'conflict') {
      return 'conflict';
    }
    tally(outcome, plan, days);
    if ((plan.windowCounts.get(date) ?? 0) >= cap - 1) {
      const again = await store.readDays(borrowerId, from, addDays(date, -1), false);
      const remindedBefore = (read: ReadonlyMap<BusinessDate, StoredDay>) =>
        [...read]
          .filter(([day, stored]) => day < date && stored.state.reminder)
          .map(([day]) => day)
          .join(',');
      if (remindedBefore(again) !== remindedBefore(days)) {
        // An earlier date changed while this one was decided: decide again with it.
        const replanned = await planAndCommit(borrowerId, additions);
        outcome.linesCapped += replanned.linesCapped;
      }
    }
    return outcome;
  };

  /** Adds one borrower's lines, retrying conflicts; the plan path for anything unusual. */
  const addLines = async (
    borrowerId: string,
    additions: readonly DatedLine[],
    preread: StoredDay | undefined,
  ): Promise<BorrowerOutcome> => {
    const dates = new Set(additions.map((a) => a.date));
    if (dates.size !== 1) return planAndCommit(borrowerId, additions);
    const date = minDate(dates);
    let read = preread;
    let conflicts = 0;
    // Each turn either ends, or conflicts (bounded), or finds the reminder someone just created
    // (then the next turn adds to it): so it ends.
    for (let turn = 0; turn < 2 * maxAttempts; turn++) {
      const result = read
        ? await addToReminder(borrowerId, date, additions, read)
        : await createReminder(borrowerId, date, additions);
      if (result === 'plan') return planAndCommit(borrowerId, additions);
      if (result === 'conflict') {
        conflicts++;
        if (conflicts >= maxAttempts) break;
        await sleep(backoffMs(conflicts + 1));
        read = (await store.readDays(borrowerId, date, date, false)).get(date);
        continue;
      }
      if ('existing' in result) {
        read = result.existing;
        continue;
      }
      return result;
    }
    throw new ReminderConflictError(maxAttempts);
  };

  /**
   * Drops notices already placed in an earlier reminder: a notice raised before today and
   * delivered again (a redrive) must not reach the borrower twice.
   */
  const dropPlacedNotices = async (
    borrowerId: string,
    additions: readonly Addition[],
    today: BusinessDate,
  ): Promise<{ kept: Addition[]; dropped: number }> => {
    const late = additions.filter(
      (a) =>
        a.line.kind === 'CREDIT_REPORT_NOTICE' &&
        a.line.noticeRaisedOn !== undefined &&
        a.line.noticeRaisedOn < today,
    );
    if (late.length === 0) return { kept: [...additions], dropped: 0 };
    const from = minDate(late.map((a) => a.line.noticeRaisedOn as BusinessDate));
    const earlier = await store.readDays(borrowerId, from, addDays(today, -1), false);
    const placed = (addition: Addition) =>
      [...earlier.values()].some((day) => {
        const line = day.state.reminder?.lines.get(addition.line.loanId);
        return (
          line?.kind === 'CREDIT_REPORT_NOTICE' &&
          line.noticeRaisedOn === addition.line.noticeRaisedOn
        );
      });
    const kept = additions.filter((a) => !late.includes(a) || !placed(a));
    return { kept, dropped: additions.length - kept.length };
  };

  return {
    async handle(batch) {
      const { events: received, malformed } = parseEventBatch(batch.Records);
      const ignored: ParsedEvent[] = [];
      const events: { messageId: string; event: ReminderEvent }[] = [];
      for (const { messageId, event } of received) {
        if (isReminderEvent(event)) events.push({ messageId, event });
        else ignored.push(event);
      }
      const failedIds = new Set(malformed.map((m) => m.messageId));
      const suppressed: Suppressed[] = [];
      const noticesWithoutLoan: Suppressed[] = [];
      const failed: FailedBorrower[] = [];
      const total = emptyOutcome();
      let noticesAlreadyPlaced = 0;
      let failure: unknown;

      const now = deps.now();
      const today = businessDateOf(now, timeZone);
      const todayClosed = now.getTime() > windowOf(today).closesAtMs;
      const datesOf = new Map(
        events.map(({ event }) => [event, lineDatesOf(event, today, todayClosed)] as const),
      );

      try {
        const keys = new Map<string, ReminderKey>();
        for (const { event } of events) {
          for (const asOf of datesOf.get(event) ?? []) {
            const key = { borrowerId: event.borrowerId, asOf };
            keys.set(reminderKeyOf(key), key);
          }
        }
        const loanIds = [...new Set(events.map(({ event }) => event.loanId))];
        const [loans, reminders] = await Promise.all([
          loanIds.length > 0 ? deps.loans.read(loanIds) : new Map<string, LoanState>(),
          keys.size > 0
            ? store.readReminders([...keys.values()])
            : new Map<string, StoredDay | UnreadableDay>(),
        ]);

        const byBorrower = new Map<string, Addition[]>();
        for (const { messageId, event } of events) {
          const state: LoanState = loans.get(event.loanId) ?? { kind: 'missing' };
          const unread = state.kind === 'missing' ? 'loan-not-found' : 'loan-unreadable';
          if (state.kind !== 'found' && event.type === 'loan.credit_report_notice') {
            noticesWithoutLoan.push({
              event,
              reason: unread,
              ...(state.kind === 'unreadable' && { detail: state.reason }),
            });
          }
          for (const date of datesOf.get(event) ?? []) {
            const decision = lineFor(event, state, policyOf, date);
            if ('suppressed' in decision) {
              suppressed.push({
                event,
                reason: decision.suppressed,
                ...(state.kind === 'unreadable' && { detail: state.reason }),
              });
              break; // the same for every date of the event
            }
            const additions = byBorrower.get(event.borrowerId) ?? [];
            additions.push({ date, line: decision.line, messageId });
            byBorrower.set(event.borrowerId, additions);
          }
        }

        await Promise.all(
          [...byBorrower].map(async ([borrowerId, all]) => {
            try {
              const { kept, dropped } = await dropPlacedNotices(borrowerId, all, today);
              noticesAlreadyPlaced += dropped;
              const first = kept[0];
              if (!first) return;
              const preread = readable(
                reminders.get(reminderKeyOf({ borrowerId, asOf: first.date })),
              );
              const outcome = await addLines(borrowerId, kept, preread);
              total.created += outcome.created;
              total.linesAdded += outcome.linesAdded;
              total.linesCapped += outcome.linesCapped;
              total.tooLate.push(...outcome.tooLate);
              total.moved.push(...outcome.moved);
            } catch (error) {
              const messageIds = [...new Set(all.map((a) => a.messageId))];
              for (const id of messageIds) failedIds.add(id);
              failed.push({ messageIds, error });
            }
          }),
        );
      } catch (error) {
        // A read failed before any write: the whole batch is safe to redeliver.
        for (const { messageId } of events) failedIds.add(messageId);
        failure = error;
      }
      deps.observer({
        malformed,
        ignored,
        suppressed,
        noticesWithoutLoan,
        remindersCreated: total.created,
        linesAdded: total.linesAdded,
        linesCapped: total.linesCapped,
        tooLate: total.tooLate,
        moved: total.moved,
        noticesAlreadyPlaced,
        failed,
        ...(failure !== undefined && { failure }),
        messagesFailed: failedIds.size - malformed.length,
      });
      return { batchItemFailures: [...failedIds].map((itemIdentifier) => ({ itemIdentifier })) };
    },
  };
}

/** Jittered backoff before write attempt `attempt` (2, 3, …), milliseconds. */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(1_000, 20 * 2 ** (attempt - 2));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** The dates `from`…`to`, in order. */
function datesFrom(from: BusinessDate, to: BusinessDate): BusinessDate[] {
  const dates: BusinessDate[] = [];
  for (let asOf = from; asOf <= to; asOf = addDays(asOf, 1)) dates.push(asOf);
  return dates;
}

/**
 * A date as read, or its borrower's failure when its item cannot be read back: thrown inside that
 * borrower's work, so only their messages are redelivered (and reach the dead-letter queue, the
 * error naming the attribute, until the item is repaired).
 */
function readable(day: StoredDay | UnreadableDay | undefined): StoredDay | undefined {
  if (day !== undefined && 'unreadable' in day) throw day.unreadable;
  return day;
}

function statesOf(days: ReadonlyMap<BusinessDate, StoredDay>): Map<BusinessDate, DayState> {
  return new Map([...days].map(([date, stored]) => [date, stored.state]));
}
