/**
 * The sweep's input for a whole run (SPEC §5.1): the Scheduler's `{scheduledTime}`, an EventBridge
 * rule event, or an operator's `{asOf?, dryRun?, loanIds?}`. Everything is validated before
 * anything is read or written; a bad payload is rejected with every problem named.
 */
import { businessDateOf, parseBusinessDate } from '../core/dates';
import type { BusinessDate } from '../core/types';
import { isRecord } from '../core/values';
import { fullScope, runIdOf, type SweepJob, type Trigger } from './job';

/** Most loan ids an operator may name in one run (SPEC §5). */
export const MAX_LOAN_IDS = 1000;

/** The request cannot be run; `.problems` lists each problem. */
export class ValidationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid sweep request: ${problems.join('; ')}`);
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Context a request is parsed in: the clock (for "today") and the business time zone. */
export interface RequestContext {
  readonly now: Date;
  readonly timeZone: string;
}

function fullRun(asOf: BusinessDate, trigger: Trigger, context: RequestContext): SweepJob {
  return {
    asOf,
    dryRun: false,
    runId: runIdOf(asOf, false),
    scope: fullScope(),
    trigger,
  };
}

function dateOfInstant(value: unknown, field: string, context: RequestContext): BusinessDate {
  const instant = typeof value === 'string' ? new Date(value) : undefined;
  if (!instant || Number.isNaN(instant.getTime())) {
    throw new ValidationError([`${field}: ${shown(value)} is not an ISO-8601 timestamp`]);
  }
  return businessDateOf(instant, context.timeZone);
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

function parseOperator(event: Record<string, unknown>, context: RequestContext): SweepJob {
  const problems: string[] = [];
  for (const key of Object.keys(event)) {
    if (!['asOf', 'dryRun', 'loanIds'].includes(key)) {
      problems.push(`unknown field ${shown(key)} (allowed: asOf, dryRun, loanIds)`);
    }
  }
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
    scope: loanIds ? { kind: 'loan-ids', loanIds } : fullScope(),
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
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  value.forEach((id, index) => {
    if (typeof id !== 'string' || id.length === 0) {
      problems.push(`loanIds[${index}]: ${shown(id)} is not a non-empty string`);
    } else if (seen.has(id)) {
      duplicates.add(id);
    } else {
      seen.add(id);
    }
  });
  for (const id of duplicates) problems.push(`loanIds: ${shown(id)} is listed more than once`);
  return [...seen];
}

/**
 * Turns the invocation event into the job to run.
 * @throws ValidationError naming every problem of an operator payload (unknown field, bad date,
 *   bad/empty/oversized/duplicated loanIds, a future asOf without dryRun).
 */
export function parseSweepRequest(event: unknown, context: RequestContext): SweepJob {
  if (event === undefined || event === null) return parseOperator({}, context);
  if (!isRecord(event)) {
    throw new ValidationError([`payload: ${shown(event)} is not a JSON object`]);
  }
  if ('scheduledTime' in event) {
    const unknown = Object.keys(event).filter((key) => key !== 'scheduledTime');
    if (unknown.length > 0) {
      throw new ValidationError(
        unknown.map((key) => `unknown field ${shown(key)} beside scheduledTime`),
      );
    }
    return fullRun(
      dateOfInstant(event.scheduledTime, 'scheduledTime', context),
      'schedule',
      context,
    );
  }
  if ('detail-type' in event) {
    const unknown = Object.keys(event).filter((key) => !EVENTBRIDGE_FIELDS.has(key));
    if (unknown.length > 0) {
      throw new ValidationError(
        unknown.map((key) => `unknown field ${shown(key)} in an EventBridge event`),
      );
    }
    return fullRun(dateOfInstant(event.time, 'time', context), 'rule', context);
  }
  return parseOperator(event, context);
}
