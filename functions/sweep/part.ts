/**
 * A shard part (docs/contract.md: Inputs, Workflow): the unit of work the sweep-run workflow hands the function —
 * one shard of the due index from a cursor (or the named loans of a `loanIds` run) — and its
 * answer: the shard's totals so far and whether the shard is done or where to go on.
 *
 *   in:  {"part": {"runId", "asOf", "dryRun", "shard", "cursor"?, "totals"?, "durationMs"?}}
 *        {"part": {"runId", "asOf", "dryRun", "loanIds", "totals"?, "durationMs"?}}
 *   out: {"complete": true, "shard", "totals", "durationMs"}
 *        {"complete": false, "shard", "cursor"?: {"nextDueDate", "loanId"}, "totals", "durationMs"}
 *        {"complete": false, "loanIds": [ids not yet started], "totals", "durationMs"}
 *
 * `totals` and `durationMs` carry the shard's counters and busy time from part to part (the
 * workflow passes each answer's into the next part), so the last answer holds the whole shard's.
 */
import { z } from 'zod';
import { SWEEP_SHARDS } from '../contract/tables';
import { businessDateOf, parseBusinessDate } from '../core/dates';
import type { BusinessDate } from '../core/types';
import { isRecord, quoted, utf8ByteLength } from '../core/values';
import { runIdProblem, type SweepJob } from './job';
import type { DueCursor } from './ports';
import {
  MAX_KEY_BYTES,
  MAX_LOAN_ID_CHARS,
  MAX_LOAN_IDS,
  type RequestContext,
  ValidationError,
} from './request';
import { carriedTotalsProblems, emptyTotals, type SweepTotals, totalsSchema } from './summary';

/** A loan id as the function accepts it anywhere (docs/contract.md, Inputs): 1–1,024 characters, a usable key. */
export const loanIdSchema = z
  .string()
  .min(1)
  .max(MAX_LOAN_ID_CHARS)
  .refine((id) => utf8ByteLength(id) <= MAX_KEY_BYTES, {
    error: `must fit DynamoDB's ${MAX_KEY_BYTES}-byte key limit`,
  });
/** A business date, `YYYY-MM-DD`, a real date. */
export const businessDateSchema = z
  .string()
  .refine((text) => parseBusinessDate(text) !== undefined, {
    error: 'must be a YYYY-MM-DD date',
  });
/** A run id as the function makes them (job.ts `runIdOf`). */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'must be 1–128 letters, digits, . _ : -' });
/** One of the 16 index shards. */
export const shardSchema = z
  .number()
  .int()
  .min(0)
  .max(SWEEP_SHARDS - 1);
/** Named loans: 1–1,000 ids, none repeated. */
export const loanIdsSchema = z
  .array(loanIdSchema)
  .min(1)
  .max(MAX_LOAN_IDS)
  .refine((ids) => new Set(ids).size === ids.length, { error: 'must not repeat an id' });
/** DynamoDB's limit on a sort key value, in UTF-8 bytes. */
const MAX_SORT_KEY_BYTES = 1024;
/**
 * A shard cursor as the function answers it: the keys of a due-index item as stored (the due date
 * is upstream's text, which need not be a valid date: such a loan is skipped, and resumed after).
 */
export const cursorSchema = z.strictObject({
  nextDueDate: z
    .string()
    .min(1)
    .refine((key) => utf8ByteLength(key) <= MAX_SORT_KEY_BYTES, {
      error: `must fit DynamoDB's ${MAX_SORT_KEY_BYTES}-byte sort key limit`,
    }),
  loanId: loanIdSchema,
});

const header = {
  runId: runIdSchema,
  asOf: businessDateSchema,
  dryRun: z.boolean(),
  totals: totalsSchema.optional(),
  durationMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
};
const shardPartSchema = z.strictObject({
  part: z.strictObject({ ...header, shard: shardSchema, cursor: cursorSchema.optional() }),
});
const loanIdsPartSchema = z.strictObject({
  part: z.strictObject({ ...header, loanIds: loanIdsSchema }),
});

/**
 * The form a part claims: named loans when it carries `loanIds`, a shard otherwise. Checking the
 * claimed form alone names each problem; a union of both would report only "Invalid input".
 */
function partSchemaFor(event: unknown): typeof shardPartSchema | typeof loanIdsPartSchema {
  return isRecord(event) && isRecord(event.part) && 'loanIds' in event.part
    ? loanIdsPartSchema
    : shardPartSchema;
}

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
 * Problems of a value a schema rejected, each named by its path (`part.cursor.loanId: …`); a key
 * or path segment is shown as `quoted` shows values, so a long or odd key is never echoed whole.
 */
export function schemaProblems(error: z.ZodError): string[] {
  const segment = (key: PropertyKey) =>
    typeof key === 'number'
      ? `[${key}]`
      : /^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(String(key))
        ? `.${String(key)}`
        : `[${quoted(String(key))}]`;
  return error.issues.map((issue) => {
    const path = issue.path.map(segment).join('').replace(/^\./, '') || 'payload';
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => quoted(key)).join(', ')}`;
    }
    return `${path}: ${issue.message}`;
  });
}

/**
 * The problem with sweeping business date `asOf` now, if any: a non-dry run never sweeps a date
 * after today's (docs/contract.md, Inputs).
 */
export function futureDateProblem(
  field: string,
  asOf: BusinessDate,
  dryRun: boolean,
  context: RequestContext,
): string | undefined {
  const today = businessDateOf(context.now, context.timeZone);
  return asOf > today && !dryRun
    ? `${field}: ${asOf} is after today (${today}); only a dry run may`
    : undefined;
}

/**
 * Validates a part before anything is read or written.
 * @throws ValidationError naming each problem (paths, never long values).
 */
export function parsePart(event: unknown, context: RequestContext): PartRequest {
  const parsed = partSchemaFor(event).safeParse(event);
  if (!parsed.success) throw new ValidationError(schemaProblems(parsed.error));
  const part = parsed.data.part;
  const asOf = part.asOf as BusinessDate;
  const problems: string[] = [];
  const future = futureDateProblem('part.asOf', asOf, part.dryRun, context);
  if (future) problems.push(future);
  const named = 'loanIds' in part;
  const runId = runIdProblem('part.runId', part.runId, asOf, part.dryRun, named);
  if (runId) problems.push(runId);
  // Validated by totalsSchema (non-negative safe integers, buckets from the bucket list); here
  // whether one run's counting could have produced them, with room for this part's own.
  const carried = (part.totals as SweepTotals | undefined) ?? emptyTotals();
  problems.push(...carriedTotalsProblems('part.totals', carried, part.dryRun));
  if (problems.length > 0) throw new ValidationError(problems);
  const scope: SweepJob['scope'] =
    'loanIds' in part
      ? { kind: 'loan-ids', loanIds: part.loanIds }
      : {
          kind: 'due-index',
          shards: [{ shard: part.shard, ...(part.cursor && { after: part.cursor as DueCursor }) }],
        };
  return {
    job: { asOf, dryRun: part.dryRun, runId: part.runId, scope, trigger: 'workflow' },
    carried,
    carriedDurationMs: part.durationMs ?? 0,
  };
}

/** A part's answer to the workflow. */
export type PartResponse = {
  readonly totals: SweepTotals;
  readonly durationMs: number;
} & (
  | { readonly complete: true; readonly shard?: number }
  | { readonly complete: false; readonly shard: number; readonly cursor?: DueCursor }
  | { readonly complete: false; readonly loanIds: readonly string[] }
);
