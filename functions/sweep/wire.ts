/**
 * The wire format of the sweep-run workflow's steps (docs/contract.md: Inputs, Workflow): what the
 * plan, a part, the finish and a resume carry, and what they answer, as schemas with the types
 * inferred from them; and the checks every step shares — a loan id, a business date a non-dry run
 * may sweep, a run id, carried totals — written once, for the direct run's request too.
 *
 *   {"plan": <execution input>}
 *     → {"runId", "asOf", "dryRun", "shards": [first part of each shard…], "totals"?}
 *     → {"runId", "asOf", "dryRun", "loanIds": […], "totals"?}        (itself the first part)
 *   {"part": {"runId", "asOf", "dryRun", "shard", "cursor"?, "totals"?, "durationMs"?}}
 *   {"part": {"runId", "asOf", "dryRun", "loanIds", "totals"?, "durationMs"?}}
 *     → {"complete": true, "shard"?, "totals", "durationMs"}
 *     → {"complete": false, <the next part's input>}
 *   {"finish": {"runId", "asOf", "dryRun", "totals"?, "shards": [last answer of each shard…]},
 *    "startedAt"?}
 *   {"resume": {"runId", "asOf", "dryRun", "scope", "totals"}}      (an execution input)
 *
 * An unfinished part answers the next part's input whole, marked `"complete": false` — the same
 * run, the shard and its cursor (or the ids not yet started), the totals and busy time so far — so
 * the workflow hands the answer on as it is, and the last answer holds the whole shard's.
 */
import { z } from 'zod';
import { BUCKETS } from '../contract/events';
import { MAX_ID_BYTES, SWEEP_SHARDS } from '../contract/tables';
import { businessDateOf, parseBusinessDate } from '../core/dates';
import type { BusinessDate } from '../core/types';
import { isRecord, MAX_REASON_CHARS, quoted, utf8ByteLength } from '../core/values';
import { runIdProblem, type ShardCursor } from './job';
import type { DueCursor } from './ports';
import {
  carriedTotalsProblems,
  LISTED_ID_LIMIT,
  PREVIEW_LIMIT,
  SKIPPED_LIST_LIMIT,
  type SweepTotals,
} from './summary';

/** Most loan ids an operator may name in one run (docs/contract.md, Inputs). */
export const MAX_LOAN_IDS = 1000;

/** Longest loan id an operator may name, in characters (docs/contract.md, Inputs). */
export const MAX_LOAN_ID_CHARS = 1024;

/** DynamoDB's limit on a partition key value, in UTF-8 bytes: a longer id cannot be read by key. */
export const MAX_KEY_BYTES = MAX_ID_BYTES;

/** DynamoDB's limit on a sort key value, in UTF-8 bytes. */
const MAX_SORT_KEY_BYTES = 1024;

/** Context an input is checked in: the clock (for "today") and the business time zone. */
export interface RequestContext {
  readonly now: Date;
  readonly timeZone: string;
}

/**
 * The problem with one loan id, if any (docs/contract.md, Inputs): a non-empty string of at most
 * 1,024 characters that fits DynamoDB's key limit. Said of the id (`"L-1" is …`), without a field.
 */
function loanIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return `${quoted(id)} is not a non-empty string`;
  if (id.length > MAX_LOAN_ID_CHARS) {
    return `${quoted(id)} is longer than ${MAX_LOAN_ID_CHARS} characters`;
  }
  const bytes = utf8ByteLength(id);
  if (bytes > MAX_KEY_BYTES) {
    return `${quoted(id)} is ${bytes} bytes in UTF-8, over DynamoDB's ${MAX_KEY_BYTES}-byte key limit`;
  }
  return undefined;
}

/** One problem of a list of loan ids: of the list, or of the id at `index`. */
interface LoanIdsIssue {
  readonly index?: number;
  readonly message: string;
}

/** A list of 1–1,000 ids, each valid, none repeated (a repeated id is named once, at its first repetition). */
function loanIdsIssues(value: unknown, field: string): LoanIdsIssue[] {
  if (!Array.isArray(value)) return [{ message: 'must be a list of loan ids' }];
  const issues: LoanIdsIssue[] = [];
  if (value.length === 0)
    issues.push({ message: 'must not be empty (omit it to sweep every loan)' });
  if (value.length > MAX_LOAN_IDS) {
    issues.push({ message: `at most ${MAX_LOAN_IDS} ids, got ${value.length}` });
  }
  const firstAt = new Map<unknown, number>();
  const reported = new Set<unknown>();
  value.forEach((id: unknown, index) => {
    const problem = loanIdProblem(id);
    if (problem) issues.push({ index, message: problem });
    else if (!firstAt.has(id)) firstAt.set(id, index);
    else if (!reported.has(id)) {
      reported.add(id);
      issues.push({
        index,
        message: `${quoted(id)} is listed more than once (first at ${field}[${firstAt.get(id)}])`,
      });
    }
  });
  return issues;
}

