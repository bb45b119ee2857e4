/**
 * Rule 7 of docs/contract.md, Charges: when a run finds a payment it has not yet accounted for, value-dated before
 * the instalment's `penaltyThrough`, the charges already posted on that instalment are recomputed
 * from the loan's ledger with the value-dated base, and whatever was charged beyond the correct
 * amounts (net of earlier reversals) is given back. Pure: returns the reversal entries and the new
 * per-instalment state; the sweep writes them with the rest of the run's update.
 */
import { ledgerEntryIdOf } from './charges';
import { addDays, daysBetween } from './dates';
import { minorUnitsFromBigInt } from './money';
import { backdatedPayments, baseSegments, isPaidWithinGrace, penaltySegments } from './payments';
import { parseDecimal, toDecimalString } from './rational';
import type {
  BusinessDate,
  FeePolicy,
  Installment,
  Loan,
  MinorUnits,
  PostedLine,
  Rational,
  ReversalEntry,
  ReversalKind,
  ReversalLine,
  RunContext,
} from './types';

/**
 * The first business date whose ledger entries rule 7 needs for `loan` on `asOf` (entries of earlier
 * dates cannot hold a charge on the instalments concerned), or undefined when no instalment has a
 * backdated payment to account for, or the loan is already swept for `asOf` (it is left as it is).
 */
export function ledgerNeededFrom(loan: Loan, asOf: BusinessDate): BusinessDate | undefined {
  if (loan.accruedThrough !== undefined && loan.accruedThrough >= asOf) return undefined;
  let earliest: BusinessDate | undefined;
  for (const inst of loan.installments) {
    if (backdatedPayments(inst).length === 0) continue;
    if (earliest === undefined || inst.dueDate < earliest) earliest = inst.dueDate;
  }
  // A charge on an instalment is posted by a run whose asOf is after its due date.
  return earliest === undefined ? undefined : addDays(earliest, 1);
}

/** True when some instalment of `loan` has a backdated payment not yet accounted for. */
export function hasBackdatedPayments(loan: Loan): boolean {
  return loan.installments.some((inst) => backdatedPayments(inst).length > 0);
}

/** What rule 7 gives back on a loan in one run. Amounts in minor units. */
export interface Reversals {
  /** At most one entry per kind (late fees first), each with amount > 0. */
  readonly entries: readonly ReversalEntry[];
  readonly lateFee: MinorUnits;
  readonly penaltyInterest: MinorUnits;
  /** The payments that caused the reversals, in instalment and payment order. */
  readonly paymentIds: readonly string[];
  /** seq → the instalment's late fee net of this run's reversal. */
  readonly lateFeeCharged: ReadonlyMap<number, MinorUnits>;
}

/** No reversal at all. */
export const NO_REVERSALS: Reversals = Object.freeze({
  entries: [],
  lateFee: 0,
  penaltyInterest: 0,
  paymentIds: [],
  lateFeeCharged: new Map<number, MinorUnits>(),
});

/** The result of recomputing a loan's charges, or why the ledger and the loan disagree. */
export type ReversalResult =
  | { readonly ok: true; readonly reversals: Reversals }
  | { readonly ok: false; readonly reason: string };

/**
 * The exact daily rate a charge line was posted at: the loan's current rate when its decimal text
 * is the one written (a non-terminating rate is written to 20 places), otherwise the text itself.
 */
function rateOf(text: string, current: Rational, currentText: string): Rational | undefined {
  return text === currentText ? current : parseDecimal(text);
}

const sumOf = (lines: readonly PostedLine[]) =>
  lines.reduce((total, line) => total + BigInt(line.amount), 0n);

interface Recomputed {
  readonly late?: ReversalLine;
  readonly penalty?: ReversalLine;
}

