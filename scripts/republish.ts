/**
 * `npm run republish -- --asOf YYYY-MM-DD [--dry-run] [--table NAME] [--topic ARN]`: publishes again
 * the events the sweep recorded on the loans for a business date (see docs/runbook.md: the
 * publisher fell a day behind). Table and topic come from the options or LOANS_TABLE_NAME and
 * EVENTS_TOPIC_ARN; credentials, region and endpoints from the AWS SDK's usual variables.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { documentClient } from '../functions/adapters/dynamodb';
import { ENV } from '../functions/contract/environment';
import { LOANS_TABLE } from '../functions/contract/tables';
import { parseBusinessDate } from '../functions/core/dates';
import { republish } from './lib/republish';

const USAGE = `Usage: npm run republish -- --asOf YYYY-MM-DD [--dry-run] [--table NAME] [--topic ARN]

Publishes again, with their ids, the events the sweep recorded on the loans for a business date:
the recovery when the stream publisher could not publish them (consumers count each id once, so
repeating it is safe). Scans the loans table.

  --asOf YYYY-MM-DD  the business date whose events to publish (required)
  --dry-run          count them, publish nothing
  --table NAME       the loans table (default: $${LOANS_TABLE.envVar})
  --topic ARN        the events topic (default: $${ENV.eventsTopicArn})`;

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
  const loansTable = values.table ?? process.env[LOANS_TABLE.envVar];
  if (!loansTable) fail(`--table or ${LOANS_TABLE.envVar} is required`);
  const topicArn = values.topic ?? process.env[ENV.eventsTopicArn];
  if (!topicArn && !values['dry-run']) fail(`--topic or ${ENV.eventsTopicArn} is required`);
  const result = await republish({
    doc: documentClient(new DynamoDBClient({}), { exactNumbers: false }),
    sns: new SNSClient({}),
    loansTable,
    topicArn: topicArn ?? '',
    asOf,
    dryRun: values['dry-run'] === true,
  });
  console.log(
    `${asOf}: ${result.events} events recorded on ${result.loans} loans; ` +
      `${values['dry-run'] ? 'dry run, nothing published' : `${result.published} published, ${result.failed.length} not accepted`}` +
      (result.unreadable.length > 0 ? `; ${result.unreadable.length} unreadable outboxes` : ''),
  );
  for (const failure of result.failed.slice(0, 20))
    console.log(`  ${failure.id}: ${failure.reason}`);
  for (const loanId of result.unreadable.slice(0, 20)) console.log(`  unreadable: ${loanId}`);
  if (result.failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`republish failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
