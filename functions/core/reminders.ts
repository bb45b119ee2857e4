/**
 * Borrower reminders, line by line (docs/contract.md, Reminders): which event gives its loan a
 * line in the borrower's reminder of which date, what the line says, and how the lines of one loan
 * and date merge. Pure: the reminder service reads the loan as it is now and hands it in.
 */
import { REMINDER_EVENT_TYPES, type ReminderEventType } from '../contract/events';
import { isForborneOn } from './charges';
import { addDays, daysBetween } from './dates';
import type { ParsedLoanEvent } from './event-message';
import {
  amountOverdueOn,
  daysPastDueOn,
  isOverdueOn,
  isUnpaid,
  unpaidAmount,
} from './installments';
import type { BusinessDate, CurrencyCode, FeePolicy, Loan, Locale, MinorUnits } from './types';

/** The kinds of line, most urgent first: a loan's line on a date takes the most urgent kind. */
export const REMINDER_KINDS = [
  'CREDIT_REPORT_NOTICE',
  'PROMISE_BROKEN',
  'HARDSHIP_OFFER',
  'OVERDUE',
  'PAYMENT_DUE_SOON',
] as const;

/** A kind of reminder line. */
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** 0 for the most urgent kind, 4 for the least. */
export function urgencyOf(kind: ReminderKind): number {
  return REMINDER_KINDS.indexOf(kind);
}

/** The events the reminder queue receives (its subscription filter policy). */
export type ReminderEvent = Extract<ParsedLoanEvent, { readonly type: ReminderEventType }>;