/** The problems of a list of loan ids at `field` (docs/contract.md, Inputs), each named by its path. */
export function loanIdsProblems(value: unknown, field: string): string[] {
  return loanIdsIssues(value, field).map(
    ({ index, message }) => `${field}${index === undefined ? '' : `[${index}]`}: ${message}`,
  );
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
    ? `${field}: ${asOf} is in the future (today is ${today} in the business time zone); only a dry run may look ahead`
    : undefined;
}

/** A loan id as the function accepts it anywhere (`loanIdProblem`). */
const loanIdSchema = z.string().superRefine((id, ctx) => {
  const problem = loanIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** Named loans (`loanIdsProblems`): 1–1,000 valid ids, none repeated. */
const loanIdsSchema = z
  .array(z.unknown())
  .superRefine((ids, ctx) => {
    for (const { index, message } of loanIdsIssues(ids, 'loanIds')) {
      ctx.addIssue({
        code: 'custom',
        message,
        ...(index !== undefined && { path: [index] }),
      });
    }
  })
  .transform((ids) => ids as readonly string[]);
/** A business date, `YYYY-MM-DD`, a real date. */
const businessDateSchema = z
  .string()
  .refine((text) => parseBusinessDate(text) !== undefined, {
    error: 'must be a YYYY-MM-DD date',
  })
  .transform((text) => text as BusinessDate);
/** A run id as the function makes them (job.ts `runIdOf`). */
const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'must be 1–128 letters, digits, . _ : -' });
/** One of the 16 index shards. */
const shardSchema = z
  .number()
  .int()
  .min(0)
  .max(SWEEP_SHARDS - 1);
/**
 * A shard cursor as the function answers it: the keys of a due-index item as stored (the due date
 * is upstream's text, which need not be a valid date: such a loan is skipped, and resumed after).
 */
const cursorSchema = z.strictObject({
  nextDueDate: z
    .string()
    .min(1)
    .refine((key) => utf8ByteLength(key) <= MAX_SORT_KEY_BYTES, {
      error: `must fit DynamoDB's ${MAX_SORT_KEY_BYTES}-byte sort key limit`,
    }),
  loanId: loanIdSchema,
}) satisfies z.ZodType<DueCursor>;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const amounts = z.record(
  z.string().regex(/^[A-Z]{3}$/),
  z.strictObject({ lateFees: count, penaltyInterest: count }),
);
const bucket = z.enum(BUCKETS);

/**
 * The schema of totals handed from step to step (they travel through the workflow's state), so a
 * hand-made payload cannot smuggle in an oversized or ill-typed summary.
 */
const totalsSchema = z.strictObject({
  loansExamined: count,
  loansOverdue: count,
  loansCharged: count,
  charges: amounts,
  reversals: amounts,
  chargedOff: count,
  eventsRecorded: count,
  versionConflicts: count,
  skipped: z.strictObject({
    count,
    loans: z
      .array(
        z.strictObject({
          loanId: z.string().max(LISTED_ID_LIMIT),
          reason: z.string().max(MAX_REASON_CHARS),
        }),
      )
      .max(SKIPPED_LIST_LIMIT),
  }),
  preview: z
    .array(
      z.strictObject({
        loanId: z.string().max(MAX_LOAN_ID_CHARS),
        currency: z.string().regex(/^[A-Z]{3}$/),
        dpd: count,
        bucket,
        previousBucket: bucket,
        lateFee: count,
        penaltyInterest: count,
        capped: z.boolean(),
        chargedOff: z.boolean(),
        lateFeeReversed: count,
        penaltyReversed: count,
      }),
    )
    .max(PREVIEW_LIMIT),
});
/** Totals as a step carries them: the schema's figures, typed as the tally's. */
const carriedTotalsSchema = totalsSchema.transform((totals) => totals as SweepTotals);

/** What fixes a run: its id, business date and dry-run flag. */
const runFields = { runId: runIdSchema, asOf: businessDateSchema, dryRun: z.boolean() };
/**
 * What a part carries from the parts before it: the shard's totals and busy time so far, and the
 * mark of the unfinished answer it is (absent in a first part).
 */
const carriedFields = {
  complete: z.literal(false).optional(),
  totals: carriedTotalsSchema.optional(),
  durationMs: count.optional(),
};

