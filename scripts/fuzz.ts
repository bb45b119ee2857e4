/**
 * `npm run fuzz` (issue 14): the fuzz suite's properties with many more inputs and larger ones
 * than `npm test` runs (strings of hundreds of KB, lists of thousands, 150 loans a sweep, 100
 * stream records a publisher batch), on
 * DynamoDB Local and the SNS/SQS emulator started for the run. Prints what was tried and found —
 * inputs tried, rejected, crashes, half-writes (a charge without its ledger entry or an entry
 * without its charge) — and each violated property with an input that shows it, and exits 1 if
 * any property was violated.
 *
 *   npm run fuzz -- [--inputs 2000] [--sweeps 100] [--batches 300] [--streams 100] [--seed N]
 *                   [--only NAME]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import Table from 'cli-table3';
import { type CommandUsage, exitWithUsage, parseCommandLine } from '../local/command-line';
import { startLocalAws } from '../local/emulators';
import { exitUnlessJava } from '../local/java';
import { createLocalResources, uniqueSuffix } from '../local/local-resources';

const PROPERTIES = ['inputs', 'items', 'consumers', 'stream'] as const;
type PropertyName = (typeof PROPERTIES)[number];

const USAGE: CommandUsage = {
  text: `usage: npm run fuzz -- [--inputs N] [--sweeps N] [--batches N] [--streams N] [--seed N] [--only NAME]
  --inputs N    sweep inputs to try: operator, scheduled, rule, part and stray payloads (default 2000)
  --sweeps N    sweeps of up to 150 good and malformed loan items mixed (default 100)
  --batches N   SQS batches of up to 10 records for each consumer (default 300)
  --streams N   stream batches of up to 100 loans-table records for the publisher (default 100)
  --seed N      fast-check seed, to repeat a run (default: random, printed)
  --only NAME   run one property: ${PROPERTIES.join(', ')}`,
  compact: true,
};

interface FuzzOptions {
  readonly inputs: number;
  readonly sweeps: number;
  readonly batches: number;
  readonly streams: number;
  readonly seed: number;
  readonly only?: PropertyName;
}

function count(value: string | undefined, fallback: number, name: string): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 0) exitWithUsage(USAGE, `--${name} must be a whole number`);
  return n;
}

function parseOptions(argv: string[]): FuzzOptions {
  const values = parseCommandLine(
    USAGE,
    {
      inputs: { type: 'string' },
      sweeps: { type: 'string' },
      batches: { type: 'string' },
      streams: { type: 'string' },
      seed: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean' },
    },
    argv,
  );
  const only = values.only;
  if (only !== undefined && !(PROPERTIES as readonly string[]).includes(only)) {
    exitWithUsage(USAGE, `--only must be one of ${PROPERTIES.join(', ')}`);
  }
  return {
    inputs: count(values.inputs, 2_000, 'inputs'),
    sweeps: count(values.sweeps, 100, 'sweeps'),
    batches: count(values.batches, 300, 'batches'),
    streams: count(values.streams, 100, 'streams'),
    seed: count(values.seed, Math.floor(Math.random() * 2 ** 31), 'seed'),
    ...(only !== undefined && { only: only as PropertyName }),
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  exitUnlessJava('npm run fuzz');
  const localAws = await startLocalAws({ snsSqsInSeparateProcess: true });
  const stopAll = () => localAws.stop();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  const total = { tried: 0, rejected: 0, crashes: 0, halfWrites: 0, violations: 0, known: 0 };
  try {
    Object.assign(process.env, localAws.env);
    // Imported once the SDK's endpoint variables point at the emulators (the harness builds its
    // clients at import), and quiet: the consumers' Powertools loggers and metrics print nothing
    // (in dev mode Metrics warns through the global console that a batch had no metric: muted).
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_DEV = 'true';
    console.warn = () => {};
    const fuzz = await import('../local/fuzz/run');
    const clients = {
      dynamodb: new DynamoDBClient({}),
      sns: new SNSClient({}),
      sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    };
    const resourcesFor = (label: string) =>
      createLocalResources(clients, `fuzz-${label}-${uniqueSuffix()}`);
    process.stdout.write(`npm run fuzz: seed ${options.seed}\n`);
    const runs: Record<PropertyName, number> = {
      inputs: options.inputs,
      items: options.sweeps,
      consumers: options.batches,
      stream: options.streams,
    };
    for (const name of PROPERTIES) {
      if (options.only && options.only !== name) continue;
      const started = Date.now();
      const outcome = await fuzz.runProperty(name, await resourcesFor(name), {
        runs: runs[name],
        seed: options.seed,
        progress: (done, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${name}: ${done}/${total}`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const table = new Table({
        head: [`${name} (${seconds} s)`, 'figure'],
        style: { head: [], border: [] },
      });
      for (const [figure, value] of outcome.figures)
        table.push([figure, value.toLocaleString('en-US')]);
      table.push(['violations', outcome.violations.length.toLocaleString('en-US')]);
      process.stdout.write(`${table.toString()}\n`);
      for (const line of fuzz.describeViolations(outcome.violations))
        process.stdout.write(`${line}\n`);
      total.tried += outcome.tried;
      total.rejected += outcome.rejected;
      total.crashes += outcome.figures.get('crashes') ?? 0;
      total.halfWrites += outcome.figures.get('half-writes') ?? 0;
      total.violations += outcome.violations.length;
      total.known += fuzz.knownDefectCount(outcome.violations);
    }
  } finally {
    await stopAll();
  }
  const figures = new Table({ head: ['all properties', ''], style: { head: [], border: [] } });
  figures.push(
    [
      'inputs tried (sweep inputs, loan items, SQS and stream records)',
      total.tried.toLocaleString('en-US'),
    ],
    [
      'rejected (refused, skipped, failed records, failure path)',
      total.rejected.toLocaleString('en-US'),
    ],
    ['crashes', total.crashes.toLocaleString('en-US')],
    ['half-writes', total.halfWrites.toLocaleString('en-US')],
    [
      'violations',
      `${total.violations.toLocaleString('en-US')}${total.known > 0 ? ` (${total.known.toLocaleString('en-US')} of known defects)` : ''}`,
    ],
  );
  process.stdout.write(`${figures.toString()}\n`);
  process.stdout.write(
    total.violations > 0 ? 'fuzz: properties violated (see above)\n' : 'fuzz: no violation\n',
  );
  process.exit(total.violations > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
