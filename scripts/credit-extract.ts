/**
 * `npm run credit-extract -- --month YYYY-MM [--out FILE] [--allow-incomplete]`: writes the
 * month's credit-bureau extract as CSV (docs/contract.md, Credit records) and prints its summary.
 * Table names come from the options or the functions' own variables; credentials, region and
 * endpoints, like everywhere, from the AWS SDK's standard variables. With no table and no endpoint
 * set, it reads the data the last `npm start` kept, as `npm run report` does.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../functions/adapters/dynamodb';
import { CREDIT_RECORDS_TABLE, REPORTS_TABLE } from '../functions/contract/tables';
import { parseCreditMonth } from '../functions/core/credit-records';
import {
  businessDateOf,
  DEFAULT_BUSINESS_TIMEZONE,
  isValidTimeZone,
} from '../functions/core/dates';
import {
  DataSourceError,
  dataIsConfigured,
  type OpenedLocalData,
  openDataSource,
} from '../local/command-data';
import { type CommandUsage, exitWithUsage, parseCommandLine } from '../local/command-line';
import {
  describeMissing,
  EXIT,
  type ExtractSink,
  extractMonth,
  renderExtractSummary,
} from '../local/credit-extract';
import { localTableNames } from '../local/local-data';

const USAGE: CommandUsage = {
  text: `Usage: npm run credit-extract -- --month YYYY-MM [--out FILE] [--allow-incomplete]
                              [--records-table NAME] [--reports-table NAME]

Writes the month's credit-bureau extract: one CSV row per loan with a credit record in the month,
sorted by loanId, each loan's status at the settlement date (the month's last day), then prints
how many rows have each status code and how many still need the borrower's notice.

Options:
  --month YYYY-MM       the month to extract (required)
  --out FILE            where to write the CSV (default: credit-extract-YYYY-MM.csv; - for stdout,
                        the summary then goes to stderr)
  --allow-incomplete    write the file even when a date of the month has no complete daily report
  --records-table NAME  the credit records table (default: $${CREDIT_RECORDS_TABLE.envVar})
  --reports-table NAME  the reports table (default: $${REPORTS_TABLE.envVar})
  --help                show this help

Exit codes: 0 the file is written and every row may be reported; 2 the file is written but rows
with a status other than N have no notice on or before the settlement date (do not report them
until the borrower has been told); 1 no file: a date of the month has no complete daily report
(the dates are named; every date of the month counts, so a month not yet over needs
--allow-incomplete, and its file is a preview) or the tables could not be read; 64 bad options.

AWS credentials, region and endpoints come from the AWS SDK's usual environment variables
(e.g. AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB for a local DynamoDB). With no table and no endpoint
set, it works on the data npm start kept in .local/.`,
  exitCode: EXIT.usage,
};

interface Options {
  readonly month: NonNullable<ReturnType<typeof parseCreditMonth>>;
  readonly out: string;
  readonly allowIncomplete: boolean;
  /** As named by an option or the functions' variable; absent = the local run's kept data. */
  readonly recordsTable?: string;
  readonly reportsTable?: string;
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

