/**
 * `npm run credit-extract` as a user runs it, on DynamoDB Local: the reporting function counts a
 * month of events (loans overdue across the month end, cured, charged off, in forbearance, in
 * grace on the last day, noticed and not) and each date's whole run; the command writes the CSV
 * (header, rows sorted by loan id, ids quoted where CSV needs it) and exits 0, 1 or 2 as the month
 * deserves. Its reader holds a page per index shard, however many records the month has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { creditRecordItemOf } from '../../../functions/adapters/credit-record-store';
import { CREDIT_RECORDS_TABLE, REPORTS_TABLE } from '../../../functions/contract/tables';
import { type CreditMonth, datesOf } from '../../../functions/core/credit-records';
import type { ParsedEvent } from '../../../functions/core/event-message';
import { buildSweepCompletedEvent } from '../../../functions/core/events';
import type { BusinessDate } from '../../../functions/core/types';
import { createReporting } from '../../../functions/reporting/wiring';
import { EXIT, extractMonth } from '../../../local/credit-extract';
import { freshResources, localClients } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import {
  chargedOffOn,
  curedOn,
  loanNamed,
  noticeOn,
  overdueOn,
  runOf,
} from '../../support/credit-events';
import { sqsEventOf } from '../consumers/support';

const clients = localClients();
let resources: LocalResources;
let dir: string;

const OVER = loanNamed('L-over');
const CURED = loanNamed('L-cured');
const OFF = loanNamed('L-off');
const QUIET = loanNamed('L-quiet');
const FORB = loanNamed('L-forb');
const GRACE = loanNamed('L-grace');
const FIRST = loanNamed('L-first');
const ODD = loanNamed('L-"odd", id', 'B-odd');
const WIDE = loanNamed('～-wide');
const EMOJI = loanNamed('😀-emoji');

/** February: L-first overdue at the month end, noticed. */
function february(): ParsedEvent[] {
  return [
    noticeOn(FIRST, '2026-02-27', 2),
    overdueOn(FIRST, '2026-02-28', 4, { creditNoticeOn: '2026-02-27' }),
  ];
}

/** March: the month under test. */
function march(): ParsedEvent[] {
  const overdueDays = Array.from({ length: 10 }, (_, i) => 20 + i); // 03-20 … 03-29
  return [
    // Cured on the month's first run: March's only event for it names no currency.
    curedOn(FIRST, '2026-03-01'),
    // Overdue from 03-20, told on 03-21; the last run that saw it was 03-29 (dpd 10).
    ...overdueDays.map((day) =>
      overdueOn(OVER, `2026-03-${day}`, day - 19, {
        riskClass: 'SPECIAL_MENTION',
        ...(day >= 21 && { creditNoticeOn: '2026-03-21' }),
      }),
    ),
    noticeOn(OVER, '2026-03-21', 2),
    overdueOn(CURED, '2026-03-14', 40, { amountOverdue: 7_000, riskClass: 'SPECIAL_MENTION' }),
    curedOn(CURED, '2026-03-15', 'M2'),
    overdueOn(OFF, '2026-03-08', 180, {
      amountOverdue: 9_900,
      riskClass: 'DOUBTFUL',
      creditNoticeOn: '2025-09-10',
    }),
    chargedOffOn(OFF, '2026-03-08', 180, 8_000),
    overdueOn(QUIET, '2026-03-31', 5, { inGrace: false, riskClass: 'SPECIAL_MENTION' }),
    overdueOn(FORB, '2026-03-31', 45, { forbearance: true, riskClass: 'SPECIAL_MENTION' }),
    overdueOn(GRACE, '2026-03-31', 2, { inGrace: true, riskClass: 'SPECIAL_MENTION' }),
    overdueOn(ODD, '2026-03-30', 30, {
      riskClass: 'SPECIAL_MENTION',
      creditNoticeOn: '2026-03-02',
    }),
    overdueOn(WIDE, '2026-03-31', 1, { inGrace: false, creditNoticeOn: '2026-03-31' }),
    overdueOn(EMOJI, '2026-03-31', 1, { inGrace: false, creditNoticeOn: '2026-03-31' }),
  ];
}

