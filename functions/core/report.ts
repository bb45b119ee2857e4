/**
 * The daily portfolio report (docs/contract.md, Reports): what each event adds to its business date's report. Pure:
 * the reporting service writes the deltas.
 */
import type { RiskClass } from '../contract/events';
import type { ParsedEvent, SweepCompletedEvent } from './event-message';
import { sumMinorUnits } from './money';
import { rational, toDecimalString } from './rational';
import type { Bucket, BusinessDate, CurrencyCode, MinorUnits } from './types';
import { bounded, isRecord } from './values';

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
   * Overdue loans by risk class (五级分类), from `loan.overdue`'s `riskClass`; an event recorded
   * before loans had a risk class counts in no class.
   */
  readonly riskClasses: Readonly<Partial<Record<RiskClass, number>>>;
  /** `loan.credit_hold` events: loans that put their borrower's credit line on hold. */
  readonly creditHoldsPlaced: number;
  /** `loan.credit_released` events. */
  readonly creditHoldsReleased: number;
  /** `loan.credit_report_notice` events: borrowers told their overdue will be reported. */
  readonly creditNotices: number;
  /** `loan.hardship_offer` events: repayment plans offered. */
  readonly hardshipOffers: number;
  /** `loan.promise_kept` events. */
  readonly promisesKept: number;
  /** `loan.promise_broken` events. */
  readonly promisesBroken: number;
  /**
   * Loan events counted, by the run that recorded them: a report is complete once its run's count
   * reaches the number of events the run's summary says it recorded.
   */
  readonly eventsByRun: Readonly<Partial<Record<string, number>>>;
  /**
   * Every run whose `sweep.completed` was counted for the date, by run id, with its small figures:
   * the record of a re-run, a redrive or a `loanIds` run beside the day's summary.
   */
  readonly runs: Readonly<Record<string, RunFigures>>;
  /** Runs left out of `runs` because it already lists {@link MAX_LISTED_RUNS}. */
  readonly runsNotListed: number;
  /**
   * Set by the `sweep.completed` of a complete whole run: the summary the date's report keeps
   * (the first one counted; a report never takes another).
   */
  readonly completion?: { readonly runId: string; readonly summary: Record<string, unknown> };
}

/** The report's counts of what delinquency episodes set in motion on the date. */
export const EPISODE_COUNTS = [
  'creditHoldsPlaced',
  'creditHoldsReleased',
  'creditNotices',
  'hardshipOffers',
  'promisesKept',
  'promisesBroken',
] as const satisfies readonly (keyof ReportDelta)[];

/** Most runs one date's report lists; more are only counted (`runsNotListed`). */
export const MAX_LISTED_RUNS = 100;

/** A whole run over every shard, or a run of named loans. */
export type RunScope = 'shards' | 'loanIds';

/**
 * What a report keeps of each run recorded for its date: counts (absent when the summary did not
 * carry them as safe integers) and when it finished.
 */
export interface RunFigures {
  readonly scope: RunScope;
  /** The summary said it covered its whole scope. */
  readonly complete: boolean;
  /** When the run's `sweep.completed` was recorded (the envelope's `occurredAt`, bounded). */
  readonly occurredAt: string;
  readonly loansExamined?: number;
  readonly loansOverdue?: number;
  readonly loansCharged?: number;
  readonly chargedOff?: number;
  readonly eventsRecorded?: number;
  /** Loans skipped (the summary's `skipped.count`). */
  readonly skipped?: number;
  /** Wall time, milliseconds. */
  readonly durationMs?: number;
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
  /**
   * The summary of the date's first complete whole run counted: only such a run completes a day,
   * and a later run never replaces it (it is listed in `runs`).
   */
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
  riskClasses: {},
  creditHoldsPlaced: 0,
  creditHoldsReleased: 0,
  creditNotices: 0,
  hardshipOffers: 0,
  promisesKept: 0,
  promisesBroken: 0,
  eventsByRun: {},
  runs: {},
  runsNotListed: 0,
});

/** Longest `occurredAt` a run's figures keep (it is untrusted text). */
const MAX_OCCURRED_AT_CHARS = 64;

function safeCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * The scope of the run a `sweep.completed` reports: its summary's `scope`; without one (a summary
 * recorded before runs said so), a whole run only when its run id is exactly `sweep-<asOf>`, the id
 * of the day's whole run.
 */
export function runScopeOf(event: SweepCompletedEvent): RunScope {
  const scope = event.data.scope;
  if (scope === 'shards' || scope === 'loanIds') return scope;
  if (scope !== undefined) return 'loanIds';
  return event.runId === `sweep-${event.asOf}` ? 'shards' : 'loanIds';
}

/** The small figures of the run a `sweep.completed` reports. */
export function runFiguresOf(event: SweepCompletedEvent): RunFigures {
  const summary = event.data;
  const skipped = isRecord(summary.skipped) ? safeCount(summary.skipped.count) : undefined;
  const counts = {
    loansExamined: safeCount(summary.loansExamined),
    loansOverdue: safeCount(summary.loansOverdue),
    loansCharged: safeCount(summary.loansCharged),
    chargedOff: safeCount(summary.chargedOff),
    eventsRecorded: safeCount(summary.eventsRecorded),
    skipped,
    durationMs: safeCount(summary.durationMs),
  };
  return {
    scope: runScopeOf(event),
    complete: summary.complete === true,
    occurredAt: bounded(event.occurredAt, MAX_OCCURRED_AT_CHARS),
    ...Object.fromEntries(Object.entries(counts).filter(([, value]) => value !== undefined)),
  };
}

