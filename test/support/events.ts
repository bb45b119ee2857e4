/**
 * Events for consumer unit tests, built with the sweep's own envelope builder (docs/contract.md, Events) so they
 * have exactly the shape the queues deliver.
 */

import type { ParsedEvent } from '../../functions/core/event-message';
import { buildLoanEvent, buildSweepCompletedEvent } from '../../functions/core/events';
import type { Bucket, BusinessDate } from '../../functions/core/types';
import { d, RUN } from '../../local/fixtures/loans';

export { d, installment, loan, policy } from '../../local/fixtures/loans';

const who = { loanId: 'L-1', borrowerId: 'B-1' };

export function dueSoonEvent(
  asOf: string,
  daysUntilDue: number,
  overrides: { installmentSeq?: number; dueDate?: string; amountDue?: number } = {},
) {
  return buildLoanEvent('loan.payment_due_soon', who, { bucket: 'M0', dpd: 0 }, d(asOf), RUN, {
    installmentSeq: overrides.installmentSeq ?? 1,
    dueDate: d(overrides.dueDate ?? asOf),
    daysUntilDue,
    amountDue: overrides.amountDue ?? 10_300,
    currency: 'CNY',
  }) as ParsedEvent & { type: 'loan.payment_due_soon' };
}

export function overdueEvent(
  asOf: string,
  dpd: number,
  overrides: {
    forbearance?: boolean;
    amountOverdue?: number;
    bucket?: Bucket;
    currency?: string;
  } = {},
) {
  const bucket = overrides.bucket ?? 'M1';
  return buildLoanEvent('loan.overdue', who, { bucket, dpd }, d(asOf), RUN, {
    dpd,
    bucket,
    inGrace: dpd <= 3,
    forbearance: overrides.forbearance ?? false,
    amountOverdue: overrides.amountOverdue ?? 10_300,
    currency: overrides.currency ?? 'CNY',
  }) as ParsedEvent & { type: 'loan.overdue' };
}

export function feeAppliedEvent(
  asOf: string,
  lateFee: number,
  penaltyInterest: number,
  currency = 'CNY',
) {
  return buildLoanEvent('loan.fee_applied', who, { bucket: 'M1', dpd: 5 }, d(asOf), RUN, {
    lateFee,
    penaltyInterest,
    currency,
    capped: false,
    entryIds: ['e-1'],
  }) as ParsedEvent;
}

export function chargesReversedEvent(
  asOf: string,
  lateFeeReversed: number,
  penaltyReversed: number,
  currency = 'CNY',
) {
  return buildLoanEvent('loan.charges_reversed', who, { bucket: 'M1', dpd: 5 }, d(asOf), RUN, {
    lateFeeReversed,
    penaltyReversed,
    currency,
    paymentIds: ['PAY-1'],
    entryIds: [`${asOf}#PENALTY_REVERSAL`],
  }) as ParsedEvent;
}

export function delinquencyChangedEvent(asOf: string, from: Bucket, to: Bucket) {
  return buildLoanEvent('loan.delinquency_changed', who, { bucket: to, dpd: 0 }, d(asOf), RUN, {
    from,
    to,
    dpd: 0,
  }) as ParsedEvent;
}

export function chargedOffEvent(asOf: string, principalOutstanding: number) {
  return buildLoanEvent('loan.charged_off', who, { bucket: 'M6', dpd: 180 }, d(asOf), RUN, {
    dpd: 180,
    principalOutstanding,
    chargesTotal: 5_000,
    currency: 'CNY',
  }) as ParsedEvent;
}

export function sweepCompletedEvent(asOf: string, summary: Record<string, unknown>) {
  return buildSweepCompletedEvent(summary, d(asOf) as BusinessDate, RUN) as ParsedEvent;
}
