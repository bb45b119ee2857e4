/**
 * `npm run report -- --asOf YYYY-MM-DD [--table NAME]`: prints one business date's portfolio report
 * (SPEC §8). The table name comes from --table or REPORTS_TABLE_NAME; endpoints, like everywhere,
 * from the AWS SDK's own environment variables.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createReportStore } from '../functions/adapters/report-store';
import { parseBusinessDate } from '../functions/core/dates';
import { REPORTS_TABLE } from '../infra/definitions';
import { renderReport } from './lib/report-table';

const USAGE = `Usage: npm run report -- --asOf YYYY-MM-DD [--table NAME]

Prints the daily portfolio report for a business date as a table.

Options:
  --asOf YYYY-MM-DD  the business date of the report (required)
  --table NAME       the reports table (default: $${REPORTS_TABLE.envVar})
  --help             show this help

AWS credentials, region and endpoints come from the AWS SDK's usual environment variables
(e.g. AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB for a local DynamoDB).`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { asOf?: string; table?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        asOf: { type: 'string' },
        table: { type: 'string' },
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
  if (values.asOf === undefined) fail('Missing --asOf.');
  const asOf = parseBusinessDate(values.asOf);
  if (!asOf) fail(`--asOf ${JSON.stringify(values.asOf)} is not a YYYY-MM-DD date.`);
  const tableName = values.table?.trim() || process.env[REPORTS_TABLE.envVar]?.trim();
  if (!tableName) fail(`No reports table: pass --table NAME or set ${REPORTS_TABLE.envVar}.`);

  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const report = await createReportStore(doc, tableName).get(asOf);
  if (!report) {
    console.error(`No report for ${asOf} in table ${tableName}: no events counted for that date.`);
    process.exitCode = 1;
    return;
  }
  console.log(renderReport(report));
}

main().catch((error: unknown) => {
  console.error(`report failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
