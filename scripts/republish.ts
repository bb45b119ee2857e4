/**
 * `npm run republish -- --asOf YYYY-MM-DD [--dry-run] [--table NAME] [--topic ARN]`: publishes again
 * the events the sweep recorded on the loans for a business date (see docs/runbook.md: the
 * publisher fell behind for longer than it retries). Table and topic come from the options or
 * LOANS_TABLE_NAME and EVENTS_TOPIC_ARN; credentials, region and endpoints from the AWS SDK's usual
 * variables. With none of them set, it works on the data the last `npm start` kept: the events go
 * to a local topic and on to the local reminder and reporting services, as they would on AWS.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../functions/adapters/dynamodb';
import { ENV } from '../functions/contract/environment';
import { LOANS_TABLE } from '../functions/contract/tables';
import { parseBusinessDate } from '../functions/core/dates';
import type { BusinessDate } from '../functions/core/types';
import {
  DataSourceError,
  dataIsConfigured,
  ensureRegion,
  type OpenedLocalData,
  openLocalData,
} from './lib/command-data';
import { LOCAL_TABLE_PREFIX, LocalDataBusyError, localTableNames } from './lib/local-data';
import { createEventsTopology } from './lib/local-resources';
import {
  consumerHandlers,
  deliverQueue,
  lambdaContext,
  setHandlerEnvironment,
} from './lib/local-run';
import { republish } from './lib/republish';

const USAGE = `Usage: npm run republish -- --asOf YYYY-MM-DD [--dry-run] [--table NAME] [--topic ARN]

Publishes again, with their ids, the events the sweep recorded on the loans for a business date:
the recovery when the stream publisher could not publish them (consumers count each id once, so
repeating it is safe). Scans the loans table.

  --asOf YYYY-MM-DD  the business date whose events to publish (required)
  --dry-run          count them, publish nothing
  --table NAME       the loans table (default: $${LOANS_TABLE.envVar})
  --topic ARN        the events topic (default: $${ENV.eventsTopicArn})

AWS credentials, region and endpoints come from the AWS SDK's usual environment variables. With
no table and no endpoint set, it works on the data npm start kept in .local/: the events are
published to a local topic and delivered to the local reminder and reporting services.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: {
    asOf?: string;
    table?: string;
    topic?: string;
    'dry-run'?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        asOf: { type: 'string' },
        table: { type: 'string' },
        topic: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const asOf = parseBusinessDate(values.asOf);
  if (!asOf) fail('--asOf: a YYYY-MM-DD date is required');
  const dryRun = values['dry-run'] === true;
  const configuredTable = values.table?.trim() || process.env[LOANS_TABLE.envVar]?.trim();

  if (dataIsConfigured(configuredTable !== undefined)) {
    if (!configuredTable) fail(`--table or ${LOANS_TABLE.envVar} is required`);
    const topicArn = values.topic ?? process.env[ENV.eventsTopicArn];
    if (!topicArn && !dryRun) fail(`--topic or ${ENV.eventsTopicArn} is required`);
    try {
      await ensureRegion('npm run republish');
    } catch (error) {
      if (error instanceof DataSourceError) fail(error.message);
      throw error;
    }
    await publishAgain({ asOf, dryRun, loansTable: configuredTable, topicArn: topicArn ?? '' });
    return;
  }

  let local: OpenedLocalData;
  try {
    local = await openLocalData('npm run republish', {
      snsSqs: !dryRun,
      missing: `No loans table: pass --table NAME or set ${LOANS_TABLE.envVar} (for the deployed stack, its LoansTableName output, and ${ENV.eventsTopicArn} its EventsTopicArn)`,
    });
  } catch (error) {
    if (error instanceof DataSourceError || error instanceof LocalDataBusyError)
      fail(error.message);
    throw error;
  }
  try {
    const tables = localTableNames();
    if (dryRun) {
      await publishAgain({ asOf, dryRun, loansTable: tables.LOANS_TABLE_NAME, topicArn: '' });
      return;
    }
    // The stack's topic and filtered queues, new on the local emulator; the consumers then get
    // the events exactly as on AWS, and count each event id once.
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const events = await createEventsTopology(new SNSClient({}), sqs, LOCAL_TABLE_PREFIX);
    setHandlerEnvironment({ ...tables, [ENV.eventsTopicArn]: events.topicArn });
    const failed = await publishAgain({
      asOf,
      dryRun,
      loansTable: tables.LOANS_TABLE_NAME,
      topicArn: events.topicArn,
    });
    const { reminder, reporting } = await consumerHandlers();
    const [toReminder, toReporting] = await Promise.all([
      deliverQueue(sqs, events.queues.Reminder, reminder, lambdaContext('reminder'), () => {}),
      deliverQueue(sqs, events.queues.Reporting, reporting, lambdaContext('reporting'), () => {}),
    ]);
    console.log(
      `Delivered locally: ${toReminder.delivered} to the reminder service, ${toReporting.delivered} to the reporting service (each event id counts once; ${toReminder.failed + toReporting.failed} failed)`,
    );
    if (failed || toReminder.failed + toReporting.failed > 0) process.exitCode = 1;
    // What the consumers wrote (reminders, report counts) is kept for the next commands.
    await local.stop({ keep: true });
  } finally {
    await local.stop();
  }
}

/**
 * Republishes the date's recorded events and prints what it found and did.
 * @returns true when some event was not accepted.
 */
async function publishAgain(request: {
  asOf: BusinessDate;
  dryRun: boolean;
  loansTable: string;
  topicArn: string;
}): Promise<boolean> {
  const { asOf, dryRun } = request;
  const result = await republish({
    doc: documentClient(new DynamoDBClient({}), { exactNumbers: false }),
    sns: new SNSClient({}),
    loansTable: request.loansTable,
    topicArn: request.topicArn,
    asOf,
    dryRun,
  });
  console.log(
    `${asOf}: ${result.events} events recorded on ${result.loans} loans and ${result.runs} run record${result.runs === 1 ? '' : 's'}; ` +
      `${dryRun ? 'dry run, nothing published' : `${result.published} published, ${result.failed.length} not accepted`}` +
      (result.unreadable.length > 0 ? `; ${result.unreadable.length} unreadable outboxes` : ''),
  );
  for (const failure of result.failed.slice(0, 20))
    console.log(`  ${failure.id}: ${failure.reason}`);
  for (const loanId of result.unreadable.slice(0, 20)) console.log(`  unreadable: ${loanId}`);
  if (result.failed.length > 0) process.exitCode = 1;
  return result.failed.length > 0;
}

main().catch((error: unknown) => {
  console.error(`republish failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
