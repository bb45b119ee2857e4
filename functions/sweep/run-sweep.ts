/**
 * One invocation of a sweep run (SPEC §5): stream the candidates (16 due-index shards page by
 * page, or the named loans by key), sweep each with bounded concurrency, and either finish the
 * run (publishing `sweep.completed`) or, when the time budget runs low, hand the rest on.
 *
 * Resuming: a part stops taking new loans, lets the in-flight ones finish, and records per shard
 * the index position of the last loan it started (or the loan ids not yet started). The next part
 * continues right after it. Should a part be retried from an older cursor, loans already swept for
 * `asOf` are read again but left untouched, so resuming anywhere is safe.
 */
import type { ContinuationInvoker } from '../adapters/continuation';
import { BATCH_GET_LIMIT, positionOf } from '../adapters/loan-store';
import type { EventPublisher } from '../adapters/sns-publisher';
import type { SweepStore } from '../adapters/sweep-store';
import { addDays } from '../core/dates';
import { buildSweepCompletedEvent, sweepCompletedEventId } from '../core/events';
import { maxReminderOffset } from '../core/policy';
import type { PolicyBook } from '../core/types';
import { createLimiter, type Limiter } from './limiter';
import { type LoanRunContext, processLoan, type SweepLog, skip } from './process-loan';
import { createPublishBatcher } from './publish-batcher';
import type { ContinuationPayload, ShardCursor, SweepJob, SweepScope } from './request';
import {
  emptyTotals,
  mergeTotals,
  type SweepCompletedStatus,
  type SweepSummary,
  type SweepTotals,
} from './summary';

/** Tells the run when to stop taking new loans (e.g. less than a minute of Lambda time left). */
export interface TimeBudget {
  exhausted(): boolean;
}

/** Knobs with sensible defaults; tests make them small. */
export interface SweepTuning {
  /** Loans in flight at once (each holds at most one transaction or clear step). */
  readonly loanConcurrency: number;
  /** Items per due-index page. */
  readonly pageSize: number;
  /** Re-reads after a version conflict before a loan is skipped. */
  readonly conflictRetries: number;
  /** Milliseconds a partial PublishBatch waits for more events. */
  readonly publishLingerMs: number;
}

export const DEFAULT_TUNING: SweepTuning = {
  loanConcurrency: 32,
  pageSize: 100,
  conflictRetries: 5,
  publishLingerMs: 25,
};

/** The ports a run uses; the handler wires them to AWS, tests to the emulators and fakes. */
export interface SweepDependencies {
  readonly store: SweepStore;
  readonly publisher: EventPublisher;
  readonly continueWith: ContinuationInvoker;
  readonly policyBook: PolicyBook;
  readonly log: SweepLog;
  readonly clock: () => Date;
  readonly budget: TimeBudget;
  readonly shardCount: number;
  readonly tuning?: Partial<SweepTuning>;
}

/** The summary to return, and this part's own counters (for metrics). */
export interface SweepPartResult {
  readonly summary: SweepSummary;
  readonly partTotals: SweepTotals;
}

interface Walk {
  readonly loan: LoanRunContext;
  readonly slots: Limiter;
  readonly pageSize: number;
  /** True once the budget is exhausted and this part has made progress (sticky). */
  stopping(): boolean;
  started(): void;
}

function createWalk(loan: LoanRunContext, tuning: SweepTuning, budget: TimeBudget): Walk {
  let startedAny = false;
  let stopped = false;
  return {
    loan,
    slots: createLimiter(tuning.loanConcurrency),
    pageSize: tuning.pageSize,
    // Every part sweeps at least one loan, so a run always progresses however small the budget.
    stopping: () => {
      if (!stopped && startedAny && budget.exhausted()) stopped = true;
      return stopped;
    },
    started: () => {
      startedAny = true;
    },
  };
}

/** Sweeps one shard page by page; returns where to resume, or undefined when it is done. */
async function sweepShard(cursor: ShardCursor, walk: Walk): Promise<ShardCursor | undefined> {
  let after = cursor.after;
  for (;;) {
    if (walk.stopping()) return { shard: cursor.shard, ...(after && { after }) };
    const page = await walk.loan.store.duePage(
      cursor.shard,
      walk.loan.horizon,
      after,
      walk.pageSize,
    );
    const inFlight: Promise<void>[] = [];
    let stopped = false;
    for (const item of page.items) {
      await walk.slots.acquire();
      if (walk.stopping()) {
        walk.slots.release();
        stopped = true;
        break;
      }
      walk.started();
      after = positionOf(item) ?? after;
      inFlight.push(processLoan(item, walk.loan).finally(() => walk.slots.release()));
    }
    await Promise.all(inFlight);
    if (stopped) return { shard: cursor.shard, ...(after && { after }) };
    if (!page.next) return undefined;
    after = page.next;
  }
}

