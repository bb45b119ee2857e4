/**
 * Credit records and the monthly credit-bureau extract (docs/contract.md, Credit records): what
 * each loan event says about its loan's record of the month, how two records of one loan and month
 * combine, and the extract row a record becomes at the month's settlement date. Pure: the
 * reporting service stores the records, the extract command writes the rows.
 *
 * Records combine by a join: maxima, minima and the latest state by `asOf`, with a fixed order for
 * everything else, so any order and any repetition of the same events give the same record.
 */
import type { RiskClass } from '../contract/events';
import { addDays, daysBetween, parseBusinessDate } from './dates';
import type { ParsedEvent } from './event-message';
import type { BusinessDate, CurrencyCode, MinorUnits } from './types';

/** A calendar month, `YYYY-MM`. */
export type CreditMonth = string & { readonly __brand: 'CreditMonth' };

/** The month of a business date. */
export function monthOf(date: BusinessDate): CreditMonth {
  return date.slice(0, 7) as CreditMonth;
}

/** Parses a strict `YYYY-MM` (months 01–12), or undefined. */
export function parseCreditMonth(value: unknown): CreditMonth | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}$/.test(value)) return undefined;
  return parseBusinessDate(`${value}-01`) === undefined ? undefined : (value as CreditMonth);
}

/** The first calendar day of `month`. */
export function firstDayOf(month: CreditMonth): BusinessDate {
  return `${month}-01` as BusinessDate;
}

/** The month after `month`. */
export function nextMonth(month: CreditMonth): CreditMonth {
  return monthOf(addDays(firstDayOf(month), 31));
}

/** The settlement date on which a month is reported: its last calendar day. */
export function settlementDateOf(month: CreditMonth): BusinessDate {
  // Day 0 of the next month is this month's last (UTC calendar arithmetic, no time zone).
  const lastDay = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0));
  return `${month}-${String(lastDay.getUTCDate()).padStart(2, '0')}` as BusinessDate;
}

/** Days from `from` to `to` when both are dates of one month (a record's), else by the calendar. */
function daysWithinMonth(from: BusinessDate, to: BusinessDate): number {
  if (from.slice(0, 7) !== to.slice(0, 7)) return daysBetween(from, to);
  return Number(to.slice(8, 10)) - Number(from.slice(8, 10));
}

/** Every calendar date of `month`, in order. */
export function datesOf(month: CreditMonth): BusinessDate[] {
  const days = daysBetween(firstDayOf(month), settlementDateOf(month)) + 1;
  return Array.from({ length: days }, (_, i) => addDays(firstDayOf(month), i));
}

/** What the latest state of a record says the loan was: overdue, cured or charged off. */
export type CreditStanding = 'OVERDUE' | 'CURED' | 'CHARGED_OFF';

/** On one `asOf`, a cure or a charge-off outranks `loan.overdue` (it is the later fact). */
const STANDING_RANK: Readonly<Record<CreditStanding, number>> = {
  OVERDUE: 1,
  CURED: 2,
  CHARGED_OFF: 3,
};

/** The loan's state on one business date, as its events of that date say. Amounts minor units. */
export interface CreditState {
  readonly asOf: BusinessDate;
  readonly standing: CreditStanding;
  /** Days past due on `asOf` (0 once cured; the charge-off dpd once charged off). */
  readonly dpd: number;
  /**
   * Unpaid principal + interest of the overdue instalments (0 once cured); once charged off, the
   * principal outstanding that was written off.
   */
  readonly amountOverdue: MinorUnits;
  /** Absent when the event was recorded before loans had a risk class. */
  readonly riskClass?: RiskClass;
  readonly inGrace: boolean;
  readonly forbearance: boolean;
}

