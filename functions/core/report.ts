/**
 * The daily portfolio report (SPEC §8): event envelopes parsed from queue messages, and what each
 * event adds to its business date's report. Pure: the reporting service writes the deltas.
 */
import { z } from 'zod';
import { parseBusinessDate } from './dates';
import { isBucket } from './delinquency';
import type { LoanEventDataByType, LoanEventType } from './events';
import { sumMinorUnits } from './money';
import { rational, toDecimalString } from './rational';
import type { Bucket, BusinessDate, CurrencyCode, EventEnvelope, MinorUnits } from './types';

/** A loan event whose envelope and data have been validated. */
export type ParsedLoanEvent = {
  [K in LoanEventType]: EventEnvelope<LoanEventDataByType[K]> & {
    readonly type: K;
    readonly loanId: string;
    readonly borrowerId: string;
  };
}[LoanEventType];

/** A validated `sweep.completed` event; `data` is the run summary of SPEC §5. */
export type SweepCompletedEvent = EventEnvelope<Record<string, unknown>> & {
  readonly type: 'sweep.completed';
};

/** Any validated event. */
export type ParsedEvent = ParsedLoanEvent | SweepCompletedEvent;

/** The result of parsing a message body: the event, or a reason naming each problem. */
export type EventParseResult =
  | { readonly ok: true; readonly event: ParsedEvent }
  | { readonly ok: false; readonly reason: string };

const businessDate = z.custom<BusinessDate>((value) => parseBusinessDate(value) !== undefined, {
  error: 'must be a YYYY-MM-DD date',
});
const bucket = z.custom<Bucket>(isBucket, { error: 'must be a bucket M0–M7' });
const minorUnits = z
  .number({ error: 'must be an integer ≥ 0 (minor units)' })
  .int({ error: 'must be an integer ≥ 0 (minor units)' })
  .min(0, { error: 'must be an integer ≥ 0 (minor units)' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'must be a safe integer' });
const count = z.number({ error: 'must be an integer ≥ 0' }).int().min(0);
const currency = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' });
const nonEmpty = z.string({ error: 'must be a non-empty string' }).min(1);

const header = {
  id: nonEmpty,
  schemaVersion: z.literal(1, { error: 'must be 1' }),
  asOf: businessDate,
  occurredAt: nonEmpty,
  runId: nonEmpty,
  bucket: bucket.optional(),
  dpd: count.optional(),
};
const loanHeader = { ...header, loanId: nonEmpty, borrowerId: nonEmpty };

// Objects are not strict: a newer producer may add fields without breaking this consumer.
const envelope = z.discriminatedUnion(
  'type',
  [
    z.object({
      ...loanHeader,
      type: z.literal('loan.payment_due_soon'),
      data: z.object({
        installmentSeq: count,
        dueDate: businessDate,
        daysUntilDue: count,
        amountDue: minorUnits,
        currency,
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.overdue'),
      data: z.object({
        dpd: count.min(1, { error: 'must be ≥ 1' }),
        bucket,
        inGrace: z.boolean(),
        forbearance: z.boolean(),
        amountOverdue: minorUnits,
        currency,
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.fee_applied'),
      data: z.object({
        lateFee: minorUnits,
        penaltyInterest: minorUnits,
        currency,
        capped: z.boolean(),
        entryIds: z.array(z.string()),
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.delinquency_changed'),
      data: z.object({ from: bucket, to: bucket, dpd: count }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.charged_off'),
      data: z.object({
        dpd: count,
        principalOutstanding: minorUnits,
        chargesTotal: minorUnits,
        currency,
      }),
    }),
    z.object({
      ...header,
      type: z.literal('sweep.completed'),
      data: z.record(z.string(), z.unknown()),
    }),
  ],
  { error: 'type: not a known event type' },
);

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.map(String).join('.');
  return where.length > 0 ? `${where}: ${issue.message}` : issue.message;
}

/**
 * Parses an SQS message body (raw SNS delivery: the body is the envelope, SPEC §6).
 * @returns the validated event, or a reason naming every problem (for logs and the DLQ).
 */
export function parseEventMessage(body: string): EventParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `body is not JSON (${reason})` };
  }
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map(describe).join('; ') };
  }
  // zod has checked every field the types name; its inferred type only lacks `readonly`.
  return { ok: true, event: parsed.data as ParsedEvent };
}

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
  /** `loan.charged_off` events. */
  readonly chargedOff: number;
  /** Principal outstanding of the loans charged off, by currency. */
  readonly chargedOffPrincipal: AmountsByCurrency;
  /** `loan.payment_due_soon` events. */
  readonly dueSoon: number;
  /** `loan.delinquency_changed` events that returned a loan to M0. */
  readonly cured: number;
  /** Set by `sweep.completed`: the run summary and whether the run covered every loan. */
  readonly completion?: { readonly complete: boolean; readonly summary: Record<string, unknown> };
}