/** The input of one shard part. */
const shardPartSchema = z.strictObject({
  ...runFields,
  ...carriedFields,
  shard: shardSchema,
  cursor: cursorSchema.optional(),
});
/** The input of a part of the named loans of a `loanIds` run. */
const namedLoansPartSchema = z.strictObject({
  ...runFields,
  ...carriedFields,
  loanIds: loanIdsSchema,
});
type ShardPartInput = z.infer<typeof shardPartSchema>;
type NamedLoansPartInput = z.infer<typeof namedLoansPartSchema>;
/** What the workflow passes a part, under `part`. */
type PartInput = ShardPartInput | NamedLoansPartInput;

/**
 * The form a part claims: named loans when it carries `loanIds`, a shard otherwise. Checking the
 * claimed form alone names each problem; a union of both would report only "Invalid input".
 */
export function partStepSchema(
  part: unknown,
): z.ZodType<{ part: ShardPartInput } | { part: NamedLoansPartInput }> {
  return isRecord(part) && 'loanIds' in part
    ? z.strictObject({ part: namedLoansPartSchema })
    : z.strictObject({ part: shardPartSchema });
}

/** A part's answer that says its shard (or the named loans) is done: what the finish adds up. */
const finishedPartSchema = z.strictObject({
  complete: z.literal(true, { error: 'must be true: the finish adds up finished shards only' }),
  shard: shardSchema.optional(),
  totals: carriedTotalsSchema,
  durationMs: count,
});
export type FinishedPart = z.infer<typeof finishedPartSchema>;

/** An unfinished part's answer: the next part's input, with the totals and busy time so far. */
type UnfinishedPart = PartInput & {
  readonly complete: false;
  readonly totals: SweepTotals;
  readonly durationMs: number;
};

/** A part's answer to the workflow: finished, or the next part's input to hand on as it is. */
export type PartResponse = FinishedPart | UnfinishedPart;

/** What the plan step answers: the run, and the first parts of the map or the named-loans task. */
export type PlanAnswer = z.infer<z.ZodObject<typeof runFields>> & {
  readonly totals?: SweepTotals;
} & ({ readonly shards: readonly ShardPartInput[] } | { readonly loanIds: readonly string[] });

/** An execution input that resumes a direct run where it stopped (docs/contract.md, Workflow). */
export const resumeSchema = z.strictObject({
  resume: z.strictObject({
    ...runFields,
    scope: z.discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('due-index'),
        shards: z
          .array(z.strictObject({ shard: shardSchema, after: cursorSchema.optional() }))
          .min(1)
          .refine((shards) => new Set(shards.map((s) => s.shard)).size === shards.length, {
            error: 'must not repeat a shard',
          })
          .transform((shards) => shards as readonly ShardCursor[]),
      }),
      z.strictObject({ kind: z.literal('loan-ids'), loanIds: loanIdsSchema }),
    ]),
    totals: carriedTotalsSchema,
  }),
});
export type ResumeInput = z.infer<typeof resumeSchema>;

/** The finish step: the last answer of every shard (or of the named loans), and carried totals. */
export const finishStepSchema = z.strictObject({
  finish: z.strictObject({
    ...runFields,
    totals: carriedTotalsSchema.optional(),
    shards: z
      .array(finishedPartSchema)
      .min(1)
      .max(SWEEP_SHARDS)
      .refine(
        (answers) => {
          const shards = answers.flatMap((a) => (a.shard === undefined ? [] : [a.shard]));
          return new Set(shards).size === shards.length;
        },
        { error: 'must not repeat a shard' },
      ),
  }),
  startedAt: z.string().optional(),
});

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
 * What a schema-valid step at `field` (`part`, `plan.resume`, `finish`) may still get wrong, in
 * the order named: a non-dry run of a date after today, a run id its date and flag do not give
 * (`named`: of named loans), and each of `carried` (path → totals) that one run's counting cannot
 * have produced.
 */
export function stepProblems(
  field: string,
  run: { readonly runId: string; readonly asOf: BusinessDate; readonly dryRun: boolean },
  named: boolean,
  carried: readonly (readonly [string, SweepTotals | undefined])[],
  context: RequestContext,
): string[] {
  const problems: string[] = [];
  const future = futureDateProblem(`${field}.asOf`, run.asOf, run.dryRun, context);
  if (future) problems.push(future);
  const runId = runIdProblem(`${field}.runId`, run.runId, run.asOf, run.dryRun, named);
  if (runId) problems.push(runId);
  for (const [path, totals] of carried) {
    if (totals) problems.push(...carriedTotalsProblems(`${field}.${path}`, totals, run.dryRun));
  }
  return problems;
}