/** A loan's credit record of one calendar month. */
export interface CreditRecord {
  readonly loanId: string;
  readonly month: CreditMonth;
  readonly borrowerId: string;
  /** Absent while only events that name no currency (a cure) were seen. */
  readonly currency?: CurrencyCode;
  /** The largest dpd the month's events named. */
  readonly maxDpd: number;
  /** The latest state by `asOf`; absent while only a notice was seen. */
  readonly latest?: CreditState;
  /** The earliest credit-report notice date the month's events named. */
  readonly noticeOn?: BusinessDate;
}

/**
 * What one event says about its loan's credit record of the month of its `asOf`: `loan.overdue`,
 * a cure (`loan.delinquency_changed` to `M0`) and `loan.charged_off` give the state of that date;
 * `loan.credit_report_notice` (its `asOf`) and `loan.overdue` (its `creditNoticeOn`) the notice.
 * Any other event says nothing (undefined), so due-soon events alone make no record.
 */
export function creditRecordOf(event: ParsedEvent): CreditRecord | undefined {
  if (event.type === 'sweep.completed') return undefined;
  const base = { loanId: event.loanId, month: monthOf(event.asOf), borrowerId: event.borrowerId };
  const at = { asOf: event.asOf, inGrace: false, forbearance: false };
  switch (event.type) {
    case 'loan.overdue': {
      const { dpd, amountOverdue, riskClass, inGrace, forbearance, currency } = event.data;
      const noticeOn = event.data.creditNoticeOn;
      return {
        ...base,
        currency,
        maxDpd: dpd,
        latest: {
          ...at,
          standing: 'OVERDUE',
          dpd,
          amountOverdue,
          ...(riskClass && { riskClass }),
          inGrace,
          forbearance,
        },
        ...(noticeOn && { noticeOn }),
      };
    }
    case 'loan.delinquency_changed':
      if (event.data.to !== 'M0') return undefined;
      return {
        ...base,
        maxDpd: event.data.dpd,
        latest: { ...at, standing: 'CURED', dpd: 0, amountOverdue: 0, riskClass: 'NORMAL' },
      };
    case 'loan.charged_off':
      return {
        ...base,
        currency: event.data.currency,
        maxDpd: event.data.dpd,
        latest: {
          ...at,
          standing: 'CHARGED_OFF',
          dpd: event.data.dpd,
          amountOverdue: event.data.principalOutstanding,
          riskClass: 'LOSS',
        },
      };
    case 'loan.credit_report_notice':
      return {
        ...base,
        currency: event.data.currency,
        maxDpd: event.data.dpd,
        noticeOn: event.asOf,
      };
    default:
      return undefined;
  }
}

/** A stable text of a value, so ties are broken the same way in every order. */
function canonical(value: object): string {
  return JSON.stringify(value, Object.keys(value).sort());
}

/** The later of two states by `asOf`, then standing rank, then a fixed order of their content. */
function laterState(a: CreditState | undefined, b: CreditState | undefined) {
  if (a === undefined || b === undefined) return a ?? b;
  if (a.asOf !== b.asOf) return a.asOf > b.asOf ? a : b;
  const rank = STANDING_RANK[a.standing] - STANDING_RANK[b.standing];
  if (rank !== 0) return rank > 0 ? a : b;
  return canonical(a) >= canonical(b) ? a : b;
}

function smaller<T extends string>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return a <= b ? a : b;
}

/**
 * Combines two records of one loan and month: the larger `maxDpd`, the earlier `noticeOn`, the
 * later state, and for the loan's own attributes (which never differ for one loan) the smaller
 * text. Commutative, associative and idempotent.
 * @throws Error when the records are of different loans or months.
 */
export function mergeCreditRecords(a: CreditRecord, b: CreditRecord): CreditRecord {
  if (a.loanId !== b.loanId || a.month !== b.month) {
    throw new Error('credit records of different loans or months cannot be merged');
  }
  const currency = smaller(a.currency, b.currency);
  const latest = laterState(a.latest, b.latest);
  const noticeOn = smaller(a.noticeOn, b.noticeOn);
  return {
    loanId: a.loanId,
    month: a.month,
    borrowerId: smaller(a.borrowerId, b.borrowerId) ?? a.borrowerId,
    ...(currency !== undefined && { currency }),
    maxDpd: Math.max(a.maxDpd, b.maxDpd),
    ...(latest !== undefined && { latest }),
    ...(noticeOn !== undefined && { noticeOn }),
  };
}

