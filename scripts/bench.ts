/**
 * `npm run bench`: seeds a portfolio where most loans are closed, measures the floor (SPEC §11:
 * the candidate reads and one conditional write per loan, same concurrency, no fee logic), then
 * sweeps the same portfolio with the real sweep and prints both side by side: loans per second,
 * DynamoDB capacity, SNS calls and peak memory.
 *
 *   npm run bench -- [--candidates 20000] [--closed-ratio 0.9] [--asOf YYYY-MM-DD] [--json]
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import Table from 'cli-table3';
import { loadSweepConfig } from '../functions/adapters/config';
import { createLoanDocumentClient } from '../functions/adapters/loan-store';
import { createSnsPublisher } from '../functions/adapters/sns-publisher';
import { createSweepStore } from '../functions/adapters/sweep-store';
import {
  addDays,
  businessDateOf,
  DEFAULT_BUSINESS_TIMEZONE,
  parseBusinessDate,
} from '../functions/core/dates';
import { maxReminderOffset } from '../functions/core/policy';
import type { BusinessDate } from '../functions/core/types';
import { parseSweepRequest } from '../functions/sweep/request';
import { DEFAULT_TUNING, runSweep } from '../functions/sweep/run-sweep';
import { SWEEP_SHARDS } from '../infra/definitions';
import { runFloor } from './lib/bench-floor';
import { seedBenchPortfolio } from './lib/bench-portfolio';
import { startLocalAws } from './lib/emulators';
import { exitUnlessJava } from './lib/java';
import { createLocalResources } from './lib/local-resources';
import { type CapacityMeter, memoryPeaks, meterDynamoDb, meterSns } from './lib/meters';

const USAGE = `usage: npm run bench -- [--candidates N] [--closed-ratio R] [--asOf YYYY-MM-DD] [--json]
  --candidates N     ACTIVE overdue loans to sweep (default 20000)
  --closed-ratio R   share of the table that is closed loans, 0 ≤ R < 1 (default 0.9)
  --asOf DATE        business date to sweep (default today in ${DEFAULT_BUSINESS_TIMEZONE})
  --json             print one JSON document instead of tables`;

interface BenchOptions {
  candidates: number;
  closedRatio: number;
  asOf: BusinessDate;
  json: boolean;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        candidates: { type: 'string' },
        'closed-ratio': { type: 'string' },
        asOf: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const candidates = Number(values.candidates ?? 20_000);
  if (!Number.isInteger(candidates) || candidates < 1)
    fail('--candidates must be a positive integer');
  const closedRatio = Number(values['closed-ratio'] ?? 0.9);
  if (!(closedRatio >= 0 && closedRatio < 1)) fail('--closed-ratio must be in [0, 1)');
  const asOf =
    values.asOf === undefined
      ? businessDateOf(new Date(), DEFAULT_BUSINESS_TIMEZONE)
      : parseBusinessDate(values.asOf);
  if (!asOf) fail(`--asOf: ${JSON.stringify(values.asOf)} is not a YYYY-MM-DD date`);
  return { candidates, closedRatio, asOf, json: values.json === true };
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
  return {
    readUnits: round1(after.readUnits - before.readUnits),
    writeUnits: round1(after.writeUnits - before.writeUnits),
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const snapshot = (meter: CapacityMeter): CapacityMeter => ({ ...meter, calls: { ...meter.calls } });

async function main() {
  const options = parseOptions(process.argv.slice(2));
  exitUnlessJava('npm run bench');
  const closed = Math.round((options.candidates * options.closedRatio) / (1 - options.closedRatio));
  // The SNS/SQS emulator runs in its own process so its queues do not count in the sweep's memory.
  const localAws = await startLocalAws({ snsSqsInSeparateProcess: true });
  const stopAll = async () => {
    await localAws.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  try {
    Object.assign(process.env, localAws.env);
    const dynamodb = new DynamoDBClient({});
    const sns = new SNSClient({});
    const resources = await createLocalResources({
      dynamodb,
      sns,
      sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    });
    const config = loadSweepConfig({ ...process.env, ...resources.env });
    const meter = meterDynamoDb(dynamodb);
    const snsCalls = meterSns(sns);
    const doc = createLoanDocumentClient(dynamodb);

    const seedProgress = progress(options.json, 'seeding');
    const total = options.candidates + closed;
    await seedBenchPortfolio(doc, config.loansTableName, {
      candidates: options.candidates,
      closed,
      asOf: options.asOf,
      onProgress: (written) => seedProgress(written, total),
    });

    // Floors: the same reads and concurrency as the sweep, no fee logic (see bench-floor.ts).
    const measureFloor = async (writes: 'single-update' | 'contract', asOf: BusinessDate) => {
      const before = snapshot(meter);
      const started = performance.now();
      const { loans } = await runFloor(doc, {
        tableName: config.loansTableName,
        ledgerTableName: config.ledgerTableName,
        writes,
        asOf,
        horizon: addDays(options.asOf, maxReminderOffset(config.policyBook)),
        queryConcurrency: SWEEP_SHARDS,
        writeConcurrency: DEFAULT_TUNING.loanConcurrency,
        pageSize: DEFAULT_TUNING.pageSize,
      });
      const ms = performance.now() - started;
      return { loans, ms, rate: loans / (ms / 1000), ...meterDelta(before, meter) };
    };
    const bareFloor = await measureFloor('single-update', addDays(options.asOf, -2));
    const floor = await measureFloor('contract', addDays(options.asOf, -1));

    // The real sweep, on the same table, through the same (metered) clients.
    const beforeSweep = snapshot(meter);
    const memory = memoryPeaks();
    const sweepStart = performance.now();
    const job = parseSweepRequest(
      { asOf: options.asOf },
      { now: new Date(), timeZone: config.businessTimeZone, shardCount: SWEEP_SHARDS },
    );
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const { summary } = await runSweep(job, {
      store: createSweepStore(doc, {
        loans: config.loansTableName,
        ledger: config.ledgerTableName,
      }),
      publisher: createSnsPublisher(sns, config.eventsTopicArn),
      continueWith: async () => {
        throw new Error('the bench runs in one part');
      },
      policyBook: config.policyBook,
      log: quiet,
      clock: () => new Date(),
      budget: { exhausted: () => false },
      shardCount: SWEEP_SHARDS,
    });
    const sweepMs = performance.now() - sweepStart;
    const peaks = memory.stop();
    const sweepCapacity = meterDelta(beforeSweep, meter);

    const floorRate = floor.rate;
    const floorCapacity = { readUnits: floor.readUnits, writeUnits: floor.writeUnits };
    const sweepRate = summary.loansExamined / (sweepMs / 1000);
    const result = {
      portfolio: { candidates: options.candidates, closed, asOf: options.asOf },
      bareFloor: {
        loans: bareFloor.loans,
        seconds: round1(bareFloor.ms / 1000),
        loansPerSecond: Math.round(bareFloor.rate),
        readUnits: bareFloor.readUnits,
        writeUnits: bareFloor.writeUnits,
      },
      floor: {
        loans: floor.loans,
        seconds: round1(floor.ms / 1000),
        loansPerSecond: Math.round(floorRate),
        ...floorCapacity,
      },
      sweep: {
        loans: summary.loansExamined,
        charged: summary.loansCharged,
        skipped: summary.skipped.count,
        seconds: round1(sweepMs / 1000),
        loansPerSecond: Math.round(sweepRate),
        ...sweepCapacity,
        eventsPublished: summary.eventsPublished,
        snsPublishBatchCalls: snsCalls.PublishBatchCommand ?? 0,
        peakRssMiB: Math.round(peaks.rssBytes / 2 ** 20),
        peakHeapMiB: Math.round(peaks.heapUsedBytes / 2 ** 20),
        peakLiveHeapMiB:
          peaks.liveHeapBytes === undefined ? null : Math.round(peaks.liveHeapBytes / 2 ** 20),
      },
      ratios: {
        throughputVsFloor: Math.round((sweepRate / floorRate) * 100) / 100,
        throughputVsBareFloor: Math.round((sweepRate / bareFloor.rate) * 100) / 100,
        readUnitsVsFloor:
          floorCapacity.readUnits > 0
            ? Math.round((sweepCapacity.readUnits / floorCapacity.readUnits) * 100) / 100
            : null,
      },
      targets: { throughputVsFloor: '≥ 0.70', readUnitsVsFloor: '≤ 1.20' },
    };

    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const table = new Table({
      head: ['', 'bare floor', 'floor', 'sweep', 'sweep ÷ floor', 'target'],
    });
    const { sweep } = result;
    table.push(
      ['loans', bareFloor.loans, floor.loans, sweep.loans, '', ''],
      ['seconds', result.bareFloor.seconds, result.floor.seconds, sweep.seconds, '', ''],
      [
        'loans / s',
        result.bareFloor.loansPerSecond,
        result.floor.loansPerSecond,
        sweep.loansPerSecond,
        result.ratios.throughputVsFloor,
        '≥ 0.70',
      ],
      [
        'read capacity units',
        bareFloor.readUnits,
        floor.readUnits,
        sweep.readUnits,
        result.ratios.readUnitsVsFloor ?? '-',
        '≤ 1.20',
      ],
      ['write capacity units', bareFloor.writeUnits, floor.writeUnits, sweep.writeUnits, '', ''],
      [
        'SNS PublishBatch calls',
        0,
        0,
        sweep.snsPublishBatchCalls,
        '',
        `≥ ${Math.ceil(sweep.eventsPublished / 10)} (events ÷ 10)`,
      ],
      [
        'peak RSS / heap / live heap MiB',
        '',
        '',
        `${sweep.peakRssMiB} / ${sweep.peakHeapMiB} / ${sweep.peakLiveHeapMiB ?? '-'}`,
        '',
        'flat in loans',
      ],
    );
    process.stdout.write(
      `portfolio: ${options.candidates} candidate loans, ${closed} closed, asOf ${options.asOf}\n${table.toString()}\n`,
    );
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