function parseOptions(argv: readonly string[]): Options {
  const values = parseCommandLine(
    USAGE,
    {
      month: { type: 'string' },
      out: { type: 'string' },
      'allow-incomplete': { type: 'boolean' },
      'records-table': { type: 'string' },
      'reports-table': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    argv,
  );
  const monthText = values.month;
  if (monthText === undefined) exitWithUsage(USAGE, 'Missing --month YYYY-MM.');
  const month = parseCreditMonth(monthText);
  if (!month) exitWithUsage(USAGE, `--month ${JSON.stringify(monthText)} is not a YYYY-MM month.`);
  // The tables as named (option, else the functions' variable); with neither, the local data.
  const table = (option: string | undefined, envVar: string) =>
    option?.trim() || process.env[envVar]?.trim() || undefined;
  const out = values.out ?? `credit-extract-${month}.csv`;
  if (out === '') exitWithUsage(USAGE, '--out needs a file name (or - for stdout).');
  return {
    month,
    out,
    allowIncomplete: values['allow-incomplete'] === true,
    ...optional('recordsTable', table(values['records-table'], CREDIT_RECORDS_TABLE.envVar)),
    ...optional('reportsTable', table(values['reports-table'], REPORTS_TABLE.envVar)),
  };
}

/**
 * A file sink written to a temporary name and renamed once complete, so a file named `path`
 * is always a whole extract; `-` writes to stdout.
 */
async function fileSink(path: string): Promise<ExtractSink & { close(): Promise<void> }> {
  const stream = path === '-' ? process.stdout : createWriteStream(`${path}.partial`);
  const write = async (chunk: string) => {
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
  return {
    write,
    async close() {
      if (stream === process.stdout) return;
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await rename(`${path}.partial`, path);
    },
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const timeZone = process.env.BUSINESS_TIMEZONE?.trim() || DEFAULT_BUSINESS_TIMEZONE;
  if (!isValidTimeZone(timeZone)) {
    process.stderr.write(
      `BUSINESS_TIMEZONE ${JSON.stringify(timeZone)} is not an IANA time zone.\n`,
    );
    return EXIT.usage;
  }
  // The summary goes where the CSV does not.
  const say = (text: string) =>
    (options.out === '-' ? process.stderr : process.stdout).write(`${text}\n`);
  const named = options.recordsTable !== undefined || options.reportsTable !== undefined;
  if (dataIsConfigured(named) && (!options.recordsTable || !options.reportsTable)) {
    process.stderr.write(
      `Name both tables: --records-table or ${CREDIT_RECORDS_TABLE.envVar}, and --reports-table or ${REPORTS_TABLE.envVar}.\n`,
    );
    return EXIT.usage;
  }
  let local: OpenedLocalData | undefined;
  try {
    local = await openDataSource('npm run credit-extract', {
      tableGiven: named,
      missing: `No credit records table: pass --records-table NAME and --reports-table NAME, or set ${CREDIT_RECORDS_TABLE.envVar} and ${REPORTS_TABLE.envVar} (for the deployed stack, its CreditRecordsTableName and ReportsTableName outputs)`,
    });
  } catch (error) {
    if (error instanceof DataSourceError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const localTables = localTableNames();
  const tables = {
    creditRecords: options.recordsTable ?? localTables[CREDIT_RECORDS_TABLE.envVar],
    reports: options.reportsTable ?? localTables[REPORTS_TABLE.envVar],
  };
  try {
    return await extract(options, tables, timeZone, say);
  } finally {
    await local?.stop();
  }
}

/** Extracts the month from `tables` and says what it found; the exit code. */
async function extract(
  options: Options,
  tables: { readonly creditRecords: string; readonly reports: string },
  timeZone: string,
  say: (text: string) => void,
): Promise<number> {
  const doc = documentClient(new DynamoDBClient({}), { exactNumbers: false });
  try {
    const result = await extractMonth(
      doc,
      tables,
      {
        month: options.month,
        allowIncomplete: options.allowIncomplete,
        today: businessDateOf(new Date(), timeZone),
      },
      () => fileSink(options.out),
    );
    if (result.missing.length > 0) {
      const dates = describeMissing(result.missing);
      if (!result.outcome) {
        process.stderr.write(
          `No extract for ${options.month}: these dates have no complete daily report: ${dates}. Nothing was written; --allow-incomplete writes it anyway.\n`,
        );
        return result.exitCode;
      }
      process.stderr.write(
        `Warning: written with --allow-incomplete; these dates have no complete daily report: ${dates}.\n`,
      );
    }
    for (const { loanId, reason } of result.skipped) {
      process.stderr.write(`Left out an unreadable credit record of loan ${loanId}: ${reason}\n`);
    }
    if (result.outcome) {
      say(renderExtractSummary(result.outcome));
      if (options.out !== '-') say(`Written: ${options.out}`);
    }
    return result.exitCode;
  } catch (error) {
    await rm(`${options.out}.partial`, { force: true });
    process.stderr.write(
      `credit-extract failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.incomplete;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`credit-extract failed: ${String(error)}\n`);
    process.exitCode = EXIT.incomplete;
  },
);
