/**
 * `npm run republish -- --asOf YYYY-MM-DD [--dry-run] [--table NAME] [--topic ARN]`: publishes again
 * the events the sweep recorded on the loans for a business date (see docs/runbook.md: the
 * publisher fell behind for longer than it retries). Table and topic come from the options or
 * LOANS_TABLE_NAME and EVENTS_TOPIC_ARN; credentials, region and endpoints from the AWS SDK's usual
 * variables. With none of them set, it works on the data the last `npm start` kept: the events go
 * to a local topic and on to the local reminder and reporting services, as they would on AWS.
 */
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
  type OpenedLocalData,
  openDataSource,
} from '../local/command-data';
import { type CommandUsage, exitWithUsage, parseCommandLine } from '../local/command-line';
import { LOCAL_TABLE_PREFIX, localTableNames } from '../local/local-data';
import { createEventsTopology } from '../local/local-resources';
import {
  consumerHandlers,
  deliverQueue,
  lambdaContext,
  setHandlerEnvironment,
} from '../local/local-run';
import { republish } from '../local/republish';

const USAGE: CommandUsage = {
  text: `Usage: npm run republish -- --asOf YYYY-MM-DD [--dry-run] [--table NAME] [--topic ARN]

Publishes again, with their ids, the events the sweep recorded on the loans for a business date:
the recovery when the stream publisher could not publish them (consumers count each id once, so
repeating it is safe). Scans the loans table.

  --asOf YYYY-MM-DD  the business date whose events to publish (required)
  --dry-run          count them, publish nothing
  --table NAME       the loans table (default: $${LOANS_TABLE.envVar})
  --topic ARN        the events topic (default: $${ENV.eventsTopicArn})

AWS credentials, region and endpoints come from the AWS SDK's usual environment variables. With
no table and no endpoint set, it works on the data npm start kept in .local/: the events are
published to a local topic and delivered to the local reminder and reporting services.`,
};

async function main(): Promise<void> {
  const values = parseCommandLine(USAGE, {
    asOf: { type: 'string' },
    table: { type: 'string' },
    topic: { type: 'string' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const asOf = parseBusinessDate(values.asOf);
  if (!asOf) exitWithUsage(USAGE, '--asOf: a YYYY-MM-DD date is required');
  const dryRun = values['dry-run'] === true;
  const configuredTable = values.table?.trim() || process.env[LOANS_TABLE.envVar]?.trim();

  const tableGiven = configuredTable !== undefined;
  const topicArn = values.topic ?? process.env[ENV.eventsTopicArn];
  if (dataIsConfigured(tableGiven)) {
    if (!configuredTable) exitWithUsage(USAGE, `--table or ${LOANS_TABLE.envVar} is required`);
    if (!topicArn && !dryRun) exitWithUsage(USAGE, `--topic or ${ENV.eventsTopicArn} is required`);
  }
  let local: OpenedLocalData | undefined;
  try {
    local = await openDataSource('npm run republish', {
      tableGiven,
      snsSqs: !dryRun,
      missing: `No loans table: pass --table NAME or set ${LOANS_TABLE.envVar} (for the deployed stack, its LoansTableName output, and ${ENV.eventsTopicArn} its EventsTopicArn)`,
    });
  } catch (error) {
    if (error instanceof DataSourceError) exitWithUsage(USAGE, error.message);
    throw error;
  }
  if (!local) {
    // The data named: the table (and, unless a dry run, the topic) were checked above.
    await publishAgain({
      asOf,
      dryRun,
      loansTable: configuredTable ?? '',
      topicArn: topicArn ?? '',
    });
    return;
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
