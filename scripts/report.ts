/**
 * `npm run report -- --asOf YYYY-MM-DD [--table NAME]`: prints one business date's portfolio report
 * (docs/contract.md, Reports); with `--days K`, the trend of the K consecutive dates ending at
 * `--asOf`. The table comes from --table or REPORTS_TABLE_NAME, endpoints and region from the AWS
 * SDK's own variables; with none of them set, it reads the data the last `npm start` kept (its
 * reports table, and by default its last date swept).
 */
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
import { DataSourceError, type OpenedLocalData, openDataSource } from '../local/command-data';
import { type CommandUsage, exitWithUsage, parseCommandLine } from '../local/command-line';
import { localTableNames } from '../local/local-data';
import { renderReport } from '../local/report-table';
import { renderTrend, type TrendDay } from '../local/report-trend';

/** Most days one trend reads (one strongly consistent read per day). */
const MAX_DAYS = 366;
/** Report reads in flight at once. */
const READ_CONCURRENCY = 8;

const USAGE: CommandUsage = {
  text: `Usage: npm run report -- --asOf YYYY-MM-DD [--table NAME]
       npm run report -- --days K [--asOf YYYY-MM-DD] [--table NAME]

Prints the daily portfolio report for a business date as a table, or with --days the trend of
the last K consecutive dates: buckets M1–M7 per day as a stacked bar, charges, reversals,
charge-offs and loans overdue, then a sparkline per figure. A day without a report is a gap.

Options:
  --asOf YYYY-MM-DD  the business date of the report; with --days the last date of the trend
                     (default: today in $BUSINESS_TIMEZONE, ${DEFAULT_BUSINESS_TIMEZONE} if unset;
                     on the local run's data, the last date it swept)
  --days K           print the trend of K consecutive dates (1–${MAX_DAYS})
  --table NAME       the reports table (default: $${REPORTS_TABLE.envVar})
  --help             show this help

AWS credentials, region and endpoints come from the AWS SDK's usual environment variables
(AWS_REGION or AWS_PROFILE for the deployed stack; AWS_ENDPOINT_URL_DYNAMODB for a DynamoDB
Local of your own). With no table and no endpoint set, it reads the data npm start kept in
.local/, starting DynamoDB Local on it for the moment.`,
};

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
  const values = parseCommandLine(USAGE, {
    asOf: { type: 'string' },
    days: { type: 'string' },
    table: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)) {
    exitWithUsage(
      USAGE,
      `--days ${JSON.stringify(values.days)} is not a whole number from 1 to ${MAX_DAYS}.`,
    );
  }
  if (values.asOf === undefined && days === undefined)
    exitWithUsage(USAGE, 'Missing --asOf (or --days K).');
  if (values.asOf !== undefined && !parseBusinessDate(values.asOf)) {
    exitWithUsage(USAGE, `--asOf ${JSON.stringify(values.asOf)} is not a YYYY-MM-DD date.`);
  }
  const configuredTable = values.table?.trim() || process.env[REPORTS_TABLE.envVar]?.trim();

  let local: OpenedLocalData | undefined;
  try {
    local = await openDataSource('npm run report', {
      tableGiven: configuredTable !== undefined,
      missing: `No reports table: pass --table NAME or set ${REPORTS_TABLE.envVar} (for the deployed stack, its ReportsTableName output)`,
    });
  } catch (error) {
    if (error instanceof DataSourceError) exitWithUsage(USAGE, error.message);
    throw error;
  }
  try {
    await printReport({
      asOf:
        values.asOf === undefined ? undefined : (parseBusinessDate(values.asOf) as BusinessDate),
      days,
      tableName: configuredTable ?? localTableNames()[REPORTS_TABLE.envVar],
      // On the local run's data, by default the last date it swept: the run just made.
      defaultAsOf: local?.record.sweptDates.at(-1),
    });
  } finally {
    await local?.stop();
  }
}

async function printReport(request: {
  asOf: BusinessDate | undefined;
  days: number | undefined;
  tableName: string;
  defaultAsOf: BusinessDate | undefined;
}): Promise<void> {
  const { days, tableName } = request;
  let asOf = request.asOf ?? request.defaultAsOf;
  if (asOf === undefined) {
    const timeZone = process.env.BUSINESS_TIMEZONE?.trim() || DEFAULT_BUSINESS_TIMEZONE;
    if (!isValidTimeZone(timeZone)) {
      exitWithUsage(
        USAGE,
        `BUSINESS_TIMEZONE ${JSON.stringify(timeZone)} is not an IANA time zone.`,
      );
    }
    asOf = businessDateOf(new Date(), timeZone);
  }

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
