import { describe, expect, it } from 'vitest';
import {
  addDays,
  businessDateOf,
  DEFAULT_BUSINESS_TIMEZONE,
  daysBetween,
  isValidTimeZone,
  parseBusinessDate,
  parseInstant,
} from '../../../functions/core/dates';
import { d } from '../../../local/fixtures/loans';

describe('parseBusinessDate', () => {
  it('accepts real calendar dates, leap days included', () => {
    expect(parseBusinessDate('2026-11-28')).toBe('2026-11-28');
    expect(parseBusinessDate('2028-02-29')).toBe('2028-02-29');
  });

  it.each([
    '2026-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-1-5',
    '2026-01-05T00:00:00Z',
    ' 2026-01-05',
    '',
  ])('rejects %j', (text) => {
    expect(parseBusinessDate(text)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    expect(parseBusinessDate(20260105)).toBeUndefined();
    expect(parseBusinessDate(null)).toBeUndefined();
    expect(parseBusinessDate(new Date())).toBeUndefined();
  });
});

describe('calendar arithmetic', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays(d('2026-01-10'), 180)).toBe('2026-07-09');
    expect(addDays(d('2026-12-31'), 1)).toBe('2027-01-01');
    expect(addDays(d('2028-02-28'), 1)).toBe('2028-02-29');
    expect(addDays(d('2026-03-01'), -1)).toBe('2026-02-28');
  });

  it('counts days as to − from, negative when to is earlier', () => {
    expect(daysBetween(d('2026-01-10'), d('2026-01-14'))).toBe(4);
    expect(daysBetween(d('2026-01-14'), d('2026-01-10'))).toBe(-4);
    expect(daysBetween(d('2028-02-01'), d('2028-03-01'))).toBe(29);
  });
});

describe('businessDateOf', () => {
  it('takes the date on the business wall clock, not in UTC', () => {
    // 16:30Z on 27 Nov is 00:30 on 28 Nov in Shanghai: the scheduled run's business date.
    const instant = new Date('2026-11-27T16:30:00Z');
    expect(businessDateOf(instant, DEFAULT_BUSINESS_TIMEZONE)).toBe('2026-11-28');
    expect(businessDateOf(instant, 'UTC')).toBe('2026-11-27');
    expect(businessDateOf(instant, 'America/New_York')).toBe('2026-11-27');
  });

  it('knows valid and invalid zones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('parseInstant', () => {
  it('reads the zone, the fraction to the millisecond, and years before 100 as written', () => {
    expect(parseInstant('2026-11-28T00:30:00+08:00')?.toISOString()).toBe(
      '2026-11-27T16:30:00.000Z',
    );
    expect(parseInstant('2026-11-27T23:59:59.999999999-00:30')?.toISOString()).toBe(
      '2026-11-28T00:29:59.999Z',
    );
    expect(parseInstant('0099-12-31T23:59:59Z')?.getUTCFullYear()).toBe(99);
  });

  it.each(['1', '2026-02-30T00:00:00Z', '2026-11-27T16:30:00', '2026-11-27T16:30:00.Z', ''])(
    'rejects %j, which new Date() might accept',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );
});