/** True when two records say the same (so a write would change nothing). */
export function sameCreditRecord(a: CreditRecord, b: CreditRecord): boolean {
  return canonicalRecord(a) === canonicalRecord(b);
}

function canonicalRecord(record: CreditRecord): string {
  const { latest, ...rest } = record;
  return `${canonical(rest)}|${latest ? canonical(latest) : ''}`;
}

/** The key of a loan's record of a month, for grouping (the two parts cannot run together). */
export function creditRecordKey(record: Pick<CreditRecord, 'loanId' | 'month'>): string {
  return `${record.month}\u0000${record.loanId}`;
}

/**
 * The records `events` say something about, one per loan and month, each the merge of what its
 * events say (order and repetition do not matter).
 */
export function creditRecordsOf(events: readonly ParsedEvent[]): CreditRecord[] {
  const byKey = new Map<string, CreditRecord>();
  for (const event of events) {
    const record = creditRecordOf(event);
    if (!record) continue;
    const key = creditRecordKey(record);
    const known = byKey.get(key);
    byKey.set(key, known ? mergeCreditRecords(known, record) : record);
  }
  return [...byKey.values()];
}

/** The PBoC-style repayment status: `N` not overdue, `1`–`7` by 30-day steps of days past due. */
export type StatusCode = 'N' | '1' | '2' | '3' | '4' | '5' | '6' | '7';

/** Every status code, in order. */
export const STATUS_CODES: readonly StatusCode[] = ['N', '1', '2', '3', '4', '5', '6', '7'];

/** An account's state in the extract. */
export type AccountState = 'ACTIVE' | 'CURED' | 'CHARGED_OFF' | 'FORBEARANCE';

/** Every account state. */
export const ACCOUNT_STATES: readonly AccountState[] = [
  'ACTIVE',
  'CURED',
  'CHARGED_OFF',
  'FORBEARANCE',
];

/** The status code of `dpd` days past due: 0 → N, 1–30 → 1, …, 151–180 → 6, 181+ → 7. */
export function statusCodeOf(dpd: number): StatusCode {
  if (dpd <= 0) return 'N';
  return String(Math.min(7, Math.ceil(dpd / 30))) as StatusCode;
}

/** The extract's columns, in their order (the CSV header). */
export const EXTRACT_COLUMNS = [
  'loanId',
  'borrowerId',
  'month',
  'settlementDate',
  'statusCode',
  'dpdAtSettlement',
  'maxDpd',
  'amountOverdue',
  'currency',
  'riskClass',
  'accountState',
  'noticeOn',
] as const;

/** One row of the month's extract: a loan's status at the settlement date. Amounts minor units. */
export interface ExtractRow {
  readonly loanId: string;
  readonly borrowerId: string;
  readonly month: CreditMonth;
  readonly settlementDate: BusinessDate;
  readonly statusCode: StatusCode;
  readonly dpdAtSettlement: number;
  /** The month's largest dpd, the settlement date's included. */
  readonly maxDpd: number;
  readonly amountOverdue: MinorUnits;
  /** Empty when the month's events named none (a record of a cure alone). */
  readonly currency: CurrencyCode | '';
  /** Empty when the events were recorded before loans had a risk class. */
  readonly riskClass: RiskClass | '';
  readonly accountState: AccountState;
  /** Empty when the borrower was not told (in this month's events). */
  readonly noticeOn: BusinessDate | '';
}

/**
 * The extract row of a record at its month's settlement date, or undefined for a record that has
 * no state yet (only a notice was counted). An overdue latest state ages to the settlement date
 * (a cure always raises an event, so none came); a charged-off one stays at its charge-off dpd; one
 * in forbearance is `N` (an agreed deferral is not negative information), as is one of the
 * settlement date itself still in grace (a grace period is on time); a cured one is `N` with
 * nothing overdue.
 */
