/**
 * The plan step of the sweep-run workflow (docs/contract.md, Workflow): `{"plan": <execution
 * input>}` validates the execution's input before anything is read or written and fixes the run —
 * its id, business date and dry-run flag — and the work of the map: the first part of every shard,
 * or the named loans (itself the first part of the one task that sweeps them). Its wire format is
 * wire.ts's; the `totals` it answers are those of a direct run that handed the rest of its work to
 * the workflow (`{"resume": …}`, service.ts), added up by the finish step.
 */
import { isRecord } from '../core/values';
import type { SweepScope } from './job';
import { parseSweepRequest, ValidationError } from './request';
import type { SweepTotals } from './summary';
import {
  type PlanAnswer,
  type RequestContext,
  resumeSchema,
  schemaProblems,
  stepProblems,
} from './wire';

interface PlannedRun {
  readonly runId: string;
  readonly asOf: PlanAnswer['asOf'];
  readonly dryRun: boolean;
  readonly scope: SweepScope;
  readonly totals?: SweepTotals;
}

/** True when the event asks for a plan (it has the `plan` key). */
export function isPlanEvent(event: unknown): boolean {
  return isRecord(event) && 'plan' in event;
}

function parseResume(input: unknown, context: RequestContext): PlannedRun {
  const parsed = resumeSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(schemaProblems(parsed.error).map((p) => `plan.${p}`));
  }
  const resume = parsed.data.resume;
  const named = resume.scope.kind === 'loan-ids';
  // Whether a direct run could have counted the totals.
  const problems = stepProblems('plan.resume', resume, named, [['totals', resume.totals]], context);
  if (problems.length > 0) throw new ValidationError(problems);
  return resume;
}

/**
 * Plans a workflow run from `{"plan": input}`: the input is validated by the same rules as a direct
 * run's (request.ts), or as a direct run's resume payload, before anything is read or written.
 * @throws ValidationError naming each problem.
 */
export function planRun(event: unknown, context: RequestContext): PlanAnswer {
  if (!isRecord(event) || Object.keys(event).length !== 1) {
    throw new ValidationError(['payload: a plan is {"plan": <execution input>} and nothing else']);
  }
  const input = event.plan;
  const run: PlannedRun =
    isRecord(input) && 'resume' in input
      ? parseResume(input, context)
      : parseSweepRequest(input, context);
  const header = { runId: run.runId, asOf: run.asOf, dryRun: run.dryRun };
  const carried = run.totals && { totals: run.totals };
  if (run.scope.kind === 'loan-ids') {
    return { ...header, loanIds: run.scope.loanIds, ...carried };
  }
  const shards = run.scope.shards.map(({ shard, after }) => ({
    ...header,
    shard,
    ...(after && { cursor: after }),
  }));
  return { ...header, shards, ...carried };
}
