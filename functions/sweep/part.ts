/**
 * A shard part (docs/contract.md: Inputs, Workflow): the unit of work the sweep-run workflow hands
 * the function — one shard of the due index from a cursor (or the named loans of a `loanIds` run)
 * — checked against its wire format (wire.ts) and turned into the job to walk, and the part's
 * answer: the shard's totals when it is done, or else the next part's input.
 */
import { isRecord } from '../core/values';
import type { SweepJob, SweepScope } from './job';
import { ValidationError } from './request';
import { emptyTotals, type SweepTotals } from './summary';
import {
  type PartResponse,
  partStepSchema,
  type RequestContext,
  schemaProblems,
  stepProblems,
} from './wire';

/** A validated part: the job to walk, and the shard's totals and busy time carried in. */
export interface PartRequest {
  readonly job: SweepJob;
  readonly carried: SweepTotals;
  readonly carriedDurationMs: number;
}

/** True when the event is a shard part (it has the `part` key). */
export function isPartEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'part' in event;
}

/**
 * Validates a part before anything is read or written.
 * @throws ValidationError naming each problem (paths, never long values).
 */
export function parsePart(event: unknown, context: RequestContext): PartRequest {
  const claimed = isRecord(event) ? event.part : undefined;
  const parsed = partStepSchema(claimed).safeParse(event);
  if (!parsed.success) throw new ValidationError(schemaProblems(parsed.error));
  const part = parsed.data.part;
  const named = 'loanIds' in part;
  // Whether one run's counting could have produced the totals, with room for this part's own.
  const problems = stepProblems('part', part, named, [['totals', part.totals]], context);
  if (problems.length > 0) throw new ValidationError(problems);
  const scope: SweepScope =
    'loanIds' in part
      ? { kind: 'loan-ids', loanIds: part.loanIds }
      : {
          kind: 'due-index',
          shards: [{ shard: part.shard, ...(part.cursor && { after: part.cursor }) }],
        };
  return {
    job: { asOf: part.asOf, dryRun: part.dryRun, runId: part.runId, scope, trigger: 'workflow' },
    carried: part.totals ?? emptyTotals(),
    carriedDurationMs: part.durationMs ?? 0,
  };
}

/**
 * A part's answer: done when nothing of `rest` is left; otherwise the next part's input, carrying
 * `totals` and `durationMs` on, for the workflow to hand on as it is.
 */
export function partAnswer(
  part: PartRequest,
  rest: SweepScope | undefined,
  totals: SweepTotals,
  durationMs: number,
): PartResponse {
  const { scope, runId, asOf, dryRun } = part.job;
  const shard = scope.kind === 'due-index' ? scope.shards[0]?.shard : undefined;
  if (rest === undefined) {
    return { complete: true, ...(shard !== undefined && { shard }), totals, durationMs };
  }
  const run = { complete: false, runId, asOf, dryRun } as const;
  if (rest.kind === 'loan-ids') return { ...run, loanIds: rest.loanIds, totals, durationMs };
  // Every part sweeps at least one loan (run.ts), so an unfinished shard has moved past it.
  const cursor = rest.shards[0]?.after;
  return { ...run, shard: shard ?? 0, ...(cursor && { cursor }), totals, durationMs };
}