/** April: only its first day has run; one overdue loan was told in March, one never. */
function april(): ParsedEvent[] {
  return [
    overdueOn(OVER, '2026-04-01', 13, { creditNoticeOn: '2026-03-21' }),
    overdueOn(QUIET, '2026-04-01', 6, { inGrace: false }),
  ];
}

/** Each date's whole-run completion, saying how many loan events the run recorded. */
function completions(events: readonly ParsedEvent[], dates: readonly BusinessDate[]) {
  return dates.map((asOf) =>
    buildSweepCompletedEvent(
      {
        runId: runOf(asOf).runId,
        asOf,
        scope: 'shards',
        complete: true,
        eventsRecorded: events.filter((e) => e.asOf === asOf).length,
      },
      asOf,
      runOf(asOf),
    ),
  );
}

async function deliver(events: readonly ParsedEvent[] | ReturnType<typeof completions>) {
  const reporting = createReporting(
    { dynamodb: clients.dynamodb },
    {
      reportsTableName: resources.tables.REPORTS_TABLE_NAME,
      creditRecordsTableName: resources.tables.CREDIT_RECORDS_TABLE_NAME,
    },
    { sleep: async () => {} },
  );
  for (let start = 0; start < events.length; start += 10) {
    const batch = events.slice(start, start + 10);
    const response: SQSBatchResponse = await reporting.handle(sqsEventOf(batch, `m${start}-`));
    expect(response.batchItemFailures).toEqual([]);
  }
}

function extract(args: string[], tables = resources.tables) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/credit-extract.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      [CREDIT_RECORDS_TABLE.envVar]: tables.CREDIT_RECORDS_TABLE_NAME,
      [REPORTS_TABLE.envVar]: tables.REPORTS_TABLE_NAME,
      BUSINESS_TIMEZONE: 'Asia/Shanghai',
    },
  });
}

beforeAll(async () => {
  resources = await freshResources(clients, 'extract');
  dir = mkdtempSync(join(tmpdir(), 'credit-extract-'));
  const feb = february();
  const mar = march();
  const apr = april();
  await deliver([...feb, ...mar, ...apr]);
  await deliver([
    ...completions(feb, datesOf('2026-02' as CreditMonth)),
    ...completions(mar, datesOf('2026-03' as CreditMonth)),
    ...completions(apr, ['2026-04-01' as BusinessDate]),
  ]);
});

const HEADER =
  'loanId,borrowerId,month,settlementDate,statusCode,dpdAtSettlement,maxDpd,amountOverdue,currency,riskClass,accountState,noticeOn';

