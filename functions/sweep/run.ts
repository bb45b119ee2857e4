/**
 * Sweeping a job's scope within one invocation (docs/contract.md: Sweep, Workflow): shards page by page, all at once,
 * or named loans read by key, with a bounded number of loans in flight. When the time budget runs
 * low the walk stops taking new loans, lets those in flight finish, and returns what is left — a
 * cursor per unfinished shard (the last loan it started), or the ids not yet started. Resuming
 * anywhere is safe: a loan already swept for `asOf` is read again but left as it is.
 */
import { addDays } from '../core/dates';
import { maxReminderOffset } from '../core/policy';
import type { PolicyBook, RunContext } from '../core/types';
import type { ShardCursor, SweepJob, SweepScope } from './job';
import { createLimiter, type Limiter } from './limiter';
import type { LoanBook, LoanRead } from './ports';
import { emptyTotals, type SweepTotals, tallyLoan } from './summary';
import { type LoanSweepContext, type SweepLog, sweepLoan } from './sweep-loan';

/** Tells the walk when to stop taking new loans (e.g. little Lambda time left). */
export interface TimeBudget {
  exhausted(): boolean;
}

/** Knobs with defaults for AWS; tests make them small. */
export interface SweepTuning {
  /** Loans in flight at once (each holds at most one read or transaction). */
  readonly loanConcurrency: number;
  /** Items per due-index page. */
  readonly pageSize: number;
  /** Assessments of one loan before persistent conflicts skip it. */
  readonly maxAttempts: number;
}

export const DEFAULT_TUNING: SweepTuning = { loanConcurrency: 32, pageSize: 100, maxAttempts: 6 };

/** What a walk needs besides the job. */
export interface WalkDependencies {
  readonly book: LoanBook;
  readonly policyBook: PolicyBook;
  readonly log: SweepLog;
  readonly run: RunContext;
  readonly budget: TimeBudget;
  readonly tuning: SweepTuning;
}

/** What the walk did, and what is left of the scope (absent when nothing is). */
export interface WalkResult {
  readonly totals: SweepTotals;
  readonly rest?: SweepScope;
}

interface Walk {
  readonly loans: LoanSweepContext;
  readonly book: LoanBook;
  readonly slots: Limiter;
  readonly pageSize: number;
  /** True once the budget is exhausted and this walk has started a loan (sticky). */
  stopping(): boolean;
  /** Starts sweeping a loan in a free slot; its outcome is tallied into the walk's totals. */
  start(read: LoanRead): Promise<void>;
}

/** The last due date a whole run reads from the index: due-soon events look ahead that far. */
function horizonOf(job: SweepJob, policyBook: PolicyBook): SweepJob['asOf'] {
  return addDays(job.asOf, maxReminderOffset(policyBook));
}

function createWalk(job: SweepJob, deps: WalkDependencies, totals: SweepTotals): Walk {
  const slots = createLimiter(deps.tuning.loanConcurrency);
  const loans: LoanSweepContext = {
    asOf: job.asOf,
    dryRun: job.dryRun,
    run: deps.run,
    policyBook: deps.policyBook,
    book: deps.book,
    log: deps.log,
    maxAttempts: deps.tuning.maxAttempts,
    ...(job.scope.kind === 'due-index' && {
      movedAhead: { horizon: horizonOf(job, deps.policyBook), loanIds: new Set<string>() },
    }),
  };
  let startedAny = false;
  let stopped = false;
  return {
    loans,
    book: deps.book,
    slots,
    pageSize: deps.tuning.pageSize,
    // Every walk sweeps at least one loan, so a run progresses however small the budget.
    stopping: () => {
      if (!stopped && startedAny && deps.budget.exhausted()) stopped = true;
      return stopped;
    },
    start: (read) => {
      startedAny = true;
      return sweepLoan(read, loans)
        .then((swept) => tallyLoan(totals, swept))
        .finally(() => slots.release());
    },
  };
}

/**
 * Sweeps one shard page by page; returns where to resume, or undefined when it is done. The next
 * page is read while the last page's loans are still in flight, so the slots never drain at a
 * page boundary (a workflow part walks a single shard).
 */
async function walkShard(
  shard: ShardCursor,
  horizon: SweepJob['asOf'],
  walk: Walk,
): Promise<ShardCursor | undefined> {
  const inFlight = new Set<Promise<void>>();
  let after = shard.after;
  let done = false;
  while (!done && !walk.stopping()) {
    const page = await walk.book.duePage(shard.shard, horizon, after, walk.pageSize);
    let wholePage = true;
    for (const entry of page.entries) {
      // A loan this walk recorded further ahead in the index is met again: it was swept already.
      if (entry.read.ok && walk.loans.movedAhead?.loanIds.delete(entry.read.loan.loanId)) {
        after = entry.cursor;
        continue;
      }
      await walk.slots.acquire();
      if (walk.stopping()) {
        walk.slots.release();
        wholePage = false;
        break;
      }
      const loan = walk.start(entry.read).finally(() => inFlight.delete(loan));
      inFlight.add(loan);
      after = entry.cursor;
    }
    if (wholePage) {
      done = page.next === undefined;
      after = page.next ?? after;
    }
  }
  await Promise.all(inFlight);
  return done ? undefined : { shard: shard.shard, ...(after && { after }) };
}

/** DynamoDB reads at most 100 keys per call; reading in such chunks keeps memory flat. */
const READ_CHUNK = 100;

/** Sweeps named loans, read by key in chunks; returns the ids not yet started. */
async function walkLoanIds(loanIds: readonly string[], walk: Walk): Promise<string[]> {
  const inFlight: Promise<void>[] = [];
  for (let start = 0; start < loanIds.length; start += READ_CHUNK) {
    if (walk.stopping()) {
      await Promise.all(inFlight);
      return loanIds.slice(start);
    }
    const reads = await walk.book.readByIds(loanIds.slice(start, start + READ_CHUNK));
    for (const [offset, read] of reads.entries()) {
      await walk.slots.acquire();
      if (walk.stopping()) {
        walk.slots.release();
        await Promise.all(inFlight);
        return loanIds.slice(start + offset);
      }
      inFlight.push(walk.start(read));
    }
  }
  await Promise.all(inFlight);
  return [];
}

/**
 * Sweeps `job.scope` for `job.asOf` until it is done or the budget runs low.
 * @returns this walk's counters and the rest of the scope, if any.
 */
export async function walkJob(job: SweepJob, deps: WalkDependencies): Promise<WalkResult> {
  const totals = emptyTotals();
  const walk = createWalk(job, deps, totals);
  const { scope } = job;
  if (scope.kind === 'loan-ids') {
    const rest = await walkLoanIds(scope.loanIds, walk);
    return { totals, ...(rest.length > 0 && { rest: { kind: 'loan-ids', loanIds: rest } }) };
  }
  // Due soon as well as overdue: due-soon events look ahead by the largest reminder offset.
  const horizon = horizonOf(job, deps.policyBook);
  const results = await Promise.all(scope.shards.map((s) => walkShard(s, horizon, walk)));
  const rest = results.filter((cursor): cursor is ShardCursor => cursor !== undefined);
  return { totals, ...(rest.length > 0 && { rest: { kind: 'due-index', shards: rest } }) };
}
