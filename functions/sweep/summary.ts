/**
 * The run's totals (docs/contract.md, Summary): the one place they are counted — each loan's
 * outcome tallied as the walk settles it (`tallyLoan`), and totals added up across parts and
 * shards and cut to size for where they go (`totalsFor`) — so the only place the summary's list
 * limits live; the shape the function and the workflow return; and the checks of totals a step
 * carries. Amounts are minor units per currency. Lists are bounded so a summary always fits one
 * SNS message, whatever the data, and a part's answer a workflow state.
 */
import { sumMinorUnits } from '../core/money';
import type { BusinessDate, LoanOutcome } from '../core/types';
import { bounded, MAX_REASON_CHARS, utf8ByteLength } from '../core/values';
import type { LoanSwept } from './sweep-loan';

/** At most this many skipped loans are listed (the count is always exact). */
export const SKIPPED_LIST_LIMIT = 100;
/** A listed reason is cut to this many characters (docs/contract.md, Summary). */
export const REASON_LIMIT = MAX_REASON_CHARS;
/** A listed loan id is cut to this many characters (ids may be up to 1,024). */
export const LISTED_ID_LIMIT = 256;
/** At most this many per-loan outcomes are previewed by a dry run. */
export const PREVIEW_LIMIT = 50;
/** Skipped loans each shard part lists, so 16 shards' answers stay small in the workflow state. */
export const PART_SKIPPED_LIST_LIMIT = 7;
/** Loans each shard part previews in a dry run (16 × 3, about the summary's 50). */
export const PART_PREVIEW_LIMIT = 3;
/** Most bytes (JSON, UTF-8) of a shard part's totals: 16 answers stay far within a state's 256 KB. */
export const PART_TOTALS_BYTES = 10 * 1024;
/**
 * Most bytes of the totals a resume payload or a named-loans part carries: an execution's input and
 * a state's data are at most 256 KB, and the ids not yet swept travel beside them.
 */
export const CARRIED_TOTALS_BYTES = 32 * 1024;
/** Most bytes (JSON, UTF-8) of the merged totals in a workflow's summary: well under 256 KB. */
export const FINISH_TOTALS_BYTES = 192 * 1024;

/** Amounts of one currency, minor units. */
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
  | 'loanId'
  | 'currency'
  | 'dpd'
  | 'bucket'
  | 'previousBucket'
  | 'lateFee'
  | 'penaltyInterest'
  | 'capped'
  | 'chargedOff'
  | 'lateFeeReversed'
  | 'penaltyReversed'
>;

/** Counters of (part of) a run; plain JSON, so parts can hand them on. */
export interface SweepTotals {
  loansExamined: number;
  loansOverdue: number;
  loansCharged: number;
  /** Currency → charges posted (or, in a dry run, that would be posted). */
  charges: Record<string, ChargeTotals>;
  /** Currency → charges given back after backdated payments (docs/contract.md, Value-dated payments). */
  reversals: Record<string, ChargeTotals>;
  chargedOff: number;
  /** Loan events recorded with the loans' writes, for the stream publisher to publish. */
  eventsRecorded: number;
  versionConflicts: number;
  skipped: { count: number; loans: SkippedLoan[] };
  preview: PreviewEntry[];
}

/**
 * The run record of a complete, non-dry run: its `sweep.completed` is recorded durably and the
 * stream publisher delivers it (docs/contract.md, Guarantees).
 */
export interface SweepCompletedStatus {
  readonly eventId: string;
  /**
   * `recorded` by this run; `kept` when a run of the same id (an earlier finish, a re-run, a
   * redrive) had recorded it first: that first record stands and is the one delivered.
   */
  readonly runRecord: 'recorded' | 'kept';
}

/** The function's and the workflow's answer to a whole run (docs/contract.md, Summary). */
export type SweepSummary = {
  readonly runId: string;
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  /** False when part of the run was handed on (see `continuedIn` / `resume`). */
  readonly complete: boolean;
  /**
   * Loan events the run published: recorded atomically with each loan's write and delivered at
   * least once by the stream publisher (equal to `eventsRecorded`).
   */
  readonly eventsPublished: number;
  /** Wall time, milliseconds. */
  readonly durationMs: number;
  readonly sweepCompleted?: SweepCompletedStatus;
} & Omit<SweepTotals, 'preview'> & { readonly preview?: PreviewEntry[] };

