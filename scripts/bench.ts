/**
 * `npm run bench` (docs/performance.md): seeds a portfolio where most loans are closed and measures, in one
 * run and each on fresh data of the same shape, the floor (the candidate reads and, per loan, one
 * transaction of the conditional loan update and its ledger entry; same concurrency, no fee logic,
 * no events) and the real sweep run directly; then the stream publisher delivering the sweep's
 * events. Prints loans per second, DynamoDB capacity, SNS calls and peak memory side by side.
 *
 * Then the reminder service on a book of borrowers holding 1–5 loans each, beside its floor (one
 * conditional UpdateItem per event; local/bench-reminders.ts).
 *
 *   npm run bench -- [--candidates 20000] [--closed-ratio 0.9] [--asOf YYYY-MM-DD] [--json]
 *                    [--reminder-borrowers 2000] [--reminders-only]
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import Table from 'cli-table3';
import { documentClient } from '../functions/adapters/dynamodb';
import { SWEEP_SHARDS } from '../functions/contract/tables';
import {
  addDays,
  businessDateOf,
  DEFAULT_BUSINESS_TIMEZONE,
  parseBusinessDate,
} from '../functions/core/dates';
import { maxReminderOffset } from '../functions/core/policy';
import type { BusinessDate } from '../functions/core/types';
import { loadPublisherConfig } from '../functions/publisher/config';
import { createPublisher } from '../functions/publisher/wiring';
import { loadSweepConfig } from '../functions/sweep/config';
import { DEFAULT_TUNING } from '../functions/sweep/run';
import type { DirectRunSummary } from '../functions/sweep/service';
import { createSweep } from '../functions/sweep/wiring';
import { type BenchDatabase, seededDatabase } from '../local/bench-database';
import { runFloor } from '../local/bench-floor';
import { seedBenchPortfolio } from '../local/bench-portfolio';
import { benchReminders, type ReminderBenchResult } from '../local/bench-reminders';
import { measureSweepMemory, measureWorkflowRun } from '../local/bench-workflow';
import { type CommandUsage, exitWithUsage, parseCommandLine } from '../local/command-line';
import { localAwsEnv, startSnsSqsEmulator } from '../local/emulators';
import { exitUnlessJava } from '../local/java';
import { type CapacityMeter, memoryPeaks, meterDynamoDb, meterSns } from '../local/meters';
import { createPublisherPump } from '../local/stream-pump';

const USAGE: CommandUsage = {
  text: `usage: npm run bench -- [--candidates N] [--closed-ratio R] [--asOf YYYY-MM-DD] [--json]
  --candidates N     ACTIVE overdue loans to sweep (default 20000)
  --closed-ratio R   share of the table that is closed loans, 0 ≤ R < 1 (default 0.9)
  --asOf DATE        business date to sweep (default today in ${DEFAULT_BUSINESS_TIMEZONE})
  --reminder-borrowers N  borrowers (1–5 loans each) of the reminder service's bench (default 2000)
  --reminders-only   measure the reminder service and its floor only
  --json             print one JSON document instead of tables`,
  compact: true,
};

interface BenchOptions {
  candidates: number;
  closedRatio: number;
  asOf: BusinessDate;
  json: boolean;
  reminderBorrowers: number;
  remindersOnly: boolean;
}

function parseOptions(argv: string[]): BenchOptions {
  const values = parseCommandLine(
    USAGE,
    {
      candidates: { type: 'string' },
      'closed-ratio': { type: 'string' },
      asOf: { type: 'string' },
      json: { type: 'boolean' },
      'reminder-borrowers': { type: 'string' },
      'reminders-only': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    argv,
  );
  const candidates = Number(values.candidates ?? 20_000);
  if (!Number.isInteger(candidates) || candidates < 1)
    exitWithUsage(USAGE, '--candidates must be a positive integer');
  const closedRatio = Number(values['closed-ratio'] ?? 0.9);
  if (!(closedRatio >= 0 && closedRatio < 1))
    exitWithUsage(USAGE, '--closed-ratio must be in [0, 1)');
  const asOf =
    values.asOf === undefined
      ? businessDateOf(new Date(), DEFAULT_BUSINESS_TIMEZONE)
      : parseBusinessDate(values.asOf);
  if (!asOf)
    exitWithUsage(USAGE, `--asOf: ${JSON.stringify(values.asOf)} is not a YYYY-MM-DD date`);
  const reminderBorrowers = Number(values['reminder-borrowers'] ?? 2_000);
  if (!Number.isInteger(reminderBorrowers) || reminderBorrowers < 1)
    exitWithUsage(USAGE, '--reminder-borrowers must be a positive integer');
  return {
    candidates,
    closedRatio,
    asOf,
    json: values.json === true,
    reminderBorrowers,
    remindersOnly: values['reminders-only'] === true,
  };
}

function progress(json: boolean, label: string) {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (json || (now - last < 1000 && done < total)) return;
    last = now;
    process.stderr.write(`\r${label}: ${done}/${total}`);
    if (done >= total) process.stderr.write('\n');
  };
}

function meterDelta(before: CapacityMeter, after: CapacityMeter) {
  const calls = Object.fromEntries(
    Object.entries(after.calls)
      .map(([command, n]) => [command, n - (before.calls[command] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return {
    readUnits: round1(after.readUnits - before.readUnits),
    writeUnits: round1(after.writeUnits - before.writeUnits),
    calls,
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
/** A meter before anything was counted: each phase's meter is attached after its seeding. */
const EMPTY_METER: CapacityMeter = { readUnits: 0, writeUnits: 0, calls: {} };

