/**
 * One loan through one run (docs/contract.md, Sweep): assess it, record the change in one transaction, and on a
 * version conflict re-read and assess again, a bounded number of times. Every problem becomes a
 * skip with a reason; nothing here stops the run. It counts nothing: it answers what happened to
 * the loan (`LoanSwept`), and the tally (summary.ts `tallyLoan`) adds that to the run's totals.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { assess } from '../core/assess';
import { policyFor } from '../core/policy';
import { ledgerNeededFrom } from '../core/reversals';
import type { BusinessDate, LoanOutcome, PolicyBook, PostedLine, RunContext } from '../core/types';
import { describeError } from '../core/values';
import type { LoanBook, LoanChange, LoanRead } from './ports';

/** The structured logger the sweep writes to: the Powertools Logger levels it uses. */
export type SweepLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** What sweeping a loan needs; one per run part. */
export interface LoanSweepContext {
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  readonly run: RunContext;
  readonly policyBook: PolicyBook;
  readonly book: LoanBook;
  readonly log: SweepLog;
  /** Assessments of one loan before a persistent conflict skips it (≥ 1). */
  readonly maxAttempts: number;
  /**
   * Loans this walk recorded with a later `nextDueDate` still within `horizon`: a shard walk meets
   * them again further on and passes them by, so each loan is examined and counted once a run
   * (mutated; an entry is removed when met, so it holds at most the loans this walk moved).
   */
  readonly movedAhead?: { readonly horizon: BusinessDate; readonly loanIds: Set<string> };
}

/** What sweeping the loan came to, for the run's totals. */
export type LoanVerdict =
  /** Not swept: a malformed item, an unknown id, a rejected write, an error; `reason` says which. */
  | { readonly kind: 'skipped'; readonly loanId: string; readonly reason: string }
  /**
   * Assessed: its outcome counts (charged, reversed, charged off, overdue); `previewed` in a dry
   * run; `eventsRecorded` with its write (0 when nothing was written).
   */
  | {
      readonly kind: 'assessed';
      readonly outcome: LoanOutcome;
      readonly previewed: boolean;
      readonly eventsRecorded: number;
    }
  /** Already swept for this date and still overdue as of then: counted overdue, nothing else. */
  | { readonly kind: 'overdue' }
  /** Nothing to count. */
  | { readonly kind: 'unchanged' };

/** What happened to one loan in one run: the verdict, and what it took on the way. */
export interface LoanSwept {
  /** True when the loan was read well-formed (it counts as examined once, whatever the attempts). */
  readonly examined: boolean;
  /** Version conflicts met, each re-read and assessed again. */
  readonly versionConflicts: number;
  readonly verdict: LoanVerdict;
}

/** What a loan's settling has met so far; kept outside `settle` so an error does not lose it. */
interface Progress {
  examined: boolean;
  versionConflicts: number;
}

/** Notes a recorded loan whose index key moved ahead within the walk's horizon (see `movedAhead`). */
function noteMovedAhead(ctx: LoanSweepContext, change: LoanChange): void {
  const next = change.update.nextDueDate;
  const met = change.loan.nextDueDate;
  const { movedAhead } = ctx;
  if (
    movedAhead &&
    next !== null &&
    met !== undefined &&
    next > met &&
    next <= movedAhead.horizon
  ) {
    movedAhead.loanIds.add(change.loan.loanId);
  }
}

/** Logs a loan the run could not sweep (its id and a bounded reason, nothing else) as skipped. */
function skip(ctx: LoanSweepContext, loanId: string, reason: string): LoanVerdict {
  ctx.log.warn('loan skipped', { loanId, reason });
  return { kind: 'skipped', loanId, reason };
}

/** An assessed loan's verdict. */
function assessed(outcome: LoanOutcome, previewed: boolean, eventsRecorded = 0): LoanVerdict {
  return { kind: 'assessed', outcome, previewed, eventsRecorded };
}

