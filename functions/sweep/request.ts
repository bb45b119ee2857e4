/**
 * The sweep's input for a whole run (docs/contract.md, Inputs): the Scheduler's `{scheduledTime}`, an EventBridge
 * rule event, or an operator's `{asOf?, dryRun?, loanIds?}`. Everything is validated before
 * anything is read or written; a bad request is rejected with every problem named, and no message
 * echoes a long or untrusted value whole (`quoted`).
 */
import { SWEEP_ERRORS } from '../contract/workflow';
import { businessDateOf, MS_PER_MINUTE, parseBusinessDate, parseInstant } from '../core/dates';
import type { BusinessDate } from '../core/types';
import { isRecord, quoted } from '../core/values';
import { fullScope, runIdOf, type SweepJob, type Trigger } from './job';
import { futureDateProblem, loanIdsProblems, type RequestContext } from './wire';

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
    this.name = SWEEP_ERRORS.validation;
    this.problems = listed;
  }
}

/** An untrusted value as a problem may show it: short values whole, others by kind and size. */
function shown(value: unknown): string {
  return quoted(value);
}

function fullRun(asOf: BusinessDate, trigger: Trigger): SweepJob {
  return {
    asOf,
    dryRun: false,
    runId: runIdOf(asOf, false),
    scope: fullScope(),
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
  const future = futureDateProblem('asOf', asOf, dryRun, context);
  if (future) problems.push(future);
  if (event.loanIds !== undefined) problems.push(...loanIdsProblems(event.loanIds, 'loanIds'));
  if (problems.length > 0) throw new ValidationError(problems);
  // Checked above: a list of distinct valid ids, or absent.
  const loanIds = event.loanIds as string[] | undefined;
  return {
    asOf,
    dryRun,
    runId: runIdOf(asOf, dryRun, loanIds),
    scope: loanIds ? { kind: 'loan-ids', loanIds } : fullScope(),
    trigger: 'operator',
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
  return fullRun(asOf, trigger);
}

/**
 * Turns the invocation event into the job to run.
 * @throws ValidationError naming every problem (docs/contract.md, Inputs): unknown field, bad date, a scheduled or
 *   rule time that is not a strict ISO-8601 instant or lies in the future, bad/empty/oversized/
 *   duplicated loanIds, a future asOf without dryRun.
 */
export function parseSweepRequest(event: unknown, context: RequestContext): SweepJob {
  if (event === undefined || event === null) return parseOperator({}, context);
  if (!isRecord(event)) {
    throw new ValidationError([`payload: ${shown(event)} is not a JSON object`]);
  }
  if ('scheduledTime' in event) return parseTimed(event, 'schedule', context);
  if ('detail-type' in event) return parseTimed(event, 'rule', context);
  return parseOperator(event, context);
}
