import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactWindowOn,
  DEFAULT_CONTACT_POLICY,
  instantOn,
  parseContactPolicy,
} from '../../../functions/core/contact-policy';
import { d } from '../../support/events';

const problemsOf = (json: string): readonly string[] => {
  try {
    parseContactPolicy(json);
    return [];
  } catch (error) {
    return (error as { problems: readonly string[] }).problems;
  }
};

describe('CONTACT_POLICY', () => {
  it('defaults to 09:00–21:00 and 3 contact dates in any 7, also when blank', () => {
    expect(parseContactPolicy(undefined)).toEqual({
      windowStart: 540,
      windowEnd: 1260,
      maxContactDaysPer7: 3,
    });
    expect(parseContactPolicy('  ')).toBe(DEFAULT_CONTACT_POLICY);
    expect(parseContactPolicy('{}')).toEqual(DEFAULT_CONTACT_POLICY);
  });

  it('takes any window inside 08:00–22:00 (both ends allowed) and a cap 1–7', () => {
    expect(
      parseContactPolicy('{"windowStart":"08:00","windowEnd":"22:00","maxContactDaysPer7":7}'),
    ).toEqual({ windowStart: 480, windowEnd: 1320, maxContactDaysPer7: 7 });
    expect(parseContactPolicy('{"maxContactDaysPer7":1}').maxContactDaysPer7).toBe(1);
    expect(parseContactPolicy('{"windowEnd":"20:30"}')).toMatchObject({ windowEnd: 1230 });
  });

  it.each([
    ['{"windowStart":"9:00"}', 'CONTACT_POLICY.windowStart: "9:00" is not a time HH:MM'],
    ['{"windowStart":"07:59"}', 'CONTACT_POLICY.windowStart: 07:59 is outside 08:00–22:00'],
    ['{"windowEnd":"22:01"}', 'CONTACT_POLICY.windowEnd: 22:01 is outside 08:00–22:00'],
    ['{"windowEnd":"24:00"}', 'CONTACT_POLICY.windowEnd: "24:00" is not a time HH:MM'],
    ['{"windowEnd":2100}', 'CONTACT_POLICY.windowEnd: 2100 is not a time HH:MM'],
    [
      '{"windowStart":"21:00","windowEnd":"09:00"}',
      'CONTACT_POLICY: windowStart 21:00 is not before windowEnd 09:00',
    ],
    ['{"windowEnd":"09:00"}', 'CONTACT_POLICY: windowStart 09:00 is not before windowEnd 09:00'],
    ['{"maxContactDaysPer7":0}', 'CONTACT_POLICY.maxContactDaysPer7: 0 is not a whole number 1–7'],
    ['{"maxContactDaysPer7":8}', 'CONTACT_POLICY.maxContactDaysPer7: 8 is not a whole number 1–7'],
    [
      '{"maxContactDaysPer7":2.5}',
      'CONTACT_POLICY.maxContactDaysPer7: 2.5 is not a whole number 1–7',
    ],
    [
      '{"maxContactDaysPer7":"3"}',
      'CONTACT_POLICY.maxContactDaysPer7: "3" is not a whole number 1–7',
    ],
    ['{"quietHours":true}', 'CONTACT_POLICY.quietHours: unknown field'],
    ['not json', 'CONTACT_POLICY: not valid JSON'],
    ['[1]', 'CONTACT_POLICY: must be a JSON object'],
  ])('refuses %s', (json, problem) => {
    expect(problemsOf(json)).toEqual([problem]);
  });

  it('names every bad field at once', () => {
    expect(
      problemsOf('{"windowStart":"06:00","windowEnd":"23:00","maxContactDaysPer7":9,"x":1}'),
    ).toEqual([
      'CONTACT_POLICY.x: unknown field',
      'CONTACT_POLICY.windowStart: 06:00 is outside 08:00–22:00',
      'CONTACT_POLICY.windowEnd: 23:00 is outside 08:00–22:00',
      'CONTACT_POLICY.maxContactDaysPer7: 9 is not a whole number 1–7',
    ]);
  });
});

describe('the contact window of a date', () => {
  it('is 09:00–21:00 business time in Asia/Shanghai by default', () => {
    expect(contactWindowOn(d('2026-11-28'), DEFAULT_CONTACT_POLICY, 'Asia/Shanghai')).toEqual({
      sendAfter: '2026-11-28T09:00:00+08:00',
      sendBefore: '2026-11-28T21:00:00+08:00',
      closesAtMs: Date.parse('2026-11-28T13:00:00Z'),
    });
  });

  it('follows the configured window, up to 22:00', () => {
    const policy = parseContactPolicy('{"windowStart":"08:30","windowEnd":"22:00"}');
    expect(contactWindowOn(d('2026-11-28'), policy, 'Asia/Shanghai')).toMatchObject({
      sendAfter: '2026-11-28T08:30:00+08:00',
      sendBefore: '2026-11-28T22:00:00+08:00',
    });
  });

  it('follows daylight saving and half-hour offsets', () => {
    expect(instantOn(d('2026-07-01'), 540, 'America/New_York').iso).toBe(
      '2026-07-01T09:00:00-04:00',
    );
    expect(instantOn(d('2026-12-01'), 540, 'America/New_York').iso).toBe(
      '2026-12-01T09:00:00-05:00',
    );
    // The day clocks go forward (at 02:00) still gets 09:00 in the new offset.
    expect(instantOn(d('2026-03-08'), 540, 'America/New_York').iso).toBe(
      '2026-03-08T09:00:00-04:00',
    );
    expect(instantOn(d('2026-01-05'), 540, 'Asia/Kolkata').iso).toBe('2026-01-05T09:00:00+05:30');
    expect(instantOn(d('2026-01-05'), 1260, 'UTC').iso).toBe('2026-01-05T21:00:00+00:00');
  });

  it('names the instant that time shows on that date in the zone', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Sydney'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        fc.integer({ min: 480, max: 1320 }),
        (date, zone, minutes) => {
          const asOf = d(date.toISOString().slice(0, 10));
          const { iso, epochMs } = instantOn(asOf, minutes, zone);
          expect(Date.parse(iso)).toBe(epochMs);
          const wall = new Intl.DateTimeFormat('en-CA', {
            timeZone: zone,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
          }).format(new Date(epochMs));
          const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
          expect(wall).toBe(`${asOf}, ${hhmm}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