/**
 * True when a `sweep.completed` may complete its date: a whole run that covered every shard, not
 * a dry run, whose summary names the same run and date as its envelope.
 */
export function completesDay(event: SweepCompletedEvent): boolean {
  const summary = event.data;
  return (
    runScopeOf(event) === 'shards' &&
    summary.complete === true &&
    summary.dryRun !== true &&
    summary.runId === event.runId &&
    summary.asOf === event.asOf
  );
}

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
    case 'loan.overdue': {
      const { riskClass } = event.data;
      return {
        ...EMPTY_DELTA,
        loansOverdue: 1,
        buckets: { [event.data.bucket]: 1 },
        amountOverdue: amount(event.data.currency, event.data.amountOverdue),
        riskClasses: riskClass === undefined ? {} : { [riskClass]: 1 },
      };
    }
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
    case 'loan.credit_hold':
      return { ...EMPTY_DELTA, creditHoldsPlaced: 1 };
    case 'loan.credit_released':
      return { ...EMPTY_DELTA, creditHoldsReleased: 1 };
    case 'loan.credit_report_notice':
      return { ...EMPTY_DELTA, creditNotices: 1 };
    case 'loan.hardship_offer':
      return { ...EMPTY_DELTA, hardshipOffers: 1 };
    case 'loan.promise_kept':
      return { ...EMPTY_DELTA, promisesKept: 1 };
    case 'loan.promise_broken':
      return { ...EMPTY_DELTA, promisesBroken: 1 };
    case 'loan.risk_class_changed':
      // The day's classes come from loan.overdue; a change counts towards its run only.
      return EMPTY_DELTA;
    case 'sweep.completed':
      return {
        ...EMPTY_DELTA,
        runs: { [event.runId]: runFiguresOf(event) },
        ...(completesDay(event) && { completion: { runId: event.runId, summary: event.data } }),
      };
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

/** Of two figures of one run id, the earlier recorded (then the smaller, so any order agrees). */
function firstRun(a: RunFigures, b: RunFigures): RunFigures {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? a : b;
  return JSON.stringify(a) <= JSON.stringify(b) ? a : b;
}

function mergeRuns(
  a: Readonly<Record<string, RunFigures>>,
  b: Readonly<Record<string, RunFigures>>,
): Record<string, RunFigures> {
  const merged: Record<string, RunFigures> = { ...a };
  for (const [runId, figures] of Object.entries(b)) {
    const known = merged[runId];
    merged[runId] = known === undefined ? figures : firstRun(known, figures);
  }
  return merged;
}

/** Of two whole runs completing a date, the one recorded first (summaries are not additive). */
function firstCompletion(a: ReportDelta, b: ReportDelta): ReportDelta['completion'] {
  if (!a.completion || !b.completion) return a.completion ?? b.completion;
  const at = (delta: ReportDelta) => delta.runs[delta.completion?.runId ?? '']?.occurredAt ?? '';
  const [x, y] = [at(a), at(b)];
  if (x !== y) return x < y ? a.completion : b.completion;
  return JSON.stringify(a.completion) <= JSON.stringify(b.completion) ? a.completion : b.completion;
}

/**
 * The sum of two deltas (exact; throws RangeError beyond safe integers), in any order the same:
 * runs keep their first figures, and of two whole runs the first recorded completes the date.
 */
export function mergeDeltas(a: ReportDelta, b: ReportDelta): ReportDelta {
  const completion = firstCompletion(a, b);
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
    riskClasses: mergeCounts(a.riskClasses, b.riskClasses),
    creditHoldsPlaced: a.creditHoldsPlaced + b.creditHoldsPlaced,
    creditHoldsReleased: a.creditHoldsReleased + b.creditHoldsReleased,
    creditNotices: a.creditNotices + b.creditNotices,
    hardshipOffers: a.hardshipOffers + b.hardshipOffers,
    promisesKept: a.promisesKept + b.promisesKept,
    promisesBroken: a.promisesBroken + b.promisesBroken,
    eventsByRun: mergeCounts(a.eventsByRun, b.eventsByRun),
    runs: mergeRuns(a.runs, b.runs),
    runsNotListed: a.runsNotListed + b.runsNotListed,
    ...(completion ? { completion } : {}),
  };
}

/**
 * The delta with its runs counted in `runsNotListed` instead of listed: for a date whose report
 * already lists {@link MAX_LISTED_RUNS} runs. A completion stays (the day's summary has its own
 * attribute).
 */
export function withRunsUnlisted(delta: ReportDelta): ReportDelta {
  const count = Object.keys(delta.runs).length;
  return { ...delta, runs: {}, runsNotListed: delta.runsNotListed + count };
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
    delta.runs,
    delta.riskClasses,
  ];
  return (
    EPISODE_COUNTS.every((name) => delta[name] === 0) &&
    delta.loansOverdue === 0 &&
    delta.chargedOff === 0 &&
    delta.dueSoon === 0 &&
    delta.cured === 0 &&
    delta.runsNotListed === 0 &&
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