/** Logs what a write gave back (amounts in minor units; ids only, no personal data). */
function logReversals(ctx: LoanSweepContext, outcome: LoanOutcome): void {
  if (outcome.lateFeeReversed + outcome.penaltyReversed === 0) return;
  ctx.log.info('charges reversed', {
    loanId: outcome.loanId,
    currency: outcome.currency,
    lateFeeReversed: outcome.lateFeeReversed,
    penaltyReversed: outcome.penaltyReversed,
    paymentIds: outcome.paymentIds,
  });
}

/** Assesses and records one loan, re-reading after a conflict; resolves to its verdict. */
async function settle(
  first: LoanRead,
  ctx: LoanSweepContext,
  progress: Progress,
): Promise<LoanVerdict> {
  let read = first;
  for (let attempt = 1; attempt <= ctx.maxAttempts; attempt++) {
    if (!read.ok) return skip(ctx, read.loanId, read.reason);
    const { loan } = read;
    progress.examined = true;

    // Rule 7: only a loan with a backdated payment to account for has its ledger read.
    const ledgerFrom = ledgerNeededFrom(loan, ctx.asOf);
    let history: readonly PostedLine[] | undefined;
    if (ledgerFrom !== undefined) {
      const read = await ctx.book.ledgerSince(loan.loanId, ledgerFrom);
      if (!read.ok) return skip(ctx, loan.loanId, read.reason);
      history = read.lines;
    }
    const policy = policyFor(ctx.policyBook, loan.productCode);
    const assessment = assess(loan, policy, ctx.asOf, ctx.run, history);
    if (assessment.kind === 'skip') return skip(ctx, loan.loanId, assessment.reason);
    if (assessment.kind === 'unchanged') {
      if (assessment.outcome) return assessed(assessment.outcome, false);
      // Already swept for this date: still overdue as of then, but nothing to do again.
      return assessment.reason === 'already-swept' && loan.dpd >= 1
        ? { kind: 'overdue' }
        : { kind: 'unchanged' };
    }
    if (ctx.dryRun) return assessed(assessment.outcome, true);

    const change: LoanChange = { loan, ...assessment };
    const result = await ctx.book.record(change);
    if (result.kind === 'recorded') {
      noteMovedAhead(ctx, change);
      logReversals(ctx, assessment.outcome);
      return assessed(assessment.outcome, false, assessment.events.length);
    }
    if (result.kind === 'rejected') return skip(ctx, loan.loanId, result.reason);
    // A payment or another run wrote first: what they wrote decides what is left to do.
    progress.versionConflicts++;
    if (attempt === ctx.maxAttempts) break;
    read = await rereadOf(ctx.book, loan.loanId);
  }
  return skip(ctx, loanIdOf(read), `version conflict on ${ctx.maxAttempts} attempts`);
}

async function rereadOf(book: LoanBook, loanId: string): Promise<LoanRead> {
  const [read] = await book.readByIds([loanId]);
  return read ?? { ok: false, loanId, reason: 'not found' };
}

/** The id a read names, for reasons about it. */
function loanIdOf(read: LoanRead): string {
  return read.ok ? read.loan.loanId : read.loanId;
}

/**
 * Sweeps one loan for `ctx.asOf` and answers what happened to it. Never throws: an error that
 * survived the SDK's retries skips the loan with a reason that names throttling as such.
 */
export async function sweepLoan(read: LoanRead, ctx: LoanSweepContext): Promise<LoanSwept> {
  const progress: Progress = { examined: false, versionConflicts: 0 };
  let verdict: LoanVerdict;
  try {
    verdict = await settle(read, ctx, progress);
  } catch (error) {
    const reason = describeError(error);
    ctx.log.error('loan failed', { loanId: loanIdOf(read), reason });
    verdict = skip(ctx, loanIdOf(read), reason);
  }
  return { ...progress, verdict };
}