/** Totals with nothing counted yet. */
export function emptyTotals(): SweepTotals {
  return {
    loansExamined: 0,
    loansOverdue: 0,
    loansCharged: 0,
    charges: {},
    reversals: {},
    chargedOff: 0,
    eventsRecorded: 0,
    versionConflicts: 0,
    skipped: { count: 0, loans: [] },
    preview: [],
  };
}

function addAmounts(
  into: Record<string, ChargeTotals>,
  currency: string,
  lateFees: number,
  penaltyInterest: number,
): void {
  const current = into[currency] ?? { lateFees: 0, penaltyInterest: 0 };
  into[currency] = {
    lateFees: sumMinorUnits([current.lateFees, lateFees]),
    penaltyInterest: sumMinorUnits([current.penaltyInterest, penaltyInterest]),
  };
}

/** Counts one loan's outcome; `preview` lists it (dry runs). */
function countOutcome(totals: SweepTotals, outcome: LoanOutcome, preview: boolean): void {
  if (outcome.overdue) totals.loansOverdue++;
  if (outcome.lateFee + outcome.penaltyInterest > 0) {
    totals.loansCharged++;
    addAmounts(totals.charges, outcome.currency, outcome.lateFee, outcome.penaltyInterest);
  }
  if (outcome.lateFeeReversed + outcome.penaltyReversed > 0) {
    addAmounts(
      totals.reversals,
      outcome.currency,
      outcome.lateFeeReversed,
      outcome.penaltyReversed,
    );
  }
  if (outcome.chargedOff) totals.chargedOff++;
  if (preview && totals.preview.length < PREVIEW_LIMIT) {
    const { loanId, currency, dpd, bucket, previousBucket, lateFee, penaltyInterest } = outcome;
    const { capped, chargedOff, lateFeeReversed, penaltyReversed } = outcome;
    totals.preview.push({
      loanId: bounded(loanId, LISTED_ID_LIMIT),
      currency,
      dpd,
      bucket,
      previousBucket,
      lateFee,
      penaltyInterest,
      capped,
      chargedOff,
      lateFeeReversed,
      penaltyReversed,
    });
  }
}

/** Counts a skipped loan; the list keeps the first ones (reasons and ids cut to size). */
function countSkipped(totals: SweepTotals, skipped: SkippedLoan): void {
  totals.skipped.count++;
  if (totals.skipped.loans.length < SKIPPED_LIST_LIMIT) {
    totals.skipped.loans.push({
      loanId: bounded(skipped.loanId, LISTED_ID_LIMIT),
      reason: bounded(skipped.reason, REASON_LIMIT),
    });
  }
}

/** Adds what happened to one loan (sweep-loan.ts) to `totals`: the one writer of a walk's totals. */
export function tallyLoan(totals: SweepTotals, swept: LoanSwept): void {
  if (swept.examined) totals.loansExamined++;
  totals.versionConflicts += swept.versionConflicts;
  const { verdict } = swept;
  if (verdict.kind === 'skipped') countSkipped(totals, verdict);
  else if (verdict.kind === 'assessed') {
    countOutcome(totals, verdict.outcome, verdict.previewed);
    totals.eventsRecorded += verdict.eventsRecorded;
  } else if (verdict.kind === 'overdue') totals.loansOverdue++;
}

/** The counters of totals, each a non-negative safe integer. */
const COUNTERS = [
  'loansExamined',
  'loansOverdue',
  'loansCharged',
  'chargedOff',
  'eventsRecorded',
  'versionConflicts',
] as const;

/**
 * Largest figure a step may carry in (2^52): half the safe range, so what one invocation adds to it
 * can never pass `Number.MAX_SAFE_INTEGER` after its writes (docs/decisions.md, The sweep-run
 * workflow). A real run is many orders of magnitude below it.
 */
