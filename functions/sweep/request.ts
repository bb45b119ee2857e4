/**
 * The sweep's input (SPEC §5.1): the Scheduler's `{scheduledTime}`, an EventBridge rule event, an
 * operator's `{asOf?, dryRun?, loanIds?}`, or the sweep's own continuation payload. Everything is
 * validated before anything is read or written; a bad request is rejected with every problem
 * named, and no message echoes a long or untrusted value whole (`quoted`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { businessDateOf, MS_PER_MINUTE, parseBusinessDate, parseInstant } from '../core/dates';
import type { BusinessDate } from '../core/types';
import { isRecord, quoted, utf8ByteLength } from '../core/values';
import type { SweepTotals } from './summary';

/** Most loan ids an operator may name in one run (SPEC §5.1). */
export const MAX_LOAN_IDS = 1000;

/** Longest loan id an operator may name, in characters (SPEC §5.1). */
export const MAX_LOAN_ID_CHARS = 1024;

/** DynamoDB's limit on a partition key value, in UTF-8 bytes: a longer id cannot be read by key. */
export const MAX_KEY_BYTES = 2048;

/** How far in the future (ms, by the injected clock) a scheduled or rule time may lie: clock skew. */
export const MAX_FUTURE_SKEW_MS = 5 * MS_PER_MINUTE;

/** Most problems a ValidationError lists one by one; the rest are counted in a last line. */
export const MAX_LISTED_PROBLEMS = 20;

/** The request cannot be run; `.problems` lists each problem (the first 20, then a count). */
export class ValidationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const listed =
      problems.length <= MAX_LISTED_PROBLEMS
        ? problems
        : [
            ...problems.slice(0, MAX_LISTED_PROBLEMS - 1),
            `… and ${problems.length - MAX_LISTED_PROBLEMS + 1} more problems`,
          ];
    super(`invalid sweep request: ${listed.join('; ')}`);
    this.name = 'ValidationError';
    this.problems = listed;
  }
}

/** Where a shard's scan resumes: after this index position, or from the start. */
export interface ShardCursor {
  readonly shard: number;
  readonly after?: { readonly nextDueDate: string; readonly loanId: string };
}

/** The loans a run covers: the due index (shards not yet finished), or named loans not yet done. */
export type SweepScope =
  | { readonly kind: 'due-index'; readonly shards: readonly ShardCursor[] }
  | { readonly kind: 'loan-ids'; readonly loanIds: readonly string[] };

/** What triggered the run, for the logs. */
export type Trigger = 'schedule' | 'rule' | 'operator' | 'continuation';

/** One invocation's work: a whole run (part 1) or the rest of one (part 2, 3, …). */
export interface SweepJob {
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  readonly runId: string;
  readonly part: number;
  readonly scope: SweepScope;
  readonly trigger: Trigger;
  /** Totals of the earlier parts (continuations only). */
  readonly carried?: SweepTotals;
}

/** The payload a part hands to the next one. */
export interface ContinuationPayload {
  readonly sweepContinuation: {
    readonly asOf: BusinessDate;
    readonly dryRun: boolean;
    readonly runId: string;
    readonly part: number;
    readonly scope: SweepScope;
    readonly totals: SweepTotals;
  };
}

/** The scope of a full sweep: every shard from its start. */
export function fullScope(shardCount: number): SweepScope {
  return {
    kind: 'due-index',
    shards: Array.from({ length: shardCount }, (_, shard) => ({ shard })),
  };
}

/**
 * The run id, deterministic per (asOf, scope, dry run) so a re-run re-sends the same
 * `sweep.completed` id: `sweep-2026-11-28`, `sweep-2026-11-28-<hash of the sorted ids>`,
 * `dryrun-…` for dry runs.
 */
