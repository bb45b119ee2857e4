/**
 * Assessment of one loan for one business date (SPEC §4, §6): what to charge, the loan's new sweep
 * state and the events. It never writes; the sweep turns a 'change' into one transaction.
 */
import { computeCharges } from './charges';
import { addDays, daysBetween, minDate } from './dates';
import { bucketOf } from './delinquency';
import { buildLoanEvent } from './events';
import {
  amountOverdueOn,
  daysPastDueOn,
  isUnpaid,
  nextDueDateOf,
  unpaidAmount,
  unpaidPrincipal,
} from './installments';
import { sumMinorUnits } from './money';
import type {
  Assessment,
  BusinessDate,
  EventEnvelope,
  FeePolicy,
  Installment,
  Loan,
  LoanOutcome,
  LoanUpdate,
  RunContext,
} from './types';

/** The unpaid instalment due soonest in exactly one of the policy's reminder offsets, if any. */
function dueSoonInstallment(
  unpaid: readonly Installment[],
  policy: FeePolicy,
  asOf: BusinessDate,
): { readonly inst: Installment; readonly daysUntilDue: number } | undefined {
  let best: { inst: Installment; daysUntilDue: number } | undefined;
  for (const inst of unpaid) {
    const daysUntilDue = daysBetween(asOf, inst.dueDate);
    if (daysUntilDue < 0 || !policy.reminderOffsets.includes(daysUntilDue)) continue;
    if (!best || inst.dueDate < best.inst.dueDate) best = { inst, daysUntilDue };
  }
  return best;
}

/**
 * A loan upstream closed (paid off, cancelled) is never assessed, but one still carrying the index
 * key leaves the index (SPEC §3: the sweep removes `nextDueDate` when a loan leaves ACTIVE), so it
 * is not read again every day. Nothing else about it changes.
 */
function leaveIndex(loan: Loan, asOf: BusinessDate): Assessment {
  if (loan.nextDueDate === undefined) return { kind: 'unchanged', reason: 'not-active' };
  const update: LoanUpdate = {
    loanId: loan.loanId,
    expectedVersion: loan.version,
    version: loan.version + 1,
    accruedThrough:
      loan.accruedThrough !== undefined && loan.accruedThrough > asOf ? loan.accruedThrough : asOf,
    dpd: loan.dpd,
    bucket: loan.bucket,
    lateFeesCharged: loan.lateFeesCharged,
    penaltyCharged: loan.penaltyCharged,
    installments: [],
    nextDueDate: null,
  };
  const outcome: LoanOutcome = {
    loanId: loan.loanId,
    currency: loan.currency,
    overdue: false,
    dpd: loan.dpd,
    bucket: loan.bucket,
    previousBucket: loan.bucket,
    lateFee: 0,
    penaltyInterest: 0,
    capped: false,
    chargedOff: false,
  };
  return { kind: 'change', update, ledgerEntries: [], events: [], outcome };
}

/**
 * Assesses `loan` for business date `asOf` under `policy`.
 * @returns 'unchanged' (`not-active`, `already-swept` when accruedThrough ≥ asOf, or
 *   `nothing-to-change`), or 'change' with the conditional update, ledger entries (minor units),
 *   events and outcome. A leftover outbox is the sweep's business, not this function's.
 */
export function assess(
  loan: Loan,
  policy: FeePolicy,
  asOf: BusinessDate,
  run: RunContext,
): Assessment {
  if (loan.status !== 'ACTIVE') return leaveIndex(loan, asOf);
  if (loan.accruedThrough !== undefined && loan.accruedThrough >= asOf) {
    return { kind: 'unchanged', reason: 'already-swept' };
  }

  const unpaid = loan.installments.filter((inst) => isUnpaid(inst, policy));
  const dpd = daysPastDueOn(loan, policy, asOf);
  const oldestDue = dpd === 0 ? undefined : addDays(asOf, -dpd);
  const chargedOff = oldestDue !== undefined && dpd >= policy.chargeOffDpd;
  const end =
    oldestDue === undefined ? asOf : minDate(asOf, addDays(oldestDue, policy.chargeOffDpd));

  const charges = computeCharges(loan, policy, asOf, end, run);
  const lateFeesCharged = loan.lateFeesCharged + charges.lateFee;
  const penaltyCharged = loan.penaltyCharged + charges.penaltyInterest;
  const bucket = bucketOf(dpd);
  const state = { bucket, dpd };
  const inForbearance = loan.forbearanceUntil !== undefined && asOf <= loan.forbearanceUntil;

  const events: EventEnvelope[] = [];
  const dueSoon = chargedOff ? undefined : dueSoonInstallment(unpaid, policy, asOf);
  if (dueSoon) {
    events.push(
      buildLoanEvent('loan.payment_due_soon', loan, state, asOf, run, {
        installmentSeq: dueSoon.inst.seq,
        dueDate: dueSoon.inst.dueDate,
        daysUntilDue: dueSoon.daysUntilDue,
        amountDue: unpaidAmount(dueSoon.inst),
        currency: loan.currency,
      }),
    );
  }
  if (dpd >= 1) {
    events.push(
      buildLoanEvent('loan.overdue', loan, state, asOf, run, {
        dpd,
        bucket,
        inGrace: dpd <= policy.graceDays,
        forbearance: inForbearance,
        amountOverdue: amountOverdueOn(loan, policy, asOf),
        currency: loan.currency,
      }),
    );
  }
  if (charges.entries.length > 0) {
    events.push(
      buildLoanEvent('loan.fee_applied', loan, state, asOf, run, {
        lateFee: charges.lateFee,
        penaltyInterest: charges.penaltyInterest,
        currency: loan.currency,
        capped: charges.capped,
        entryIds: charges.entries.map((entry) => entry.entryId),
      }),
    );
  }
  if (bucket !== loan.bucket) {
    events.push(
      buildLoanEvent('loan.delinquency_changed', loan, state, asOf, run, {
        from: loan.bucket,
        to: bucket,
        dpd,
      }),
    );
  }
  if (chargedOff) {
    events.push(
      buildLoanEvent('loan.charged_off', loan, state, asOf, run, {
        dpd,
        principalOutstanding: sumMinorUnits(unpaid.map(unpaidPrincipal)),
        chargesTotal: lateFeesCharged + penaltyCharged,
        currency: loan.currency,
      }),
    );
  }

  const outcome: LoanOutcome = {
    loanId: loan.loanId,
    currency: loan.currency,
    overdue: dpd >= 1,
    dpd,
    bucket,
    previousBucket: loan.bucket,
    lateFee: charges.lateFee,
    penaltyInterest: charges.penaltyInterest,
    capped: charges.capped,
    chargedOff,
  };

  const nextDueDate = chargedOff ? null : nextDueDateOf(loan, policy);
  const unchanged =
    events.length === 0 &&
    charges.entries.length === 0 &&
    charges.installments.length === 0 &&
    !chargedOff &&
    dpd === loan.dpd &&
    bucket === loan.bucket &&
    nextDueDate === (loan.nextDueDate ?? null);
  if (unchanged) return { kind: 'unchanged', reason: 'nothing-to-change', outcome };

  const update: LoanUpdate = {
    loanId: loan.loanId,
    expectedVersion: loan.version,
    version: loan.version + 1,
    accruedThrough: asOf,
    dpd,
    bucket,
    lateFeesCharged,
    penaltyCharged,
    installments: charges.installments,
    ...(chargedOff ? { status: 'CHARGED_OFF' as const } : {}),
    nextDueDate,
  };
  return { kind: 'change', update, ledgerEntries: charges.entries, events, outcome };
}