describe('npm run credit-extract -- --month 2026-03', () => {
  let run: ReturnType<typeof extract>;
  let lines: string[];
  const file = () => join(dir, 'march.csv');

  beforeAll(() => {
    run = extract(['--month', '2026-03', '--out', file()]);
    lines = readFileSync(file(), 'utf8').split('\r\n');
  });

  it('writes the file and exits 2: a row with a status other than N has no notice', () => {
    expect(run.status, run.stderr).toBe(EXIT.noticesMissing);
    expect(run.stdout).toContain(
      'Do not report these rows until the borrower has been told: L-quiet.',
    );
    expect(run.stdout).toContain(`Written: ${file()}`);
    expect(existsSync(`${file()}.partial`)).toBe(false);
  });

  it('has exactly the columns, in order, and one row per loan sorted by loan id (UTF-8 order)', () => {
    expect(lines[0]).toBe(HEADER);
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual([
      '"L-""odd""',
      'L-cured',
      'L-first',
      'L-forb',
      'L-grace',
      'L-off',
      'L-over',
      'L-quiet',
      '～-wide',
      '😀-emoji',
    ]);
  });

  it('ages an overdue loan to the settlement date; each state as the rules say; amounts in minor units', () => {
    expect(lines.slice(1, -1)).toEqual([
      '"L-""odd"", id",B-odd,2026-03,2026-03-31,2,31,31,10300,CNY,SPECIAL_MENTION,ACTIVE,2026-03-02',
      'L-cured,B-L-cured,2026-03,2026-03-31,N,0,40,0,CNY,NORMAL,CURED,',
      // Its month's only event, a cure, names no currency: February's record does.
      'L-first,B-L-first,2026-03,2026-03-31,N,0,0,0,CNY,NORMAL,CURED,',
      'L-forb,B-L-forb,2026-03,2026-03-31,N,45,45,10300,CNY,SPECIAL_MENTION,FORBEARANCE,',
      'L-grace,B-L-grace,2026-03,2026-03-31,N,2,2,10300,CNY,SPECIAL_MENTION,ACTIVE,',
      'L-off,B-L-off,2026-03,2026-03-31,6,180,180,8000,CNY,LOSS,CHARGED_OFF,2025-09-10',
      // Last seen 03-29 at dpd 10: 12 days past due on 03-31.
      'L-over,B-L-over,2026-03,2026-03-31,1,12,12,10300,CNY,SPECIAL_MENTION,ACTIVE,2026-03-21',
      'L-quiet,B-L-quiet,2026-03,2026-03-31,1,5,5,10300,CNY,SPECIAL_MENTION,ACTIVE,',
      '～-wide,B-～-wide,2026-03,2026-03-31,1,1,1,10300,CNY,,ACTIVE,2026-03-31',
      '😀-emoji,B-😀-emoji,2026-03,2026-03-31,1,1,1,10300,CNY,,ACTIVE,2026-03-31',
    ]);
  });

  it('prints rows per status code and account state, and the notices missing', () => {
    expect(run.stdout).toMatch(/status N \(not overdue\)\s+│ 4 /);
    expect(run.stdout).toMatch(/status 1\s+│ 4 /);
    expect(run.stdout).toMatch(/status 2\s+│ 1 /);
    expect(run.stdout).toMatch(/status 6\s+│ 1 /);
    expect(run.stdout).toMatch(/CHARGED_OFF\s+│ 1 /);
    expect(run.stdout).toMatch(/notices missing \(status 1–7, borrower not told\)\s+│ 1 /);
  });
});

