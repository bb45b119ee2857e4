/**
 * Credit records are order-independent and idempotent: the events of a loan's month, in any order
 * and delivered any number of times, give the same record (and so the same extract row). The
 * merge is a join: commutative, associative and idempotent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CreditRecord,
  creditRecordOf,
  creditRecordsOf,
  extractRowOf,
  mergeCreditRecords,
} from '../../../functions/core/credit-records';
import { loanNamed, marchEventArb } from '../../support/credit-events';

const L = loanNamed('L-1', 'B-1');
const events = fc.array(marchEventArb(L), { minLength: 1, maxLength: 25 });
const recordArb = marchEventArb(L)
  .map(creditRecordOf)
  .filter((record): record is CreditRecord => record !== undefined);

describe('credit records, whatever the delivery', () => {
  it("any order and any duplication of the month's events give the same record and row", () => {
    fc.assert(
      fc.property(
        events,
        fc.array(fc.nat(), { maxLength: 15 }),
        fc.infiniteStream(fc.nat()),
        (month, repeats, order) => {
          const redelivered = [...month, ...repeats.map((i) => month[i % month.length])].filter(
            (event) => event !== undefined,
          );
          // A shuffle drawn by fast-check, so a failure shrinks to a small case.
          const keys = [...order.take(redelivered.length)];
          const shuffled = redelivered
            .map((event, i) => ({ event, key: keys[i] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map(({ event }) => event);
          const once = creditRecordsOf(month);
          const again = creditRecordsOf(shuffled);
          expect(again).toEqual(once);
          expect(once.map(extractRowOf)).toEqual(again.map(extractRowOf));
        },
      ),
    );
  });

  it('the merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (a, b, c) => {
        expect(mergeCreditRecords(a, b)).toEqual(mergeCreditRecords(b, a));
        expect(mergeCreditRecords(mergeCreditRecords(a, b), c)).toEqual(
          mergeCreditRecords(a, mergeCreditRecords(b, c)),
        );
        expect(mergeCreditRecords(a, a)).toEqual(a);
      }),
    );
  });

  it('a record never loses what it knew: maxDpd only grows, noticeOn only moves earlier', () => {
    fc.assert(
      fc.property(recordArb, recordArb, (a, b) => {
        const merged = mergeCreditRecords(a, b);
        expect(merged.maxDpd).toBeGreaterThanOrEqual(Math.max(a.maxDpd, b.maxDpd));
        for (const noticeOn of [a.noticeOn, b.noticeOn]) {
          if (noticeOn !== undefined)
            expect(merged.noticeOn && merged.noticeOn <= noticeOn).toBe(true);
        }
        for (const state of [a.latest, b.latest]) {
          if (state !== undefined)
            expect(merged.latest && merged.latest.asOf >= state.asOf).toBe(true);
        }
      }),
    );
  });

  it("every row's status agrees with its days past due, except where the rules say N", () => {
    fc.assert(
      fc.property(events, (month) => {
        for (const record of creditRecordsOf(month)) {
          const row = extractRowOf(record);
          if (!row) continue;
          expect(row.maxDpd).toBeGreaterThanOrEqual(row.dpdAtSettlement);
          if (row.accountState === 'CURED') expect(row.amountOverdue).toBe(0);
          if (row.statusCode === 'N') continue;
          expect(Number(row.statusCode)).toBe(Math.min(7, Math.ceil(row.dpdAtSettlement / 30)));
        }
      }),
    );
  });
});
