/**
 * `npm start`: the whole product on this machine, on real emulators (docs/contract.md, Running it). Starts DynamoDB
 * Local (its data kept under `.local/`) and the SNS/SQS emulator on free ports, creates the
 * stack's resources, seeds a demo portfolio — or goes on with the one an earlier run left —
 * sweeps it for one or more consecutive dates, delivers the events to the reminder and reporting
 * handlers, prints the summary, the report and sample reminders, and stops everything it started
 * (also on Ctrl-C or an error). `npm run report` and `npm run republish` read the kept data.
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
import type { BusinessDate } from '../functions/core/types';
import { SKIPPED_LIST_LIMIT } from '../functions/sweep/summary';
import { describeMissing, renderExtractSummary } from '../local/credit-extract';
import { type LocalAws, startLocalAws } from '../local/emulators';
import { exitUnlessJava } from '../local/java';
import {
  displayPath,
  LOCAL_DATA_DIR_ENV,
  LOCAL_TABLE_PREFIX,
  LocalDataBusyError,
  type LocalRunRecord,
  localDataDir,
  lockLocalData,
  openWorkingCopy,
  readLocalRun,
  withSweptDates,
  writeLocalRun,
} from '../local/local-data';
import {
  type LocalRunOptions,
  type LocalRunResult,
  type Progress,
  runLocal,
} from '../local/local-run';
import { moneyText } from '../local/money-text';
import { renderReport } from '../local/report-table';
import { renderTrend } from '../local/report-trend';

const DEFAULT_LOANS = 2000;
const DEFAULT_SEED = 42;

const USAGE = `usage: npm start -- [options]

Runs overdue-sweep end to end on DynamoDB Local and the SNS/SQS emulator. The data is kept in
.local/ (or $${LOCAL_DATA_DIR_ENV}): the next npm start goes on with the same demo book, and
npm run report / npm run republish read it.

  --loans N        loans in the demo portfolio (default ${DEFAULT_LOANS}; only when it is seeded)
  --asOf DATE      first date to sweep, YYYY-MM-DD (default: the K days ending today in
                   ${DEFAULT_BUSINESS_TIMEZONE}); no day may be after today unless --dry-run
  --days K         sweep K consecutive dates, borrowers paying in between (default 1)
  --dry-run        assess and report, write and publish nothing
  --seed N         seed of the demo portfolio and of the payments (default ${DEFAULT_SEED})
  --fresh          start over: a new demo portfolio replaces the kept data (once the run is done)
  --json           print one JSON document on stdout (progress, if any, on stderr)
  --help           this text`;

interface CliOptions extends LocalRunOptions {
  readonly json: boolean;
  readonly fresh: boolean;
  /** Whether --loans and --seed were given (they must match a kept book). */
  readonly given: { readonly loans: boolean; readonly seed: boolean };
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
        fresh: { type: 'boolean' },
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
  // The sweep never charges a business date after today (docs/contract.md, Inputs): by default the K days
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
  const seed = seedText === undefined ? DEFAULT_SEED : Number(seedText);
  if (!Number.isSafeInteger(seed))
    throw new UsageError(`--seed: ${JSON.stringify(seedText)} is not an integer`);
  return {
    loans: positiveInteger('loans', values.loans as string | undefined, DEFAULT_LOANS, 1_000_000),
    asOf: asOf as BusinessDate,
    days,
    dryRun,
    seed,
    json: values.json === true,
    fresh: values.fresh === true,
    given: { loans: values.loans !== undefined, seed: seedText !== undefined },
  };
}

/**
 * The run to go on with, if any: the kept record, unless --fresh. Its book's size and seed win
 * over the defaults; a different --loans or --seed is a usage error, not a silent new book.
 * @returns the options to run with and the record to continue.
 */
