/**
 * The local run keeps its data: after `npm start`, `npm run report` and `npm run republish` read
 * what it swept with nothing else set — no table, no endpoint, no region, no credentials — the
 * next `npm start` goes on with the same book (publishing nothing twice), and `--fresh` starts
 * over. Every command here runs as a user runs it, with a clean environment, on a temporary
 * folder instead of `.local/`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DATA_DIR_ENV } from '../../../local/local-data';

const dir = mkdtempSync(join(tmpdir(), 'overdue-sweep-kept-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a user's shell has: no AWS variable, no table name, no region. */
const cleanEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  [LOCAL_DATA_DIR_ENV]: dir,
  // So no profile or shared credentials of the machine are found either.
  AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
});

function run(script: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
    env: cleanEnv(),
  });
}

/** The row of a date in the portfolio trend, as printed. */
const rowOf = (text: string, date: string) =>
  text
    .slice(text.indexOf('Portfolio trend'))
    .split('\n')
    .find((line) => line.startsWith(`│ ${date} │`));

let first: ReturnType<typeof run>;

beforeAll(() => {
  first = run('start', ['--loans', '80', '--asOf', '2026-11-20', '--days', '2']);
}, 270_000);

describe('after npm start, with nothing else set', () => {
  it('npm start kept its data in the folder and says so', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `Seeded a new demo book, kept in ${dir}: npm run report -- --days 3, npm run republish -- --asOf 2026-11-21 and the next npm start work on it; npm start -- --fresh starts over.`,
    );
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ loans: 80, seed: 42, sweptDates: ['2026-11-20', '2026-11-21'] });
    expect(existsSync(join(dir, 'dynamodb', 'shared-local-instance.db'))).toBe(true);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('npm run report -- --days 3 prints the trend of the run just made, ending at its last date', {
    timeout: 120_000,
  }, () => {
    const report = run('report', ['--days', '3']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stderr).not.toMatch(/region/i);
    expect(report.stdout).toContain(
      'Portfolio trend 2026-11-19 … 2026-11-21 (3 consecutive dates, oldest first; 2 with a report)',
    );
    // The same figures npm start printed at the end of its run.
    for (const date of ['2026-11-20', '2026-11-21']) {
      expect(rowOf(report.stdout, date), date).toBeDefined();
      expect(rowOf(report.stdout, date)).toBe(rowOf(first.stdout, date));
    }
  });

  let lastDay = '';

  it('npm run report -- --asOf prints that day’s report', { timeout: 120_000 }, () => {
    const report = run('report', ['--asOf', '2026-11-21']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain('Report 2026-11-21');
    expect(report.stdout).toContain('complete (the run finished and all its events are counted)');
    lastDay = report.stdout;
  });

  it('npm run republish publishes the date’s events again; the consumers count each id once', () => {
    const dry = run('republish', ['--asOf', '2026-11-21', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    const [, events, loans] =
      /^2026-11-21: (\d+) events recorded on (\d+) loans and 1 run record; dry run, nothing published$/m.exec(
        dry.stdout,
      ) ?? [];
    expect(Number(events)).toBeGreaterThan(0);
    expect(Number(loans)).toBeGreaterThan(0);

    const again = run('republish', ['--asOf', '2026-11-21']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `2026-11-21: ${events} events recorded on ${loans} loans and 1 run record; ${events} published, 0 not accepted`,
    );
    // Every event reaches the reporting service (all events), and nothing fails.
    expect(again.stdout).toMatch(
      new RegExp(
        `Delivered locally: \\d+ to the reminder service, ${events} to the reporting service .*; 0 failed\\)`,
      ),
    );
    const after = run('report', ['--asOf', '2026-11-21']);
    expect(lastDay).toContain('Report 2026-11-21');
    expect(after.stdout).toBe(lastDay);
  }, 270_000);

  it('the next npm start goes on with the same book and publishes nothing twice', () => {
    const refused = run('start', ['--loans', '81']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--loans 81: the local data in');
    expect(refused.stderr).toContain('holds the demo book of an earlier run (80 loans, seed 42)');

    const next = run('start', ['--asOf', '2026-11-22', '--json']);
    expect(next.status, next.stderr).toBe(0);
    const output = JSON.parse(next.stdout) as {
      continued: boolean;
      options: { loans: number };
      days: {
        summary: { eventsPublished: number; complete: boolean };
        messagesDelivered: { reporting: number };
      }[];
    };
    expect(output.continued).toBe(true);
    expect(output.options.loans).toBe(80);
    const [day] = output.days;
    expect(day?.summary.complete).toBe(true);
    // Only this date's events (and its sweep.completed): none of the earlier run's again.
    expect(day?.messagesDelivered.reporting).toBe((day?.summary.eventsPublished ?? 0) + 1);

    const trend = run('report', ['--days', '4']);
    expect(trend.stdout).toContain(
      '2026-11-19 … 2026-11-22 (4 consecutive dates, oldest first; 3 with a report)',
    );
  }, 270_000);

  it('npm start -- --fresh starts over: the earlier dates are gone', () => {
    const fresh = run('start', ['--fresh', '--loans', '30', '--asOf', '2026-11-25']);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('Seeded a new demo book');
    expect(fresh.stdout).toContain('date 2026-11-25');
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ loans: 30, sweptDates: ['2026-11-25'] });
    const old = run('report', ['--asOf', '2026-11-21']);
    expect(old.status).toBe(1);
    // No working copy of this folder's database is left behind.
    const shm = existsSync('/dev/shm') ? readdirSync('/dev/shm') : [];
    const pids = [fresh.pid, old.pid];
    expect(
      shm.filter((name) => pids.some((pid) => name.startsWith(`overdue-sweep-db-${pid}-`))),
    ).toEqual([]);
  }, 270_000);
});
