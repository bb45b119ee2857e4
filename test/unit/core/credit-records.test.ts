/**
 * Credit records and extract rows, hand-computed: what each event says, how states rank on one
 * date, ageing to the settlement date, the status codes' boundaries, and the rows that need the
 * borrower's notice.
 */
import { describe, expect, it } from 'vitest';
import {
  type CreditMonth,
  type CreditRecord,
  creditRecordOf,
  creditRecordsOf,
  datesOf,
  extractRowOf,
  mergeCreditRecords,
  noticeMissing,
  parseCreditMonth,
  settlementDateOf,
  statusCodeOf,
} from '../../../functions/core/credit-records';
import type { BusinessDate } from '../../../functions/core/types';
import {
  chargedOffOn,
  curedOn,
  dueSoonOn,
  feeOn,
  loanNamed,
  noticeOn,
  overdueOn,
} from '../../support/credit-events';

const L = loanNamed('L-1', 'B-1');
const march = '2026-03' as CreditMonth;

/** The record of `events` for L-1 in its month (exactly one). */
function recordOf(...events: Parameters<typeof creditRecordsOf>[0]): CreditRecord {
  const records = creditRecordsOf(events);
  expect(records).toHaveLength(1);
  return records[0] as CreditRecord;
}

describe('months', () => {
  it("parses YYYY-MM and knows each month's dates and settlement date", () => {
    expect(parseCreditMonth('2026-03')).toBe('2026-03');
    for (const bad of ['2026-13', '2026-3', '2026-03-01', 202603, '']) {
      expect(parseCreditMonth(bad)).toBeUndefined();
    }
    expect(settlementDateOf(march)).toBe('2026-03-31');
    expect(settlementDateOf('2028-02' as CreditMonth)).toBe('2028-02-29');
    expect(settlementDateOf('2026-12' as CreditMonth)).toBe('2026-12-31');
    expect(datesOf('2026-02' as CreditMonth)).toHaveLength(28);
    expect(datesOf('2026-04' as CreditMonth).at(-1)).toBe('2026-04-30');
  });
});

describe('what each event says about the record', () => {
  it('loan.overdue gives the state of its date, its dpd and the notice it carries', () => {
    expect(
      creditRecordOf(
        overdueOn(L, '2026-03-10', 12, {
          amountOverdue: 5_000,
          riskClass: 'SPECIAL_MENTION',
          creditNoticeOn: '2026-02-27',
        }),
      ),
    ).toEqual({
      loanId: 'L-1',
      month: march,
      borrowerId: 'B-1',
      currency: 'CNY',
      maxDpd: 12,
      latest: {
        asOf: '2026-03-10',
        standing: 'OVERDUE',
        dpd: 12,
        amountOverdue: 5_000,
        riskClass: 'SPECIAL_MENTION',
        inGrace: false,
        forbearance: false,
      },
      noticeOn: '2026-02-27',
    });
  });

  it('a cure (to M0), a charge-off and a notice say what they know; other events nothing', () => {
    expect(creditRecordOf(curedOn(L, '2026-03-04'))?.latest).toEqual({
      asOf: '2026-03-04',
      standing: 'CURED',
      dpd: 0,
      amountOverdue: 0,
      riskClass: 'NORMAL',
      inGrace: false,
      forbearance: false,
    });
    expect(creditRecordOf(chargedOffOn(L, '2026-03-20', 180, 7_000))).toMatchObject({
      currency: 'CNY',
      maxDpd: 180,
      latest: { standing: 'CHARGED_OFF', dpd: 180, amountOverdue: 7_000, riskClass: 'LOSS' },
    });
    expect(creditRecordOf(noticeOn(L, '2026-03-02', 1))).toEqual({
      loanId: 'L-1',
      month: march,
      borrowerId: 'B-1',
      currency: 'CNY',
      maxDpd: 1,
      noticeOn: '2026-03-02',
    });
    expect(creditRecordOf(dueSoonOn(L, '2026-03-02'))).toBeUndefined();
    expect(creditRecordOf(feeOn(L, '2026-03-02'))).toBeUndefined();
    expect(creditRecordsOf([dueSoonOn(L, '2026-03-02')])).toEqual([]);
  });
});

describe('combining what the month said', () => {
  it('keeps the largest dpd, the earliest notice and the latest state', () => {
    const record = recordOf(
      overdueOn(L, '2026-03-20', 50, { creditNoticeOn: '2026-02-10' }),
      noticeOn(L, '2026-03-05', 5),
      overdueOn(L, '2026-03-25', 2, { inGrace: true }),
    );
    expect(record).toMatchObject({
      maxDpd: 50,
      noticeOn: '2026-02-10',
      latest: { asOf: '2026-03-25', dpd: 2, inGrace: true },
    });
  });

  it('on the same date a cure or a charge-off outranks loan.overdue, in either order', () => {
    const overdue = overdueOn(L, '2026-03-12', 9);
    for (const outranking of [curedOn(L, '2026-03-12'), chargedOffOn(L, '2026-03-12', 9)]) {
      const forward = recordOf(overdue, outranking);
      expect(recordOf(outranking, overdue)).toEqual(forward);
      expect(forward.latest?.standing).not.toBe('OVERDUE');
      expect(forward.maxDpd).toBe(9);
    }
  });

  it('a later overdue after a cure is the latest state (a new episode)', () => {
    const record = recordOf(
      overdueOn(L, '2026-03-03', 30),
      curedOn(L, '2026-03-04'),
      overdueOn(L, '2026-03-28', 1),
    );
    expect(record.latest).toMatchObject({ standing: 'OVERDUE', asOf: '2026-03-28', dpd: 1 });
    expect(record.maxDpd).toBe(30);
  });

  it('refuses to merge records of different loans or months', () => {
    const a = creditRecordOf(overdueOn(L, '2026-03-03', 3)) as CreditRecord;
    const b = creditRecordOf(overdueOn(L, '2026-04-03', 3)) as CreditRecord;
    expect(() => mergeCreditRecords(a, b)).toThrow(/different loans or months/);
  });
});

