/**
 * `npm start`: the whole product on this machine, on real emulators (SPEC §10). Starts DynamoDB
 * Local and the SNS/SQS emulator on free ports, creates the stack's resources, seeds a demo
 * portfolio, sweeps it for one or more business days, delivers the events to the reminder and
 * reporting handlers, prints the summary, the report and sample reminders, and stops everything
 * it started (also on Ctrl-C or an error).
 */
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import {
  addDays,
  businessDateOf,
  DEFAULT_BUSINESS_TIMEZONE,
  parseBusinessDate,
} from '../functions/core/dates';
import { formatMoney } from '../functions/core/money';
import type { BusinessDate } from '../functions/core/types';
import { SKIPPED_LIST_LIMIT } from '../functions/sweep/summary';
import { type LocalAws, startLocalAws } from './lib/emulators';
import { exitUnlessJava } from './lib/java';
import {
  type LocalRunOptions,
  type LocalRunResult,
  type Progress,
  runLocal,
} from './lib/local-run';
import { renderReport } from './lib/report-table';
import { renderTrend } from './lib/report-trend';

const USAGE = `usage: npm start -- [options]

Runs overdue-sweep end to end on DynamoDB Local and the SNS/SQS emulator.

  --loans N        loans in the demo portfolio (default 2000)
  --asOf DATE      first business date to sweep, YYYY-MM-DD (default: the K days ending today in
                   ${DEFAULT_BUSINESS_TIMEZONE}); no day may be after today unless --dry-run
  --days K         sweep K consecutive business days, borrowers paying in between (default 1)
  --dry-run        assess and report, write and publish nothing
  --seed N         seed of the demo portfolio and of the payments (default 42)
  --json           print one JSON document on stdout (progress, if any, on stderr)
  --help           this text`;

interface CliOptions extends LocalRunOptions {
  readonly json: boolean;
}

class UsageError extends Error {}

function positiveInteger(name: string, text: string | undefined, fallback: number, max: number) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(
      `--${name}: ${JSON.stringify(text)} is not a whole number from 1 to ${max}`,
    );
  }
  return value;
}

function parseCli(argv: readonly string[]): CliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        loans: { type: 'string' },
        asOf: { type: 'string' },
        days: { type: 'string' },
        'dry-run': { type: 'boolean' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const days = positiveInteger('days', values.days as string | undefined, 1, 60);
  const dryRun = values['dry-run'] === true;
  // The sweep never charges a business date after today (SPEC §5.1): by default the K days
  // ending today; a later one only as a dry run.
  const today = businessDateOf(
    new Date(),
    process.env.BUSINESS_TIMEZONE ?? DEFAULT_BUSINESS_TIMEZONE,
  );
  const asOfText = values.asOf as string | undefined;
  const asOf = asOfText === undefined ? addDays(today, 1 - days) : parseBusinessDate(asOfText);
  if (!asOf) throw new UsageError(`--asOf: ${JSON.stringify(asOfText)} is not a YYYY-MM-DD date`);
  const lastDay = addDays(asOf, days - 1);
  if (lastDay > today && !dryRun) {
    throw new UsageError(
      `--asOf ${asOf} with --days ${days} would sweep ${lastDay}, after today (${today}); the sweep charges no future date — pick an earlier --asOf, fewer --days, or add --dry-run`,
    );
  }
  const seedText = values.seed as string | undefined;
  const seed = seedText === undefined ? 42 : Number(seedText);
  if (!Number.isSafeInteger(seed))
    throw new UsageError(`--seed: ${JSON.stringify(seedText)} is not an integer`);
  return {
    loans: positiveInteger('loans', values.loans as string | undefined, 2000, 1_000_000),
    asOf: asOf as BusinessDate,
    days,
    dryRun,
    seed,
    json: values.json === true,
  };
}