export function runIdOf(asOf: BusinessDate, dryRun: boolean, loanIds?: readonly string[]): string {
  const base = `${dryRun ? 'dryrun' : 'sweep'}-${asOf}`;
  if (!loanIds) return base;
  const hash = createHash('sha256')
    .update([...loanIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 10);
  return `${base}-${hash}`;
}

/** An untrusted value as a problem may show it: short values whole, others by kind and size. */
function shown(value: unknown): string {
  return quoted(value);
}

/** Context a request is parsed in: the clock (for "today") and the business time zone. */
export interface RequestContext {
  readonly now: Date;
  readonly timeZone: string;
  readonly shardCount: number;
}

function fullRun(asOf: BusinessDate, trigger: Trigger, context: RequestContext): SweepJob {
  return {
    asOf,
    dryRun: false,
    runId: runIdOf(asOf, false),
    part: 1,
    scope: fullScope(context.shardCount),
    trigger,
  };
}

/**
 * The business date a scheduled or rule time names, or undefined with its problems added: not a
 * strict ISO-8601 instant, more than 5 minutes ahead of the clock, or a business date after today
 * (such a run is never a dry run, so it must not charge the future).
 */
function dateOfInstant(
  value: unknown,
  field: string,
  context: RequestContext,
  problems: string[],
): BusinessDate | undefined {
  if (value === undefined) {
    problems.push(`${field}: missing`);
    return undefined;
  }
  const instant = parseInstant(value);
  if (!instant) {
    problems.push(
      `${field}: ${shown(value)} is not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SS with Z or ±HH:MM, a real date)`,
    );
    return undefined;
  }
  const count = problems.length;
  const ahead = instant.getTime() - context.now.getTime();
  if (ahead > MAX_FUTURE_SKEW_MS) {
    problems.push(
      `${field}: ${shown(value)} is more than ${MAX_FUTURE_SKEW_MS / MS_PER_MINUTE} minutes in the future (now ${context.now.toISOString()})`,
    );
  }
  const asOf = businessDateOf(instant, context.timeZone);
  const today = businessDateOf(context.now, context.timeZone);
  if (asOf > today) {
    problems.push(
      `${field}: ${shown(value)} is business date ${asOf}, after today (${today} in the business time zone)`,
    );
  }
  return problems.length === count ? asOf : undefined;
}

/** Problems for each key of `event` that `allowed` does not hold, e.g. `unknown field "x" …`. */
function unknownFields(
  event: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  where: string,
): string[] {
  return Object.keys(event)
    .filter((key) => !allowed.has(key))
    .map((key) => `unknown field ${shown(key)} ${where}`);
}

/** The standard fields of an EventBridge event envelope. */
const EVENTBRIDGE_FIELDS = new Set([
  'version',
  'id',
  'detail-type',
  'source',
  'account',
  'time',
  'region',
  'resources',
  'detail',
  'replay-name',
]);

const OPERATOR_FIELDS: ReadonlySet<string> = new Set(['asOf', 'dryRun', 'loanIds']);

function parseOperator(event: Record<string, unknown>, context: RequestContext): SweepJob {
  const problems = unknownFields(event, OPERATOR_FIELDS, '(allowed: asOf, dryRun, loanIds)');
  const today = businessDateOf(context.now, context.timeZone);
  let asOf = today;
  if (event.asOf !== undefined) {
    const parsed = parseBusinessDate(event.asOf);
    if (parsed) asOf = parsed;
    else problems.push(`asOf: ${shown(event.asOf)} is not a YYYY-MM-DD date`);
  }
  let dryRun = false;
  if (event.dryRun !== undefined) {
    if (typeof event.dryRun === 'boolean') dryRun = event.dryRun;
    else problems.push(`dryRun: ${shown(event.dryRun)} is not true or false`);
  }
  if (asOf > today && !dryRun) {
    problems.push(
      `asOf: ${asOf} is in the future (today is ${today} in the business time zone); only a dry run may look ahead`,
    );
  }
  let loanIds: string[] | undefined;
  if (event.loanIds !== undefined) {
    loanIds = parseLoanIds(event.loanIds, problems);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    asOf,
    dryRun,
    runId: runIdOf(asOf, dryRun, loanIds),
    part: 1,
    scope: loanIds ? { kind: 'loan-ids', loanIds } : fullScope(context.shardCount),
    trigger: 'operator',
  };
}

function parseLoanIds(value: unknown, problems: string[]): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.push('loanIds: must be a list of loan ids');
    return undefined;
  }
  if (value.length === 0) problems.push('loanIds: must not be empty (omit it to sweep every loan)');
  if (value.length > MAX_LOAN_IDS) {
    problems.push(`loanIds: at most ${MAX_LOAN_IDS} ids, got ${value.length}`);
  }
  // First index of each id; a repeated id is reported once, at its first repetition.
  const firstAt = new Map<string, number>();
  const reported = new Set<string>();
  value.forEach((id: unknown, index) => {
    const at = `loanIds[${index}]`;
    if (typeof id !== 'string' || id.length === 0) {
      problems.push(`${at}: ${shown(id)} is not a non-empty string`);
    } else if (id.length > MAX_LOAN_ID_CHARS) {
      problems.push(`${at}: ${shown(id)} is longer than ${MAX_LOAN_ID_CHARS} characters`);
    } else if (utf8ByteLength(id) > MAX_KEY_BYTES) {
      problems.push(
        `${at}: ${shown(id)} is ${utf8ByteLength(id)} bytes in UTF-8, over DynamoDB's ${MAX_KEY_BYTES}-byte key limit`,
      );
    } else if (firstAt.has(id)) {
      if (!reported.has(id)) {
        reported.add(id);
        problems.push(
          `${at}: ${shown(id)} is listed more than once (first at loanIds[${firstAt.get(id)}])`,
        );
      }
    } else {
      firstAt.set(id, index);
    }
  });
  return [...firstAt.keys()];
}