describe('exit codes', () => {
  it('0: a complete month whose every negative row was noticed', () => {
    const out = join(dir, 'february.csv');
    const run = extract(['--month', '2026-02', '--out', out]);
    expect(run.status, run.stderr).toBe(EXIT.ok);
    expect(readFileSync(out, 'utf8')).toBe(
      `${HEADER}\r\nL-first,B-L-first,2026-02,2026-02-28,1,4,4,10300,CNY,,ACTIVE,2026-02-27\r\n`,
    );
  });

  it('1: a date of the month without a complete report, named; nothing is written', () => {
    const out = join(dir, 'april.csv');
    const run = extract(['--month', '2026-04', '--out', out]);
    expect(run.status).toBe(EXIT.incomplete);
    expect(run.stderr).toContain(
      'No extract for 2026-04: these dates have no complete daily report: 2026-04-02 … 2026-04-30',
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('--allow-incomplete writes it anyway, and 2 still applies', () => {
    const out = join(dir, 'april-preview.csv');
    const run = extract(['--month', '2026-04', '--out', out, '--allow-incomplete']);
    expect(run.status).toBe(EXIT.noticesMissing);
    expect(run.stderr).toContain('Warning: written with --allow-incomplete');
    expect(readFileSync(out, 'utf8').split('\r\n').slice(1, -1)).toEqual([
      'L-over,B-L-over,2026-04,2026-04-30,2,42,42,10300,CNY,,ACTIVE,2026-03-21',
      // 6 days past due on 04-01, 35 on 04-30, never told.
      'L-quiet,B-L-quiet,2026-04,2026-04-30,2,35,35,10300,CNY,,ACTIVE,',
    ]);
  });

  it('1 for an incomplete report: a date whose run has not had every event counted', async () => {
    const other = await freshResources(clients, 'extract-incomplete');
    const reporting = createReporting(
      { dynamodb: clients.dynamodb },
      {
        reportsTableName: other.tables.REPORTS_TABLE_NAME,
        creditRecordsTableName: other.tables.CREDIT_RECORDS_TABLE_NAME,
      },
    );
    const dates = datesOf('2026-02' as CreditMonth);
    // Every date complete but 02-14, whose run says it recorded one event never counted.
    const events = completions([], dates).map((event) =>
      event.asOf === '2026-02-14'
        ? { ...event, data: { ...event.data, eventsRecorded: 1 } }
        : event,
    );
    for (let start = 0; start < events.length; start += 10) {
      await reporting.handle(sqsEventOf(events.slice(start, start + 10), `i${start}-`));
    }
    const run = extract(['--month', '2026-02', '--out', join(dir, 'x.csv')], other.tables);
    expect(run.status).toBe(EXIT.incomplete);
    expect(run.stderr).toContain('2026-02-14 (incomplete).');
  });

  it('64 for bad options, with the usage', () => {
    const run = extract(['--month', '2026-13']);
    expect(run.status).toBe(EXIT.usage);
    expect(run.stderr).toContain('--month "2026-13" is not a YYYY-MM month.');
    expect(run.stderr).toContain('Usage: npm run credit-extract');
  });

  it('writes the CSV to stdout with --out -, the summary to stderr', () => {
    const run = extract(['--month', '2026-02', '--out', '-']);
    expect(run.status, run.stderr).toBe(EXIT.ok);
    expect(run.stdout.startsWith(`${HEADER}\r\n`)).toBe(true);
    expect(run.stderr).toContain('Credit extract 2026-02 (settlement 2026-02-28)');
  });
});

describe('memory flat in the number of records', () => {
  /** Seeds `count` records of 2025-01 and extracts them, counting the records held at once. */
  async function heldWhileExtracting(count: number, pageSize: number) {
    const tables = await freshResources(clients, `extract-mem${count}`);
    const month = '2025-01' as CreditMonth;
    const items = Array.from({ length: count }, (_, i) =>
      creditRecordItemOf(
        {
          loanId: `L-${String(i).padStart(7, '0')}`,
          month,
          borrowerId: `B-${i}`,
          currency: 'CNY',
          maxDpd: 1 + (i % 200),
          latest: {
            asOf: '2025-01-30' as BusinessDate,
            standing: 'OVERDUE',
            dpd: 1 + (i % 200),
            amountOverdue: 100 + i,
            inGrace: false,
            forbearance: false,
          },
          noticeOn: '2025-01-02' as BusinessDate,
        },
        1,
      ),
    );
    const table = tables.tables.CREDIT_RECORDS_TABLE_NAME;
    await Promise.all(
      Array.from({ length: Math.ceil(items.length / 25) }, async (_, b) => {
        let requests = items.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const { UnprocessedItems } = await clients.doc.send(
            new BatchWriteCommand({ RequestItems: { [table]: requests } }),
          );
          requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }),
    );
    let maxHeld = 0;
    let written = 0;
    let previous = '';
    const result = await extractMonth(
      clients.doc,
      { creditRecords: table, reports: tables.tables.REPORTS_TABLE_NAME },
      {
        month,
        allowIncomplete: true,
        today: '2025-02-01' as BusinessDate,
        read: { pageSize, onPage: (_items, held) => (maxHeld = Math.max(maxHeld, held)) },
      },
      async () => ({
        write: async (chunk) => {
          const loanId = chunk.split(',')[0] ?? '';
          if (loanId !== 'loanId') {
            expect(loanId > previous).toBe(true);
            previous = loanId;
            written += 1;
          }
        },
        close: async () => {},
      }),
    );
    expect(result.outcome?.summary.rows).toBe(count);
    expect(written).toBe(count);
    return maxHeld;
  }

  it('holds at most a page per shard, for 10× the records as for 1×', async () => {
    const pageSize = 20;
    const once = await heldWhileExtracting(400, pageSize);
    const tenfold = await heldWhileExtracting(4_000, pageSize);
    expect(once).toBeLessThanOrEqual(16 * pageSize);
    expect(tenfold).toBeLessThanOrEqual(16 * pageSize);
    // The tenfold month is not held whole: at most the same pages as the small one's.
    expect(tenfold).toBeLessThan(4_000 / 5);
  });
});
