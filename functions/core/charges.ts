/**
 * The charging rules of docs/contract.md, Charges for one loan on one date: grace, retroactive penalty
 * interest, the one-off late fee, the cumulative cap and forbearance. Pure: returns what to post.
 */
import { addDays, daysBetween, maxDate, minDate } from './dates';
import { isUnpaid } from './installments';
import { minorUnitsFromBigInt } from './money';
import { paidOnOf, penaltySegments } from './payments';
import { divide, floorToInteger, fromInteger, min, multiply, toDecimalString } from './rational';
import type {
  BusinessDate,
  ChargeEntry,
  ChargeKind,
  FeePolicy,
  InstallmentUpdate,
  LedgerKind,
  LedgerLine,
  Loan,
  MinorUnits,
  Rational,
  RunContext,
} from './types';

const DAYS_PER_YEAR = fromInteger(365);

/** Penalty daily rate: `dailyInterestRate × penaltyRateMultiplier`, at most `maxPenaltyAnnualRate ÷ 365`. */
export function penaltyDailyRate(dailyInterestRate: Rational, policy: FeePolicy): Rational {
  return min(
    multiply(dailyInterestRate, policy.penaltyRateMultiplier),
    divide(policy.maxPenaltyAnnualRate, DAYS_PER_YEAR),
  );
}

/** The most a loan may be charged in total, minor units: `floor(maxChargesRatio × principal)`. */
export function chargesCap(principal: MinorUnits, policy: FeePolicy): bigint {
  const cap = floorToInteger(multiply(policy.maxChargesRatio, fromInteger(principal)));
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return cap > safe ? safe : cap;
}

/**
 * `<asOf>#<kind>`: one entry per kind per loan and business date, so a retried or concurrent
 * write of the same charge can never post it twice.
 */
export function ledgerEntryIdOf(asOf: BusinessDate, kind: LedgerKind): string {
  return `${asOf}#${kind}`;
}

/** One ledger entry of `kind` whose amount is the sum of its lines; none when there are no lines. */
function entryOf(
  kind: ChargeKind,
  lines: readonly LedgerLine[],
  head: Pick<ChargeEntry, 'loanId' | 'currency' | 'asOf' | 'runId'>,
): ChargeEntry[] {
  if (lines.length === 0) return [];
  let amount = 0n;
  for (const line of lines) amount += BigInt(line.amount);
  return [
    {
      ...head,
      entryId: ledgerEntryIdOf(head.asOf, kind),
      kind,
      amount: minorUnitsFromBigInt(amount),
      lines,
    },
  ];
}

/** What one assessment charges. Amounts in minor units. */
export interface Charges {
  /** Instalments whose sweep fields change, with their new values. */
  readonly installments: readonly InstallmentUpdate[];
  /** At most one ledger entry per kind (late fees first), each with amount > 0. */
  readonly entries: readonly ChargeEntry[];
  readonly lateFee: MinorUnits;
  readonly penaltyInterest: MinorUnits;
  /** True when the cap cut any charge (also one cut to nothing). */
  readonly capped: boolean;
}

/**
 * Applies docs/contract.md, Charges to every unpaid instalment overdue on `asOf`, with the value-dated
 * penalty base of rule 7. An instalment with `payments` that is paid by now but was paid after grace
 * is still charged for the dates up to the day it was paid that no run has charged yet, so one
 * catch-up run charges what the daily runs would have; one paid within grace is never charged.
 * @param end the last date charges accrue for: `asOf`, or the charge-off date when earlier.
 *   Grace is judged at `end` too, so a catch-up run past the charge-off date charges exactly
 *   what the daily runs up to the charge-off would have.
 */
/**
 * True when `date` falls within the loan's forbearance (`date ≤ forbearanceUntil`, docs/contract.md,
 * Charges rule 5): nothing accrues for it, and no plan is offered while it lasts.
 */
export function isForborneOn(loan: Pick<Loan, 'forbearanceUntil'>, date: BusinessDate): boolean {
  return loan.forbearanceUntil !== undefined && date <= loan.forbearanceUntil;
}

