/**
 * The daily portfolio report (docs/contract.md, Reports): what each event adds to its business date's report. Pure:
 * the reporting service writes the deltas.
 */
import type { ParsedEvent } from './event-message';
import { sumMinorUnits } from './money';
import { rational, toDecimalString } from './rational';
import type { Bucket, BusinessDate, CurrencyCode, MinorUnits } from './types';

/** Amounts by currency, minor units. */
export type AmountsByCurrency = Readonly<Partial<Record<CurrencyCode, MinorUnits>>>;

/** What events add to one business date's report; every number is an increment. */
export interface ReportDelta {
  /** `loan.overdue` events: loans with dpd ≥ 1 on the date. */
  readonly loansOverdue: number;
  /** Overdue loans by bucket. */
  readonly buckets: Readonly<Partial<Record<Bucket, number>>>;
  /** Unpaid principal + interest of the overdue instalments, by currency. */
  readonly amountOverdue: AmountsByCurrency;
  /** Late fees + penalty interest charged, by currency. */
  readonly chargesApplied: AmountsByCurrency;
  readonly lateFees: AmountsByCurrency;
  readonly penaltyInterest: AmountsByCurrency;
  /**
   * Late fees + penalty given back after backdated payments (`loan.charges_reversed`,
   * docs/contract.md, Value-dated payments), by currency. Charges of earlier dates may be among them.
   */
  readonly chargesReversed: AmountsByCurrency;
  /** `loan.charged_off` events. */
  readonly chargedOff: number;
  /** Principal outstanding of the loans charged off, by currency. */
  readonly chargedOffPrincipal: AmountsByCurrency;
  /** `loan.payment_due_soon` events. */
  readonly dueSoon: number;
  /** `loan.delinquency_changed` events that returned a loan to M0. */
  readonly cured: number;
  /**
   * Loan events counted, by the run that recorded them: a report is complete once its run's count
   * reaches the number of events the run's summary says it recorded.
   */
  readonly eventsByRun: Readonly<Partial<Record<string, number>>>;
  /** Set by `sweep.completed`: the run summary. */
  readonly completion?: { readonly summary: Record<string, unknown> };
}

/**
 * A business date's report: the sum of every counted event's delta (counts, and amounts in minor
 * units by currency), and whether it is final.
 */
export interface DailyReport extends Omit<ReportDelta, 'completion'> {
  readonly asOf: BusinessDate;
  /**
   * True once a run's `sweep.completed` and every loan event it says it recorded were counted:
   * the report is final. It stays true.
   */
  readonly complete: boolean;
  /** The run summary of the last `sweep.completed` counted for the date. */
  readonly summary?: Record<string, unknown>;
}

/** A delta that adds nothing. */
export const EMPTY_DELTA: ReportDelta = Object.freeze({
  loansOverdue: 0,
  buckets: {},
  amountOverdue: {},
  chargesApplied: {},
  lateFees: {},
  penaltyInterest: {},
  chargesReversed: {},
  chargedOff: 0,
  chargedOffPrincipal: {},
  dueSoon: 0,
  cured: 0,
  eventsByRun: {},
});

function amount(currencyCode: CurrencyCode, value: MinorUnits): AmountsByCurrency {
  return value === 0 ? {} : { [currencyCode]: value };
}

/** What one event adds to the report of its `asOf` (minor units for every amount). */
export function reportDeltaOf(event: ParsedEvent): ReportDelta {
  const delta = deltaOfType(event);
  // Every loan event counts towards its run's completeness, whatever else it changes.
  return event.type === 'sweep.completed' ? delta : { ...delta, eventsByRun: { [event.runId]: 1 } };
}

function deltaOfType(event: ParsedEvent): ReportDelta {
  switch (event.type) {
    case 'loan.payment_due_soon':
      return { ...EMPTY_DELTA, dueSoon: 1 };
    case 'loan.overdue':
      return {
        ...EMPTY_DELTA,
        loansOverdue: 1,
        buckets: { [event.data.bucket]: 1 },
        amountOverdue: amount(event.data.currency, event.data.amountOverdue),
      };
    case 'loan.fee_applied': {
      const { lateFee, penaltyInterest, currency: code } = event.data;
      return {
        ...EMPTY_DELTA,
        chargesApplied: amount(code, sumMinorUnits([lateFee, penaltyInterest])),
        lateFees: amount(code, lateFee),
        penaltyInterest: amount(code, penaltyInterest),
      };
    }
    case 'loan.charges_reversed': {
      const { lateFeeReversed, penaltyReversed, currency: code } = event.data;
      return {
        ...EMPTY_DELTA,
        chargesReversed: amount(code, sumMinorUnits([lateFeeReversed, penaltyReversed])),
      };
    }
    case 'loan.delinquency_changed':
      return { ...EMPTY_DELTA, cured: event.data.to === 'M0' ? 1 : 0 };
    case 'loan.charged_off':
      return {
        ...EMPTY_DELTA,
        chargedOff: 1,
        chargedOffPrincipal: amount(event.data.currency, event.data.principalOutstanding),
      };
    case 'loan.risk_class_changed':
    case 'loan.credit_hold':
    case 'loan.credit_released':
    case 'loan.credit_report_notice':
    case 'loan.hardship_offer':
    case 'loan.promise_kept':
    case 'loan.promise_broken':
      // Counted towards their run's completeness only (reportDeltaOf).
      return EMPTY_DELTA;
    case 'sweep.completed':
      return { ...EMPTY_DELTA, completion: { summary: event.data } };
  }
}

