/**
 * The sweep at DynamoDB's limits and with hostile data (docs/contract.md: Sweep, Summary): a loan with 400 overdue
 * instalments is charged and charged off like any other; ten thousand malformed items leave a
 * summary that still fits one SNS message; a personal value in a malformed attribute reaches no
 * log line and no summary.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  ledgerOf,
  putItems,
  receivedEvents,
  storedLoan,
  sweeper,
} from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';
import { expectReconciled } from '../../support/ledger';

const ASOF = '2026-11-28' as BusinessDate;

describe('a loan with 400 overdue instalments (docs/contract.md, Sweep)', () => {
  // Three instalments a day from D0 = asOf − 180: all 400 are overdue, the oldest 180 days, so
  // today is its charge-off day. Each: 10,000 principal; penalty 10,000 × 0.0002 × 1.5 = 3 a day.
  const D0 = addDays(ASOF, -180);
  const instalments = Array.from({ length: 400 }, (_, k) => ({
    seq: k + 1,
    dueDate: addDays(D0, Math.floor(k / 3)),
    principalDue: 10_000,
    interestDue: 0,
    principalPaid: 0,
    interestPaid: 0,
  }));
  // Penalty: Σ_k 3 × (180 − ⌊k/3⌋) = 3 × (72,000 − 26,467) = 136,599; late fees 400 × 100.
  const PENALTY = 136_599;
  const LATE_FEES = 40_000;
  let resources: LocalResources;
  let summary: Awaited<ReturnType<ReturnType<typeof sweeper>['run']>>;

  beforeAll(async () => {
    resources = await freshResources(clients, 'limits-400');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('L-400', instalments, { principal: 4_000_000, dailyInterestRate: 0.0002 }),
    ]);
    const policy = JSON.stringify({ default: { lateFee: 100 } });
    summary = await sweeper(resources, { env: { FEE_POLICY: policy } }).run({ asOf: ASOF });
  });

  it('is charged exactly what the rules give, in one transaction', async () => {
    expect(summary).toMatchObject({
      loansCharged: 1,
      chargedOff: 1,
      charges: { CNY: { lateFees: LATE_FEES, penaltyInterest: PENALTY } },
      skipped: { count: 0 },
    });
    const entries = await ledgerOf(resources, 'L-400');
    expect(entries.map((e) => [e.kind, e.amount, (e.lines as unknown[]).length]).sort()).toEqual([
      ['LATE_FEE', LATE_FEES, 400],
      ['PENALTY_INTEREST', PENALTY, 400],
    ]);
    await expectReconciled(resources, ['L-400'], await receivedEvents(resources));
  });

  it('is charged off on its day and leaves the index, every instalment accrued through today', async () => {
    const loan = await storedLoan(resources, 'L-400');
    expect(loan).toMatchObject({
      status: 'CHARGED_OFF',
      dpd: 180,
      bucket: 'M6',
      lateFeesCharged: LATE_FEES,
      penaltyCharged: PENALTY,
    });
    expect(loan.nextDueDate).toBeUndefined();
    const list = loan.installments as Record<string, unknown>[];
    expect(list).toHaveLength(400);
    expect(list.every((i) => i.penaltyThrough === ASOF && i.lateFeeCharged === 100)).toBe(true);
  });
});

describe('ten thousand malformed items (docs/contract.md, Summary)', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'limits-malformed');
    const longId = (n: number) => `M-${String(n).padStart(6, '0')}-${'x'.repeat(1000)}`;
    await putItems(
      resources.tables.LOANS_TABLE_NAME,
      Array.from({ length: 10_000 }, (_, n) =>
        loanItem(longId(n), [{ seq: 1, dueDate: '2026-11-20', principalDue: 1 }], {
          sweepShard: n % 16,
          nextDueDate: '2026-11-20',
          currency: 'y'.repeat(5_000),
        }),
      ),
    );
  }, 600_000);

  it('leave a summary that fits one SNS message, and sweep.completed is delivered', async () => {
    const summary = await sweeper(resources, {
      tuning: { pageSize: 100, loanConcurrency: 32 },
    }).run({ asOf: ASOF });
    expect(summary.skipped.count).toBe(10_000);
    expect(summary.skipped.loans).toHaveLength(100);
    for (const skipped of summary.skipped.loans) {
      expect(skipped.reason.length).toBeLessThanOrEqual(200);
      expect(skipped.loanId.length).toBeLessThanOrEqual(256);
    }
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeLessThan(256 * 1024);
    expect(summary.sweepCompleted).toMatchObject({ runRecord: 'recorded' });
    const completed = (await receivedEvents(resources)).filter((e) => e.type === 'sweep.completed');
    expect(completed.map((e) => e.data.skipped)).toEqual([summary.skipped]);
  }, 600_000);
});

describe('personal data in a malformed attribute (docs/contract.md, Summary)', () => {
  const PERSONAL = 'Zhang San 13800138000';
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'limits-personal');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('P-map', [installmentItem(1, '2026-11-20')], {
        borrowerId: { name: PERSONAL, phone: PERSONAL },
      }),
      loanItem('P-list', [installmentItem(1, '2026-11-20')], { borrowerId: [PERSONAL] }),
      loanItem('P-number', [installmentItem(1, '2026-11-20')], { borrowerId: 13800138000 }),
    ]);
  });

  it('appears in no log line and no summary', async () => {
    const sweep = sweeper(resources);
    const summary = await sweep.run({ asOf: ASOF });
    expect(summary.skipped.count).toBe(3);
    expect(JSON.stringify(summary)).not.toContain('13800138000');
    expect(JSON.stringify(summary)).not.toContain('Zhang');
    expect(sweep.log.lines.length).toBeGreaterThan(0);
    for (const line of sweep.log.lines) {
      expect(JSON.stringify(line)).not.toContain('13800138000');
    }
    const completed = (await receivedEvents(resources)).find((e) => e.type === 'sweep.completed');
    expect(JSON.stringify(completed)).not.toContain('13800138000');
  });
});
