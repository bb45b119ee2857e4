/**
 * Assertions about what the sweep posted, read back from the tables: the ledger reconciles with the
 * loan (docs/contract.md, Loans table), fee events claim exactly the entries posted, and the one-instalment loans of the
 * integration tests were charged exactly once.
 */
import { expect } from 'vitest';
import type { EventEnvelope } from '../../functions/core/types';
import { ledgerOf, storedLoan } from '../../local/fixtures/sweep';
import type { LocalResources } from '../../local/local-resources';

/** A one-instalment test loan (10,000 principal due 2026-11-10) swept on 2026-11-28. */
export const ONE_INSTALMENT = {
  lateFee: 500, // the test policy's flat late fee
  penalty: 90, // 18 days × round(10,000 × 0.0003 × 1.5) = 18 × 5
};

const sumOf = (entries: readonly Record<string, unknown>[], kind: string) =>
  entries.filter((e) => e.kind === kind).reduce((s, e) => s + Number(e.amount), 0);

/**
 * Every loan's ledger reconciles with its item (docs/contract.md, Loans table: totals = charges − reversals, every entry the
 * sum of its lines, no total negative), and every fee or reversal event claims exactly the entries
 * and amounts that were posted.
 */
export async function expectReconciled(
  resources: LocalResources,
  loanIds: readonly string[],
  events: readonly EventEnvelope[],
): Promise<void> {
  for (const loanId of loanIds) {
    const entries = await ledgerOf(resources, loanId);
    for (const entry of entries) {
      const lines = entry.lines as { amount: number }[];
      expect(lines.reduce((s, line) => s + Number(line.amount), 0)).toBe(Number(entry.amount));
    }
    const loan = await storedLoan(resources, loanId);
    expect({
      loanId,
      late: sumOf(entries, 'LATE_FEE') - sumOf(entries, 'LATE_FEE_REVERSAL'),
      penalty: sumOf(entries, 'PENALTY_INTEREST') - sumOf(entries, 'PENALTY_REVERSAL'),
    }).toEqual({
      loanId,
      late: Number(loan.lateFeesCharged ?? 0),
      penalty: Number(loan.penaltyCharged ?? 0),
    });
    const ids = new Map(entries.map((e) => [String(e.entryId), e]));
    for (const event of events) {
      if (event.loanId !== loanId) continue;
      const claimed = () => {
        const found = (event.data as { entryIds: string[] }).entryIds.map((id) => ids.get(id));
        expect(found.every((entry) => entry !== undefined)).toBe(true);
        return (kind: string) =>
          found.filter((e) => e?.kind === kind).reduce((s, e) => s + Number(e?.amount), 0);
      };
      if (event.type === 'loan.fee_applied') {
        const data = event.data as { lateFee: number; penaltyInterest: number };
        const amount = claimed();
        expect([data.lateFee, data.penaltyInterest]).toEqual([
          amount('LATE_FEE'),
          amount('PENALTY_INTEREST'),
        ]);
      }
      if (event.type === 'loan.charges_reversed') {
        const data = event.data as { lateFeeReversed: number; penaltyReversed: number };
        const amount = claimed();
        expect([data.lateFeeReversed, data.penaltyReversed]).toEqual([
          amount('LATE_FEE_REVERSAL'),
          amount('PENALTY_REVERSAL'),
        ]);
      }
    }
    // Totals never go negative (docs/contract.md, Value-dated payments).
    expect(Number(loan.lateFeesCharged ?? 0)).toBeGreaterThanOrEqual(0);
    expect(Number(loan.penaltyCharged ?? 0)).toBeGreaterThanOrEqual(0);
  }
}

/** The one-instalment loan was charged exactly once for 2026-11-28: one entry of each kind. */
export async function expectChargedOnce(resources: LocalResources, loanId: string): Promise<void> {
  const entries = await ledgerOf(resources, loanId);
  expect(entries.map((e) => [e.entryId, Number(e.amount)]).sort()).toEqual([
    ['2026-11-28#LATE_FEE', ONE_INSTALMENT.lateFee],
    ['2026-11-28#PENALTY_INTEREST', ONE_INSTALMENT.penalty],
  ]);
  const loan = await storedLoan(resources, loanId);
  expect([loan.lateFeesCharged, loan.penaltyCharged, loan.accruedThrough]).toEqual([
    ONE_INSTALMENT.lateFee,
    ONE_INSTALMENT.penalty,
    '2026-11-28',
  ]);
}