/** True when a parsed event is one the reminder service acts on. */
export function isReminderEvent(event: { readonly type: string }): event is ReminderEvent {
  return (REMINDER_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Days past due on which an overdue line is added; then every 30 days after the last. */
export const OVERDUE_REMINDER_DPDS: readonly number[] = [1, 3, 7, 15, 30];
const OVERDUE_REMINDER_PERIOD = 30;

/** True when an overdue loan at `dpd` days past due gets a line (1, 3, 7, 15, 30, 60, 90, …). */
export function isOverdueReminderDay(dpd: number): boolean {
  if (OVERDUE_REMINDER_DPDS.includes(dpd)) return true;
  return dpd > OVERDUE_REMINDER_PERIOD && dpd % OVERDUE_REMINDER_PERIOD === 0;
}

/**
 * One loan's line in a borrower's reminder: its most urgent kind and what each of that date's
 * events for the loan says. Amounts in minor units of `currency`; only the fields its events
 * give are present.
 */
export interface ReminderLine {
  readonly loanId: string;
  readonly kind: ReminderKind;
  readonly currency: CurrencyCode;
  /** The loan's locale: the reminder is written in its most urgent line's. */
  readonly locale: Locale;
  /** Days past due (overdue, notice, plan offer, broken promise). */
  readonly dpd?: number;
  /** Unpaid principal + interest of the overdue instalments (charges not included). */
  readonly amountOverdue?: MinorUnits;
  /** Due-soon: the instalment, its due date, days from the line's date, what is left to pay. */
  readonly installmentSeq?: number;
  readonly dueDate?: BusinessDate;
  readonly daysUntilDue?: number;
  readonly amountDue?: MinorUnits;
  /** Notice: the date the overdue will be reported on if it is not repaid. */
  readonly settlementDate?: BusinessDate;
  /** Notice: the business date the sweep raised it (earlier than the line's date after a backfill). */
  readonly noticeRaisedOn?: BusinessDate;
  /** Plan offer: the link the borrower follows. */
  readonly offerId?: string;
  /** Broken promise: its id, last date, what was promised and what was paid. */
  readonly promiseId?: string;
  readonly until?: BusinessDate;
  readonly amount?: MinorUnits;
  readonly paid?: MinorUnits;
}

/** A loan as the reminder service read it: parsed, absent, or the reason it cannot be read. */
export type LoanState =
  | { readonly kind: 'found'; readonly loan: Loan }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Why an event gives its loan no line (logged and counted, never an error). */
export type SuppressionReason =
  | 'loan-not-found'
  | 'loan-unreadable'
  | 'borrower-changed'
  | 'not-active'
  | 'opted-out'
  | 'forbearance'
  | 'promise-pending'
  | 'not-a-reminder-day'
  | 'no-longer-overdue'
  | 'installment-paid'
  | 'installment-overdue';

/** A line, or why there is none. */
export type LineDecision =
  | { readonly line: ReminderLine }
  | { readonly suppressed: SuppressionReason };

/** The line without its absent fields (stored and compared as it is). */
function compact(line: ReminderLine): ReminderLine {
  return Object.fromEntries(
    Object.entries(line).filter(([, value]) => value !== undefined),
  ) as unknown as ReminderLine;
}

/**
 * The credit-report notice's line on `date`: always (the legal notice is not marketing), from the
 * loan as read when it can be read, else from the event. It states the amount overdue and days past
 * due on `date` while the loan is still overdue, else what the notice was raised with.
 */
function noticeLine(
  event: Extract<ReminderEvent, { type: 'loan.credit_report_notice' }>,
  state: LoanState,
  policyOf: (loan: Loan) => FeePolicy,
  date: BusinessDate,
): ReminderLine {
  const loan = state.kind === 'found' ? state.loan : undefined;
  const policy = loan && policyOf(loan);
  const freshAmount = loan && policy ? amountOverdueOn(loan, policy, date) : 0;
  const fresh = freshAmount > 0 && loan && policy;
  return compact({
    loanId: event.loanId,
    kind: 'CREDIT_REPORT_NOTICE',
    currency: loan?.currency ?? event.data.currency,
    locale: loan?.locale ?? 'zh-CN',
    dpd: fresh ? daysPastDueOn(loan, policy, date) : event.data.dpd,
    amountOverdue: fresh ? freshAmount : event.data.amountOverdue,
    settlementDate: event.data.settlementDate,
    noticeRaisedOn: event.asOf,
  });
}

/**
 * Decides the line `event` gives its loan in the borrower's reminder of `date` (the event's own
 * date; for a notice, the date it is delivered on, see {@link lineDatesOf}), given the loan as read
 * now: so a borrower who has paid since the sweep is spared, and a forbearance or an opt-out
 * recorded since counts. Amounts come from the loan as read.
 */
export function lineFor(
  event: ReminderEvent,
  state: LoanState,
  policyOf: (loan: Loan) => FeePolicy,
  date: BusinessDate = event.asOf,
): LineDecision {
  if (event.type === 'loan.credit_report_notice') {
    return { line: noticeLine(event, state, policyOf, date) };
  }
  if (state.kind === 'missing') return { suppressed: 'loan-not-found' };
  if (state.kind === 'unreadable') return { suppressed: 'loan-unreadable' };
  const { loan } = state;
  // The reminder goes to the borrower the event names; a loan that changed hands since is not theirs.
  if (loan.borrowerId !== event.borrowerId) return { suppressed: 'borrower-changed' };
  // A loan that is paid off, charged off or cancelled is collections' or nobody's business.
  if (loan.status !== 'ACTIVE') return { suppressed: 'not-active' };
  if (loan.remindersOptOut) return { suppressed: 'opted-out' };
  const policy = policyOf(loan);
  const { asOf } = event;
  const base = { loanId: loan.loanId, currency: loan.currency, locale: loan.locale };

  if (event.type === 'loan.payment_due_soon') {
    const inst = loan.installments.find((i) => i.seq === event.data.installmentSeq);
    if (!inst || !isUnpaid(inst, policy)) return { suppressed: 'installment-paid' };
    // The schedule changed since the event (a due date moved earlier): the instalment is already
    // overdue on the event's date, and the overdue reminders, not "due in -2 days", speak for it.
    if (inst.dueDate < asOf) return { suppressed: 'installment-overdue' };
    return {
      line: {
        ...base,
        kind: 'PAYMENT_DUE_SOON',
        installmentSeq: inst.seq,
        dueDate: inst.dueDate,
        daysUntilDue: daysBetween(asOf, inst.dueDate),
        amountDue: unpaidAmount(inst),
      },
    };
  }

  const inForbearance = isForborneOn(loan, asOf);
  if (event.type === 'loan.overdue') {
    if (!isOverdueReminderDay(event.data.dpd)) return { suppressed: 'not-a-reminder-day' };
    if (event.data.forbearance || inForbearance) return { suppressed: 'forbearance' };
    // As of the sweep's run; an event without the field predates promises (docs/decisions.md).
    if (event.data.promisePending === true) return { suppressed: 'promise-pending' };
  }
  // An agreed plan is written back as forbearance: an offer made before it is moot.
  if (event.type === 'loan.hardship_offer' && inForbearance) return { suppressed: 'forbearance' };
  if (!isOverdueOn(loan, policy, asOf)) return { suppressed: 'no-longer-overdue' };
  const overdue = {
    dpd: daysPastDueOn(loan, policy, asOf),
    amountOverdue: amountOverdueOn(loan, policy, asOf),
  };

  switch (event.type) {
    case 'loan.overdue':
      return { line: { ...base, kind: 'OVERDUE', ...overdue, dpd: event.data.dpd } };
    case 'loan.hardship_offer':
      return {
        line: { ...base, kind: 'HARDSHIP_OFFER', ...overdue, offerId: event.data.offerId },
      };
    case 'loan.promise_broken':
      return {
        line: {
          ...base,
          kind: 'PROMISE_BROKEN',
          ...overdue,
          promiseId: event.data.promiseId,
          until: event.data.until,
          amount: event.data.amount,
          paid: event.data.paid,
        },
      };
  }
}

/**
 * The dates whose reminder an event's line goes into. Every event's own date, except that a
 * notice raised for a date before `today` goes into today's reminder (a backfill still tells the
 * borrower), and a notice that reaches today's reminder after today's window has closed goes into
 * tomorrow's as well, so that a gateway sends it.
 */
export function lineDatesOf(
  event: ReminderEvent,
  today: BusinessDate,
  todayWindowClosed: boolean,
): readonly BusinessDate[] {
  if (event.type !== 'loan.credit_report_notice' || event.asOf > today) return [event.asOf];
  return todayWindowClosed ? [today, addDays(today, 1)] : [today];
}

type Field = keyof ReminderLine;

/** Fields merged by taking the larger value; every other field takes the smaller one. */
const LARGER: ReadonlySet<Field> = new Set<Field>(['dpd']);

function pick<T extends string | number>(field: Field, a: T, b: T): T {
  if (LARGER.has(field)) return a >= b ? a : b;
  return a <= b ? a : b;
}

/**
 * Merges two lines of one loan and date: the most urgent kind, and every field either carries.
 * Where both carry a field, amounts take the smaller (payments only lower them) and days past due
 * the larger; they agree unless the loan changed between the two reads. Commutative, associative
 * and idempotent, so any order of events and any redelivery give the same line.
 */
export function mergeLines(a: ReminderLine, b: ReminderLine): ReminderLine {
  const merged: Record<string, string | number> = {};
  const fields = new Set([...Object.keys(a), ...Object.keys(b)] as Field[]);
  for (const field of fields) {
    const x = a[field];
    const y = b[field];
    if (x === undefined) merged[field] = y as string | number;
    else if (y === undefined) merged[field] = x;
    else if (field === 'kind') {
      merged.kind = urgencyOf(x as ReminderKind) <= urgencyOf(y as ReminderKind) ? x : y;
    } else merged[field] = pick(field, x, y);
  }
  return merged as unknown as ReminderLine;
}

/** True when two lines say the same (field by field). */
export function sameLine(a: ReminderLine, b: ReminderLine): boolean {
  const keys = Object.keys(a) as Field[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Lines by loan id; a loan has at most one line per date. */
export type Lines = ReadonlyMap<string, ReminderLine>;

/** `lines` with `line` merged into its loan's line. */
export function withLine(lines: Lines, line: ReminderLine): Map<string, ReminderLine> {
  const next = new Map(lines);
  const current = next.get(line.loanId);
  next.set(line.loanId, current ? mergeLines(current, line) : line);
  return next;
}

/** True when two sets of lines say the same. */
export function sameLines(a: Lines, b: Lines): boolean {
  if (a.size !== b.size) return false;
  for (const [loanId, line] of a) {
    const other = b.get(loanId);
    if (!other || !sameLine(line, other)) return false;
  }
  return true;
}

/** The lines most urgent first, then by loan id: the order the reminder lists them in. */
export function orderedLines(lines: Iterable<ReminderLine>): ReminderLine[] {
  return [...lines].sort(
    (a, b) =>
      urgencyOf(a.kind) - urgencyOf(b.kind) ||
      (a.loanId < b.loanId ? -1 : a.loanId > b.loanId ? 1 : 0),
  );
}