const totalsSchema = z.object({
  loansExamined: z.number().int().min(0),
  loansOverdue: z.number().int().min(0),
  loansCharged: z.number().int().min(0),
  charges: z.record(
    z.string(),
    z.object({ lateFees: z.number().int().min(0), penaltyInterest: z.number().int().min(0) }),
  ),
  chargedOff: z.number().int().min(0),
  eventsPublished: z.number().int().min(0),
  eventsPending: z.number().int().min(0),
  versionConflicts: z.number().int().min(0),
  skipped: z.object({
    count: z.number().int().min(0),
    loans: z.array(z.object({ loanId: z.string(), reason: z.string() })),
  }),
  preview: z.array(
    z.object({
      loanId: z.string(),
      currency: z.string(),
      dpd: z.number(),
      bucket: z.enum(['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7']),
      previousBucket: z.enum(['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7']),
      lateFee: z.number(),
      penaltyInterest: z.number(),
      capped: z.boolean(),
      chargedOff: z.boolean(),
    }),
  ),
  durationMs: z.number().min(0),
});

const positionSchema = z.strictObject({ nextDueDate: z.string(), loanId: z.string() });

const continuationSchema = z.strictObject({
  sweepContinuation: z.strictObject({
    asOf: z.string(),
    dryRun: z.boolean(),
    runId: z.string().min(1),
    part: z.number().int().min(2),
    scope: z.discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('due-index'),
        shards: z.array(
          z.strictObject({ shard: z.number().int().min(0), after: positionSchema.optional() }),
        ),
      }),
      z.strictObject({ kind: z.literal('loan-ids'), loanIds: z.array(z.string().min(1)) }),
    ]),
    totals: totalsSchema,
  }),
});

function parseContinuation(event: unknown): SweepJob {
  const parsed = continuationSchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const c = parsed.data.sweepContinuation;
  const asOf = parseBusinessDate(c.asOf);
  if (!asOf) throw new ValidationError([`sweepContinuation.asOf: ${shown(c.asOf)} is not a date`]);
  return {
    asOf,
    dryRun: c.dryRun,
    runId: c.runId,
    part: c.part,
    scope: c.scope,
    trigger: 'continuation',
    carried: c.totals,
  };
}

const SCHEDULER_FIELDS: ReadonlySet<string> = new Set(['scheduledTime']);

/** A scheduled or rule event: its time, checked, names the business date of a full run. */
function parseTimed(
  event: Record<string, unknown>,
  trigger: 'schedule' | 'rule',
  context: RequestContext,
): SweepJob {
  const problems =
    trigger === 'schedule'
      ? unknownFields(event, SCHEDULER_FIELDS, 'beside scheduledTime')
      : unknownFields(event, EVENTBRIDGE_FIELDS, 'in an EventBridge event');
  const field = trigger === 'schedule' ? 'scheduledTime' : 'time';
  const asOf = dateOfInstant(event[field], field, context, problems);
  if (problems.length > 0 || !asOf) throw new ValidationError(problems);
  return fullRun(asOf, trigger, context);
}

/**
 * Turns the invocation event into the job to run.
 * @throws ValidationError naming every problem (SPEC §5.1): unknown field, bad date, a scheduled or
 *   rule time that is not a strict ISO-8601 instant or lies in the future, bad/empty/oversized/
 *   duplicated loanIds, a future asOf without dryRun.
 */
export function parseSweepRequest(event: unknown, context: RequestContext): SweepJob {
  if (event === undefined || event === null) return parseOperator({}, context);
  if (!isRecord(event)) {
    throw new ValidationError([`payload: ${shown(event)} is not a JSON object`]);
  }
  if ('sweepContinuation' in event) return parseContinuation(event);
  if ('scheduledTime' in event) return parseTimed(event, 'schedule', context);
  if ('detail-type' in event) return parseTimed(event, 'rule', context);
  return parseOperator(event, context);
}