describe('the status code', () => {
  it.each([
    [0, 'N'],
    [1, '1'],
    [30, '1'],
    [31, '2'],
    [90, '3'],
    [91, '4'],
    [150, '5'],
    [151, '6'],
    [180, '6'],
    [181, '7'],
    [900, '7'],
  ] as const)('%i days past due is %s', (dpd, code) => {
    expect(statusCodeOf(dpd)).toBe(code);
  });
});

describe('extract rows at the settlement date', () => {
  const rowOf = (...events: Parameters<typeof creditRecordsOf>[0]) =>
    extractRowOf(recordOf(...events));

  it('an overdue latest state ages to the settlement date, maxDpd with it', () => {
    const row = rowOf(
      overdueOn(L, '2026-03-29', 29, {
        amountOverdue: 4_200,
        riskClass: 'SPECIAL_MENTION',
        creditNoticeOn: '2026-03-02',
      }),
    );
    expect(row).toEqual({
      loanId: 'L-1',
      borrowerId: 'B-1',
      month: march,
      settlementDate: '2026-03-31',
      statusCode: '2',
      dpdAtSettlement: 31,
      maxDpd: 31,
      amountOverdue: 4_200,
      currency: 'CNY',
      riskClass: 'SPECIAL_MENTION',
      accountState: 'ACTIVE',
      noticeOn: '2026-03-02',
    });
    expect(row && noticeMissing(row)).toBe(false);
  });

  it('a charged-off loan is reported at its charge-off dpd and does not age', () => {
    expect(
      rowOf(overdueOn(L, '2026-03-10', 180), chargedOffOn(L, '2026-03-10', 180)),
    ).toMatchObject({
      statusCode: '6',
      dpdAtSettlement: 180,
      maxDpd: 180,
      amountOverdue: 8_000,
      riskClass: 'LOSS',
      accountState: 'CHARGED_OFF',
    });
  });

  it('forbearance is N and FORBEARANCE, needing no notice', () => {
    const row = rowOf(overdueOn(L, '2026-03-30', 40, { forbearance: true }));
    expect(row).toMatchObject({
      statusCode: 'N',
      accountState: 'FORBEARANCE',
      dpdAtSettlement: 41,
    });
    expect(row && noticeMissing(row)).toBe(false);
  });

  it('in grace on the settlement date itself is N and ACTIVE; in grace earlier ages', () => {
    const onTime = rowOf(overdueOn(L, '2026-03-31', 2, { inGrace: true }));
    expect(onTime).toMatchObject({ statusCode: 'N', accountState: 'ACTIVE', dpdAtSettlement: 2 });
    expect(onTime && noticeMissing(onTime)).toBe(false);
    const earlier = rowOf(overdueOn(L, '2026-03-30', 3, { inGrace: true }));
    expect(earlier).toMatchObject({ statusCode: '1', dpdAtSettlement: 4 });
    expect(earlier && noticeMissing(earlier)).toBe(true);
  });

  it("a cured loan has nothing overdue: N, CURED, NORMAL, the month's maxDpd kept", () => {
    expect(rowOf(overdueOn(L, '2026-03-01', 45), curedOn(L, '2026-03-02', 'M2'))).toMatchObject({
      statusCode: 'N',
      dpdAtSettlement: 0,
      maxDpd: 45,
      amountOverdue: 0,
      riskClass: 'NORMAL',
      accountState: 'CURED',
    });
    // Cured on the month's first run: the cure names no currency.
    expect(rowOf(curedOn(L, '2026-03-01'))).toMatchObject({ currency: '', maxDpd: 0 });
  });

  it('a negative row without a notice on or before the settlement date is flagged', () => {
    const row = rowOf(overdueOn(L, '2026-03-31', 5, { inGrace: false }));
    expect(row).toMatchObject({ statusCode: '1', noticeOn: '' });
    expect(row && noticeMissing(row)).toBe(true);
    const told = rowOf(
      overdueOn(L, '2026-03-31', 5, { inGrace: false }),
      noticeOn(L, '2026-03-27'),
    );
    expect(told && noticeMissing(told)).toBe(false);
  });

  it('a record with only a notice has no row yet', () => {
    expect(rowOf(noticeOn(L, '2026-03-27'))).toBeUndefined();
  });

  it('an event without a risk class leaves the column empty', () => {
    expect(rowOf(overdueOn(L, '2026-03-31', 9))?.riskClass).toBe('');
  });

  it("settles every row on the month's last day", () => {
    expect(rowOf(overdueOn(L, '2026-02-27', 3))?.settlementDate).toBe('2026-02-28' as BusinessDate);
  });
});