function mergeCounts<K extends string>(
  a: Readonly<Partial<Record<K, number>>>,
  b: Readonly<Partial<Record<K, number>>>,
): Partial<Record<K, number>> {
  const merged: Partial<Record<K, number>> = { ...a };
  for (const [key, value] of Object.entries(b) as [K, number][]) {
    merged[key] = sumMinorUnits([merged[key] ?? 0, value]);
  }
  return merged;
}

/**
 * The sum of two deltas (exact; throws RangeError beyond safe integers). The later completion
 * wins: summaries are not additive.
 */
export function mergeDeltas(a: ReportDelta, b: ReportDelta): ReportDelta {
  const completion = b.completion ?? a.completion;
  return {
    loansOverdue: a.loansOverdue + b.loansOverdue,
    buckets: mergeCounts(a.buckets, b.buckets),
    amountOverdue: mergeCounts(a.amountOverdue, b.amountOverdue),
    chargesApplied: mergeCounts(a.chargesApplied, b.chargesApplied),
    lateFees: mergeCounts(a.lateFees, b.lateFees),
    penaltyInterest: mergeCounts(a.penaltyInterest, b.penaltyInterest),
    chargesReversed: mergeCounts(a.chargesReversed, b.chargesReversed),
    chargedOff: a.chargedOff + b.chargedOff,
    chargedOffPrincipal: mergeCounts(a.chargedOffPrincipal, b.chargedOffPrincipal),
    dueSoon: a.dueSoon + b.dueSoon,
    cured: a.cured + b.cured,
    eventsByRun: mergeCounts(a.eventsByRun, b.eventsByRun),
    ...(completion ? { completion } : {}),
  };
}

/** True when the delta changes nothing, so the event needs no write at all. */
export function isEmptyDelta(delta: ReportDelta): boolean {
  const maps = [
    delta.buckets,
    delta.amountOverdue,
    delta.chargesApplied,
    delta.lateFees,
    delta.penaltyInterest,
    delta.chargesReversed,
    delta.chargedOffPrincipal,
    delta.eventsByRun,
  ];
  return (
    delta.loansOverdue === 0 &&
    delta.chargedOff === 0 &&
    delta.dueSoon === 0 &&
    delta.cured === 0 &&
    delta.completion === undefined &&
    maps.every((map) => Object.keys(map).length === 0)
  );
}

/**
 * Charges net of reversals, by currency (minor units): `chargesApplied − chargesReversed`. Negative
 * on a day when more was given back (for earlier dates too) than charged.
 */
export function netCharges(report: {
  readonly chargesApplied: AmountsByCurrency;
  readonly chargesReversed: AmountsByCurrency;
}): Partial<Record<CurrencyCode, number>> {
  const net: Partial<Record<CurrencyCode, number>> = {};
  for (const currency of new Set([
    ...Object.keys(report.chargesApplied),
    ...Object.keys(report.chargesReversed),
  ])) {
    const gross = BigInt(report.chargesApplied[currency] ?? 0);
    const reversed = BigInt(report.chargesReversed[currency] ?? 0);
    const value = gross - reversed;
    if (value < -BigInt(Number.MAX_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`net charges of ${currency} are not a safe integer`);
    }
    net[currency] = Number(value);
  }
  return net;
}

/** Buckets M4–M7: 91+ days past due, the non-performing loans. */
export const NON_PERFORMING_BUCKETS: readonly Bucket[] = ['M4', 'M5', 'M6', 'M7'];

/**
 * Percentages derived from a report, as decimal text rounded to 2 places (absent when the
 * denominator is 0 or unknown): the overdue share of the loans examined
 * `100 × loansOverdue ÷ loansExamined` (the run summary's candidates: only loans due or overdue,
 * read from the sparse index, so this is not a delinquency rate over the active book) and the
 * non-performing share `100 × (M4 + … + M7) ÷ loansOverdue`.
 */
export function reportRatios(report: {
  readonly loansOverdue: number;
  readonly buckets: Readonly<Partial<Record<Bucket, number>>>;
  readonly loansExamined?: number;
}): {
  readonly overdueShareOfExaminedPercent?: string;
  readonly nonPerformingSharePercent?: string;
} {
  const percent = (numerator: number, denominator: number | undefined) =>
    denominator === undefined || denominator <= 0
      ? undefined
      : toDecimalString(rational(100n * BigInt(numerator), BigInt(denominator)), 2);
  const nonPerforming = NON_PERFORMING_BUCKETS.reduce((n, b) => n + (report.buckets[b] ?? 0), 0);
  const overdueShareOfExaminedPercent = percent(report.loansOverdue, report.loansExamined);
  const nonPerformingSharePercent = percent(nonPerforming, report.loansOverdue);
  return {
    ...(overdueShareOfExaminedPercent === undefined ? {} : { overdueShareOfExaminedPercent }),
    ...(nonPerformingSharePercent === undefined ? {} : { nonPerformingSharePercent }),
  };
}
