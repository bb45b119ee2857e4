/**
 * The value-dated payment rule (docs/contract.md, Value-dated payments) over generated loans, policies and payment schedules: with payments posted on
 * time one catch-up run equals the daily runs; after any backdated payments every instalment's net
 * charges equal the value-dated recomputation of what was charged (capped and forgiven dates as they
 * were); a re-run gives nothing back twice; totals never go negative; the ledger adds up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { penaltyDailyRate } from '../../../functions/core/charges';
import { addDays, maxDate } from '../../../functions/core/dates';
import { isChargeEntry } from '../../../functions/core/ledger';
import {
  backdatedPayments,
  isPaidWithinGrace,
  penaltySegments,
} from '../../../functions/core/payments';
import { parseDecimal, toDecimalString } from '../../../functions/core/rational';
import type {
  BusinessDate,
  FeePolicy,
  Installment,
  LedgerEntry,
  Loan,
} from '../../../functions/core/types';
import { ledgerBook, postPayments, withPayments } from '../../../local/fixtures/loans';
import {
  BASE,
  loanArb,
  type PaymentSpec,
  paymentSpecsArb,
  policyArb,
} from '../../support/arbitraries';

/** A payment as upstream posts it: on the item from the run of `postedOn` on. */
interface Posting {
  readonly seq: number;
  readonly payment: readonly [string, string, number, number];
  readonly postedOn: BusinessDate;
}

/** The generated loan with value-dated payments: what it had paid becomes an opening payment. */
function valueDated(generated: Loan): Loan {
  return {
    ...generated,
    installments: generated.installments.map((inst) =>
      withPayments(
        inst,
        inst.principalPaid + inst.interestPaid > 0
          ? [[`P0-${inst.seq}`, BASE, inst.principalPaid, inst.interestPaid]]
          : [],
      ),
    ),
  };
}

/** Concrete postings of `specs` on `start` (amounts never above what is left to pay). */
function postingsOf(start: Loan, specs: readonly PaymentSpec[]): Posting[] {
  const left = new Map(
    start.installments.map((i) => [
      i.seq,
      { principal: i.principalDue - i.principalPaid, interest: i.interestDue - i.interestPaid },
    ]),
  );
  return specs.flatMap((spec, index) => {
    const inst = start.installments[spec.installment % start.installments.length];
    const owed = inst && left.get(inst.seq);
    if (!inst || !owed) return [];
    const principal = Math.floor((owed.principal * spec.principalShare) / 100);
    const interest = Math.floor((owed.interest * spec.interestShare) / 100);
    owed.principal -= principal;
    owed.interest -= interest;
    const valueDate = maxDate(addDays(inst.dueDate, spec.valueOffset), addDays(BASE, 1));
    return [
      {
        seq: inst.seq,
        payment: [`P${index + 1}`, valueDate, principal, interest] as const,
        postedOn: addDays(valueDate, 1 + spec.delay),
      },
    ];
  });
}

interface Simulation {
  readonly final: Loan;
  readonly entries: readonly LedgerEntry[];
  readonly capped: boolean;
  /** Every total after every run (minor units). */
  readonly totals: readonly (readonly [number, number])[];
}

/** Runs the sweep on each date in turn, posting each payment before the run of its `postedOn`. */
function simulate(
  start: Loan,
  p: FeePolicy,
  postings: readonly Posting[],
  dates: readonly BusinessDate[],
): Simulation {
  const book = ledgerBook(start);
  const pending = [...postings];
  let capped = false;
  const totals: (readonly [number, number])[] = [];
  for (const asOf of dates) {
    for (const posting of pending.filter((x) => x.postedOn <= asOf)) {
      book.loan = postPayments(book.loan, posting.seq, [posting.payment]);
      pending.splice(pending.indexOf(posting), 1);
    }
    const result = book.run(p, asOf);
    if (result.kind === 'skip') throw new Error(result.reason);
    if (result.kind === 'change') capped ||= result.outcome.capped;
    totals.push([book.loan.lateFeesCharged, book.loan.penaltyCharged]);
  }
  return { final: book.loan, entries: book.entries, capped, totals };
}

const datesAfter = (from: BusinessDate, n: number): BusinessDate[] =>
  Array.from({ length: n }, (_, i) => addDays(from, i + 1));

/** The dates of a run over `n` days, extended so the last payment is seen and applied. */
function runDates(postings: readonly Posting[], n: number): BusinessDate[] {
  const lastPost = postings.reduce((last, x) => maxDate(last, x.postedOn), addDays(BASE, n));
  const dates: BusinessDate[] = [];
  for (let day = addDays(BASE, 1); day <= addDays(lastPost, 1); day = addDays(day, 1)) {
    dates.push(day);
  }
  return dates;
}

const linesOf = (entries: readonly LedgerEntry[], kind: LedgerEntry['kind'], seq: number) =>
  entries
    .filter((entry) => entry.kind === kind)
    .flatMap((entry) =>
      (entry.lines as readonly { installmentSeq: number; amount: number }[]).filter(
        (line) => line.installmentSeq === seq,
      ),
    );
const sum = (lines: readonly { amount: number }[]) => lines.reduce((s, l) => s + l.amount, 0);

