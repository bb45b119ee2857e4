/**
 * `npm start -- --days K` ends with the portfolio trend that `npm run report -- --days K` prints,
 * built from each day's report of the run.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm start -- --days 2', () => {
  it('ends with the trend of the days it swept', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/start.ts',
        '--loans',
        '80',
        '--asOf',
        '2026-11-20',
        '--days',
        '2',
      ],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, BUSINESS_TIMEZONE: 'Asia/Shanghai' },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout.trimEnd();
    const trendAt = out.indexOf(
      'Portfolio trend 2026-11-20 … 2026-11-21 (2 business days, oldest first; 2 with a report)',
    );
    expect(trendAt).toBeGreaterThan(out.indexOf('Reminders for 2026-11-21'));
    const trend = out.slice(trendAt);
    expect(trend).toMatch(/│ 2026-11-20 │ \d+\s+│ 1+/);
    expect(trend).toMatch(/│ 2026-11-21 │ \d+\s+│ 1+/);
    expect(out.split('\n').at(-1)).toMatch(/^ {2}charged off\s+\S{2} {2}\d+ → \d+$/);
  }, 150_000);
});