export const CARRIED_FIGURE_LIMIT = 2 ** 52;

/** `a + b`, exact, or a RangeError: never a sum past the safe range. */
function addExactly(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`${a} + ${b} is past the safe range`);
  return sum;
}

/** Every figure of `totals` (counters, skipped count, each amount), named by its path. */
function figuresOf(totals: SweepTotals): [string, number][] {
  const figures: [string, number][] = COUNTERS.map((name) => [name, totals[name]]);
  figures.push(['skipped.count', totals.skipped.count]);
  for (const kind of ['charges', 'reversals'] as const) {
    for (const [currency, amount] of Object.entries(totals[kind])) {
      figures.push([`${kind}.${currency}.lateFees`, amount.lateFees]);
      figures.push([`${kind}.${currency}.penaltyInterest`, amount.penaltyInterest]);
    }
  }
  return figures;
}

/**
 * What is inconsistent in totals a step carries (schema-valid: non-negative safe integers), each
 * problem named by `field` and its path: figures that one run's counting cannot produce together,
 * and figures above {@link CARRIED_FIGURE_LIMIT}.
 */
export function carriedTotalsProblems(
  field: string,
  totals: SweepTotals,
  dryRun: boolean,
): string[] {
  const problems: string[] = [];
  for (const [path, value] of figuresOf(totals)) {
    if (value > CARRIED_FIGURE_LIMIT) {
      problems.push(`${field}.${path}: more than a run can carry (2^52)`);
    }
  }
  const { loansExamined } = totals;
  for (const name of ['loansOverdue', 'loansCharged', 'chargedOff'] as const) {
    if (totals[name] > loansExamined) {
      problems.push(
        `${field}.${name}: ${totals[name]} is more than loansExamined ${loansExamined}`,
      );
    }
  }
  if (totals.skipped.loans.length > totals.skipped.count) {
    problems.push(
      `${field}.skipped: lists ${totals.skipped.loans.length} loans of a count of ${totals.skipped.count}`,
    );
  }
  // Each loan charged adds at least one minor unit in its currency, and only a charged loan adds.
  const charged = Object.entries(totals.charges);
  const units = charged.reduce(
    (sum, [, c]) => sum + BigInt(c.lateFees) + BigInt(c.penaltyInterest),
    0n,
  );
  if (units < BigInt(totals.loansCharged)) {
    problems.push(
      `${field}.charges: ${units} minor units for ${totals.loansCharged} loans charged (each charge is at least 1)`,
    );
  }
  for (const [currency, c] of charged) {
    if (c.lateFees + c.penaltyInterest === 0) {
      problems.push(`${field}.charges.${currency}: listed with nothing charged`);
    }
  }
  if (charged.length > totals.loansCharged) {
    problems.push(
      `${field}.charges: ${charged.length} currencies charged for ${totals.loansCharged} loans charged`,
    );
  }
  for (const [currency, c] of Object.entries(totals.reversals)) {
    if (c.lateFees + c.penaltyInterest === 0) {
      problems.push(`${field}.reversals.${currency}: listed with nothing reversed`);
    }
  }
  if (dryRun) {
    // A dry run writes nothing: it records no event and meets no version conflict.
    if (totals.eventsRecorded > 0) problems.push(`${field}.eventsRecorded: a dry run records none`);
    if (totals.versionConflicts > 0) {
      problems.push(`${field}.versionConflicts: a dry run writes nothing to conflict`);
    }
    if (totals.preview.length > totals.loansExamined) {
      problems.push(`${field}.preview: more loans than loansExamined ${loansExamined}`);
    }
  } else {
    if (totals.preview.length > 0) problems.push(`${field}.preview: only a dry run previews`);
    // Every loan charged records its loan.fee_applied with the charge.
    if (totals.eventsRecorded < totals.loansCharged) {
      problems.push(
        `${field}.eventsRecorded: ${totals.eventsRecorded} is fewer than loansCharged ${totals.loansCharged}`,
      );
    }
  }
  return problems;
}