export function extractRowOf(record: CreditRecord): ExtractRow | undefined {
  const state = record.latest;
  if (state === undefined) return undefined;
  const settlementDate = settlementDateOf(record.month);
  const base = {
    loanId: record.loanId,
    borrowerId: record.borrowerId,
    month: record.month,
    settlementDate,
    currency: record.currency ?? '',
    noticeOn: record.noticeOn ?? '',
  } as const;
  switch (state.standing) {
    case 'CURED':
      return {
        ...base,
        statusCode: 'N',
        dpdAtSettlement: 0,
        maxDpd: record.maxDpd,
        amountOverdue: 0,
        riskClass: 'NORMAL',
        accountState: 'CURED',
      };
    case 'CHARGED_OFF':
      return {
        ...base,
        statusCode: statusCodeOf(state.dpd),
        dpdAtSettlement: state.dpd,
        maxDpd: Math.max(record.maxDpd, state.dpd),
        amountOverdue: state.amountOverdue,
        riskClass: state.riskClass ?? 'LOSS',
        accountState: 'CHARGED_OFF',
      };
    case 'OVERDUE': {
      const dpdAtSettlement = state.dpd + daysWithinMonth(state.asOf, settlementDate);
      const overdue = {
        ...base,
        dpdAtSettlement,
        maxDpd: Math.max(record.maxDpd, dpdAtSettlement),
        amountOverdue: state.amountOverdue,
        riskClass: state.riskClass ?? '',
      } as const;
      if (state.forbearance) return { ...overdue, statusCode: 'N', accountState: 'FORBEARANCE' };
      if (state.asOf === settlementDate && state.inGrace) {
        return { ...overdue, statusCode: 'N', accountState: 'ACTIVE' };
      }
      return { ...overdue, statusCode: statusCodeOf(dpdAtSettlement), accountState: 'ACTIVE' };
    }
  }
}

/**
 * True when the row may not be reported yet: a status other than `N` (negative information) and
 * no notice to the borrower on or before the settlement date.
 */
export function noticeMissing(row: ExtractRow): boolean {
  return row.statusCode !== 'N' && (row.noticeOn === '' || row.noticeOn > row.settlementDate);
}

/** What a month's extract came to: rows per status code, and the rows whose notice is missing. */
export interface ExtractSummary {
  readonly month: CreditMonth;
  readonly rows: number;
  readonly byStatusCode: Readonly<Record<StatusCode, number>>;
  readonly byAccountState: Readonly<Record<AccountState, number>>;
  readonly noticesMissing: number;
  /** Records left out: no state counted yet (only a notice). */
  readonly recordsWithoutState: number;
}

/** A summary with nothing counted yet. */
export function emptyExtractSummary(month: CreditMonth): ExtractSummary {
  return {
    month,
    rows: 0,
    byStatusCode: { N: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0 },
    byAccountState: { ACTIVE: 0, CURED: 0, CHARGED_OFF: 0, FORBEARANCE: 0 },
    noticesMissing: 0,
    recordsWithoutState: 0,
  };
}

/** The summary with one more row (or, for `undefined`, one more record without a state). */
export function addToSummary(summary: ExtractSummary, row: ExtractRow | undefined): ExtractSummary {
  if (row === undefined) {
    return { ...summary, recordsWithoutState: summary.recordsWithoutState + 1 };
  }
  return {
    ...summary,
    rows: summary.rows + 1,
    byStatusCode: {
      ...summary.byStatusCode,
      [row.statusCode]: summary.byStatusCode[row.statusCode] + 1,
    },
    byAccountState: {
      ...summary.byAccountState,
      [row.accountState]: summary.byAccountState[row.accountState] + 1,
    },
    noticesMissing: summary.noticesMissing + (noticeMissing(row) ? 1 : 0),
  };
}