function continuation(
  options: CliOptions,
  dir: string,
): { options: CliOptions; record: LocalRunRecord | undefined } {
  const record = options.fresh ? undefined : readLocalRun(dir);
  if (!record) return { options, record };
  const differs = [
    options.given.loans && options.loans !== record.loans ? `--loans ${options.loans}` : '',
    options.given.seed && options.seed !== record.seed ? `--seed ${options.seed}` : '',
  ].filter(Boolean);
  if (differs.length > 0) {
    throw new UsageError(
      `${differs.join(' ')}: the local data in ${displayPath(dir)} holds the demo book of an earlier run (${record.loans} loans, seed ${record.seed}); leave ${differs.map((flag) => flag.split(' ')[0]).join(' and ')} out to go on with it, or add --fresh to start over`,
    );
  }
  return { options: { ...options, loans: record.loans, seed: record.seed }, record };
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

const money = (fen: number) => moneyText(fen, 'CNY');

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

/** What the day's sweep gave back after backdated payments (docs/contract.md, Value-dated payments), fen. */
function reversedOf(summary: LocalRunResult['days'][number]['summary']): number {
  const cny = summary.reversals.CNY ?? { lateFees: 0, penaltyInterest: 0 };
  return cny.lateFees + cny.penaltyInterest;
}

/** The demo's delinquency-episode showcase: one loan of each step, as the run left it. */
function renderEpisodes(result: LocalRunResult): string {
  const last = result.days[result.days.length - 1];
  const table = new Table({
    head: [
      'loan',
      'on the first day',
      'status',
      'dpd',
      'class',
      'hold',
      'notice',
      'offer',
      'promise',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const row of result.episodes) {
    table.push([
      row.loanId,
      row.shows,
      row.status,
      row.dpd,
      row.riskClass,
      row.creditHold ? 'on hold' : '-',
      row.creditNoticeOn ?? '-',
      row.hardshipOfferId ? 'offered' : '-',
      row.promiseOutcome ?? '-',
    ]);
  }
  return `Delinquency episodes after ${last?.asOf ?? '-'} (one loan of each step the demo shows)\n${table.toString()}`;
}

function renderText(result: LocalRunResult, dataDir: string): string {
  const out: string[] = [];
  const { options, days } = result;
  const last = days[days.length - 1];
  if (!last) return '';
  out.push(
    `overdue-sweep local run: ${options.loans} loans (seed ${options.seed}), ${options.days === 1 ? `date ${options.asOf}` : `${options.days} consecutive dates from ${options.asOf}`}${options.dryRun ? ', dry run' : ''}`,
    `${result.continued ? 'Went on with the demo book kept in' : 'Seeded a new demo book, kept in'} ${dataDir}: npm run report -- --days 3, npm run republish -- --asOf ${last.asOf} and the next npm start work on it; npm start -- --fresh starts over.`,
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
    // The summary's eventsPublished: events the sweep recorded for the stream publisher to send.
    ['events recorded for publishing', last.summary.eventsPublished],
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
  if (result.episodes.length > 0) out.push('', renderEpisodes(result));
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
  // A month that ended within the run: its credit extract, as `npm run credit-extract` sums it up.
  for (const { month, result: extract } of result.creditExtracts) {
    if (!extract.outcome) continue;
    out.push('', `The month ${month} ended during this run: its credit-bureau extract`);
    if (extract.missing.length > 0) {
      out.push(
        `(dates without a complete report, before the run began: ${describeMissing(extract.missing)})`,
      );
    }
    out.push(renderExtractSummary(extract.outcome));
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
  const dir = localDataDir();
  let release = () => {};
  let record: LocalRunRecord | undefined;
  try {
    release = lockLocalData(dir, 'npm start');
    ({ options, record } = continuation(options, dir));
  } catch (error) {
    release();
    if (!(error instanceof UsageError || error instanceof LocalDataBusyError)) throw error;
    process.stderr.write(`npm start: ${error.message}\n`);
    return 2;
  }
  const bars = progressBars(!options.json && process.stderr.isTTY === true);
  // DynamoDB Local runs on a working copy (an empty one with --fresh); it replaces the kept data
  // only once the run is done, so a run stopped half-way leaves the kept data as it was.
  const workingCopy = openWorkingCopy(dir, { empty: options.fresh });
  let localAws: LocalAws | undefined;
  const stopEmulators = async () => {
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
      void stopEmulators().finally(() => process.exit(code));
    });
  }
  try {
    bars.progress('starting DynamoDB Local and the SNS/SQS emulator', 0);
    localAws = await startLocalAws({ dynamoDb: { dbPath: workingCopy.dbPath } });
    Object.assign(process.env, localAws.env);
    const run = options;
    let kept: LocalRunRecord = {
      version: 1,
      loans: run.loans,
      seed: run.seed,
      sweptDates: record?.sweptDates ?? [],
    };
    const result = await runLocal(run, bars.progress, {
      prefix: LOCAL_TABLE_PREFIX,
      ...(record && {
        continueFrom: {
          lastSwept: record.sweptDates.at(-1) ?? run.asOf,
          ...(record.stream && { stream: record.stream }),
        },
      }),
      onReady: ({ continued, stream }) => {
        kept = { ...kept, sweptDates: continued ? kept.sweptDates : [], stream };
      },
      onDay: (day, stream) => {
        // A dry run writes nothing, so its date is not swept.
        const sweptDates = run.dryRun ? kept.sweptDates : withSweptDates(kept, [day.asOf]);
        kept = { ...kept, sweptDates, stream };
      },
    });
    await stopEmulators();
    bars.progress('keeping the data for the next commands', 0);
    workingCopy.keep();
    writeLocalRun(dir, kept);
    bars.stop();
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ...result, localData: dir }, null, 2)}\n`
        : renderText(result, displayPath(dir)),
    );
    return 0;
  } finally {
    await stopEmulators();
    workingCopy.discard();
    release();
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
