/**
 * Borrower reminders (SPEC §7): which events become a reminder today, the message in the loan's
 * locale, and when the messaging gateway may send it. Pure: the reminder service reads the loan
 * and writes the result.
 */
import { daysBetween } from './dates';
import {
  amountOverdueOn,
  daysPastDueOn,
  isOverdueOn,
  isUnpaid,
  unpaidAmount,
} from './installments';
import type { ParsedLoanEvent } from './report';
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

/**
 * Formats an amount of minor units in `currency` for `locale` (e.g. `¥1,234.56`, `$1,234.56`).
 * Exact for any safe integer: the decimal is built as text with BigInt and handed to
 * Intl.NumberFormat as a string, so no binary floating point touches it.
 */
export function formatMoney(amount: MinorUnits, currency: CurrencyCode, locale: Locale): string {
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
  // The currency's minor-unit digits (CNY 2, JPY 0, KWD 3) as the runtime's CLDR data knows them.
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  const value = BigInt(amount);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const scale = 10n ** BigInt(digits);
  const whole = (magnitude / scale).toString();
  const fraction = (magnitude % scale).toString().padStart(digits, '0');
  const text = `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
  return formatter.format(text as Intl.StringNumericLiteral);
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

const MS_PER_MINUTE = 60_000;

/** Wall-clock parts of `epochMs` in `timeZone`, and the zone's UTC offset there in minutes. */
function wallClockAt(epochMs: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    calendar: 'gregory',
    numberingSystem: 'latn',
  }).formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const fields = {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
  const asUtc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
  );
  const epochSeconds = Math.floor(epochMs / 1000) * 1000;
  return { ...fields, offsetMinutes: Math.round((asUtc - epochSeconds) / MS_PER_MINUTE) };
}

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
  const firstGuess = wallAsUtc - wallClockAt(wallAsUtc, timeZone).offsetMinutes * MS_PER_MINUTE;
  const instant = wallAsUtc - wallClockAt(firstGuess, timeZone).offsetMinutes * MS_PER_MINUTE;
  // Rendered from the instant itself, so even a 09:00 that a DST gap skips stays a true instant.
  const wall = wallClockAt(instant, timeZone);
  const date = `${String(wall.year).padStart(4, '0')}-${two(wall.month)}-${two(wall.day)}`;
  const time = `${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}`;
  return `${date}T${time}${formatOffset(wall.offsetMinutes)}`;
}
