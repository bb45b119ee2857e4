import { describe, expect, it } from 'vitest';
import { loadReminderConfig } from '../../../functions/reminder/config';
import { loadReportingConfig } from '../../../functions/reporting/config';

describe('reminder configuration at cold start', () => {
  const env = { LOANS_TABLE_NAME: 'loans', REMINDERS_TABLE_NAME: 'reminders' };

  it('defaults the business time zone and the fee policy', () => {
    const config = loadReminderConfig(env);
    expect(config).toMatchObject({
      ...{ loansTableName: 'loans', remindersTableName: 'reminders' },
      businessTimeZone: 'Asia/Shanghai',
    });
    expect(config.policyBook.default.reminderOffsets).toEqual([3, 1, 0]);
  });

  it('defaults the contact policy to 09:00–21:00 and three dates in seven, and reads CONTACT_POLICY', () => {
    expect(loadReminderConfig(env).contactPolicy).toEqual({
      windowStart: 540,
      windowEnd: 1260,
      maxContactDaysPer7: 3,
    });
    expect(
      loadReminderConfig({ ...env, CONTACT_POLICY: '{"windowEnd":"20:00","maxContactDaysPer7":2}' })
        .contactPolicy,
    ).toEqual({ windowStart: 540, windowEnd: 1200, maxContactDaysPer7: 2 });
  });

  it('refuses a bad CONTACT_POLICY at cold start, naming each field beside the other problems', () => {
    expect(() =>
      loadReminderConfig({
        ...env,
        BUSINESS_TIMEZONE: 'Mars/Olympus',
        CONTACT_POLICY:
          '{"windowStart":"7:30","windowEnd":"23:00","maxContactDaysPer7":0,"days":7}',
      }),
    ).toThrow(
      /BUSINESS_TIMEZONE: .*CONTACT_POLICY\.days: unknown field; CONTACT_POLICY\.windowStart: "7:30" is not a time HH:MM; CONTACT_POLICY\.windowEnd: 23:00 is outside 08:00–22:00; CONTACT_POLICY\.maxContactDaysPer7: 0 is not a whole number 1–7/,
    );
  });

  it('names every missing variable, bad zone and bad policy field at once', () => {
    expect(() =>
      loadReminderConfig({
        BUSINESS_TIMEZONE: 'Mars/Olympus',
        FEE_POLICY: '{"default":{"graceDays":-1}}',
      }),
    ).toThrow(
      /LOANS_TABLE_NAME: missing.*REMINDERS_TABLE_NAME: missing.*BUSINESS_TIMEZONE: "Mars\/Olympus" is not an IANA time zone.*FEE_POLICY\.default\.graceDays/,
    );
  });
});

describe('reporting configuration at cold start', () => {
  it('needs the reports and credit records tables, naming each missing one', () => {
    expect(
      loadReportingConfig({ REPORTS_TABLE_NAME: 'reports', CREDIT_RECORDS_TABLE_NAME: 'credit' }),
    ).toEqual({ reportsTableName: 'reports', creditRecordsTableName: 'credit' });
    expect(() => loadReportingConfig({})).toThrow(
      /REPORTS_TABLE_NAME: missing; CREDIT_RECORDS_TABLE_NAME: missing/,
    );
  });
});
