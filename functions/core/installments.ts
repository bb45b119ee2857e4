/**
 * What is owed on an instalment (docs/contract.md, Loans table): the tolerance rule for "unpaid", the penalty base, and
 * the loan-level facts derived from them (next due date, overdue on a date).
 */
import { daysBetween } from './dates';
import { sumMinorUnits } from './money';
import type { BusinessDate, FeePolicy, Installment, Loan, MinorUnits } from './types';

/** Unpaid principal + interest of an instalment, minor units (charges not included). */
export function unpaidAmount(inst: Installment): MinorUnits {
  return inst.principalDue + inst.interestDue - (inst.principalPaid + inst.interestPaid);
}

/** Unpaid principal, minor units: the penalty base (penalty is never on interest or fees). */
export function unpaidPrincipal(inst: Installment): MinorUnits {
  return inst.principalDue - inst.principalPaid;
}

/** True while more than the policy's `arrearsTolerance` (minor units) is left to pay. */
export function isUnpaid(inst: Installment, policy: FeePolicy): boolean {
  return unpaidAmount(inst) > policy.arrearsTolerance;
}

/**
 * The index key `nextDueDate`: the earliest unpaid instalment's due date; null when nothing is
 * unpaid or the loan is not ACTIVE (so the loan leaves the sparse index).
 */
export function nextDueDateOf(loan: Loan, policy: FeePolicy): BusinessDate | null {
  if (loan.status !== 'ACTIVE') return null;
  let earliest: BusinessDate | null = null;
  for (const inst of loan.installments) {
    if (isUnpaid(inst, policy) && (earliest === null || inst.dueDate < earliest)) {
      earliest = inst.dueDate;
    }
  }
  return earliest;
}

/**
 * True when some instalment is unpaid and due before `asOf` (docs/contract.md, Business dates), whatever the status: the
 * reminder service uses it to spare a borrower who has paid in the meantime.
 */
export function isOverdueOn(loan: Loan, policy: FeePolicy, asOf: BusinessDate): boolean {
  return loan.installments.some((inst) => inst.dueDate < asOf && isUnpaid(inst, policy));
}

/**
 * The loan's days past due on `asOf` (docs/contract.md, Charges): `asOf −` the oldest unpaid instalment due before
 * `asOf`, in days; 0 when nothing is overdue.
 */
export function daysPastDueOn(loan: Loan, policy: FeePolicy, asOf: BusinessDate): number {
  let oldest: BusinessDate | undefined;
  for (const inst of loan.installments) {
    if (
      inst.dueDate < asOf &&
      isUnpaid(inst, policy) &&
      (oldest === undefined || inst.dueDate < oldest)
    ) {
      oldest = inst.dueDate;
    }
  }
  return oldest === undefined ? 0 : daysBetween(oldest, asOf);
}

/**
 * Unpaid principal + interest of the instalments overdue on `asOf` (charges not included), minor
 * units: the `amountOverdue` of docs/contract.md, Events and of an overdue reminder.
 */
export function amountOverdueOn(loan: Loan, policy: FeePolicy, asOf: BusinessDate): MinorUnits {
  return sumMinorUnits(
    loan.installments
      .filter((inst) => inst.dueDate < asOf && isUnpaid(inst, policy))
      .map(unpaidAmount),
  );
}
