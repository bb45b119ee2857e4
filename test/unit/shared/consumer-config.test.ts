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
