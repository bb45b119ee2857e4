import { describe, expect, it } from 'vitest';
import type { BusinessDate } from '../../../functions/core/types';
import { loadSweepConfig } from '../../../functions/sweep/config';
import { runIdOf } from '../../../functions/sweep/job';
import { parseSweepRequest, ValidationError } from '../../../functions/sweep/request';

// 2026-11-27T16:30Z is 00:30 on 2026-11-28 in Shanghai.
const context = {
  now: new Date('2026-11-27T16:30:00Z'),
  timeZone: 'Asia/Shanghai',
};
const parse = (event: unknown) => parseSweepRequest(event, context);
const problemsOf = (event: unknown): readonly string[] => {
  try {
    parse(event);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('parseSweepRequest', () => {
  it('takes asOf from the scheduled time in the business time zone, not from the clock', () => {
    const job = parse({ scheduledTime: '2026-11-01T16:30:00Z' });
    expect(job).toMatchObject({ asOf: '2026-11-02', dryRun: false, runId: 'sweep-2026-11-02' });
    expect(job.scope).toMatchObject({ kind: 'due-index' });
  });

  it('accepts an EventBridge rule event by its time', () => {
    const job = parse({
      version: '0',
      id: 'x',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '1',
      time: '2026-11-27T16:30:00Z',
      region: 'ap-east-1',
      resources: [],
      detail: {},
    });
    expect(job).toMatchObject({ asOf: '2026-11-28', trigger: 'rule' });
  });

  it("defaults an operator's asOf to today's business date", () => {
    expect(parse({})).toMatchObject({ asOf: '2026-11-28', runId: 'sweep-2026-11-28' });
    expect(parse({ dryRun: true })).toMatchObject({ runId: 'dryrun-2026-11-28' });
  });

  it('names every problem of a bad operator payload at once', () => {
    expect(problemsOf({ asOf: '2026-11-31', dryRun: 'yes', loanIds: [], force: 1 })).toEqual([
      'unknown field "force" (allowed: asOf, dryRun, loanIds)',
      'asOf: "2026-11-31" is not a YYYY-MM-DD date',
      'dryRun: "yes" is not true or false',
      'loanIds: must not be empty (omit it to sweep every loan)',
    ]);
  });

  it('rejects oversized, non-string and duplicated loan ids', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `L-${i}`);
    expect(problemsOf({ loanIds: many })).toEqual(['loanIds: at most 1000 ids, got 1001']);
    expect(problemsOf({ loanIds: ['L-1', 7, '', 'L-1'] })).toEqual([
      'loanIds[1]: 7 is not a non-empty string',
      'loanIds[2]: "" is not a non-empty string',
      'loanIds: "L-1" is listed more than once',
    ]);
  });

  it('rejects a future asOf unless it is a dry run', () => {
    expect(problemsOf({ asOf: '2026-11-29' })[0]).toMatch(/asOf: 2026-11-29 is in the future/);
    expect(parse({ asOf: '2026-11-29', dryRun: true }).dryRun).toBe(true);
  });

  it('rejects a bad scheduled time and a non-object payload', () => {
    expect(problemsOf({ scheduledTime: 'soon' })).toEqual([
      'scheduledTime: "soon" is not an ISO-8601 timestamp',
    ]);
    expect(problemsOf([1])).toEqual(['payload: [1] is not a JSON object']);
  });

  it('gives a loanIds run an id that depends on the set of ids, not their order', () => {
    const asOf = '2026-11-28' as BusinessDate;
    expect(runIdOf(asOf, false, ['B', 'A'])).toBe(runIdOf(asOf, false, ['A', 'B']));
    expect(runIdOf(asOf, false, ['A'])).not.toBe(runIdOf(asOf, false, ['A', 'B']));
  });

  it('rejects the retired self-continuation payload as an unknown field', () => {
    expect(problemsOf({ sweepContinuation: { asOf: '2026-11-28' } }).length).toBeGreaterThan(0);
  });
});

describe('loadSweepConfig', () => {
  const env = {
    LOANS_TABLE_NAME: 'loans',
    LEDGER_TABLE_NAME: 'ledger',
    EVENTS_TOPIC_ARN: 'arn:aws:sns:ap-east-1:1:events',
  };

  it('defaults the business time zone to Asia/Shanghai', () => {
    expect(loadSweepConfig(env).businessTimeZone).toBe('Asia/Shanghai');
  });

  it('names every missing variable, a bad zone and a bad FEE_POLICY field', () => {
    expect(() =>
      loadSweepConfig({
        BUSINESS_TIMEZONE: 'Mars/Olympus',
        FEE_POLICY: '{"default":{"graceDays":-1}}',
      }),
    ).toThrow(
      'invalid sweep configuration: LOANS_TABLE_NAME: missing; LEDGER_TABLE_NAME: missing; ' +
        'EVENTS_TOPIC_ARN: missing; BUSINESS_TIMEZONE: "Mars/Olympus" is not an IANA time zone; ' +
        'FEE_POLICY.default.graceDays: must be an integer ≥ 0',
    );
  });
});
