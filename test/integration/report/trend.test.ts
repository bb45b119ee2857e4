/**
 * `npm run report` as a user runs it, against a reports table on DynamoDB Local written by the
 * reporting service's own store: the trend of the last 7 dates with a missing day as a
 * gap, the single-day table unchanged, and the exit codes.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReportStore } from '../../../functions/adapters/report-store';
import { REPORTS_TABLE } from '../../../functions/contract/tables';
import { addDays, businessDateOf } from '../../../functions/core/dates';
import { EMPTY_DELTA, type ReportDelta } from '../../../functions/core/report';
import type { BusinessDate } from '../../../functions/core/types';
import { localClients } from '../../../local/fixtures/aws';
import { createTable, uniqueSuffix } from '../../../local/local-resources';

const d = (text: string) => text as BusinessDate;
let table: string;

/** A day's report: `overdue` loans spread over the buckets as a real book would be. */
function dayDelta(overdue: number, chargedOff: number, reversed: number): ReportDelta {
  const m1 = Math.round(overdue * 0.6);
  const m2 = Math.round(overdue * 0.2);
  const rest = overdue - m1 - m2;
  return {
    ...EMPTY_DELTA,
    loansOverdue: overdue,
    buckets: { M1: m1, M2: m2, M3: rest - 3, M4: 1, M5: 1, M6: 1 },
    amountOverdue: { CNY: overdue * 250_000 },
    chargesApplied: { CNY: overdue * 150 },
    lateFees: { CNY: overdue * 100 },
    penaltyInterest: { CNY: overdue * 50 },
    chargesReversed: reversed === 0 ? {} : { CNY: reversed },
    chargedOff,
    dueSoon: 12,
    completion: { runId: 'sweep', summary: { runId: 'sweep', loansExamined: overdue * 4 } },
  };
}

/**
 * Six of the seven days to 2026-11-28 have a report; 2026-11-24 has none (the sweep did not run).
 * On 2026-11-27 backdated payments gave back ¥5.20.
 */
const SEEDED: [string, number, number, number][] = [
  ['2026-11-22', 40, 0, 0],
  ['2026-11-23', 42, 1, 0],
  ['2026-11-25', 45, 0, 0],
  ['2026-11-26', 47, 2, 0],
  ['2026-11-27', 50, 0, 520],
  ['2026-11-28', 52, 1, 0],
];

beforeAll(async () => {
  const clients = localClients();
  table = `report-trend-${uniqueSuffix()}`;
  await createTable(clients.dynamodb, REPORTS_TABLE, table);
  const store = createReportStore(clients.doc, table);
  await store.ensureReports(SEEDED.map(([asOf]) => d(asOf)));
  const outcome = await store.commit(
    SEEDED.map(([asOf, overdue, chargedOff, reversed]) => ({
      asOf: d(asOf),
      delta: dayDelta(overdue, chargedOff, reversed),
    })),
    [],
    [],
    0,
  );
  expect(outcome).toEqual({ kind: 'committed' });
});

function report(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/report.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, [REPORTS_TABLE.envVar]: table, BUSINESS_TIMEZONE: 'Asia/Shanghai' },
  });
}

describe('npm run report -- --days 7', () => {
  it('prints the last 7 business dates as a trend, the missing day as a gap', () => {
    const run = report(['--days', '7', '--asOf', '2026-11-28']);
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toContain(
      'Portfolio trend 2026-11-22 … 2026-11-28 (7 consecutive dates, oldest first; 6 with a report)',
    );
    const rows = out.split('\n').filter((line) => /^│ 2026-11-\d\d/.test(line));
    expect(rows.map((row) => row.slice(2, 12))).toEqual([
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
    ]);
    expect(rows[2]).toMatch(/│ —\s+│ no report\s+│/);
    // The last day: 52 overdue, a bar through M6, ¥52 of late fees, ¥26 penalty, nothing given
    // back, so ¥78 net, one charge-off.
    expect(rows[6]).toMatch(
      /│ 52\s+│ 1+2+3+4+5+6+\s+│ CN¥52\.00\s+│ CN¥26\.00\s+│ 0\s+│ CN¥78\.00\s+│ 1\s+│/,
    );
    // The day before: ¥75 charged, ¥5.20 given back: ¥69.80 net beside the gross figures.
    expect(rows[5]).toMatch(/│ CN¥50\.00\s+│ CN¥25\.00\s+│ CN¥5\.20\s+│ CN¥69\.80\s+│ 0\s+│/);
    expect(out).toMatch(/reversed CNY\s+▁▁·▁▁█▁ {2}0 → 0/);
    expect(out).toMatch(/net charges CNY\s+.{7} {2}CN¥60\.00 → CN¥78\.00/);
    expect(out).toMatch(/loans overdue\s+▁▂·▄▅▇█ {2}40 → 52/);
    expect(out).toMatch(/charged off\s+▁▅·▁█▁▅ {2}0 → 1/);
    expect(out).toMatch(/late fees CNY\s+.{7} {2}CN¥40\.00 → CN¥52\.00/);
  });

  it('ends today in the business time zone when --asOf is left out', () => {
    const today = () => businessDateOf(new Date(), 'Asia/Shanghai');
    const before = today();
    const run = report(['--days', '2']);
    const after = today();
    const title = /Portfolio trend (\S+) … (\S+) \(2 consecutive dates/.exec(run.stdout);
    expect(title, run.stderr).not.toBeNull();
    expect([before, after]).toContain(title?.[2]);
    expect(title?.[1]).toBe(addDays(title?.[2] as BusinessDate, -1));
  });

  it('prints gaps and exits 1 when no day of the period has a report', () => {
    const run = report(['--days', '3', '--asOf', '2026-10-01']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('(3 consecutive dates, oldest first; 0 with a report)');
    expect(run.stderr).toContain(`No reports for 2026-09-29 … 2026-10-01 in table ${table}.`);
  });

  it('keeps --asOf alone printing that day’s table', () => {
    const run = report(['--asOf', '2026-11-28']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Report 2026-11-28');
    expect(run.stdout).not.toContain('Portfolio trend');
  });

  it('rejects a bad --days with the usage and exit code 2', () => {
    const run = report(['--days', '0']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--days "0" is not a whole number from 1 to 366.');
    expect(run.stderr).toContain('Usage: npm run report');
  });
});
