/**
 * `npm run report -- --asOf YYYY-MM-DD [--table NAME]`: prints one business date's portfolio report
 * (docs/contract.md, Reports); with `--days K`, the trend of the K business dates ending at `--asOf` (default today in
 * the business time zone). The table name comes from --table or REPORTS_TABLE_NAME; endpoints, like
 * everywhere, from the AWS SDK's own environment variables.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createReportStore } from '../functions/adapters/report-store';
import { REPORTS_TABLE } from '../functions/contract/tables';
import {
  addDays,
  businessDateOf,
  DEFAULT_BUSINESS_TIMEZONE,
  isValidTimeZone,
  parseBusinessDate,
} from '../functions/core/dates';
import type { BusinessDate } from '../functions/core/types';
import type { ReportStore } from '../functions/reporting/ports';
import { renderReport } from './lib/report-table';
import { renderTrend, type TrendDay } from './lib/report-trend';

/** Most days one trend reads (one strongly consistent read per day). */
const MAX_DAYS = 366;
/** Report reads in flight at once. */
const READ_CONCURRENCY = 8;

const USAGE = `Usage: npm run report -- --asOf YYYY-MM-DD [--table NAME]
       npm run report -- --days K [--asOf YYYY-MM-DD] [--table NAME]

Prints the daily portfolio report for a business date as a table, or with --days the trend of
the last K business dates: buckets M1–M7 per day as a stacked bar, charges, reversals,
charge-offs and loans overdue, then a sparkline per figure. A day without a report is a gap.

Options:
  --asOf YYYY-MM-DD  the business date of the report; with --days the last date of the trend
                     (default: today in $BUSINESS_TIMEZONE, ${DEFAULT_BUSINESS_TIMEZONE} if unset)
  --days K           print the trend of K consecutive business dates (1–${MAX_DAYS})
  --table NAME       the reports table (default: $${REPORTS_TABLE.envVar})
  --help             show this help

AWS credentials, region and endpoints come from the AWS SDK's usual environment variables
(e.g. AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB for a local DynamoDB).`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Each date's report, in order; undefined where none was written. */
async function readDays(store: ReportStore, dates: readonly BusinessDate[]): Promise<TrendDay[]> {
  const days: TrendDay[] = [];
  for (let start = 0; start < dates.length; start += READ_CONCURRENCY) {
    const batch = dates.slice(start, start + READ_CONCURRENCY);
    const reports = await Promise.all(batch.map((asOf) => store.get(asOf)));
    batch.forEach((asOf, i) => {
      days.push({ asOf, report: reports[i] });
    });
  }
  return days;
}

async function main(): Promise<void> {
  let values: { asOf?: string; days?: string; table?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        asOf: { type: 'string' },
        days: { type: 'string' },
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
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)) {
    fail(`--days ${JSON.stringify(values.days)} is not a whole number from 1 to ${MAX_DAYS}.`);
  }
  if (values.asOf === undefined && days === undefined) fail('Missing --asOf (or --days K).');
  const timeZone = process.env.BUSINESS_TIMEZONE?.trim() || DEFAULT_BUSINESS_TIMEZONE;
  if (values.asOf === undefined && !isValidTimeZone(timeZone)) {
    fail(`BUSINESS_TIMEZONE ${JSON.stringify(timeZone)} is not an IANA time zone.`);
  }
  const asOf =
    values.asOf === undefined
      ? businessDateOf(new Date(), timeZone)
      : parseBusinessDate(values.asOf);
  if (!asOf) fail(`--asOf ${JSON.stringify(values.asOf)} is not a YYYY-MM-DD date.`);
  const tableName = values.table?.trim() || process.env[REPORTS_TABLE.envVar]?.trim();
  if (!tableName) fail(`No reports table: pass --table NAME or set ${REPORTS_TABLE.envVar}.`);

  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const store = createReportStore(doc, tableName);

  if (days !== undefined) {
    const dates = Array.from({ length: days }, (_, i) => addDays(asOf, i - days + 1));
    const trend = await readDays(store, dates);
    console.log(renderTrend(trend));
    if (trend.every((day) => day.report === undefined)) {
      console.error(`No reports for ${dates[0]} … ${asOf} in table ${tableName}.`);
      process.exitCode = 1;
    }
    return;
  }

  const report = await store.get(asOf);
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