/** A fresh emulator with the stack's resources, seeded with the bench portfolio (bench-database.ts). */
function seededPortfolio(
  messaging: { sns: SNSClient; sqs: SQSClient },
  options: BenchOptions,
  closed: number,
  label: string,
): Promise<BenchDatabase> {
  const seedProgress = progress(options.json, `seeding (${label})`);
  return seededDatabase(messaging, (client, tables) =>
    seedBenchPortfolio(documentClient(client, { exactNumbers: false }), tables.LOANS_TABLE_NAME, {
      candidates: options.candidates,
      closed,
      asOf: options.asOf,
      onProgress: (written) => seedProgress(written, options.candidates + closed),
    }),
  );
}

/** Runs `measure` on a freshly seeded emulator with a capacity meter, then stops the emulator. */
async function onFreshDatabase<T>(
  database: Promise<BenchDatabase>,
  measure: (db: BenchDatabase, meter: CapacityMeter) => Promise<T>,
): Promise<T> {
  const db = await database;
  try {
    return await measure(db, meterDynamoDb(db.client));
  } finally {
    await db.stop();
  }
}

const perLoan = (units: number, loans: number) => (loans > 0 ? round2(units / loans) : 0);
const round2 = (value: number) => Math.round(value * 100) / 100;

/** Invocations of the reminder function in flight at once (and of its floor's batches). */
const REMINDER_CONCURRENCY = 8;

/** The reminder service beside its floor, on a DynamoDB Local of its own. */
function measureReminders(options: BenchOptions): Promise<ReminderBenchResult> {
  const seedProgress = progress(options.json, 'reminder bench');
  return benchReminders({
    borrowers: options.reminderBorrowers,
    asOf: options.asOf,
    concurrency: Number(process.env.REMINDER_BENCH_CONCURRENCY ?? REMINDER_CONCURRENCY),
    rounds: 3,
    seed: 42,
    onProgress: (_phase, done, total) => seedProgress(done, total),
  });
}

