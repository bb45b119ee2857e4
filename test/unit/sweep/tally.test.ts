/**
 * The one writer of a run's totals (functions/sweep/summary.ts): what happened to each loan,
 * tallied; totals added up and cut for where they go, with exact counts and the first entries kept.
 */
import { describe, expect, it } from 'vitest';
import type { LoanOutcome } from '../../../functions/core/types';
import {
  emptyTotals,
  PART_PREVIEW_LIMIT,
  PART_SKIPPED_LIST_LIMIT,
  SKIPPED_LIST_LIMIT,
  type SweepTotals,
  tallyLoan,
  totalsFor,
} from '../../../functions/sweep/summary';
import type { LoanSwept } from '../../../functions/sweep/sweep-loan';

const outcome = (loanId: string, fields: Partial<LoanOutcome> = {}): LoanOutcome =>
  ({
    loanId,
    currency: 'CNY',
    overdue: true,
    dpd: 8,
    bucket: 'DPD_1_30',
    previousBucket: 'DPD_1_30',
    lateFee: 500,
    penaltyInterest: 40,
    capped: false,
    chargedOff: false,
    lateFeeReversed: 0,
    penaltyReversed: 0,
    paymentIds: [],
    ...fields,
  }) as LoanOutcome;

const swept = (verdict: LoanSwept['verdict'], fields: Partial<LoanSwept> = {}): LoanSwept => ({
  examined: true,
  versionConflicts: 0,
  verdict,
  ...fields,
});

function tallied(...all: LoanSwept[]): SweepTotals {
  const totals = emptyTotals();
  for (const loan of all) tallyLoan(totals, loan);
  return totals;
}

describe('the tally of what happened to each loan', () => {
  it('counts an examined loan once, its conflicts, its outcome and the events it recorded', () => {
    const totals = tallied(
      swept(
        { kind: 'assessed', outcome: outcome('L-1'), previewed: false, eventsRecorded: 2 },
        {
          versionConflicts: 2,
        },
      ),
      swept({ kind: 'overdue' }),
      swept({ kind: 'unchanged' }),
      swept(
        { kind: 'skipped', loanId: 'L-4', reason: 'principal: not a number' },
        {
          examined: false,
        },
      ),
    );
    expect(totals).toEqual({
      ...emptyTotals(),
      loansExamined: 3,
      loansOverdue: 2,
      loansCharged: 1,
      charges: { CNY: { lateFees: 500, penaltyInterest: 40 } },
      eventsRecorded: 2,
      versionConflicts: 2,
      skipped: { count: 1, loans: [{ loanId: 'L-4', reason: 'principal: not a number' }] },
    });
  });

  it('previews only what a dry run says it previews', () => {
    const totals = tallied(
      swept({ kind: 'assessed', outcome: outcome('L-1'), previewed: true, eventsRecorded: 0 }),
      swept({ kind: 'assessed', outcome: outcome('L-2'), previewed: false, eventsRecorded: 0 }),
    );
    expect(totals.preview.map((entry) => entry.loanId)).toEqual(['L-1']);
  });

  it('lists the first skipped loans up to the limit, counting every one', () => {
    const loans = Array.from({ length: SKIPPED_LIST_LIMIT + 5 }, (_, i) =>
      swept({ kind: 'skipped', loanId: `L-${i}`, reason: 'not found' }, { examined: false }),
    );
    const totals = tallied(...loans);
    expect(totals.skipped.count).toBe(SKIPPED_LIST_LIMIT + 5);
    expect(totals.skipped.loans).toHaveLength(SKIPPED_LIST_LIMIT);
    expect(totals.skipped.loans.at(-1)?.loanId).toBe(`L-${SKIPPED_LIST_LIMIT - 1}`);
  });
});

describe('totals for where they go', () => {
  const skippedOf = (prefix: string, n: number) =>
    tallied(
      ...Array.from({ length: n }, (_, i) =>
        swept(
          { kind: 'skipped', loanId: `${prefix}-${i}`, reason: 'not found' },
          {
            examined: false,
          },
        ),
      ),
    );

  it("a shard part keeps the carried list's first entries, then its own, up to its limits", () => {
    const part = totalsFor('shard-part', skippedOf('C', 4), skippedOf('O', 10));
    expect(part.skipped.count).toBe(14);
    expect(part.skipped.loans.map((s) => s.loanId)).toEqual(
      ['C-0', 'C-1', 'C-2', 'C-3', 'O-0', 'O-1', 'O-2'].slice(0, PART_SKIPPED_LIST_LIMIT),
    );
    expect(part.preview.length).toBeLessThanOrEqual(PART_PREVIEW_LIMIT);
  });

  it('the finish adds every answer up exactly and keeps the summary limits', () => {
    const finish = totalsFor('finish', ...Array.from({ length: 16 }, () => skippedOf('S', 7)));
    expect(finish.skipped.count).toBe(112);
    expect(finish.skipped.loans).toHaveLength(SKIPPED_LIST_LIMIT);
  });
});
