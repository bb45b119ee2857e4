/**
 * The sweep function's work (SPEC §5): a whole run invoked directly (the schedule's event, a rule
 * event or an operator's payload: every shard, or the named loans, in this one invocation), or one
 * shard part sent by the sweep-run workflow. Validates the input before any read or write, walks
 * the scope, and either finishes (publishing `sweep.completed` once for a non-dry whole run) or
 * hands on what is left.
 */
import { buildSweepCompletedEvent, sweepCompletedEventId } from '../core/events';
import type { PolicyBook, RunContext } from '../core/types';
import type { SweepJob, SweepScope } from './job';
import { isPartEvent, type PartRequest, type PartResponse, parsePart } from './part';
import type { Announcer, LoanBook, RunHandOff } from './ports';
import { parseSweepRequest } from './request';
import { DEFAULT_TUNING, type SweepTuning, type TimeBudget, walkJob } from './run';
import {
  mergeTotals,
  type SweepCompletedStatus,
  type SweepSummary,
  type SweepTotals,
} from './summary';
import type { SweepLog } from './sweep-loan';

/** Skipped loans each shard part lists, so 16 shards' answers stay small in the workflow state. */
export const PART_SKIPPED_LIST_LIMIT = 7;

/** What one invocation did, for metrics: its own counters, not those carried in. */
export interface InvocationReport {
  readonly dryRun: boolean;
  readonly own: SweepTotals;
  /** True when this invocation's `sweep.completed` was accepted by the topic. */
  readonly completed: boolean;
  /** Wall time of the whole run, milliseconds, when this invocation finished it. */
  readonly runDurationMs?: number;
}

/** Everything the sweep needs; `createSweep` (wiring.ts) assembles it for every caller. */
export interface SweepServiceDependencies {
  readonly book: LoanBook;
  readonly announcer: Announcer;
  /** Absent: a direct run that runs low on time returns the payload that resumes it. */
  readonly handOff?: RunHandOff;
  readonly policyBook: PolicyBook;
  readonly timeZone: string;
  readonly log: SweepLog;
  readonly clock: () => Date;
  readonly tuning?: Partial<SweepTuning>;
  /** Told what each invocation did (metrics). */
  readonly report?: (report: InvocationReport) => void;
}

/** A workflow input that resumes a direct run where it stopped (SPEC §5.3). */
export interface ResumeInput {
  readonly resume: {
    readonly runId: string;
    readonly asOf: SweepJob['asOf'];
    readonly dryRun: boolean;
    readonly scope: SweepScope;
    readonly totals: SweepTotals;
  };
}

/** The function's answer to a direct run. */
export type DirectRunSummary = SweepSummary & {
  /** The workflow execution that took over the rest of the run. */
  readonly continuedIn?: string;
  /** Without a workflow to hand on to: the input that resumes the run. */
  readonly resume?: ResumeInput;
};

/** The sweep, ready to answer any of its inputs. */
export interface SweepService {
  handle(event: unknown, budget: TimeBudget): Promise<DirectRunSummary | PartResponse>;
}

/** Builds the sweep service on `deps`. */
export function createSweepService(deps: SweepServiceDependencies): SweepService {
  const tuning: SweepTuning = { ...DEFAULT_TUNING, ...deps.tuning };

  const walk = (job: SweepJob, budget: TimeBudget, run: RunContext, skippedListLimit?: number) =>
    walkJob(job, {
      book: deps.book,
      policyBook: deps.policyBook,
      log: deps.log,
      run,
      budget,
      tuning,
      ...(skippedListLimit !== undefined && { skippedListLimit }),
    });

  const announceCompleted = async (
    summary: SweepSummary,
    run: RunContext,
  ): Promise<SweepCompletedStatus> => {
    const event = buildSweepCompletedEvent({ ...summary }, summary.asOf, run);
    const eventId = sweepCompletedEventId(summary.asOf, summary.runId);
    const result = await deps.announcer.announce(event);
    if (result.accepted) return { eventId, published: true };
    deps.log.error('sweep.completed not accepted; a re-run for this date re-sends it', {
      eventId,
      reason: result.reason,
    });
    return { eventId, published: false, reason: result.reason };
  };

  const runWhole = async (job: SweepJob, budget: TimeBudget): Promise<DirectRunSummary> => {
    const startedAt = deps.clock();
    const run: RunContext = { runId: job.runId, occurredAt: startedAt.toISOString() };
    deps.log.info('sweep started', { runId: job.runId, asOf: job.asOf, trigger: job.trigger });
    const { totals, rest } = await walk(job, budget, run);
    const { preview, ...counters } = totals;
    const summary: SweepSummary = {
      runId: job.runId,
      asOf: job.asOf,
      dryRun: job.dryRun,
      complete: rest === undefined,
      ...counters,
      eventsPublished: totals.eventsRecorded,
      durationMs: deps.clock().getTime() - startedAt.getTime(),
      ...(job.dryRun && { preview }),
    };
    if (rest !== undefined) {
      const resume: ResumeInput = {
        resume: { runId: job.runId, asOf: job.asOf, dryRun: job.dryRun, scope: rest, totals },
      };
      deps.report?.({ dryRun: job.dryRun, own: totals, completed: false });
      if (!deps.handOff) return { ...summary, resume };
      const name = `${job.runId}-resumed-${startedAt.getTime()}`;
      const { executionArn } = await deps.handOff.start(resume, name);
      deps.log.info('sweep handed on to a workflow execution', { executionArn });
      return { ...summary, continuedIn: executionArn };
    }
    if (job.dryRun) {
      deps.report?.({ dryRun: true, own: totals, completed: false });
      return summary;
    }
    const sweepCompleted = await announceCompleted(summary, run);
    deps.report?.({
      dryRun: false,
      own: totals,
      completed: sweepCompleted.published,
      runDurationMs: summary.durationMs,
    });
    return { ...summary, sweepCompleted };
  };

  const runPart = async (part: PartRequest, budget: TimeBudget): Promise<PartResponse> => {
    const startedAt = deps.clock();
    const run: RunContext = { runId: part.job.runId, occurredAt: startedAt.toISOString() };
    const { totals: own, rest } = await walk(part.job, budget, run, PART_SKIPPED_LIST_LIMIT);
    deps.report?.({ dryRun: part.job.dryRun, own, completed: false });
    const totals = mergeTotals(part.carried, own);
    totals.skipped.loans = totals.skipped.loans.slice(0, PART_SKIPPED_LIST_LIMIT);
    const durationMs = part.carriedDurationMs + (deps.clock().getTime() - startedAt.getTime());
    const scope = part.job.scope;
    const shard = scope.kind === 'due-index' ? scope.shards[0]?.shard : undefined;
    if (rest === undefined) {
      return { complete: true, ...(shard !== undefined && { shard }), totals, durationMs };
    }
    if (rest.kind === 'loan-ids') {
      return { complete: false, loanIds: rest.loanIds, totals, durationMs };
    }
    const cursor = rest.shards[0]?.after;
    return { complete: false, shard: shard ?? 0, ...(cursor && { cursor }), totals, durationMs };
  };

  return {
    async handle(event, budget) {
      const context = { now: deps.clock(), timeZone: deps.timeZone };
      if (isPartEvent(event)) return runPart(parsePart(event, context), budget);
      return runWhole(parseSweepRequest(event, context), budget);
    },
  };
}