/** Rule 7 for one instalment with backdated payments: the late fee and penalty to give back. */
function recompute(
  inst: Installment,
  lines: readonly PostedLine[],
  policy: FeePolicy,
  rate: { readonly exact: Rational; readonly text: string },
): Recomputed | string {
  const paidWithinGrace = isPaidWithinGrace(inst, policy);
  const of = (kind: PostedLine['kind']) => lines.filter((line) => line.kind === kind);

  const penaltyLines = of('PENALTY_INTEREST');
  let correctPenalty = 0n;
  for (const line of penaltyLines) {
    if (paidWithinGrace || line.fromDate === undefined || line.toDate === undefined) continue;
    const lineRate = line.rate === undefined ? undefined : rateOf(line.rate, rate.exact, rate.text);
    if (lineRate === undefined) return `ledger entry ${line.entryId}: rate is not a number`;
    const { total } = penaltySegments(inst, line.fromDate, line.toDate, lineRate, policy.rounding);
    const posted = BigInt(line.amount);
    correctPenalty += total < posted ? total : posted;
  }
  const lateLines = of('LATE_FEE');
  const chargedLate = sumOf(lateLines);
  const correctLate = paidWithinGrace ? 0n : chargedLate;

  const line = (
    charged: bigint,
    reversedBefore: bigint,
    correct: bigint,
    detail: Partial<ReversalLine> = {},
  ): ReversalLine | undefined => {
    const amount = charged - reversedBefore - correct;
    // Never anything more for past dates: a payment only ever lowers what is correct.
    if (amount <= 0n) return undefined;
    return {
      installmentSeq: inst.seq,
      amount: minorUnitsFromBigInt(amount),
      charged: minorUnitsFromBigInt(charged),
      reversedBefore: minorUnitsFromBigInt(reversedBefore),
      correct: minorUnitsFromBigInt(correct),
      paidWithinGrace,
      ...detail,
    };
  };

  const late = line(chargedLate, sumOf(of('LATE_FEE_REVERSAL')), correctLate);
  let penaltyDetail: Partial<ReversalLine> = {};
  const dated = penaltyLines.filter((l) => l.fromDate !== undefined && l.toDate !== undefined);
  const first = dated.map((l) => l.fromDate as BusinessDate).sort()[0];
  const last = dated
    .map((l) => l.toDate as BusinessDate)
    .sort()
    .at(-1);
  if (first !== undefined && last !== undefined) {
    const rates = new Set(dated.map((l) => l.rate));
    const [only] = rates;
    penaltyDetail = {
      fromDate: first,
      toDate: last,
      days: dated.reduce(
        (n, l) => n + daysBetween(l.fromDate as BusinessDate, l.toDate as BusinessDate) + 1,
        0,
      ),
      ...(rates.size === 1 && only !== undefined && { rate: only }),
      segments: baseSegments(inst, first, last),
    };
  }
  const penalty = line(
    sumOf(penaltyLines),
    sumOf(of('PENALTY_REVERSAL')),
    correctPenalty,
    penaltyDetail,
  );
  return { ...(late && { late }), ...(penalty && { penalty }) };
}

/**
 * Recomputes, by rule 7, the charges on every instalment of `loan` with a backdated payment not yet
 * accounted for, from `history` (the loan's ledger lines since {@link ledgerNeededFrom}: charges and
 * earlier reversals), and gives back what was charged beyond the correct amounts.
 * @param penaltyRate the loan's exact penalty daily rate under `policy` (see `penaltyDailyRate`).
 * @returns the reversal entries (minor units), or a reason when they would exceed the loan's totals
 *   (its ledger and its totals disagree; nothing can be given back safely).
 */
export function computeReversals(
  loan: Loan,
  policy: FeePolicy,
  penaltyRate: Rational,
  history: readonly PostedLine[],
  asOf: BusinessDate,
  run: RunContext,
): ReversalResult {
  const rate = { exact: penaltyRate, text: toDecimalString(penaltyRate) };
  const lateLines: ReversalLine[] = [];
  const penaltyLines: ReversalLine[] = [];
  const latePayments: string[] = [];
  const penaltyPayments: string[] = [];
  const causing: string[] = [];
  const lateFeeCharged = new Map<number, MinorUnits>();

  for (const inst of loan.installments) {
    const backdated = backdatedPayments(inst);
    if (backdated.length === 0) continue;
    const lines = history.filter((line) => line.installmentSeq === inst.seq);
    const result = recompute(inst, lines, policy, rate);
    if (typeof result === 'string') return { ok: false, reason: result };
    const ids = backdated.map((payment) => payment.paymentId);
    if (result.late) {
      lateLines.push(result.late);
      latePayments.push(...ids);
      lateFeeCharged.set(inst.seq, Math.max(0, inst.lateFeeCharged - result.late.amount));
    }
    if (result.penalty) {
      penaltyLines.push(result.penalty);
      penaltyPayments.push(...ids);
    }
    if (result.late || result.penalty) causing.push(...ids);
  }

  const head = { loanId: loan.loanId, currency: loan.currency, asOf, runId: run.runId };
  const entryOf = (
    kind: ReversalKind,
    lines: readonly ReversalLine[],
    paymentIds: readonly string[],
  ): ReversalEntry[] =>
    lines.length === 0
      ? []
      : [
          {
            ...head,
            entryId: ledgerEntryIdOf(asOf, kind),
            kind,
            amount: minorUnitsFromBigInt(lines.reduce((s, l) => s + BigInt(l.amount), 0n)),
            paymentIds: [...new Set(paymentIds)],
            lines,
          },
        ];
  const entries = [
    ...entryOf('LATE_FEE_REVERSAL', lateLines, latePayments),
    ...entryOf('PENALTY_REVERSAL', penaltyLines, penaltyPayments),
  ];
  const total = (kind: ReversalKind) =>
    entries.filter((entry) => entry.kind === kind).reduce((s, entry) => s + entry.amount, 0);
  const lateFee = total('LATE_FEE_REVERSAL');
  const penaltyInterest = total('PENALTY_REVERSAL');
  if (lateFee > loan.lateFeesCharged) {
    return {
      ok: false,
      reason: `ledger: late fees to give back (${lateFee}) exceed lateFeesCharged (${loan.lateFeesCharged})`,
    };
  }
  if (penaltyInterest > loan.penaltyCharged) {
    return {
      ok: false,
      reason: `ledger: penalty to give back (${penaltyInterest}) exceeds penaltyCharged (${loan.penaltyCharged})`,
    };
  }
  return {
    ok: true,
    reversals: {
      entries,
      lateFee,
      penaltyInterest,
      paymentIds: [...new Set(causing)],
      lateFeeCharged,
    },
  };
}