/** A delta that adds nothing. */
export const EMPTY_DELTA: ReportDelta = Object.freeze({
  loansOverdue: 0,
  buckets: {},
  amountOverdue: {},
  chargesApplied: {},
  lateFees: {},
  penaltyInterest: {},
  chargedOff: 0,
  chargedOffPrincipal: {},
  dueSoon: 0,
  cured: 0,
});

function amount(currencyCode: CurrencyCode, value: MinorUnits): AmountsByCurrency {
  return value === 0 ? {} : { [currencyCode]: value };
}

/** What one event adds to the report of its `asOf` (minor units for every amount). */
export function reportDeltaOf(event: ParsedEvent): ReportDelta {
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
    case 'loan.delinquency_changed':
      return { ...EMPTY_DELTA, cured: event.data.to === 'M0' ? 1 : 0 };
    case 'loan.charged_off':
      return {
        ...EMPTY_DELTA,
        chargedOff: 1,
        chargedOffPrincipal: amount(event.data.currency, event.data.principalOutstanding),
      };
    case 'sweep.completed':
      return {
        ...EMPTY_DELTA,
        // A run that handed work on to a continuation reports `complete: false` in its summary.
        completion: { complete: event.data.complete !== false, summary: event.data },
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
    chargedOff: a.chargedOff + b.chargedOff,
    chargedOffPrincipal: mergeCounts(a.chargedOffPrincipal, b.chargedOffPrincipal),
    dueSoon: a.dueSoon + b.dueSoon,
    cured: a.cured + b.cured,
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
    delta.chargedOffPrincipal,
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

/** Buckets M4–M7: 91+ days past due, the non-performing loans. */
export const NON_PERFORMING_BUCKETS: readonly Bucket[] = ['M4', 'M5', 'M6', 'M7'];

/**
 * Percentages derived from a report, as decimal text rounded to 2 places (absent when the
 * denominator is 0 or unknown): the delinquency rate `100 × loansOverdue ÷ loansExamined` (the
 * run summary's candidates: loans due or overdue) and the non-performing share
 * `100 × (M4 + … + M7) ÷ loansOverdue`.
 */
export function reportRatios(report: {
  readonly loansOverdue: number;
  readonly buckets: Readonly<Partial<Record<Bucket, number>>>;
  readonly loansExamined?: number;
}): { readonly delinquencyRatePercent?: string; readonly nonPerformingSharePercent?: string } {
  const percent = (numerator: number, denominator: number | undefined) =>
    denominator === undefined || denominator <= 0
      ? undefined
      : toDecimalString(rational(100n * BigInt(numerator), BigInt(denominator)), 2);
  const nonPerforming = NON_PERFORMING_BUCKETS.reduce((n, b) => n + (report.buckets[b] ?? 0), 0);
  const delinquencyRatePercent = percent(report.loansOverdue, report.loansExamined);
  const nonPerformingSharePercent = percent(nonPerforming, report.loansOverdue);
  return {
    ...(delinquencyRatePercent === undefined ? {} : { delinquencyRatePercent }),
    ...(nonPerformingSharePercent === undefined ? {} : { nonPerformingSharePercent }),
  };
}