/** Progress bars on stderr for an interactive terminal; silent otherwise. */
function progressBars(enabled: boolean): { progress: Progress; stop: () => void } {
  if (!enabled) return { progress: () => {}, stop: () => {} };
  let bar: SingleBar | undefined;
  let phase = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const progress: Progress = (next, done, total, detail = '') => {
    if (next !== phase) {
      stop();
      phase = next;
      if (total === undefined) {
        process.stderr.write(`${next}…\n`);
        return;
      }
      bar = new SingleBar({
        format: `${next} [{bar}] {value}/{total} {detail}`,
        stream: process.stderr,
        hideCursor: true,
      });
      bar.start(total, done, { detail });
      return;
    }
    bar?.update(done, { detail });
  };
  return { progress, stop };
}

const money = (fen: number) => formatMoney(fen, 'CNY', 'en');

function chargesOf(summary: LocalRunResult['days'][number]['summary']) {
  const cny = summary.charges.CNY ?? { lateFees: 0, penaltyInterest: 0 };
  return cny;
}

/** The last day's workflow: its execution and, per shard, the loans, charges, parts and busy time. */
function renderShards(day: LocalRunResult['days'][number]): string {
  const table = new Table({
    head: ['shard', ...Array.from({ length: 16 }, (_, shard) => String(shard))],
    style: { head: [], border: [], compact: true },
  });
  const figures = new Map(day.summary.shards.map((s) => [s.shard, s]));
  const row = (label: string, pick: (shard: number) => number | string) =>
    table.push([label, ...Array.from({ length: 16 }, (_, shard) => pick(shard))]);
  row('loans examined', (shard) => figures.get(shard)?.loansExamined ?? 0);
  row('loans charged', (shard) => figures.get(shard)?.loansCharged ?? 0);
  row('parts', (shard) => day.execution.partsByShard[shard] ?? 0);
  row('busy ms', (shard) => figures.get(shard)?.durationMs ?? 0);
  return `Workflow execution ${day.execution.executionArn}\ninput ${JSON.stringify(day.execution.input)}\n${table.toString()}`;
}

/** What the day's sweep gave back after backdated payments (SPEC §4 rule 7), fen. */
function reversedOf(summary: LocalRunResult['days'][number]['summary']): number {
  const cny = summary.reversals.CNY ?? { lateFees: 0, penaltyInterest: 0 };
  return cny.lateFees + cny.penaltyInterest;
}

