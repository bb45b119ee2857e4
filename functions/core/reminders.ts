/**
 * Borrower reminders (SPEC §7): which events become a reminder today, the message in the loan's
 * locale, and when the messaging gateway may send it. Pure: the reminder service reads the loan
 * and writes the result.
 */
import { daysBetween, MS_PER_MINUTE, wallClockOf } from './dates';
import type { ParsedLoanEvent } from './event-message';
import {
  amountOverdueOn,
  daysPastDueOn,
  isOverdueOn,
  isUnpaid,
  unpaidAmount,
} from './installments';
import { formatMoney } from './money';
import type { BusinessDate, CurrencyCode, FeePolicy, Loan, Locale, MinorUnits } from './types';

/** The events the reminder queue receives (its subscription filter policy, SPEC §7). */
export type ReminderEvent = Extract<
  ParsedLoanEvent,
  { readonly type: 'loan.payment_due_soon' | 'loan.overdue' }
>;

/** True when a parsed event is one the reminder service acts on. */
export function isReminderEvent(event: { readonly type: string }): event is ReminderEvent {
  return event.type === 'loan.payment_due_soon' || event.type === 'loan.overdue';
}

export type ReminderKind = 'PAYMENT_DUE_SOON' | 'OVERDUE';

/** Days past due on which an overdue reminder goes out; then every 30 days after the last. */
export const OVERDUE_REMINDER_DPDS: readonly number[] = [1, 3, 7, 15, 30];
const OVERDUE_REMINDER_PERIOD = 30;

/** True when an overdue loan at `dpd` days past due is reminded today (1, 3, 7, 15, 30, 60, 90, …). */
export function isOverdueReminderDay(dpd: number): boolean {
  if (OVERDUE_REMINDER_DPDS.includes(dpd)) return true;
  return dpd > OVERDUE_REMINDER_PERIOD && dpd % OVERDUE_REMINDER_PERIOD === 0;
}

/** What a reminder says; amounts in minor units of `currency`. */
export type ReminderContent =
  | {
      readonly kind: 'PAYMENT_DUE_SOON';
      readonly loanId: string;
      readonly installmentSeq: number;
      readonly dueDate: BusinessDate;
      /** 0 = due today. */
      readonly daysUntilDue: number;
      readonly amount: MinorUnits;
      readonly currency: CurrencyCode;
    }
  | {
      readonly kind: 'OVERDUE';
      readonly loanId: string;
      readonly dpd: number;
      readonly amount: MinorUnits;
      readonly currency: CurrencyCode;
    };

/** Why an event does not become a reminder (logged and counted, never an error). */
export type SuppressionReason =
  | 'not-active'
  | 'opted-out'
  | 'forbearance'
  | 'not-a-reminder-day'
  | 'no-longer-overdue'
  | 'installment-paid'
  | 'overdue-takes-precedence';

export type ReminderDecision =
  | { readonly send: true; readonly content: ReminderContent; readonly locale: Locale }
  | { readonly send: false; readonly reason: SuppressionReason };

/**
 * Decides whether `event` becomes a reminder, given the loan as read at this moment (so a borrower
 * who has paid since the sweep is spared) and its fee policy. Amounts come from the fresh loan.
 * Rule for one reminder a day: when the loan is on an overdue reminder day, the overdue reminder
 * owns the contact and due-soon gives way, whatever the order the two events arrive in; on other
 * days a due-soon reminder goes out even while an earlier instalment is overdue.
 */
