/**
 * The plan step of the sweep-run workflow (docs/contract.md, Workflow): `{"plan": <execution input>}` validates the
 * execution's input before anything is read or written and fixes the run — its id, business date
 * and dry-run flag — and the work of the map: the first part of every shard, or the named loans.
 *
 *   in:  {"plan": <scheduled event | rule event | operator payload | {"resume": …}>}
 *   out: {"runId", "asOf", "dryRun", "shards": [first part of each shard…], "totals"?}
 *        {"runId", "asOf", "dryRun", "loanIds": […], "totals"?}
 *
 * Each entry of `shards` is that shard's first part input (`{"runId", "asOf", "dryRun", "shard",
 * "cursor"?}`, part.ts), so the map hands it on as it is. A `loanIds` answer is itself the first
 * part of the one task that sweeps the named loans. `totals` are those of a direct run that handed
 * the rest of its work to the workflow (`{"resume": …}`, service.ts), added up by the finish step.
 */
import { z } from 'zod';
import type { BusinessDate } from '../core/types';
import { isRecord } from '../core/values';
import { runIdProblem, type SweepScope } from './job';
import {
  businessDateSchema,
  cursorSchema,
  futureDateProblem,
  loanIdsSchema,
  runIdSchema,
  schemaProblems,
  shardSchema,
} from './part';
import type { DueCursor } from './ports';
import { parseSweepRequest, type RequestContext, ValidationError } from './request';
import { carriedTotalsProblems, type SweepTotals, totalsSchema } from './summary';

/** The first part of one shard, as the workflow passes it to the function. */
export interface FirstShardPart {
  readonly runId: string;
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  readonly shard: number;
  readonly cursor?: DueCursor;
}

/** What the plan step answers: the run, and the work of the map or of the named-loans task. */
export type PlanAnswer = {
  readonly runId: string;
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  readonly totals?: SweepTotals;
} & ({ readonly shards: readonly FirstShardPart[] } | { readonly loanIds: readonly string[] });

const resumeSchema = z.strictObject({
  resume: z.strictObject({
    runId: runIdSchema,
    asOf: businessDateSchema,
    dryRun: z.boolean(),
    scope: z.discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('due-index'),
        shards: z
          .array(z.strictObject({ shard: shardSchema, after: cursorSchema.optional() }))
          .min(1)
          .refine((shards) => new Set(shards.map((s) => s.shard)).size === shards.length, {
            error: 'must not repeat a shard',
          }),
      }),
      z.strictObject({ kind: z.literal('loan-ids'), loanIds: loanIdsSchema }),
    ]),
    totals: totalsSchema,
  }),
});

interface PlannedRun {
  readonly runId: string;
  readonly asOf: BusinessDate;
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
  const { runId, dryRun, scope, totals } = parsed.data.resume;
  const asOf = parsed.data.resume.asOf as BusinessDate;
  const problems: string[] = [];
  const future = futureDateProblem('plan.resume.asOf', asOf, dryRun, context);
  if (future) problems.push(future);
  const named = scope.kind === 'loan-ids';
  const runIdWrong = runIdProblem('plan.resume.runId', runId, asOf, dryRun, named);
  if (runIdWrong) problems.push(runIdWrong);
  // Validated by totalsSchema; here whether a direct run could have counted them.
  problems.push(...carriedTotalsProblems('plan.resume.totals', totals as SweepTotals, dryRun));
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    runId,
    asOf,
    dryRun,
    scope:
      scope.kind === 'loan-ids'
        ? scope
        : {
            kind: 'due-index',
            shards: scope.shards.map(({ shard, after }) => ({
              shard,
              ...(after && { after: after as DueCursor }),
            })),
          },
    totals: totals as SweepTotals,
  };
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
