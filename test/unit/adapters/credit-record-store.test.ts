/**
 * The credit record item codec at the DynamoDB edge: a record survives the trip to an item and
 * back, an item that is not a record is named by its attribute (never by its values), and the month
 * index's keys sort as DynamoDB sorts them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareLoanIds,
  creditRecordFromItem,
  creditRecordItemOf,
  loanIdPrefixOf,
  monthShardOf,
} from '../../../functions/adapters/credit-record-store';
import {
  type CreditMonth,
  type CreditRecord,
  creditRecordOf,
} from '../../../functions/core/credit-records';
import type { BusinessDate } from '../../../functions/core/types';
import { loanNamed, marchEventArb } from '../../support/credit-events';

const recordArb = marchEventArb(loanNamed('L-1', 'B-1'))
  .map(creditRecordOf)
  .filter((record): record is CreditRecord => record !== undefined);

describe('the credit record item', () => {
  it('a record and its version survive the trip to an item and back', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(1_000), (record, version) => {
        expect(creditRecordFromItem(creditRecordItemOf(record, version))).toEqual({
          ok: true,
          stored: { record, version },
        });
      }),
    );
  });

  it('reads numbers the SDK hands back as exact text', () => {
    const item = creditRecordItemOf(
      { loanId: 'L-1', month: '2026-03' as CreditMonth, borrowerId: 'B-1', maxDpd: 7 },
      3,
    );
    const read = creditRecordFromItem({ ...item, maxDpd: { value: '7' }, version: { value: '3' } });
    expect(read).toMatchObject({ ok: true, stored: { version: 3, record: { maxDpd: 7 } } });
  });

  it.each([
    [{ month: '2026-3' }, 'month: not YYYY-MM'],
    [{ borrowerId: '' }, 'borrowerId: missing'],
    [{ maxDpd: -1 }, 'maxDpd: not a count'],
    [{ state: 'LATE' }, 'state: not OVERDUE, CURED or CHARGED_OFF'],
    [{ lastAsOf: '2026-02-30' }, 'lastAsOf: not a date'],
    [{ riskClass: 'BAD' }, 'riskClass: not a risk class'],
    [{ amountOverdue: 1.5 }, 'amountOverdue: not minor units'],
    [{ noticeOn: 'soon' }, 'noticeOn: not a date'],
  ])('an item with %o is not a record: %s', (change, reason) => {
    const item = {
      ...creditRecordItemOf(
        {
          loanId: 'L-1',
          month: '2026-03' as CreditMonth,
          borrowerId: 'B-1',
          maxDpd: 7,
          latest: {
            asOf: '2026-03-09' as BusinessDate,
            standing: 'OVERDUE',
            dpd: 7,
            amountOverdue: 100,
            inGrace: false,
            forbearance: false,
          },
        },
        1,
      ),
      ...change,
    };
    expect(creditRecordFromItem(item)).toEqual({ ok: false, loanId: 'L-1', reason });
  });
});

describe('the month index keys', () => {
  it('spreads a month over 16 shards by a hash of the loan id', () => {
    const shards = new Set(
      Array.from({ length: 400 }, (_, i) => monthShardOf(`L-${i}`, '2026-03' as CreditMonth)),
    );
    expect(shards.size).toBe(16);
    for (const shard of shards) expect(shard).toMatch(/^2026-03#([0-9]|1[0-5])$/);
    expect(monthShardOf('L-1', '2026-03' as CreditMonth)).toBe(
      monthShardOf('L-1', '2026-03' as CreditMonth),
    );
  });

  it('sorts by the first 256 code points, which fit the 1,024-byte index key', () => {
    expect(loanIdPrefixOf('L-1')).toBe('L-1');
    const long = `${'😀'.repeat(300)}x`;
    expect(Array.from(loanIdPrefixOf(long))).toHaveLength(256);
    expect(Buffer.byteLength(loanIdPrefixOf(long), 'utf8')).toBe(1_024);
  });

  it('compares loan ids in UTF-8 byte order, as DynamoDB does (not UTF-16 order)', () => {
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
    expect(compareLoanIds('～', '😀')).toBeLessThan(0);
    expect('～' < '😀').toBe(false);
    expect(compareLoanIds('L-10', 'L-9')).toBeLessThan(0);
    expect(compareLoanIds('L-1', 'L-1')).toBe(0);
  });
});
