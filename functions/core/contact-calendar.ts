/**
 * A borrower's contact calendar under the weekly cap (docs/contract.md, Reminders): which lines
 * each business date's reminder holds and which the cap holds back. The rule is the contract's,
 * applied date by date in calendar order: on a date whose previous six dates already have
 * `maxContactDaysPer7` reminders, only credit-report notices are added; a date with a reminder
 * counts, whatever its lines.
 *
 * The result is a function of the lines each date has been given, not of the order they came in:
 * the lines the cap holds back are kept, so that when a late event changes an earlier date (a
 * backfill), the later dates are decided again as the rule would have decided them — a reminder
 * that is now over the cap gives its other lines back to the held ones, one that is now under it
 * gets them. A reminder a gateway has sent never changes again; it counts as it is. Pure.
 */
import { addDays } from './dates';
import { type Lines, type ReminderLine, sameLines, withLine } from './reminders';
import type { BusinessDate } from './types';

/** The window the cap looks back over: the date and the six before it. */
export const CAP_WINDOW_DAYS = 7;

/** The borrower's reminder of one date. */
export interface DayReminder {
  readonly lines: Lines;
  /** True when the date is at the cap: only notices are added to it. */
  readonly capped: boolean;
  /** False once a gateway has sent it: its lines never change again. */
  readonly pending: boolean;
}

/** What one date of a borrower's calendar holds. */
export interface DayState {
  /** The date's reminder, when it has one (a reminder always has a line). */
  readonly reminder?: DayReminder;
  /** Lines the cap holds back on the date, by loan id (empty when none). */
  readonly held: Lines;
}

/** A line for the reminder of `date`. */
export interface DatedLine {
  readonly date: BusinessDate;
  readonly line: ReminderLine;
}

/** One borrower's dates `from`…`to` as read, and the lines to add. */
export interface CalendarInput {
  /** First date read: at least six days before the earliest addition. */
  readonly from: BusinessDate;
  /** Last date read (inclusive): at least six days after the latest addition. */
  readonly to: BusinessDate;
  /** The dates that hold anything; a date not here holds nothing. */
  readonly days: ReadonlyMap<BusinessDate, DayState>;
  readonly additions: readonly DatedLine[];
  /** Most dates with a reminder in any seven consecutive ones. */
  readonly cap: number;
}

/** What the additions change. */
export interface CalendarPlan {
  /** The new state of every date that changed. */
  readonly changes: ReadonlyMap<BusinessDate, DayState>;
  /** Reminders before each date decided again (dates of `changes` and of the additions). */
  readonly windowCounts: ReadonlyMap<BusinessDate, number>;
  /** Lines newly held back by the cap (additions, and lines given back by a reminder). */
  readonly capped: number;
  /** Lines (not notices) whose date's reminder was already sent: dropped. */
  readonly tooLate: readonly DatedLine[];
  /** Notices whose date's reminder was already sent: moved to the next date's reminder. */
  readonly moved: readonly DatedLine[];
  /**
   * True when a date within six days of `to` gained or lost its reminder: dates after `to`, which
   * were not read, may depend on it, so the caller reads further and plans again.
   */
  readonly reachesBeyond: boolean;
}

const EMPTY: DayState = { held: new Map() };

const hasReminder = (state: DayState | undefined) => (state?.reminder?.lines.size ?? 0) > 0;

function sameDay(a: DayState, b: DayState): boolean {
  if (!sameLines(a.held, b.held)) return false;
  if (!a.reminder || !b.reminder) return !a.reminder && !b.reminder;
  return (
    a.reminder.capped === b.reminder.capped &&
    a.reminder.pending === b.reminder.pending &&
    sameLines(a.reminder.lines, b.reminder.lines)
  );
}

/**
 * Adds `additions` to a borrower's calendar and decides every date from the earliest addition to
 * `to` again, in date order, by the weekly cap.
 */
export function planCalendar(input: CalendarInput): CalendarPlan {
  const { days, cap, to } = input;
  const loaded = (date: BusinessDate) => days.get(date) ?? EMPTY;

  // Lines given to each date; a notice for a sent reminder moves to the next date's.
  const given = new Map<BusinessDate, Map<string, ReminderLine>>();
  const tooLate: DatedLine[] = [];
  const moved: DatedLine[] = [];
  for (const addition of input.additions) {
    let date = addition.date;
    while (loaded(date).reminder?.pending === false) {
      if (addition.line.kind !== 'CREDIT_REPORT_NOTICE') break;
      date = addDays(date, 1);
    }
    if (loaded(date).reminder?.pending === false) {
      tooLate.push(addition);
      continue;
    }
    if (date !== addition.date) moved.push({ date, line: addition.line });
    given.set(date, withLine(given.get(date) ?? new Map(), addition.line));
  }
  if (given.size === 0) {
    return {
      changes: new Map(),
      windowCounts: new Map(),
      capped: 0,
      tooLate,
      moved,
      reachesBeyond: false,
    };
  }

  // Business dates sort as text.
  const start = [...given.keys()].sort()[0] as BusinessDate;
  const decided = new Map<BusinessDate, DayState>();
  const reminded = (date: BusinessDate) => hasReminder(decided.get(date) ?? loaded(date));
  const changes = new Map<BusinessDate, DayState>();
  const windowCounts = new Map<BusinessDate, number>();
  let capped = 0;
  let reachesBeyond = false;
  const lastReadable = addDays(to, 1 - CAP_WINDOW_DAYS);

  for (let date = start; date <= to; date = addDays(date, 1)) {
    const before = loaded(date);
    if (before.reminder?.pending === false) continue; // sent: as it is
    let candidates: Lines = new Map([...before.held, ...(before.reminder?.lines ?? new Map())]);
    for (const line of given.get(date)?.values() ?? []) candidates = withLine(candidates, line);
    if (candidates.size === 0) continue;
    let count = 0;
    for (let back = 1; back < CAP_WINDOW_DAYS; back++) {
      if (reminded(addDays(date, -back))) count++;
    }
    const atCap = count >= cap;
    const active = new Map<string, ReminderLine>();
    const held = new Map<string, ReminderLine>();
    for (const [loanId, line] of candidates) {
      if (!atCap || line.kind === 'CREDIT_REPORT_NOTICE') active.set(loanId, line);
      else held.set(loanId, line);
    }
    const after: DayState = {
      held,
      ...(active.size > 0 && { reminder: { lines: active, capped: atCap, pending: true } }),
    };
    decided.set(date, after);
    if (given.has(date) || !sameDay(before, after)) windowCounts.set(date, count);
    if (sameDay(before, after)) continue;
    changes.set(date, after);
    for (const loanId of held.keys()) if (!before.held.has(loanId)) capped++;
    if (hasReminder(before) !== hasReminder(after) && date >= lastReadable) reachesBeyond = true;
  }
  return { changes, windowCounts, capped, tooLate, moved, reachesBeyond };
}