/** Sweeps the named loans, read 100 at a time by key; returns the ids not yet started. */
async function sweepLoanIds(loanIds: readonly string[], walk: Walk): Promise<string[]> {
  const inFlight: Promise<void>[] = [];
  for (let start = 0; start < loanIds.length; start += BATCH_GET_LIMIT) {
    if (walk.stopping()) {
      await Promise.all(inFlight);
      return loanIds.slice(start);
    }
    const chunk = loanIds.slice(start, start + BATCH_GET_LIMIT);
    const { items, unprocessed } = await walk.loan.store.batchGet(chunk);
    const throttled = new Set(unprocessed);
    for (const [offset, loanId] of chunk.entries()) {
      await walk.slots.acquire();
      if (walk.stopping()) {
        walk.slots.release();
        await Promise.all(inFlight);
        return loanIds.slice(start + offset);
      }
      walk.started();
      const item = items.get(loanId);
      const work = throttled.has(loanId)
        ? Promise.resolve(skip(walk.loan, loanId, 'throttled: still unprocessed after retries'))
        : item
          ? processLoan(item, walk.loan, loanId)
          : Promise.resolve(skip(walk.loan, loanId, 'not found'));
      inFlight.push(work.finally(() => walk.slots.release()));
    }
  }
  await Promise.all(inFlight);
  return [];
}

/** Walks the job's scope; returns the scope still to do, or undefined when nothing is left. */
async function walkScope(scope: SweepScope, walk: Walk): Promise<SweepScope | undefined> {
  if (scope.kind === 'loan-ids') {
    const rest = await sweepLoanIds(scope.loanIds, walk);
    return rest.length > 0 ? { kind: 'loan-ids', loanIds: rest } : undefined;
  }
  const results = await Promise.all(scope.shards.map((cursor) => sweepShard(cursor, walk)));
  const rest = results.filter((cursor): cursor is ShardCursor => cursor !== undefined);
  return rest.length > 0 ? { kind: 'due-index', shards: rest } : undefined;
}

async function publishCompleted(
  job: SweepJob,
  summary: SweepSummary,
  deps: SweepDependencies,
  occurredAt: string,
): Promise<SweepCompletedStatus> {
  const eventId = sweepCompletedEventId(job.asOf, job.runId);
  const event = buildSweepCompletedEvent({ ...summary }, job.asOf, {
    runId: job.runId,
    occurredAt,
  });
  const { failed } = await deps.publisher.publish([event]);
  const reason = failed[0]?.reason;
  if (reason !== undefined) {
    deps.log.error('sweep.completed not accepted by SNS; a re-run for this date re-sends it', {
      eventId,
      reason,
    });
    return { eventId, published: false, reason };
  }
  return { eventId, published: true };
}

/**
 * Runs one part of a sweep run.
 * @returns the cumulative summary (complete, or handed on to the next part) and this part's counters.
 */
export async function runSweep(job: SweepJob, deps: SweepDependencies): Promise<SweepPartResult> {
  const startedAt = deps.clock().getTime();
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const partTotals = emptyTotals();
  const occurredAt = deps.clock().toISOString();
  const loanContext: LoanRunContext = {
    asOf: job.asOf,
    horizon: addDays(job.asOf, maxReminderOffset(deps.policyBook)),
    dryRun: job.dryRun,
    run: { runId: job.runId, occurredAt },
    policyBook: deps.policyBook,
    store: deps.store,
    publisher: createPublishBatcher(deps.publisher, tuning.publishLingerMs),
    log: deps.log,
    conflictRetries: tuning.conflictRetries,
    totals: partTotals,
  };
  const walk = createWalk(loanContext, tuning, deps.budget);
  const rest = await walkScope(job.scope, walk);
  partTotals.durationMs = deps.clock().getTime() - startedAt;
  const totals = mergeTotals(job.carried ?? emptyTotals(), partTotals);
  const { preview, ...counters } = totals;
  const base: SweepSummary = {
    runId: job.runId,
    asOf: job.asOf,
    dryRun: job.dryRun,
    part: job.part,
    complete: rest === undefined,
    ...counters,
    ...(job.dryRun && { preview }),
  };

  if (rest !== undefined) {
    const payload: ContinuationPayload = {
      sweepContinuation: {
        asOf: job.asOf,
        dryRun: job.dryRun,
        runId: job.runId,
        part: job.part + 1,
        scope: rest,
        totals,
      },
    };
    await deps.continueWith(payload);
    deps.log.info('sweep part handed on', { part: job.part, nextPart: job.part + 1 });
    return { summary: base, partTotals };
  }
  if (job.dryRun) return { summary: base, partTotals };
  const sweepCompleted = await publishCompleted(job, base, deps, deps.clock().toISOString());
  return { summary: { ...base, sweepCompleted }, partTotals };
}
