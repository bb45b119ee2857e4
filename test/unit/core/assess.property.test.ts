/**
 * Invariants of docs/contract.md: Charges, Sweep over generated loans, policies and date ranges: catch-up equals
 * daily runs, re-runs change nothing, charges stay within the cap and the ledger adds up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { chargesCap } from '../../../functions/core/charges';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate, FeePolicy, LedgerEntry, Loan } from '../../../functions/core/types';
import { applyUpdate, RUN } from '../../../local/fixtures/loans';
import { BASE, loanArb, policyArb } from '../../support/arbitraries';

interface Simulation {
  readonly final: Loan;
  readonly entries: readonly LedgerEntry[];
  readonly capped: boolean;
}

/** Runs the sweep for each date in turn, applying every update before the next run. */
function runDaily(start: Loan, p: FeePolicy, dates: readonly BusinessDate[]): Simulation {
  let current = start;
  const entries: LedgerEntry[] = [];
  let capped = false;
  for (const asOf of dates) {
    const result = assess(current, p, asOf, RUN);
    if (result.kind !== 'change') continue;
    entries.push(...result.ledgerEntries);
    capped ||= result.outcome.capped;
    current = applyUpdate(current, result.update);
  }
  return { final: current, entries, capped };
}

const datesAfter = (from: BusinessDate, n: number): BusinessDate[] =>
  Array.from({ length: n }, (_, i) => addDays(from, i + 1));

const total = (l: Loan) => l.lateFeesCharged + l.penaltyCharged;
const sumOf = (entries: readonly LedgerEntry[], kind: LedgerEntry['kind']) =>
  entries.filter((e) => e.kind === kind).reduce((sum, e) => sum + e.amount, 0);

describe('catch-up equals daily runs', () => {
  it('one run at Dn charges what daily runs over D1..Dn charge', () => {
    fc.assert(
      fc.property(loanArb, policyArb, fc.integer({ min: 1, max: 120 }), (start, p, n) => {
        const dates = datesAfter(BASE, n);
        const daily = runDaily(start, p, dates);
        const once = runDaily(start, p, dates.slice(-1));
        expect(total(once.final)).toBe(total(daily.final));
        expect(once.final.status).toBe(daily.final.status);
        if (!daily.capped && !once.capped) {
          expect(once.final.penaltyCharged).toBe(daily.final.penaltyCharged);
          expect(once.final.lateFeesCharged).toBe(daily.final.lateFeesCharged);
        }
      }),
    );
  });
});

describe('invariants of every run', () => {
  it('never charges a negative or zero entry, never exceeds the cap, and the ledger adds up', () => {
    fc.assert(
      fc.property(loanArb, policyArb, fc.integer({ min: 1, max: 120 }), (start, p, n) => {
        const { final, entries } = runDaily(start, p, datesAfter(BASE, n));
        for (const entry of entries) {
          expect(entry.amount).toBeGreaterThan(0);
          // An entry is the total of its lines, one line per instalment charged.
          expect(entry.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(entry.amount);
          for (const line of entry.lines) expect(line.amount).toBeGreaterThan(0);
          const seqs = entry.lines.map((line) => line.installmentSeq);
          expect(new Set(seqs).size).toBe(seqs.length);
        }
        expect(BigInt(total(final)) <= chargesCap(final.principal, p)).toBe(true);
        expect(sumOf(entries, 'PENALTY_INTEREST')).toBe(final.penaltyCharged);
        expect(sumOf(entries, 'LATE_FEE')).toBe(final.lateFeesCharged);
        expect(new Set(entries.map((e) => `${e.asOf}#${e.entryId}`)).size).toBe(entries.length);
      }),
    );
  });

  it('a second run for the same date charges nothing and changes nothing', () => {
    fc.assert(
      fc.property(loanArb, policyArb, fc.integer({ min: 1, max: 90 }), (start, p, n) => {
        const dates = datesAfter(BASE, n);
        const { final } = runDaily(start, p, dates);
        const last = dates[dates.length - 1] ?? BASE;
        const again = assess(final, p, last, RUN);
        expect(again.kind).toBe('unchanged');
      }),
    );
  });

  it('never charges a loan paid within grace', () => {
    fc.assert(
      fc.property(
        loanArb,
        policyArb,
        fc.nat(),
        fc.integer({ min: 1, max: 60 }),
        (generated, p, paidAfterSeed, tail) => {
          const first = generated.installments[0];
          if (!first) return;
          const single = { ...generated, installments: [first] };
          const paidOn = addDays(first.dueDate, paidAfterSeed % (p.graceDays + 1));
          const before = datesAfter(BASE, daysUntil(BASE, paidOn));
          const unpaidRuns = runDaily(single, p, before);
          const paid: Loan = {
            ...unpaidRuns.final,
            installments: unpaidRuns.final.installments.map((inst) => ({
              ...inst,
              principalPaid: inst.principalDue,
              interestPaid: inst.interestDue,
            })),
          };
          const afterRuns = runDaily(paid, p, datesAfter(paidOn, tail));
          expect([...unpaidRuns.entries, ...afterRuns.entries]).toEqual([]);
        },
      ),
    );
  });
});

function daysUntil(from: BusinessDate, to: BusinessDate): number {
  let n = 0;
  while (addDays(from, n) < to) n += 1;
  return n;
}