function renderText(result: LocalRunResult): string {
  const out: string[] = [];
  const { options, days } = result;
  const last = days[days.length - 1];
  if (!last) return '';
  out.push(
    `overdue-sweep local run: ${options.loans} loans (seed ${options.seed}), ${options.days} day(s) from ${options.asOf}${options.dryRun ? ', dry run' : ''}`,
  );
  if (days.length > 1) {
    const table = new Table({
      head: [
        'asOf',
        'paid',
        'recovered',
        'examined',
        'overdue',
        'M1',
        'M2',
        'M3',
        'M4',
        'M5',
        'M6',
        'M7',
        'late fees',
        'penalty',
        'reversed',
        'charged off',
        'cured',
        'reminders',
      ],
      style: { head: [], border: [], compact: true },
    });
    for (const day of days) {
      const buckets = day.report?.buckets ?? {};
      const charges = chargesOf(day.summary);
      table.push([
        day.asOf,
        day.payments,
        money(day.recovered),
        day.summary.loansExamined,
        day.summary.loansOverdue,
        ...['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'].map(
          (b) => buckets[b as keyof typeof buckets] ?? 0,
        ),
        money(charges.lateFees),
        money(charges.penaltyInterest),
        money(reversedOf(day.summary)),
        day.summary.chargedOff,
        day.report?.cured ?? 0,
        day.remindersCreated,
      ]);
    }
    out.push('', 'Day by day', table.toString());
  }
  const summary = new Table({
    head: [`Sweep summary ${last.asOf}`, ''],
    style: { head: [], border: [], compact: true },
  });
  const charges = chargesOf(last.summary);
  summary.push(
    ['runId', last.summary.runId],
    ['loans examined', last.summary.loansExamined],
    ['loans overdue', last.summary.loansOverdue],
    ['loans charged', last.summary.loansCharged],
    ['late fees charged', money(charges.lateFees)],
    ['penalty interest charged', money(charges.penaltyInterest)],
    ['charges reversed (backdated payments)', money(reversedOf(last.summary))],
    ['charged off', last.summary.chargedOff],
    ['events published', last.summary.eventsPublished],
    ['skipped', last.summary.skipped.count],
    ['complete', String(last.summary.complete)],
    ['duration', `${last.summary.durationMs} ms`],
  );
  out.push('', summary.toString());
  out.push('', renderShards(last));
  if (last.summary.skipped.loans.length > 0) {
    out.push('', 'Skipped (malformed or unreadable items):');
    for (const skipped of last.summary.skipped.loans.slice(0, 10)) {
      out.push(`  ${skipped.loanId}: ${skipped.reason}`);
    }
    const more = last.summary.skipped.count - Math.min(10, last.summary.skipped.loans.length);
    if (more > 0) out.push(`  … and ${more} more (--json lists the first ${SKIPPED_LIST_LIMIT})`);
  }
  for (const day of days) {
    const { reminder, reporting } = day.messagesFailed;
    if (reminder + reporting > 0) {
      out.push(
        '',
        `${day.asOf}: ${reminder} reminder and ${reporting} reporting message(s) failed and were left on their queues for redelivery`,
      );
    }
  }
  out.push('', last.report ? renderReport(last.report) : `No report for ${last.asOf} (dry run).`);
  out.push(
    '',
    options.dryRun
      ? `No reminders for ${last.asOf} (dry run: nothing published).`
      : `Reminders for ${last.asOf}: ${last.remindersCreated} borrowers (samples)`,
  );
  for (const reminder of result.reminders) {
    const loans = reminder.loanIds.length === 1 ? 'loan' : `${reminder.loanIds.length} loans`;
    out.push(
      `  [${reminder.locale} ${reminder.kind}] ${reminder.borrowerId}, ${loans} ${reminder.loanIds.join(', ')}; ${reminder.sendAfter} … ${reminder.sendBefore.slice(11)}`,
    );
    out.push(`    ${reminder.message}`);
  }
  // Several days end with the portfolio's ageing trend, as `npm run report -- --days K` prints it.
  if (days.length > 1) {
    out.push('', renderTrend(days, options.dryRun ? 'no report (dry run)' : 'no report'));
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm start: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  exitUnlessJava('npm start');
  const bars = progressBars(!options.json && process.stderr.isTTY === true);
  let localAws: LocalAws | undefined;
  const shutdown = async () => {
    bars.stop();
    const running = localAws;
    localAws = undefined;
    await running?.stop();
  };
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      void shutdown().finally(() => process.exit(code));
    });
  }
  try {
    bars.progress('starting DynamoDB Local and the SNS/SQS emulator', 0);
    localAws = await startLocalAws();
    Object.assign(process.env, localAws.env);
    const result = await runLocal(options, bars.progress);
    bars.stop();
    process.stdout.write(
      options.json ? `${JSON.stringify(result, null, 2)}\n` : renderText(result),
    );
    return 0;
  } finally {
    await shutdown();
  }
}

/** Resolves once `text` has been handed to the OS, so exiting right after loses none of it. */
function flushed(stream: NodeJS.WriteStream, text = ''): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

// Exit as soon as everything started is stopped: a timer left behind by a stopped emulator's
// kill fallback (or an SDK socket kept alive) must not hold the terminal for seconds.
main()
  .catch(async (error: unknown) => {
    await flushed(
      process.stderr,
      `npm start failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  })
  .then(async (code) => {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  });
