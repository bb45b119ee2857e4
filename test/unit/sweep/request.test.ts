import { describe, expect, it } from 'vitest';
import type { BusinessDate } from '../../../functions/core/types';
import { loadSweepConfig } from '../../../functions/sweep/config';
import { runIdOf } from '../../../functions/sweep/job';
import {
  MAX_LISTED_PROBLEMS,
  parseSweepRequest,
  ValidationError,
} from '../../../functions/sweep/request';

// 2026-11-27T16:30Z is 00:30 on 2026-11-28 in Shanghai.
const context = {
  now: new Date('2026-11-27T16:30:00Z'),
  timeZone: 'Asia/Shanghai',
};
const parse = (event: unknown, now = context.now) => parseSweepRequest(event, { ...context, now });
const errorOf = (event: unknown, now = context.now): ValidationError => {
  try {
    parse(event, now);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};
const problemsOf = (event: unknown, now = context.now): readonly string[] =>
  errorOf(event, now).problems;

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
    expect(problemsOf({ loanIds: ['L-1', 7, '', 'L-1', 'L-1'] })).toEqual([
      'loanIds[1]: 7 is not a non-empty string',
      'loanIds[2]: "" is not a non-empty string',
      'loanIds[3]: "L-1" is listed more than once (first at loanIds[0])',
    ]);
  });

  it('rejects a future asOf unless it is a dry run', () => {
    expect(problemsOf({ asOf: '2026-11-29' })[0]).toMatch(/asOf: 2026-11-29 is in the future/);
    expect(parse({ asOf: '2026-11-29', dryRun: true }).dryRun).toBe(true);
  });

  it('rejects a bad scheduled time and a non-object payload', () => {
    expect(problemsOf({ scheduledTime: 'soon' })).toEqual([
      'scheduledTime: "soon" is not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SS with Z or ±HH:MM, a real date)',
    ]);
    expect(problemsOf([1])).toEqual(['payload: a list of 1 item is not a JSON object']);
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

describe('scheduled and rule times (docs/contract.md, Inputs)', () => {
  const ruleEvent = (time: unknown) => ({
    version: '0',
    id: 'x',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '1',
    time,
    region: 'ap-east-1',
    resources: [],
    detail: {},
  });

  it('rejects a scheduled time years ahead: the future is never swept', () => {
    expect(problemsOf({ scheduledTime: '2030-01-01T00:00:00Z' })).toEqual([
      'scheduledTime: "2030-01-01T00:00:00Z" is more than 5 minutes in the future (now 2026-11-27T16:30:00.000Z)',
      'scheduledTime: "2030-01-01T00:00:00Z" is business date 2030-01-01, after today (2026-11-28 in the business time zone)',
    ]);
  });

  it("rejects a rule event's time in the future the same way", () => {
    expect(problemsOf(ruleEvent('2030-01-01T00:00:00Z'))).toHaveLength(2);
    expect(problemsOf(ruleEvent('2030-01-01T00:00:00Z'))[0]).toMatch(
      /^time: "2030-01-01T00:00:00Z" is more than 5 minutes in the future/,
    );
  });

  it.each([
    ['a bare number as text', '1'],
    ['a number', 1],
    ['an impossible day', '2026-02-30T00:00:00Z'],
    ['an impossible month', '2026-13-01T00:00:00Z'],
    ['no zone', '2026-11-27T16:30:00'],
    ['a space for T', '2026-11-27 16:30:00Z'],
    ['no seconds', '2026-11-27T16:30Z'],
    ['hour 24', '2026-11-27T24:00:00Z'],
    ['a leap second', '2026-11-27T16:30:60Z'],
    ['an offset without colon', '2026-11-27T16:30:00+0800'],
    ['an impossible offset', '2026-11-27T16:30:00+08:60'],
    ['an HTTP date', 'Fri, 27 Nov 2026 16:30:00 GMT'],
    ['an expanded year', '+002026-11-27T16:30:00Z'],
    ['a date only', '2026-11-27'],
    ['trailing text', '2026-11-27T16:30:00Z '],
  ])('rejects %s as a scheduled or rule time', (_name, value) => {
    expect(problemsOf({ scheduledTime: value })).toEqual([
      `scheduledTime: ${JSON.stringify(value)} is not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SS with Z or ±HH:MM, a real date)`,
    ]);
    expect(problemsOf(ruleEvent(value))[0]).toMatch(/^time: .* is not an ISO-8601 instant/);
  });

  it('rejects a rule event without a time', () => {
    const { time: _time, ...withoutTime } = ruleEvent('x');
    expect(problemsOf(withoutTime)).toEqual(['time: missing']);
  });

  it('accepts a fraction and an offset, taking the date in the business time zone', () => {
    expect(parse({ scheduledTime: '2026-11-28T00:30:00.123456+08:00' }).asOf).toBe('2026-11-28');
    expect(parse({ scheduledTime: '2026-11-27T11:30:00-05:00' }).asOf).toBe('2026-11-28');
    expect(
      parse({ scheduledTime: '2028-02-29T01:00:00Z' }, new Date('2028-03-01T00:00:00Z')).asOf,
    ).toBe('2028-02-29');
  });

  it('tolerates 5 minutes of clock skew, not a second more', () => {
    expect(parse({ scheduledTime: '2026-11-27T16:35:00Z' }).asOf).toBe('2026-11-28');
    expect(problemsOf({ scheduledTime: '2026-11-27T16:35:01Z' })).toEqual([
      'scheduledTime: "2026-11-27T16:35:01Z" is more than 5 minutes in the future (now 2026-11-27T16:30:00.000Z)',
    ]);
  });

  it("rejects a time within the skew that names tomorrow's business date", () => {
    // 23:58 on 2026-11-28 in Shanghai; the scheduled time is 00:01 on 2026-11-29.
    const lateEvening = new Date('2026-11-28T15:58:00Z');
    expect(problemsOf({ scheduledTime: '2026-11-28T16:01:00Z' }, lateEvening)).toEqual([
      'scheduledTime: "2026-11-28T16:01:00Z" is business date 2026-11-29, after today (2026-11-28 in the business time zone)',
    ]);
  });

  it('names an unknown field and a bad time together', () => {
    expect(problemsOf({ scheduledTime: '1', dryRun: true })).toEqual([
      'unknown field "dryRun" beside scheduledTime',
      'scheduledTime: "1" is not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SS with Z or ±HH:MM, a real date)',
    ]);
  });
});

describe('loan ids (docs/contract.md, Inputs)', () => {
  it('accepts an id of exactly 1,024 characters', () => {
    const id = 'L'.repeat(1024);
    expect(parse({ loanIds: [id] }).scope).toEqual({ kind: 'loan-ids', loanIds: [id] });
  });

  it('rejects a 3,000-character id by its length, without echoing it', () => {
    const id = `L-${'9'.repeat(2998)}`;
    const error = errorOf({ loanIds: ['L-1', id] });
    expect(error.problems).toEqual([
      'loanIds[1]: a string of 3000 characters is longer than 1024 characters',
    ]);
    expect(error.message).not.toContain('9'.repeat(41));
  });

  it('rejects an id of 1,024 characters that DynamoDB cannot use as a key (over 2,048 bytes)', () => {
    const id = '贷'.repeat(1024);
    expect(problemsOf({ loanIds: [id] })).toEqual([
      "loanIds[0]: a string of 1024 characters is 3072 bytes in UTF-8, over DynamoDB's 2048-byte key limit",
    ]);
  });

  it('quotes a short value whole and a long one by its length only', () => {
    expect(problemsOf({ asOf: 'x'.repeat(41) })).toEqual([
      'asOf: a string of 41 characters is not a YYYY-MM-DD date',
    ]);
    expect(problemsOf({ [`k${'e'.repeat(500)}`]: 1 })).toEqual([
      'unknown field a string of 501 characters (allowed: asOf, dryRun, loanIds)',
    ]);
    expect(problemsOf({ dryRun: { name: 'Zhang San', phone: '13800138000' } })).toEqual([
      'dryRun: a map of 2 entries is not true or false',
    ]);
  });

  it('lists at most 20 problems and counts the rest, so the message stays small', () => {
    const ids = Array.from({ length: 1000 }, () => 'x'.repeat(5000));
    const error = errorOf({ loanIds: ids });
    expect(error.problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(error.problems.at(-1)).toBe('… and 981 more problems');
    expect(error.message.length).toBeLessThan(2_000);
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
        'BUSINESS_TIMEZONE: "Mars/Olympus" is not an IANA time zone; ' +
        'FEE_POLICY.default.graceDays: must be an integer ≥ 0',
    );
  });
});
