/**
 * The sweep function's work (docs/contract.md, Sweep): a whole run invoked directly (the schedule's event, a rule
 * event or an operator's payload: every shard, or the named loans, in this one invocation), or one
 * step of the sweep-run workflow — its plan, a shard part, its finish. Validates the input before
 * any read or write, walks the scope, and either finishes (recording `sweep.completed` once for a
 * non-dry whole run, in its run record, which the stream publisher delivers) or hands on what is
 * left.
 */
import { buildSweepCompletedEvent } from '../core/events';
import type { PolicyBook, RunContext } from '../core/types';
import { executionProblem, splitExecution } from './execution';
import {
  type FinishRequest,
  isFinishEvent,
  parseFinish,
  summarizeRun,
  type WorkflowSummary,
} from './finish';
import type { SweepJob } from './job';
import { isPartEvent, type PartRequest, parsePart, partAnswer } from './part';
import { isPlanEvent, planRun } from './plan';
import type { ExecutionCheck, LoanBook, RunHandOff } from './ports';
import { parseSweepRequest, ValidationError } from './request';
import { DEFAULT_TUNING, type SweepTuning, type TimeBudget, walkJob } from './run';
import {
  emptyTotals,
  type SweepCompletedStatus,
  type SweepSummary,
  type SweepTotals,
  totalsFor,
} from './summary';
import type { SweepLog } from './sweep-loan';
import type { PartResponse, PlanAnswer, ResumeInput } from './wire';

/** What one invocation did, for metrics: its own counters, not those carried in. */
export interface InvocationReport {
  readonly dryRun: boolean;
  readonly own: SweepTotals;
  /**
   * True when this invocation finished a non-dry run and its `sweep.completed` is durably recorded
   * (by this invocation, or kept from an earlier finish of the same run id).
   */
  readonly completed: boolean;
  /** Wall time of the whole run, milliseconds, when this invocation finished it. */
  readonly runDurationMs?: number;
  /** Busy time of each shard's parts, milliseconds, when this invocation finished a workflow run. */
  readonly shardDurationsMs?: readonly { readonly shard: number; readonly durationMs: number }[];
}

/** Everything the sweep needs; `createSweep` (wiring.ts) assembles it for every caller. */
export interface SweepServiceDependencies {
  readonly book: LoanBook;
  /** Absent: a direct run that runs low on time returns the payload that resumes it. */
  readonly handOff?: RunHandOff;
  /**
   * The sweep-run state machine and how to ask whether one of its executions is running: a
   * workflow step is refused unless it comes from a running execution of it. Absent: every
   * workflow step is refused (a direct run needs neither).
   */
  readonly workflow?: { readonly stateMachineArn: string; readonly executions: ExecutionCheck };
  readonly policyBook: PolicyBook;
  readonly timeZone: string;
  readonly log: SweepLog;
  readonly clock: () => Date;
  readonly tuning?: Partial<SweepTuning>;
  /** Told what each invocation did (metrics). */
  readonly report?: (report: InvocationReport) => void;
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
  handle(
    event: unknown,
    budget: TimeBudget,
  ): Promise<DirectRunSummary | PartResponse | PlanAnswer | WorkflowSummary>;
}

/** Builds the sweep service on `deps`. */
export function createSweepService(deps: SweepServiceDependencies): SweepService {
  const tuning: SweepTuning = { ...DEFAULT_TUNING, ...deps.tuning };

  const walk = (job: SweepJob, budget: TimeBudget, run: RunContext) =>
    walkJob(job, {
      book: deps.book,
      policyBook: deps.policyBook,
      log: deps.log,
      run,
      budget,
      tuning,
    });

  const recordCompleted = async (
    summary: SweepSummary,
    run: RunContext,
  ): Promise<SweepCompletedStatus> => {
    const event = buildSweepCompletedEvent({ ...summary }, summary.asOf, run);
    const runRecord = await deps.book.recordCompletion(event);
    if (runRecord === 'kept') {
      deps.log.info('sweep.completed of this run id was recorded before; that record stands', {
        eventId: event.id,
      });
    }
    return { eventId: event.id, runRecord };
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
        resume: {
          runId: job.runId,
          asOf: job.asOf,
          dryRun: job.dryRun,
          scope: rest,
          totals: totalsFor('carried', totals),
        },
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
    const sweepCompleted = await recordCompleted(summary, run);
    deps.report?.({
      dryRun: false,
      own: totals,
      completed: true,
      runDurationMs: summary.durationMs,
    });
    return { ...summary, sweepCompleted };
  };

  const runPart = async (part: PartRequest, budget: TimeBudget): Promise<PartResponse> => {
    const startedAt = deps.clock();
    const run: RunContext = { runId: part.job.runId, occurredAt: startedAt.toISOString() };
    const { totals: own, rest } = await walk(part.job, budget, run);
    deps.report?.({ dryRun: part.job.dryRun, own, completed: false });
    // Sixteen shard answers meet in the finish's input; the named loans' one answer has room.
    const destination = part.job.scope.kind === 'loan-ids' ? 'carried' : 'shard-part';
    const totals = totalsFor(destination, part.carried, own);
    const durationMs = part.carriedDurationMs + (deps.clock().getTime() - startedAt.getTime());
    return partAnswer(part, rest, totals, durationMs);
  };

  const runFinish = async (request: FinishRequest): Promise<WorkflowSummary> => {
    const now = deps.clock();
    const summary = summarizeRun(request, now);
    deps.log.info('sweep run finished', {
      runId: summary.runId,
      asOf: summary.asOf,
      loansExamined: summary.loansExamined,
    });
    if (request.dryRun) return summary;
    const run: RunContext = { runId: request.runId, occurredAt: now.toISOString() };
    // A failed write throws: Step Functions retries the finish, and a redrive re-runs it.
    const sweepCompleted = await recordCompleted(summary, run);
    deps.report?.({
      dryRun: false,
      own: emptyTotals(),
      completed: true,
      runDurationMs: summary.durationMs,
      shardDurationsMs: summary.shards.flatMap(({ shard, durationMs }) =>
        shard === undefined ? [] : [{ shard, durationMs }],
      ),
    });
    return { ...summary, sweepCompleted };
  };

  /** The step without its `execution`, once Step Functions says that execution is running. */
  const fromRunningExecution = async (event: Record<string, unknown>) => {
    const { execution, step } = splitExecution(event);
    const problem = executionProblem(execution, deps.workflow?.stateMachineArn);
    if (problem) throw new ValidationError([problem]);
    if (!(await deps.workflow?.executions.isRunning(execution as string))) {
      throw new ValidationError([
        'execution: not a running execution of the sweep-run state machine',
      ]);
    }
    return step;
  };

  return {
    async handle(input, budget) {
      const context = { now: deps.clock(), timeZone: deps.timeZone };
      // A workflow step proves where it comes from before anything else is looked at.
      const stepped = isPartEvent(input) || isPlanEvent(input) || isFinishEvent(input);
      const event = stepped ? await fromRunningExecution(input as Record<string, unknown>) : input;
      if (isPartEvent(event)) return runPart(parsePart(event, context), budget);
      if (isPlanEvent(event)) {
        const plan = planRun(event, context);
        // Zeros, so every invocation of a run reports its (here: no) work, as parts and finish do.
        deps.report?.({ dryRun: plan.dryRun, own: emptyTotals(), completed: false });
        return plan;
      }
      if (isFinishEvent(event)) return runFinish(parseFinish(event, context));
      return runWhole(parseSweepRequest(event, context), budget);
    },
  };
}
