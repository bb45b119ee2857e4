/**
 * The extract's writer: RFC 4180 fields, rows written as the records come (it consumes an async
 * iterator and never collects it), and memory flat in the number of records: ten times the
 * records stream through in the heap that one time takes.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  type CreditMonth,
  type CreditRecord,
  EXTRACT_COLUMNS,
} from '../../../functions/core/credit-records';
import type { BusinessDate } from '../../../functions/core/types';
import {
  csvField,
  csvHeader,
  describeMissing,
  renderExtractSummary,
  writeExtract,
} from '../../../local/credit-extract';

const MONTH = '2026-03' as CreditMonth;

function record(i: number): CreditRecord {
  return {
    loanId: `L-${String(i).padStart(8, '0')}`,
    month: MONTH,
    borrowerId: `B-${i}`,
    currency: 'CNY',
    maxDpd: 1 + (i % 300),
    latest: {
      asOf: '2026-03-30' as BusinessDate,
      standing: 'OVERDUE',
      dpd: 1 + (i % 300),
      amountOverdue: 10_000 + i,
      inGrace: false,
      forbearance: i % 50 === 0,
    },
    ...(i % 7 !== 0 && { noticeOn: '2026-03-02' as BusinessDate }),
  };
}

async function* records(count: number, onYield?: (i: number) => void) {
  for (let i = 0; i < count; i++) {
    onYield?.(i);
    yield record(i);
  }
}

describe('CSV fields', () => {
  it.each([
    ['L-1', 'L-1'],
    ['', ''],
    [42, '42'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    [' padded ', '" padded "'],
    ['贷款-1', '贷款-1'],
  ] as const)('%j is written as %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('has a header of exactly the columns, comma-separated, CRLF-terminated', () => {
    expect(csvHeader()).toBe(`${EXTRACT_COLUMNS.join(',')}\r\n`);
    expect(EXTRACT_COLUMNS).toEqual([
      'loanId',
      'borrowerId',
      'month',
      'settlementDate',
      'statusCode',
      'dpdAtSettlement',
      'maxDpd',
      'amountOverdue',
      'currency',
      'riskClass',
      'accountState',
      'noticeOn',
    ]);
  });
});

describe('the writer', () => {
  it('writes each row before it asks for the next record', async () => {
    const log: string[] = [];
    await writeExtract(
      MONTH,
      records(3, (i) => log.push(`read ${i}`)),
      { write: async (chunk) => void log.push(`wrote ${chunk.split(',')[0]}`) },
    );
    expect(log).toEqual([
      'wrote loanId',
      'read 0',
      'wrote L-00000000',
      'read 1',
      'wrote L-00000001',
      'read 2',
      'wrote L-00000002',
    ]);
  });

  it('sums rows per status code and names the first loans whose notice is missing', async () => {
    const outcome = await writeExtract(MONTH, records(100), { write: async () => {} });
    expect(outcome.summary.rows).toBe(100);
    const total = Object.values(outcome.summary.byStatusCode).reduce((a, b) => a + b, 0);
    expect(total).toBe(100);
    // Every 7th loan was not told; every 50th is in forbearance and needs no notice.
    expect(outcome.summary.noticesMissing).toBe(14);
    expect(outcome.missingNotices).toEqual(
      [7, 14, 21, 28, 35, 42, 49, 56, 63, 70].map((i) => `L-${String(i).padStart(8, '0')}`),
    );
    const text = renderExtractSummary(outcome);
    expect(text).toContain('Credit extract 2026-03 (settlement 2026-03-31)');
    expect(text).toMatch(/notices missing \(status 1–7, borrower not told\)\s+│ 14 /);
    expect(text).toContain('and 4 more.');
  });

  it('names runs of dates without a complete report', () => {
    const d = (day: number) => `2026-04-${String(day).padStart(2, '0')}` as BusinessDate;
    expect(
      describeMissing([
        { asOf: d(2), why: 'no report' },
        { asOf: d(3), why: 'no report' },
        { asOf: d(4), why: 'no report' },
        { asOf: d(9), why: 'incomplete' },
        { asOf: d(10), why: 'not yet (after today)' },
        { asOf: d(11), why: 'not yet (after today)' },
      ]),
    ).toBe(
      '2026-04-02 … 2026-04-04 (no report), 2026-04-09 (incomplete), 2026-04-10 … 2026-04-11 (not yet (after today))',
    );
  });
});

describe('memory', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  /** Most heap (after collection) above the start while `count` records stream through, bytes. */
  async function heapGrowth(count: number): Promise<number> {
    gc();
    const start = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    await writeExtract(
      MONTH,
      records(count, (i) => {
        if (i % 25_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - start);
        }
      }),
      {
        write: async (chunk) => {
          bytes += chunk.length;
        },
      },
    );
    expect(bytes).toBeGreaterThan(count * 50);
    return peak;
  }

  it('streams 10× the records in the heap 1× takes (within 8 MB)', async () => {
    const small = await heapGrowth(30_000);
    const large = await heapGrowth(300_000);
    // 300,000 rows kept would be about 100 MB (over 300 bytes each as objects and text).
    expect(large).toBeLessThan(small + 8 * 1024 * 1024);
  }, 120_000);
});
