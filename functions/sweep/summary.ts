/**
 * The run summary (SPEC §5): totals accumulated loan by loan, carried across continuations, and
 * the shape the Lambda returns. Amounts are minor units per currency.
 */
import type { BusinessDate, LoanOutcome } from '../core/types';

/** At most this many skipped loans are listed (the count is always exact). */
export const SKIPPED_LIST_LIMIT = 100;
/** At most this many per-loan outcomes are previewed by a dry run. */
export const PREVIEW_LIMIT = 50;

/** Charges of one currency, minor units. */
export interface ChargeTotals {
  lateFees: number;
  penaltyInterest: number;
}

/** A loan the run could not assess or write, and why. */
export interface SkippedLoan {
  readonly loanId: string;
  readonly reason: string;
}

/** What a dry run would do to one loan. Amounts in minor units. */
export type PreviewEntry = Pick<
  LoanOutcome,
  'loanId' | 'currency' | 'dpd' | 'bucket' | 'previousBucket' | 'lateFee' | 'penaltyInterest'
> & { readonly capped: boolean; readonly chargedOff: boolean };

/** Cumulative counters of a run (all parts so far); plain JSON so continuations can carry it. */
export interface SweepTotals {
  loansExamined: number;
  loansOverdue: number;
  loansCharged: number;
  /** Currency → charges posted (or, in a dry run, that would be posted). */
  charges: Record<string, ChargeTotals>;
  chargedOff: number;
  eventsPublished: number;
  /**
   * Events left in their loan's outbox for the next run: SNS did not accept them, or it did but
   * clearing them from the outbox failed (the next run re-sends the same ids).
   */
  eventsPending: number;
  versionConflicts: number;
  skipped: { count: number; loans: SkippedLoan[] };
  preview: PreviewEntry[];
  /** Wall time of all parts so far, milliseconds. */
  durationMs: number;
}

/** Whether `sweep.completed` went out at the end of a complete, non-dry run. */
export interface SweepCompletedStatus {
  readonly eventId: string;
  readonly published: boolean;
  readonly reason?: string;
}

/** The Lambda's return value. */
export type SweepSummary = {
  readonly runId: string;
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  /** 1 for the first invocation of a run, then 2, 3, … for its continuations. */
  readonly part: number;
  /** False when the rest of the run was handed to a continuation. */
  readonly complete: boolean;
  readonly sweepCompleted?: SweepCompletedStatus;
} & Omit<SweepTotals, 'preview'> & { readonly preview?: PreviewEntry[] };

/** Totals with nothing counted yet. */
export function emptyTotals(): SweepTotals {
  return {
    loansExamined: 0,
    loansOverdue: 0,
    loansCharged: 0,
    charges: {},
    chargedOff: 0,
    eventsPublished: 0,
    eventsPending: 0,
    versionConflicts: 0,
    skipped: { count: 0, loans: [] },
    preview: [],
    durationMs: 0,
  };
}

/** Counts one loan's outcome; `changed` marks a dry-run preview candidate. */
export function countOutcome(totals: SweepTotals, outcome: LoanOutcome, preview: boolean): void {
  if (outcome.overdue) totals.loansOverdue++;
  const charged = outcome.lateFee + outcome.penaltyInterest;
  if (charged > 0) {
    totals.loansCharged++;
    const current = totals.charges[outcome.currency] ?? { lateFees: 0, penaltyInterest: 0 };
    current.lateFees += outcome.lateFee;
    current.penaltyInterest += outcome.penaltyInterest;
    totals.charges[outcome.currency] = current;
  }
  if (outcome.chargedOff) totals.chargedOff++;
  if (preview && totals.preview.length < PREVIEW_LIMIT) {
    const { loanId, currency, dpd, bucket, previousBucket, lateFee, penaltyInterest } = outcome;
    totals.preview.push({
      loanId,
      currency,
      dpd,
      bucket,
      previousBucket,
      lateFee,
      penaltyInterest,
      capped: outcome.capped,
      chargedOff: outcome.chargedOff,
    });
  }
}

/** Counts a skipped loan; the list keeps the first `SKIPPED_LIST_LIMIT`. */
export function countSkipped(totals: SweepTotals, skipped: SkippedLoan): void {
  totals.skipped.count++;
  if (totals.skipped.loans.length < SKIPPED_LIST_LIMIT) totals.skipped.loans.push(skipped);
}

/** The sum of two totals (earlier parts + this part); bounded lists keep their limits. */
export function mergeTotals(a: SweepTotals, b: SweepTotals): SweepTotals {
  const charges: Record<string, ChargeTotals> = {};
  for (const source of [a.charges, b.charges]) {
    for (const [currency, c] of Object.entries(source)) {
      const current = charges[currency] ?? { lateFees: 0, penaltyInterest: 0 };
      charges[currency] = {
        lateFees: current.lateFees + c.lateFees,
        penaltyInterest: current.penaltyInterest + c.penaltyInterest,
      };
    }
  }
  return {
    loansExamined: a.loansExamined + b.loansExamined,
    loansOverdue: a.loansOverdue + b.loansOverdue,
    loansCharged: a.loansCharged + b.loansCharged,
    charges,
    chargedOff: a.chargedOff + b.chargedOff,
    eventsPublished: a.eventsPublished + b.eventsPublished,
    eventsPending: a.eventsPending + b.eventsPending,
    versionConflicts: a.versionConflicts + b.versionConflicts,
    skipped: {
      count: a.skipped.count + b.skipped.count,
      loans: [...a.skipped.loans, ...b.skipped.loans].slice(0, SKIPPED_LIST_LIMIT),
    },
    preview: [...a.preview, ...b.preview].slice(0, PREVIEW_LIMIT),
    durationMs: a.durationMs + b.durationMs,
  };
}
