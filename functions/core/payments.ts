/**
 * Value-dated payments (docs/contract.md, Loans table `payments`, docs/contract.md, Value-dated payments): the penalty base of an instalment on a
 * date, the date it became paid, "paid within grace" judged on value dates, and the payments the
 * sweep has not yet accounted for. An instalment without `payments` has the constant base
 * `principalDue − principalPaid` and is never "paid on" a date, exactly as before rule 7.
 */
import { addDays, daysBetween } from './dates';
import { fromInteger, multiply, roundToInteger } from './rational';
import type {
  BaseSegment,
  BusinessDate,
  ChargedSegment,
  FeePolicy,
  Installment,
  MinorUnits,
  Payment,
  Rational,
  RoundingMode,
} from './types';

/**
 * The penalty base of `inst` on `date`, minor units: `principalDue −` the principal of its payments
 * value-dated before `date` (a payment stops penalty from the day after its value date). Without
 * `payments`: `principalDue − principalPaid`.
 */
export function penaltyBaseOn(inst: Installment, date: BusinessDate): MinorUnits {
  if (inst.payments === undefined) return inst.principalDue - inst.principalPaid;
  let paid = 0;
  for (const payment of inst.payments) if (payment.valueDate < date) paid += payment.principal;
  return inst.principalDue - paid;
}

/**
 * The value-dated penalty base of `inst` over the dates `from … to` (inclusive), one segment per
 * constant base, in date order; empty when `to` is before `from`.
 */
export function baseSegments(
  inst: Installment,
  from: BusinessDate,
  to: BusinessDate,
): BaseSegment[] {
  if (to < from) return [];
  // The base changes on the day after a value date; those days inside the range split it.
  const changes = new Set<BusinessDate>();
  for (const payment of inst.payments ?? []) {
    const day = addDays(payment.valueDate, 1);
    if (day > from && day <= to) changes.add(day);
  }
  const starts = [from, ...[...changes].sort()];
  return starts.map((start, index) => {
    const next = starts[index + 1];
    const end = next === undefined ? to : addDays(next, -1);
    return {
      fromDate: start,
      toDate: end,
      days: daysBetween(start, end) + 1,
      base: penaltyBaseOn(inst, start),
    };
  });
}

/** The penalty of one date on `base` minor units at `rate` a day, rounded to minor units. */
export function dailyPenalty(base: MinorUnits, rate: Rational, rounding: RoundingMode): bigint {
  return roundToInteger(multiply(fromInteger(base), rate), rounding);
}

/**
 * The penalty of `inst` over `from … to` at `rate`: per segment of constant base, its days × the
 * rounded daily amount (so one catch-up run equals the daily runs). Minor units, before any cap.
 */
export function penaltySegments(
  inst: Installment,
  from: BusinessDate,
  to: BusinessDate,
  rate: Rational,
  rounding: RoundingMode,
): { readonly segments: readonly ChargedSegment[]; readonly total: bigint } {
  let total = 0n;
  const segments = baseSegments(inst, from, to).map((segment) => {
    const amount = dailyPenalty(segment.base, rate, rounding) * BigInt(segment.days);
    total += amount;
    return { ...segment, amount: Number(amount) };
  });
  return { segments, total };
}

/**
 * The business date on which `inst` became paid (within `arrearsTolerance`) by its payments' value
 * dates: the earliest value date by which they leave at most the tolerance unpaid, or its due date
 * when nothing beyond the tolerance was ever owed. Undefined without `payments` or while unpaid.
 */
export function paidOnOf(inst: Installment, policy: FeePolicy): BusinessDate | undefined {
  if (inst.payments === undefined) return undefined;
  let unpaid = inst.principalDue + inst.interestDue;
  if (unpaid <= policy.arrearsTolerance) return inst.dueDate;
  const byValueDate = [...inst.payments].sort((a, b) => a.valueDate.localeCompare(b.valueDate));
  for (const payment of byValueDate) {
    unpaid -= payment.principal + payment.interest;
    if (unpaid <= policy.arrearsTolerance) return payment.valueDate;
  }
  return undefined;
}

/**
 * True when `inst` counts as paid within grace by value dates (rule 7): fully paid, within the
 * tolerance, by payments value-dated on or before `dueDate + graceDays`.
 */
export function isPaidWithinGrace(inst: Installment, policy: FeePolicy): boolean {
  const paidOn = paidOnOf(inst, policy);
  return paidOn !== undefined && paidOn <= addDays(inst.dueDate, policy.graceDays);
}

/** The payments of `inst` not yet in its `paymentsApplied`, in their order on the item. */
export function unappliedPayments(inst: Installment): Payment[] {
  const applied = new Set(inst.paymentsApplied);
  return (inst.payments ?? []).filter((payment) => !applied.has(payment.paymentId));
}

/**
 * The payments that make a run recompute the charges on `inst` (rule 7): not yet applied and
 * value-dated before `penaltyThrough`, i.e. they lower the base of dates already charged or forgiven.
 */
export function backdatedPayments(inst: Installment): Payment[] {
  const through = inst.penaltyThrough;
  if (through === undefined) return [];
  return unappliedPayments(inst).filter((payment) => payment.valueDate < through);
}

/**
 * `paymentsApplied` once the payments of `inst` are accounted for: the list as it was, then the ids
 * not in it yet. Undefined when nothing is new.
 */
export function paymentsAppliedAfter(inst: Installment): readonly string[] | undefined {
  const fresh = unappliedPayments(inst).map((payment) => payment.paymentId);
  if (fresh.length === 0) return undefined;
  return [...inst.paymentsApplied, ...new Set(fresh)];
}