export function decideReminder(
  event: ReminderEvent,
  loan: Loan,
  policy: FeePolicy,
): ReminderDecision {
  const asOf = event.asOf;
  // A loan that is paid off, charged off or cancelled is collections' or nobody's business.
  if (loan.status !== 'ACTIVE') return { send: false, reason: 'not-active' };
  if (loan.remindersOptOut) return { send: false, reason: 'opted-out' };
  const inForbearance = loan.forbearanceUntil !== undefined && asOf <= loan.forbearanceUntil;
  if (inForbearance || (event.type === 'loan.overdue' && event.data.forbearance)) {
    return { send: false, reason: 'forbearance' };
  }
  const overdueNow = isOverdueOn(loan, policy, asOf);

  if (event.type === 'loan.overdue') {
    if (!isOverdueReminderDay(event.data.dpd)) return { send: false, reason: 'not-a-reminder-day' };
    if (!overdueNow) return { send: false, reason: 'no-longer-overdue' };
    return {
      send: true,
      locale: loan.locale,
      content: {
        kind: 'OVERDUE',
        loanId: loan.loanId,
        dpd: event.data.dpd,
        amount: amountOverdueOn(loan, policy, asOf),
        currency: loan.currency,
      },
    };
  }

  if (overdueNow && isOverdueReminderDay(daysPastDueOn(loan, policy, asOf))) {
    return { send: false, reason: 'overdue-takes-precedence' };
  }
  const inst = loan.installments.find((i) => i.seq === event.data.installmentSeq);
  if (!inst || !isUnpaid(inst, policy)) return { send: false, reason: 'installment-paid' };
  return {
    send: true,
    locale: loan.locale,
    content: {
      kind: 'PAYMENT_DUE_SOON',
      loanId: loan.loanId,
      installmentSeq: inst.seq,
      dueDate: inst.dueDate,
      daysUntilDue: daysBetween(asOf, inst.dueDate),
      amount: unpaidAmount(inst),
      currency: loan.currency,
    },
  };
}

function dueWhenZh(daysUntilDue: number): string {
  if (daysUntilDue === 0) return '今天';
  if (daysUntilDue === 1) return '明天';
  return `${daysUntilDue}天后`;
}

function dueWhenEn(daysUntilDue: number): string {
  if (daysUntilDue === 0) return 'today';
  if (daysUntilDue === 1) return 'tomorrow';
  return `in ${daysUntilDue} days`;
}

/** Renders the reminder text in zh-CN or en; it names the loan id only (no personal data). */
export function renderReminderMessage(content: ReminderContent, locale: Locale): string {
  const money = formatMoney(content.amount, content.currency, locale);
  if (locale === 'zh-CN') {
    return content.kind === 'PAYMENT_DUE_SOON'
      ? `【还款提醒】您的借款（编号 ${content.loanId}）第${content.installmentSeq}期应还 ${money}，` +
          `将于${dueWhenZh(content.daysUntilDue)}（${content.dueDate}）到期，请按时还款。`
      : `【逾期提醒】您的借款（编号 ${content.loanId}）已逾期${content.dpd}天，逾期金额 ${money}，` +
          '请尽快还款，以免产生更多费用。';
  }
  return content.kind === 'PAYMENT_DUE_SOON'
    ? `Payment reminder: instalment ${content.installmentSeq} of your loan ${content.loanId}, ` +
        `${money}, is due ${dueWhenEn(content.daysUntilDue)} (${content.dueDate}). Please pay on time.`
    : `Overdue notice: your loan ${content.loanId} is ${content.dpd} ${content.dpd === 1 ? 'day' : 'days'} ` +
        `past due with ${money} overdue. Please pay as soon as possible to avoid further charges.`;
}

/** Local hour (business time) from which a reminder may be sent: nobody is contacted 22:00–08:00. */
export const REMINDER_SEND_HOUR = 9;

const two = (n: number) => String(n).padStart(2, '0');

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/**
 * The instant a reminder may be sent: 09:00 business time on `asOf`, as ISO-8601 with the zone's
 * offset on that date, e.g. `2026-11-28T09:00:00+08:00` (daylight saving included).
 */
export function sendAfterOf(asOf: BusinessDate, timeZone: string): string {
  const [year, month, day] = asOf.split('-').map(Number) as [number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day, REMINDER_SEND_HOUR);
  // Two passes settle the offset when the naive guess lands on the other side of a DST change.
  const firstGuess = wallAsUtc - wallClockOf(wallAsUtc, timeZone).offsetMinutes * MS_PER_MINUTE;
  const instant = wallAsUtc - wallClockOf(firstGuess, timeZone).offsetMinutes * MS_PER_MINUTE;
  // Rendered from the instant itself, so even a 09:00 that a DST gap skips stays a true instant.
  const wall = wallClockOf(instant, timeZone);
  const date = `${String(wall.year).padStart(4, '0')}-${two(wall.month)}-${two(wall.day)}`;
  const time = `${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}`;
  return `${date}T${time}${formatOffset(wall.offsetMinutes)}`;
}