/**
 * The figures of `all` that add up past `Number.MAX_SAFE_INTEGER` (exactly, in BigInt), each named
 * by `field` and its path: what {@link totalsFor} would refuse.
 */
export function sumProblems(field: string, all: readonly SweepTotals[]): string[] {
  const sums = new Map<string, bigint>();
  for (const totals of all) {
    for (const [path, value] of figuresOf(totals)) {
      sums.set(path, (sums.get(path) ?? 0n) + BigInt(value));
    }
  }
  return [...sums]
    .filter(([, sum]) => sum > BigInt(Number.MAX_SAFE_INTEGER))
    .map(([path]) => `${field}.${path}: adds up past the safe range (2^53 - 1)`);
}

/**
 * The sum of totals (shards, parts), lists one after the other. Exact: a sum past the safe range is
 * a RangeError, never an imprecise figure (steps are validated first so it is never met).
 */
function mergeTotals(all: readonly SweepTotals[]): SweepTotals {
  const merged = emptyTotals();
  for (const t of all) {
    for (const name of COUNTERS) merged[name] = addExactly(merged[name], t[name]);
    for (const [currency, c] of Object.entries(t.charges)) {
      addAmounts(merged.charges, currency, c.lateFees, c.penaltyInterest);
    }
    for (const [currency, c] of Object.entries(t.reversals)) {
      addAmounts(merged.reversals, currency, c.lateFees, c.penaltyInterest);
    }
    merged.skipped.count = addExactly(merged.skipped.count, t.skipped.count);
    merged.skipped.loans.push(...t.skipped.loans);
    merged.preview.push(...t.preview);
  }
  return merged;
}

/** How much of the lists each place totals go to keeps: entries first, then bytes of JSON. */
const KEPT = {
  /** A shard part's answer: 16 of them meet in the finish's input. */
  'shard-part': {
    skipped: PART_SKIPPED_LIST_LIMIT,
    preview: PART_PREVIEW_LIMIT,
    bytes: PART_TOTALS_BYTES,
  },
  /** A named-loans part's answer or a resume payload: the ids not yet swept travel beside them. */
  carried: { skipped: SKIPPED_LIST_LIMIT, preview: PREVIEW_LIMIT, bytes: CARRIED_TOTALS_BYTES },
  /** The workflow's summary. */
  finish: { skipped: SKIPPED_LIST_LIMIT, preview: PREVIEW_LIMIT, bytes: FINISH_TOTALS_BYTES },
} as const;

/** Where totals go once a walk has counted them (a direct run's summary takes them as they are). */
export type TotalsDestination = keyof typeof KEPT;

/**
 * `all` added up for `destination`: the lists keep their first entries up to its limits, then are
 * shortened until the whole fits its bytes; every count stays exact.
 */
export function totalsFor(destination: TotalsDestination, ...all: SweepTotals[]): SweepTotals {
  const kept = KEPT[destination];
  const merged = mergeTotals(all);
  merged.skipped.loans = merged.skipped.loans.slice(0, kept.skipped);
  merged.preview = merged.preview.slice(0, kept.preview);
  return withinBytes(merged, kept.bytes);
}

/** Bytes of `value` as JSON in UTF-8: what Step Functions and SNS count against their limits. */
export function jsonBytes(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value));
}

/**
 * `totals` with its bounded lists shortened (last entries first, previews before skipped loans)
 * until the whole is at most `maxBytes` of JSON; the counts stay exact. Lists hold ids and reasons
 * of up to a few hundred characters, and escaping can make each several times longer in bytes, so
 * a count limit alone cannot keep a workflow's state or an SNS message within its size limit.
 */
function withinBytes(totals: SweepTotals, maxBytes: number): SweepTotals {
  const fitted: SweepTotals = {
    ...totals,
    skipped: { count: totals.skipped.count, loans: [...totals.skipped.loans] },
    preview: [...totals.preview],
  };
  while (jsonBytes(fitted) > maxBytes) {
    if (fitted.preview.length > 0) fitted.preview.pop();
    else if (fitted.skipped.loans.length > 0) fitted.skipped.loans.pop();
    else break;
  }
  return fitted;
}