/** The reminder bench's table: events per second of the service beside its floor. */
function renderReminders(result: ReminderBenchResult): string {
  const { service, floor } = result;
  const table = new Table({ head: ['', 'floor', 'reminder service', 'service ÷ floor', 'target'] });
  const calls = (side: typeof service) =>
    Object.entries(side.calls)
      .map(
        ([name, n]) =>
          `${name.replace(/Command$/, '')} ${Math.round((n / side.events) * 100) / 100}`,
      )
      .join(', ');
  table.push(
    ['events', floor.events, service.events, '', ''],
    ['seconds', floor.seconds, service.seconds, '', ''],
    ['events / s', floor.eventsPerSecond, service.eventsPerSecond, result.ratio, '≥ 0.70'],
    ['DynamoDB calls per event', floor.callsPerEvent, service.callsPerEvent, '', ''],
    ['write units per event', floor.writeUnitsPerEvent, service.writeUnitsPerEvent, '', ''],
    ['read units per event', floor.readUnitsPerEvent, service.readUnitsPerEvent, '', ''],
  );
  const held = Object.entries(result.loansPerBorrower)
    .map(([loans, n]) => `${n} with ${loans}`)
    .join(', ');
  return (
    `reminder service: ${result.borrowers} borrowers (${held} loans), ${result.loans} loans, one event each per date, ` +
    `${result.rounds} dates, ${result.concurrency} invocations of 10 messages at once:\n${table.toString()}\n` +
    `  service calls per event: ${calls(service)}; floor: ${calls(floor)}\n` +
    `  last date: ${result.check.reminders} reminders naming ${result.check.lines} loans; ${result.check.failed} messages failed\n`
  );
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  exitUnlessJava('npm run bench');
  if (options.remindersOnly) {
    const reminders = await measureReminders(options);
    process.stdout.write(
      options.json ? `${JSON.stringify({ reminders }, null, 2)}\n` : renderReminders(reminders),
    );
    return;
  }
  const closed = Math.round((options.candidates * options.closedRatio) / (1 - options.closedRatio));
  // The SNS/SQS emulator runs in its own process so its queues do not count in the sweep's memory;
  // each measured phase gets a DynamoDB Local of its own (bench-database.ts).
  const snsSqs = await startSnsSqsEmulator({ separateProcess: true });
  const stopAll = async () => {
    await snsSqs.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  try {
    Object.assign(process.env, localAwsEnv({ snsSqs: snsSqs.endpoint }));
    const sns = new SNSClient({});
    const messaging = { sns, sqs: new SQSClient({ useQueueUrlAsEndpoint: false }) };
    const snsCalls = meterSns(sns);

    // Floors: the same reads and concurrency as the sweep, no fee logic (see bench-floor.ts). They
    // read just the candidates: closed loans are outside the sparse index, so seeding them again
    // for each floor would only cost time (the sweep's table has them, to show they are not read).
    const measureFloor = (writes: 'single-update' | 'transaction') =>
      onFreshDatabase(
        seededPortfolio(messaging, options, 0, `${writes} floor`),
        async ({ client, resources }, meter) => {
          const policyBook = loadSweepConfig({ ...process.env, ...resources.env }).policyBook;
          const started = performance.now();
          const { loans } = await runFloor(documentClient(client, { exactNumbers: false }), {
            tableName: resources.tables.LOANS_TABLE_NAME,
            ledgerTableName: resources.tables.LEDGER_TABLE_NAME,
            writes,
            asOf: options.asOf,
            horizon: addDays(options.asOf, maxReminderOffset(policyBook)),
            queryConcurrency: SWEEP_SHARDS,
            writeConcurrency: DEFAULT_TUNING.loanConcurrency,
            pageSize: DEFAULT_TUNING.pageSize,
          });
          const ms = performance.now() - started;
          return { loans, ms, rate: loans / (ms / 1000), ...meterDelta(EMPTY_METER, meter) };
        },
      );
    const bareFloor = await measureFloor('single-update');
    const floor = await measureFloor('transaction');

    // The real sweep, run directly (all 16 shards in this process), through the metered clients;
    // then the stream publisher, off the sweep's path: every recorded event, in PublishBatch calls
    // of at most 10 events and 256 KiB.
    const directRun = await onFreshDatabase(
      seededPortfolio(messaging, options, closed, 'direct sweep'),
      async ({ client, resources }, meter) => {
        const config = loadSweepConfig({ ...process.env, ...resources.env });
        const sweep = createSweep({ dynamodb: client }, config);
        const memory = memoryPeaks();
        const sweepStart = performance.now();
        const summary = (await sweep.handle(
          { asOf: options.asOf },
          { exhausted: () => false },
        )) as DirectRunSummary;
        const sweepMs = performance.now() - sweepStart;
        const peaks = memory.stop();
        const capacity = meterDelta(EMPTY_METER, meter);
        const sweepSnsCalls = snsCalls.PublishBatchCommand ?? 0;

        const publisher = createPublisher(
          { sns },
          loadPublisherConfig({ ...process.env, ...resources.env }),
        );
        const streams = new DynamoDBStreamsClient({
          endpoint: resources.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS,
        });
        const pump = createPublisherPump(resources.loansStreamArn, publisher, { client: streams });
        const publishStart = performance.now();
        const drained = await pump.drain();
        const publishMs = performance.now() - publishStart;
        streams.destroy();
        const publisherSnsCalls = (snsCalls.PublishBatchCommand ?? 0) - sweepSnsCalls;
        return {
          summary,
          sweepMs,
          peaks,
          capacity,
          sweepSnsCalls,
          drained,
          publishMs,
          publisherSnsCalls,
        };
      },
    );
    const { summary, sweepMs, peaks, sweepSnsCalls, drained, publishMs, publisherSnsCalls } =
      directRun;
    const sweepCapacity = directRun.capacity;

    // A workflow run on fresh data of the same size (16 shard parts on the local interpreter), and
    // the direct sweep's peak memory at 1× and 4× the candidates, each in a process of its own.
    const run = await onFreshDatabase(
      seededPortfolio(messaging, options, closed, 'workflow run'),
      async ({ client, resources }, meter) => {
        const figures = await measureWorkflowRun({ dynamodb: client }, resources, options.asOf);
        return { ...figures, capacity: meterDelta(EMPTY_METER, meter) };
      },
    );
    const memoryAt = (times: number) =>
      onFreshDatabase(
        seededPortfolio(
          messaging,
          { ...options, candidates: options.candidates * times },
          0,
          `memory ${times}×`,
        ),
        ({ resources }) => measureSweepMemory(resources, options.asOf),
      );
    const [once, four] = [await memoryAt(1), await memoryAt(4)];
    const mib = (bytes: number | null) => (bytes === null ? null : Math.round(bytes / 2 ** 20));
    const workflow = {
      loans: run.loans,
      charged: run.charged,
      seconds: round1(run.ms / 1000),
      loansPerSecond: Math.round(run.loans / (run.ms / 1000)),
      shardParts: run.shardParts,
      retries: run.retries,
      ...run.capacity,
      readUnitsPerLoan: perLoan(run.capacity.readUnits, run.loans),
      writeUnitsPerLoan: perLoan(run.capacity.writeUnits, run.loans),
    };
    const peakMemory = {
      candidates1x: once.loans,
      candidates4x: four.loans,
      rss1xMiB: mib(once.peakRssBytes) ?? 0,
      rss4xMiB: mib(four.peakRssBytes) ?? 0,
      liveHeap1xMiB: mib(once.peakLiveHeapBytes),
      liveHeap4xMiB: mib(four.peakLiveHeapBytes),
      cpuMsPerLoan: Math.round(four.cpuMsPerLoan * 100) / 100,
    };
    const sweepRate = summary.loansExamined / (sweepMs / 1000);
    // The reminder service on a book of its own, after the sweep's phases.
    const reminders = await measureReminders(options);
    const result = {
      portfolio: { candidates: options.candidates, closed, asOf: options.asOf },
      bareFloor: {
        loans: bareFloor.loans,
        seconds: round1(bareFloor.ms / 1000),
        loansPerSecond: Math.round(bareFloor.rate),
        readUnits: bareFloor.readUnits,
        writeUnits: bareFloor.writeUnits,
        writeUnitsPerLoan: perLoan(bareFloor.writeUnits, bareFloor.loans),
      },
      floor: {
        loans: floor.loans,
        seconds: round1(floor.ms / 1000),
        loansPerSecond: Math.round(floor.rate),
        readUnits: floor.readUnits,
        writeUnits: floor.writeUnits,
        readUnitsPerLoan: perLoan(floor.readUnits, floor.loans),
        writeUnitsPerLoan: perLoan(floor.writeUnits, floor.loans),
      },
      direct: {
        loans: summary.loansExamined,
        charged: summary.loansCharged,
        skipped: summary.skipped.count,
        seconds: round1(sweepMs / 1000),
        loansPerSecond: Math.round(sweepRate),
        ...sweepCapacity,
        readUnitsPerLoan: perLoan(sweepCapacity.readUnits, summary.loansExamined),
        writeUnitsPerLoan: perLoan(sweepCapacity.writeUnits, summary.loansExamined),
        eventsRecorded: summary.eventsRecorded,
        snsPublishBatchCalls: sweepSnsCalls,
        peakRssMiB: Math.round(peaks.rssBytes / 2 ** 20),
        peakHeapMiB: Math.round(peaks.heapUsedBytes / 2 ** 20),
        peakLiveHeapMiB:
          peaks.liveHeapBytes === undefined ? null : Math.round(peaks.liveHeapBytes / 2 ** 20),
      },
      publisher: {
        records: drained.delivered,
        invocations: drained.invocations,
        seconds: round1(publishMs / 1000),
        snsPublishBatchCalls: publisherSnsCalls,
        // Ten events a call at most (the loan events and the run record's sweep.completed); the
        // sweep's events are far below 256 KiB a call.
        minimumCalls: Math.ceil((summary.eventsRecorded + 1) / 10),
      },
      ratios: {
        throughputVsFloor: round2(sweepRate / floor.rate),
        throughputVsBareFloor: round2(sweepRate / bareFloor.rate),
        readUnitsVsCandidates:
          floor.readUnits > 0 ? round2(sweepCapacity.readUnits / floor.readUnits) : null,
        writeUnitsVsFloor:
          floor.writeUnits > 0 ? round2(sweepCapacity.writeUnits / floor.writeUnits) : null,
        workflowVsDirect: round2(workflow.loansPerSecond / sweepRate),
        rss4xVs1x: round2(peakMemory.rss4xMiB / peakMemory.rss1xMiB),
        reminderServiceVsFloor: reminders.ratio,
      },
      workflow,
      memory: peakMemory,
      targets: {
        throughputVsFloor: '≥ 0.70',
        readUnitsVsCandidates: '≤ 1.20',
        writeUnitsVsFloor: '≤ 1.50',
        workflowVsDirect: '≥ 0.90',
        rss4xVs1x: 'about 1 (flat in loans)',
        reminderServiceVsFloor: '≥ 0.70',
      },
      reminders,
    };

    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const table = new Table({
      head: ['', 'bare floor', 'floor', 'direct sweep', 'sweep ÷ floor', 'target'],
    });
    const { direct, ratios } = result;
    table.push(
      ['loans', bareFloor.loans, floor.loans, direct.loans, '', ''],
      ['seconds', result.bareFloor.seconds, result.floor.seconds, direct.seconds, '', ''],
      [
        'loans / s',
        result.bareFloor.loansPerSecond,
        result.floor.loansPerSecond,
        direct.loansPerSecond,
        ratios.throughputVsFloor,
        '≥ 0.70',
      ],
      [
        'read capacity units',
        bareFloor.readUnits,
        floor.readUnits,
        direct.readUnits,
        ratios.readUnitsVsCandidates ?? '-',
        '≤ 1.20',
      ],
      [
        'write units per loan',
        result.bareFloor.writeUnitsPerLoan,
        result.floor.writeUnitsPerLoan,
        direct.writeUnitsPerLoan,
        ratios.writeUnitsVsFloor ?? '-',
        '≤ 1.50',
      ],
      ['SNS PublishBatch calls (sweep)', 0, 0, direct.snsPublishBatchCalls, '', '0: none'],
      [
        'peak RSS / heap / live heap MiB',
        '',
        '',
        `${direct.peakRssMiB} / ${direct.peakHeapMiB} / ${direct.peakLiveHeapMiB ?? '-'}`,
        '',
        'flat in loans',
      ],
    );
    const { publisher: pub } = result;
    process.stdout.write(`${renderWorkflowAndMemory(result)}\n`);
    process.stdout.write(
      `portfolio: ${options.candidates} candidate loans, ${closed} closed, asOf ${options.asOf}\n${table.toString()}\n` +
        `stream publisher: ${direct.eventsRecorded} events from ${pub.records} records in ${pub.seconds} s, ` +
        `${pub.snsPublishBatchCalls} PublishBatch calls (minimum ${pub.minimumCalls})\n`,
    );
    process.stdout.write(renderReminders(reminders));
  } finally {
    await stopAll();
  }
}

/** The workflow run beside the direct one, and the memory at 1× and 4× the candidates. */
function renderWorkflowAndMemory(result: {
  direct: { loansPerSecond: number; readUnitsPerLoan: number; writeUnitsPerLoan: number };
  workflow: {
    loans: number;
    loansPerSecond: number;
    shardParts: number;
    readUnitsPerLoan: number;
    writeUnitsPerLoan: number;
  };
  memory: {
    candidates1x: number;
    candidates4x: number;
    rss1xMiB: number;
    rss4xMiB: number;
    cpuMsPerLoan: number;
  };
  ratios: { workflowVsDirect: number; rss4xVs1x: number };
}): string {
  const { direct, workflow, memory, ratios } = result;
  const table = new Table({ head: ['', 'direct sweep', 'workflow run', 'ratio', 'target'] });
  table.push(
    [
      'loans / s',
      direct.loansPerSecond,
      workflow.loansPerSecond,
      ratios.workflowVsDirect,
      '≥ 0.90',
    ],
    ['shard parts', '-', workflow.shardParts, '', '16'],
    ['read units per loan', direct.readUnitsPerLoan, workflow.readUnitsPerLoan, '', ''],
    ['write units per loan', direct.writeUnitsPerLoan, workflow.writeUnitsPerLoan, '', ''],
    [
      `peak RSS MiB at ${memory.candidates1x} / ${memory.candidates4x} loans`,
      `${memory.rss1xMiB} / ${memory.rss4xMiB}`,
      '',
      ratios.rss4xVs1x,
      'flat',
    ],
    // The figure the AWS model of a night rests on (docs/performance.md, On AWS).
    [`CPU ms per loan at ${memory.candidates4x} loans`, memory.cpuMsPerLoan, '', '', ''],
  );
  return `workflow run (16 shard parts, local interpreter) and memory (a process per sweep):\n${table.toString()}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