/** Rule 7's correct amount of every charge on `inst`, from its charge lines in `entries`. */
function recomputed(loan: Loan, inst: Installment, entries: readonly LedgerEntry[], p: FeePolicy) {
  if (isPaidWithinGrace(inst, p)) return { penalty: 0, late: 0 };
  // A rate that does not terminate is written to 20 places; it was charged at its exact value.
  const rate = penaltyDailyRate(loan.dailyInterestRate, p);
  const exact = { rate, text: toDecimalString(rate) };
  let penalty = 0;
  for (const entry of entries.filter(isChargeEntry)) {
    if (entry.kind !== 'PENALTY_INTEREST') continue;
    for (const line of entry.lines.filter((l) => l.installmentSeq === inst.seq)) {
      const rate = line.rate === exact.text ? exact.rate : parseDecimal(line.rate ?? '');
      if (!rate) throw new Error('a penalty line without a rate');
      const { total } = penaltySegments(inst, line.fromDate, line.toDate, rate, p.rounding);
      penalty += Math.min(line.amount, Number(total));
    }
  }
  return { penalty, late: sum(linesOf(entries, 'LATE_FEE', inst.seq)) };
}

describe('catch-up equals daily runs with value-dated payments', () => {
  it('with payments posted on time, one run at Dn charges what daily runs over D1..Dn charge', () => {
    fc.assert(
      fc.property(
        loanArb,
        policyArb,
        paymentSpecsArb(0),
        fc.integer({ min: 1, max: 90 }),
        (generated, generatedPolicy, specs, n) => {
          // No charge-off: a loan charged off before its last payment is closed to new charges.
          const p = { ...generatedPolicy, chargeOffDpd: 10_000 };
          const start = valueDated(generated);
          const postings = postingsOf(start, specs);
          const dates = datesAfter(BASE, n);
          const daily = simulate(start, p, postings, dates);
          const once = simulate(start, p, postings, dates.slice(-1));
          expect(daily.entries.filter((e) => !isChargeEntry(e))).toEqual([]);
          if (!daily.capped && !once.capped) {
            expect([once.final.lateFeesCharged, once.final.penaltyCharged]).toEqual([
              daily.final.lateFeesCharged,
              daily.final.penaltyCharged,
            ]);
          }
        },
      ),
    );
  });
});

describe('after any sequence of backdated payments', () => {
  const scenario = fc
    .tuple(loanArb, policyArb, paymentSpecsArb(6), fc.integer({ min: 1, max: 90 }))
    .map(([generated, p, specs, n]) => {
      const start = valueDated(generated);
      const postings = postingsOf(start, specs);
      return { start, p, postings, dates: runDates(postings, n) };
    });

  it('every instalment’s net charges equal the value-dated recomputation of what was charged', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, postings, dates }) => {
        const { final, entries } = simulate(start, p, postings, dates);
        for (const inst of final.installments) {
          const correct = recomputed(final, inst, entries, p);
          const netPenalty =
            sum(linesOf(entries, 'PENALTY_INTEREST', inst.seq)) -
            sum(linesOf(entries, 'PENALTY_REVERSAL', inst.seq));
          const netLate =
            sum(linesOf(entries, 'LATE_FEE', inst.seq)) -
            sum(linesOf(entries, 'LATE_FEE_REVERSAL', inst.seq));
          expect({ seq: inst.seq, penalty: netPenalty, late: netLate }).toEqual({
            seq: inst.seq,
            ...correct,
          });
          expect(inst.lateFeeCharged).toBe(netLate);
          // No payment that lowers a date already charged or forgiven is left unaccounted for.
          expect(backdatedPayments(inst)).toEqual([]);
        }
      }),
      // Late fees come back only for an instalment paid in full within grace and posted after
      // the first charge: about 1 scenario in 70, so more runs than the default.
      { numRuns: 300 },
    );
  }, 60_000);

  it('totals never go negative, and the ledger invariant holds after every run', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, postings, dates }) => {
        const { final, entries, totals } = simulate(start, p, postings, dates);
        for (const [late, penalty] of totals) {
          expect(late).toBeGreaterThanOrEqual(0);
          expect(penalty).toBeGreaterThanOrEqual(0);
        }
        const total = (kind: LedgerEntry['kind']) =>
          entries.filter((e) => e.kind === kind).reduce((s, e) => s + e.amount, 0);
        expect(final.penaltyCharged).toBe(total('PENALTY_INTEREST') - total('PENALTY_REVERSAL'));
        expect(final.lateFeesCharged).toBe(total('LATE_FEE') - total('LATE_FEE_REVERSAL'));
        for (const entry of entries) {
          expect(entry.amount).toBeGreaterThan(0);
          expect(sum(entry.lines)).toBe(entry.amount);
          for (const line of entry.lines) expect(line.amount).toBeGreaterThan(0);
        }
        expect(new Set(entries.map((e) => e.entryId)).size).toBe(entries.length);
      }),
    );
  });

  it('a re-run gives nothing back twice, and neither does the next day', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, postings, dates }) => {
        const { final } = simulate(start, p, postings, dates);
        const last = dates.at(-1) ?? BASE;
        const book = ledgerBook(final);
        expect(book.run(p, last).kind).toBe('unchanged');
        const next = book.run(p, addDays(last, 1));
        const given = next.kind === 'change' ? next.ledgerEntries : [];
        expect(given.filter((e) => !isChargeEntry(e))).toEqual([]);
      }),
    );
  });
});
