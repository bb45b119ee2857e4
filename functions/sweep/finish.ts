/**
 * The finish step of the sweep-run workflow (docs/contract.md: Workflow, Summary): adds up the last part answer of
 * every shard (and the totals of a direct run the workflow resumed) into the run summary, with the
 * figures of each shard beside it. service.ts records `sweep.completed` with it.
 *
 *   in:  {"finish": …} as wire.ts has it: the last part answer of each shard, the execution's start
 *   out: the summary of docs/contract.md, Summary, `complete: true`, plus `shards`: [{"shard"?, counts…, "durationMs"}]
 *
 * The answer stays within Step Functions' 256 KB for a state's data whatever the loans: the parts'
 * lists are bounded in bytes, and so is the merged summary here (summary.ts `totalsFor`).
 */
import { parseInstant } from '../core/dates';
import type { BusinessDate } from '../core/types';
import { isRecord } from '../core/values';
import { ValidationError } from './request';
import { type SweepSummary, type SweepTotals, sumProblems, totalsFor } from './summary';
import {
  type FinishedPart,
  finishStepSchema,
  type RequestContext,
  schemaProblems,
  stepProblems,
} from './wire';

/** What one shard (or the named loans) added to the run, and its parts' busy time. */
export interface ShardFigures {
  /** Absent for the named loans of a `loanIds` run. */
  readonly shard?: number;
  readonly loansExamined: number;
  readonly loansOverdue: number;
  readonly loansCharged: number;
  readonly chargedOff: number;
  readonly skipped: number;
  readonly eventsRecorded: number;
  /** Busy time of the shard's parts added up, milliseconds. */
  readonly durationMs: number;
}

/** The workflow's answer: the run summary and the figures of each shard. */
export type WorkflowSummary = SweepSummary & { readonly shards: readonly ShardFigures[] };

/** A validated finish. */
export interface FinishRequest {
  readonly runId: string;
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  /** Totals of the direct run this workflow resumed, if any. */
  readonly carried?: SweepTotals;
  readonly answers: readonly Omit<FinishedPart, 'complete'>[];
  /** When the execution started; the summary's `durationMs` is measured from it. */
  readonly startedAt?: Date;
}

/** True when the event asks for the finish (it has the `finish` key). */
export function isFinishEvent(event: unknown): boolean {
  return isRecord(event) && 'finish' in event;
}

/**
 * Validates a finish before anything is read or written.
 * @throws ValidationError naming each problem.
 */
export function parseFinish(event: unknown, context: RequestContext): FinishRequest {
  const parsed = finishStepSchema.safeParse(event);
  if (!parsed.success) throw new ValidationError(schemaProblems(parsed.error));
  const { finish, startedAt } = parsed.data;
  const problems: string[] = [];
  const started = startedAt === undefined ? undefined : parseInstant(startedAt);
  if (startedAt !== undefined && !started) {
    problems.push('startedAt: not an ISO-8601 instant');
  }
  // Shards' answers, or the one answer of the named loans: never both.
  const named = finish.shards.filter((answer) => answer.shard === undefined).length;
  if (named > 0 && (named > 1 || finish.shards.length > 1)) {
    problems.push('finish.shards: either shards or the one answer of the named loans');
  }
  // Whether one run's counting could have produced each of the totals, and that they add up exactly.
  const carried: [string, SweepTotals | undefined][] = [
    ['totals', finish.totals],
    ...finish.shards.map((answer, index): [string, SweepTotals] => [
      `shards[${index}].totals`,
      answer.totals,
    ]),
  ];
  problems.push(...stepProblems('finish', finish, named > 0, carried, context));
  const all = carried.flatMap(([, totals]) => (totals ? [totals] : []));
  problems.push(...sumProblems('finish', all));
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    runId: finish.runId,
    asOf: finish.asOf,
    dryRun: finish.dryRun,
    ...(finish.totals && { carried: finish.totals }),
    answers: finish.shards.map(({ complete: _, ...answer }) => answer),
    ...(started && { startedAt: started }),
  };
}

/**
 * The run summary of a finished workflow (without `sweepCompleted`, which the caller adds once it
 * has recorded it): the shards' totals and the carried ones added up, each shard's figures.
 * @param now the clock when the finish runs; `durationMs` is the time since the execution started.
 */
export function summarizeRun(request: FinishRequest, now: Date): WorkflowSummary {
  const totals = totalsFor(
    'finish',
    ...(request.carried ? [request.carried] : []),
    ...request.answers.map((a) => a.totals),
  );
  const { preview, ...counters } = totals;
  const shards = request.answers
    .map(({ shard, totals, durationMs }) => ({
      ...(shard !== undefined && { shard }),
      loansExamined: totals.loansExamined,
      loansOverdue: totals.loansOverdue,
      loansCharged: totals.loansCharged,
      chargedOff: totals.chargedOff,
      skipped: totals.skipped.count,
      eventsRecorded: totals.eventsRecorded,
      durationMs,
    }))
    .sort((a, b) => (a.shard ?? -1) - (b.shard ?? -1));
  const busy = Math.max(0, ...request.answers.map((a) => a.durationMs));
  return {
    runId: request.runId,
    asOf: request.asOf,
    dryRun: request.dryRun,
    complete: true,
    ...counters,
    eventsPublished: counters.eventsRecorded,
    // Wall time since the execution started; without its start time, the slowest shard's.
    durationMs: request.startedAt ? Math.max(0, now.getTime() - request.startedAt.getTime()) : busy,
    ...(request.dryRun && { preview }),
    shards,
  };
}
