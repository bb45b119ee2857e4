/**
 * The monthly credit-bureau extract (docs/contract.md, Credit records), for `npm run
 * credit-extract` and `npm start`: checks that every date of the month has a complete daily
 * report, streams the month's credit records in loan id order into CSV rows (RFC 4180), and sums
 * them up per status code. The rows are the core's (`extractRowOf`); this module reads, writes
 * and counts, holding a page of records per index shard at a time, never the month.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Table from 'cli-table3';
import {
  earlierCurrency,
  type MonthReadOptions,
  recordsOfMonth,
  type SkippedRecord,
} from '../functions/adapters/credit-record-store';
import { createReportStore } from '../functions/adapters/report-store';
import {
  ACCOUNT_STATES,
  addToSummary,
  type CreditMonth,
  type CreditRecord,
  datesOf,
  EXTRACT_COLUMNS,
  type ExtractRow,
  type ExtractSummary,
  emptyExtractSummary,
  extractRowOf,
  noticeMissing,
  STATUS_CODES,
  settlementDateOf,
} from '../functions/core/credit-records';
import type { BusinessDate } from '../functions/core/types';

/** Exit codes of `npm run credit-extract`. */
export const EXIT = {
  /** The file is written and every row may be reported. */
  ok: 0,
  /** No file: a date of the month has no complete report (or the tables could not be read). */
  incomplete: 1,
  /** The file is written, but rows with a status other than N have no notice yet. */
  noticesMissing: 2,
  /** Bad options (sysexits' EX_USAGE), so it never reads as 1 or 2. */
  usage: 64,
} as const;

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string | number): string {
  const text = String(value);
  if (!/[",\r\n]|^\s|\s$/.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** RFC 4180 ends every record with CRLF. */
const CRLF = '\r\n';

/** The header line (the columns, in their order). */
export function csvHeader(): string {
  return `${EXTRACT_COLUMNS.join(',')}${CRLF}`;
}

/** One row as a CSV line, its fields in the header's order. */
export function csvLine(row: ExtractRow): string {
  return `${EXTRACT_COLUMNS.map((column) => csvField(row[column])).join(',')}${CRLF}`;
}

/** Where the extract goes: each chunk is written before the next is asked for (back-pressure). */
export interface ExtractSink {
  write(chunk: string): Promise<void>;
}

/** Rows whose notice is missing that the summary names one by one. */
export const LISTED_MISSING_NOTICES = 10;

/** What writing an extract came to. */
export interface ExtractOutcome {
  readonly summary: ExtractSummary;
  /** The first loans (by id) whose row needs a notice that was not given. */
  readonly missingNotices: readonly string[];
}

/**
 * Writes the header and one line per record of `records` (which must come in loan id order) to
 * `sink`, as they come. A record without a state is left out and counted. A row whose month named
 * no currency (a cure alone) takes the loan's from `currencyOf`, when there is one.
 */
export async function writeExtract(
  month: CreditMonth,
  records: AsyncIterable<CreditRecord>,
  sink: ExtractSink,
  currencyOf?: (loanId: string) => Promise<string | undefined>,
): Promise<ExtractOutcome> {
  let summary = emptyExtractSummary(month);
  const missingNotices: string[] = [];
  await sink.write(csvHeader());
  for await (const record of records) {
    let row = extractRowOf(record);
    if (row && row.currency === '' && currencyOf) {
      row = { ...row, currency: (await currencyOf(row.loanId)) ?? '' };
    }
    summary = addToSummary(summary, row);
    if (!row) continue;
    if (noticeMissing(row) && missingNotices.length < LISTED_MISSING_NOTICES) {
      missingNotices.push(row.loanId);
    }
    await sink.write(csvLine(row));
  }
  return { summary, missingNotices };
}

/** A date of the month without a complete report, and why. */
export interface MissingReport {
  readonly asOf: BusinessDate;
  readonly why: 'no report' | 'incomplete' | 'not yet (after today)';
}

/**
 * The dates of `month` whose daily report is not complete. Every calendar date counts, those
 * after `today` too: an extract of a month that has not ended ages its rows to a settlement date
 * still to come, so it is a preview, never the file to report.
 */
export async function missingReports(
  doc: DynamoDBDocumentClient,
  reportsTable: string,
  month: CreditMonth,
  today: BusinessDate,
): Promise<MissingReport[]> {
  const store = createReportStore(doc, reportsTable);
  const missing: MissingReport[] = [];
  const dates = datesOf(month);
  // A month is at most 31 strongly consistent reads; 8 at a time, as `npm run report` reads.
  for (let start = 0; start < dates.length; start += 8) {
    const batch = dates.slice(start, start + 8);
    const reports = await Promise.all(
      batch.map((asOf) => (asOf > today ? undefined : store.get(asOf))),
    );
    batch.forEach((asOf, i) => {
      const report = reports[i];
      if (asOf > today) missing.push({ asOf, why: 'not yet (after today)' });
      else if (!report) missing.push({ asOf, why: 'no report' });
      else if (!report.complete) missing.push({ asOf, why: 'incomplete' });
    });
  }
  return missing;
}

/** `2026-03-01 … 2026-03-04 (no report), 2026-03-09 (incomplete)`: runs of dates with one reason. */
export function describeMissing(missing: readonly MissingReport[]): string {
  const runs: { from: BusinessDate; to: BusinessDate; why: string }[] = [];
  for (const { asOf, why } of missing) {
    const last = runs[runs.length - 1];
    const dayAfterLast = last && Number(asOf.slice(8)) === Number(last.to.slice(8)) + 1;
    if (last && last.why === why && dayAfterLast) last.to = asOf;
    else runs.push({ from: asOf, to: asOf, why });
  }
  return runs
    .map(({ from, to, why }) => `${from === to ? from : `${from} … ${to}`} (${why})`)
    .join(', ');
}

/** The extract's summary as a table: rows per status code and account state, notices missing. */
export function renderExtractSummary(outcome: ExtractOutcome): string {
  const { summary } = outcome;
  const settlementDate = settlementDateOf(summary.month);
  const table = new Table({
    head: [`Credit extract ${summary.month} (settlement ${settlementDate})`, 'rows'],
    style: { head: [], border: [], compact: true },
  });
  for (const code of STATUS_CODES) {
    const label = code === 'N' ? 'status N (not overdue)' : `status ${code}`;
    table.push([label, String(summary.byStatusCode[code])]);
  }
  for (const state of ACCOUNT_STATES) table.push([state, String(summary.byAccountState[state])]);
  table.push(['rows', String(summary.rows)]);
  table.push(['notices missing (status 1–7, borrower not told)', String(summary.noticesMissing)]);
  if (summary.recordsWithoutState > 0) {
    table.push(['records left out (a notice, no state yet)', String(summary.recordsWithoutState)]);
  }
  const lines = [table.toString()];
  if (summary.noticesMissing > 0) {
    const more = summary.noticesMissing - outcome.missingNotices.length;
    lines.push(
      `Do not report these rows until the borrower has been told: ${outcome.missingNotices.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`,
    );
  }
  return lines.join('\n');
}

/** Tables the extract reads. */
export interface ExtractTables {
  readonly creditRecords: string;
  readonly reports: string;
}

/** What to extract. */
export interface ExtractRequest {
  readonly month: CreditMonth;
  /** Write even when a date of the month has no complete report. */
  readonly allowIncomplete: boolean;
  /** Today's business date: later dates of the month have no report yet. */
  readonly today: BusinessDate;
  /** How the records are read (page size; told of skipped items and of each page). */
  readonly read?: MonthReadOptions;
}

/** What the extract did: its exit code, and what it wrote or why it did not. */
export interface ExtractResult {
  readonly exitCode: number;
  readonly missing: readonly MissingReport[];
  /** Absent when nothing was written (incomplete). */
  readonly outcome?: ExtractOutcome;
  readonly skipped: readonly SkippedRecord[];
}

/** Items that are not readable records the result lists (the rest are counted in the log). */
const LISTED_SKIPPED = 20;

/**
 * Records per Query page: 16 shards' pages are held at once, so at most 8,000 records (a few MB)
 * rather than 16 pages of DynamoDB's 1 MB.
 */
export const EXTRACT_PAGE_SIZE = 500;

/**
 * Runs the extract: checks the month's reports, and unless one is missing (and `allowIncomplete`
 * is not set) writes the file to the sink `open` gives (opened only then, so an incomplete month
 * leaves no file behind).
 */
export async function extractMonth(
  doc: DynamoDBDocumentClient,
  tables: ExtractTables,
  request: ExtractRequest,
  open: () => Promise<ExtractSink & { close(): Promise<void> }>,
): Promise<ExtractResult> {
  const missing = await missingReports(doc, tables.reports, request.month, request.today);
  if (missing.length > 0 && !request.allowIncomplete) {
    return { exitCode: EXIT.incomplete, missing, skipped: [] };
  }
  const skipped: SkippedRecord[] = [];
  const records = recordsOfMonth(doc, tables.creditRecords, request.month, {
    pageSize: EXTRACT_PAGE_SIZE,
    ...request.read,
    onSkipped: (item) => {
      if (skipped.length < LISTED_SKIPPED) skipped.push(item);
      request.read?.onSkipped?.(item);
    },
  });
  const sink = await open();
  const outcome = await writeExtract(request.month, records, sink, (loanId) =>
    earlierCurrency(doc, tables.creditRecords, loanId, request.month),
  );
  await sink.close();
  const exitCode = outcome.summary.noticesMissing > 0 ? EXIT.noticesMissing : EXIT.ok;
  return { exitCode, missing, outcome, skipped };
}