export function computeCharges(
  loan: Loan,
  policy: FeePolicy,
  asOf: BusinessDate,
  end: BusinessDate,
  run: RunContext,
): Charges {
  const inForbearance = isForborneOn(loan, asOf);
  // A charge-off date inside a (since ended) forbearance: the daily runs would have charged
  // nothing up to it, so neither does a catch-up run.
  const endForborne = isForborneOn(loan, end);
  const rate = penaltyDailyRate(loan.dailyInterestRate, policy);
  const rateText = toDecimalString(rate);
  let remaining =
    chargesCap(loan.principal, policy) - BigInt(loan.lateFeesCharged + loan.penaltyCharged);
  if (remaining < 0n) remaining = 0n;

  const installments: InstallmentUpdate[] = [];
  const lateFeeLines: LedgerLine[] = [];
  const penaltyLines: LedgerLine[] = [];
  let lateFeeTotal = 0n;
  let penaltyTotal = 0n;
  let capped = false;

  /** Cuts `amount` to what the cap still allows and books it against the cap. */
  const post = (amount: bigint): { posted: bigint; cut: boolean } => {
    const posted = amount < remaining ? amount : remaining;
    remaining -= posted;
    const cut = posted < amount;
    if (cut) capped = true;
    return { posted, cut };
  };

  for (const inst of loan.installments) {
    if (!(inst.dueDate < asOf)) continue;
    const unpaid = isUnpaid(inst, policy);
    // Paid by now (value dates): only the dates up to the day it was paid can still be owed.
    const paidOn = unpaid ? undefined : paidOnOf(inst, policy);
    if (!unpaid && (paidOn === undefined || paidOn <= addDays(inst.dueDate, policy.graceDays))) {
      continue;
    }
    const stop = paidOn === undefined ? end : minDate(end, paidOn);
    const previousThrough = inst.penaltyThrough;
    let penaltyThrough = previousThrough;
    let lateFeeCharged = inst.lateFeeCharged;

    if (inForbearance) {
      // Forgiven for good: moving penaltyThrough means these dates can never be charged later.
      // A paid instalment is not overdue: nothing of it is forgiven.
      if (unpaid) {
        penaltyThrough = previousThrough === undefined ? end : maxDate(previousThrough, end);
      }
    } else if (!endForborne && daysBetween(inst.dueDate, end) > policy.graceDays) {
      let start = maxDate(previousThrough ?? inst.dueDate, inst.dueDate);
      if (loan.forbearanceUntil !== undefined) start = maxDate(start, loan.forbearanceUntil);
      // A paid instalment whose unpaid dates have all been charged (or forgiven) is settled.
      if (!unpaid && start >= stop) continue;
      if (lateFeeCharged === 0 && policy.lateFee > 0) {
        const { posted, cut } = post(BigInt(policy.lateFee));
        if (posted > 0n) {
          lateFeeCharged = minorUnitsFromBigInt(posted);
          lateFeeTotal += posted;
          lateFeeLines.push({
            amount: lateFeeCharged,
            installmentSeq: inst.seq,
            base: policy.lateFee,
            fromDate: asOf,
            toDate: asOf,
            days: 0,
            capped: cut,
          });
        }
      }
      const days = daysBetween(start, stop);
      if (days > 0) {
        const fromDate = addDays(start, 1);
        const { segments, total } = penaltySegments(inst, fromDate, stop, rate, policy.rounding);
        const { posted, cut } = post(total);
        // Dates cut by the cap are never charged later: penaltyThrough moves on regardless.
        penaltyThrough = stop;
        if (posted > 0n) {
          penaltyTotal += posted;
          penaltyLines.push({
            amount: minorUnitsFromBigInt(posted),
            installmentSeq: inst.seq,
            base: segments[0]?.base ?? 0,
            rate: rateText,
            fromDate,
            toDate: stop,
            days,
            capped: cut,
            ...(segments.length > 1 && { segments }),
          });
        }
      }
    }

    if (penaltyThrough !== previousThrough || lateFeeCharged !== inst.lateFeeCharged) {
      installments.push({
        seq: inst.seq,
        ...(penaltyThrough === undefined ? {} : { penaltyThrough }),
        lateFeeCharged,
      });
    }
  }

  const head = { loanId: loan.loanId, currency: loan.currency, asOf, runId: run.runId };
  return {
    installments,
    entries: [
      ...entryOf('LATE_FEE', lateFeeLines, head),
      ...entryOf('PENALTY_INTEREST', penaltyLines, head),
    ],
    lateFee: minorUnitsFromBigInt(lateFeeTotal),
    penaltyInterest: minorUnitsFromBigInt(penaltyTotal),
    capped,
  };
}
