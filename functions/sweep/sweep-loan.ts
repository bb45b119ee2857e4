/**
 * One loan through one run (docs/contract.md, Sweep): assess it, record the change in one transaction, and on a
 * version conflict re-read and assess again, a bounded number of times. Every problem becomes a
 * counted skip with a reason; nothing here stops the run.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { assess } from '../core/assess';
import { policyFor } from '../core/policy';
import { ledgerNeededFrom } from '../core/reversals';
import type { BusinessDate, LoanOutcome, PolicyBook, PostedLine, RunContext } from '../core/types';
import { describeError } from '../core/values';
import type { LoanBook, LoanChange, LoanRead } from './ports';
import { countOutcome, countSkipped, type SweepTotals } from './summary';

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
  /** Lists at most this many skipped loans (the count is exact). */
  readonly skippedListLimit: number;
  /** This part's counters (mutated). */
  readonly totals: SweepTotals;
  /**
   * Loans this walk recorded with a later `nextDueDate` still within `horizon`: a shard walk meets
   * them again further on and passes them by, so each loan is examined and counted once a run
   * (mutated; an entry is removed when met, so it holds at most the loans this walk moved).
   */
  readonly movedAhead?: { readonly horizon: BusinessDate; readonly loanIds: Set<string> };
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

/** Counts and logs a loan the run could not sweep (its id and a bounded reason, nothing else). */
export function skip(ctx: LoanSweepContext, loanId: string, reason: string): void {
  countSkipped(ctx.totals, { loanId, reason }, ctx.skippedListLimit);
  ctx.log.warn('loan skipped', { loanId, reason });
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

/** Assesses and records one loan, re-reading after a conflict; resolves when it is settled. */
async function settle(first: LoanRead, ctx: LoanSweepContext): Promise<void> {
  let read = first;
  let examined = false;
  for (let attempt = 1; attempt <= ctx.maxAttempts; attempt++) {
    if (!read.ok) return skip(ctx, read.loanId, read.reason);
    const { loan } = read;
    if (!examined) ctx.totals.loansExamined++;
    examined = true;

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
      if (assessment.outcome) countOutcome(ctx.totals, assessment.outcome, false);
      // Already swept for this date: still overdue as of then, but nothing to do again.
      else if (assessment.reason === 'already-swept' && loan.dpd >= 1) ctx.totals.loansOverdue++;
      return;
    }
    if (ctx.dryRun) return countOutcome(ctx.totals, assessment.outcome, true);

    const change: LoanChange = { loan, ...assessment };
    const result = await ctx.book.record(change);
    if (result.kind === 'recorded') {
      noteMovedAhead(ctx, change);
      countOutcome(ctx.totals, assessment.outcome, false);
      ctx.totals.eventsRecorded += assessment.events.length;
      logReversals(ctx, assessment.outcome);
      return;
    }
    if (result.kind === 'rejected') return skip(ctx, loan.loanId, result.reason);
    // A payment or another run wrote first: what they wrote decides what is left to do.
    ctx.totals.versionConflicts++;
    if (attempt === ctx.maxAttempts) break;
    read = await rereadOf(ctx.book, loan.loanId);
  }
  skip(ctx, loanIdOf(read), `version conflict on ${ctx.maxAttempts} attempts`);
}

async function rereadOf(book: LoanBook, loanId: string): Promise<LoanRead> {
  const [read] = await book.readByIds([loanId]);
  return read ?? { ok: false, loanId, reason: 'not found' };
}

/** The id a read names, for reasons about it. */
export function loanIdOf(read: LoanRead): string {
  return read.ok ? read.loan.loanId : read.loanId;
}

/**
 * Sweeps one loan for `ctx.asOf`. Never throws: an error that survived the SDK's retries skips the
 * loan with a reason that names throttling as such.
 */
export async function sweepLoan(read: LoanRead, ctx: LoanSweepContext): Promise<void> {
  try {
    await settle(read, ctx);
  } catch (error) {
    const reason = describeError(error);
    ctx.log.error('loan failed', { loanId: loanIdOf(read), reason });
    skip(ctx, loanIdOf(read), reason);
  }
}
