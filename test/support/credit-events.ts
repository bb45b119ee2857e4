/**
 * Loan events as the sweep builds them (`buildLoanEvent`), for the credit record tests: the
 * events a record is made of (overdue, cure, charge-off, notice) and some it ignores.
 */
import fc from 'fast-check';
import type { RiskClass } from '../../functions/contract/events';
import { monthOf, settlementDateOf } from '../../functions/core/credit-records';
import { addDays } from '../../functions/core/dates';
import type { ParsedEvent } from '../../functions/core/event-message';
import { buildLoanEvent } from '../../functions/core/events';
import type { Bucket, BusinessDate, RunContext } from '../../functions/core/types';

const d = (text: string) => text as BusinessDate;

/** The run every builder uses unless given one: the date's whole run. */
export const runOf = (asOf: string): RunContext => ({
  runId: `sweep-${asOf}`,
  occurredAt: `${asOf}T00:30:05.000Z`,
});

/** The loan a builder's event is about. */
export interface Who {
  readonly loanId: string;
  readonly borrowerId: string;
}

export const loanNamed = (loanId: string, borrowerId = `B-${loanId}`): Who => ({
  loanId,
  borrowerId,
});

function bucketOf(dpd: number): Bucket {
  if (dpd <= 0) return 'M0';
  return `M${Math.min(7, Math.ceil(dpd / 30))}` as Bucket;
}

export interface OverdueOptions {
  readonly amountOverdue?: number;
  readonly currency?: string;
  readonly inGrace?: boolean;
  readonly forbearance?: boolean;
  readonly riskClass?: RiskClass;
  readonly creditNoticeOn?: string;
  readonly run?: RunContext;
}

export function overdueOn(who: Who, asOf: string, dpd: number, options: OverdueOptions = {}) {
  const bucket = bucketOf(dpd);
  return buildLoanEvent('loan.overdue', who, { bucket, dpd }, d(asOf), options.run ?? runOf(asOf), {
    dpd,
    bucket,
    inGrace: options.inGrace ?? dpd <= 3,
    forbearance: options.forbearance ?? false,
    amountOverdue: options.amountOverdue ?? 10_300,
    currency: options.currency ?? 'CNY',
    ...(options.riskClass && { riskClass: options.riskClass }),
    ...(options.creditNoticeOn && { creditNoticeOn: d(options.creditNoticeOn) }),
  }) as ParsedEvent;
}

/** `loan.delinquency_changed` to `M0`: the loan is cured. */
export function curedOn(who: Who, asOf: string, from: Bucket = 'M1', run?: RunContext) {
  return buildLoanEvent(
    'loan.delinquency_changed',
    who,
    { bucket: 'M0', dpd: 0 },
    d(asOf),
    run ?? runOf(asOf),
    { from, to: 'M0', dpd: 0 },
  ) as ParsedEvent;
}

export function chargedOffOn(
  who: Who,
  asOf: string,
  dpd = 180,
  principalOutstanding = 8_000,
  run?: RunContext,
) {
  return buildLoanEvent(
    'loan.charged_off',
    who,
    { bucket: bucketOf(dpd), dpd },
    d(asOf),
    run ?? runOf(asOf),
    { dpd, principalOutstanding, chargesTotal: 1_200, currency: 'CNY' },
  ) as ParsedEvent;
}

export function noticeOn(who: Who, asOf: string, dpd = 1, run?: RunContext) {
  return buildLoanEvent(
    'loan.credit_report_notice',
    who,
    { bucket: bucketOf(dpd), dpd },
    d(asOf),
    run ?? runOf(asOf),
    {
      dpd,
      amountOverdue: 10_300,
      currency: 'CNY',
      settlementDate: settlementDateOf(monthOf(d(asOf))),
      delinquentSince: addDays(d(asOf), 1 - dpd),
    },
  ) as ParsedEvent;
}

export function dueSoonOn(who: Who, asOf: string, run?: RunContext) {
  return buildLoanEvent(
    'loan.payment_due_soon',
    who,
    { bucket: 'M0', dpd: 0 },
    d(asOf),
    run ?? runOf(asOf),
    {
      installmentSeq: 1,
      dueDate: addDays(d(asOf), 3),
      daysUntilDue: 3,
      amountDue: 900,
      currency: 'CNY',
    },
  ) as ParsedEvent;
}

export function feeOn(who: Who, asOf: string, run?: RunContext) {
  return buildLoanEvent(
    'loan.fee_applied',
    who,
    { bucket: 'M1', dpd: 5 },
    d(asOf),
    run ?? runOf(asOf),
    { lateFee: 500, penaltyInterest: 45, currency: 'CNY', capped: false, entryIds: [] },
  ) as ParsedEvent;
}

/**
 * Any event of one loan in March 2026 that may or may not concern its credit record: overdue
 * with any flags, cures, charge-offs, notices, and events a record ignores.
 */
export function marchEventArb(who: Who): fc.Arbitrary<ParsedEvent> {
  const day = fc.integer({ min: 1, max: 31 }).map((n) => `2026-03-${String(n).padStart(2, '0')}`);
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .record({
          asOf: day,
          dpd: fc.integer({ min: 1, max: 400 }),
          amount: fc.nat(1_000_000),
          inGrace: fc.boolean(),
          forbearance: fc.boolean(),
          riskClass: fc.option(
            fc.constantFrom<RiskClass>('SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'),
            { nil: undefined },
          ),
          notice: fc.option(fc.integer({ min: 1, max: 28 }), { nil: undefined }),
        })
        .map(({ asOf, dpd, amount, inGrace, forbearance, riskClass, notice }) =>
          overdueOn(who, asOf, dpd, {
            amountOverdue: amount,
            inGrace,
            forbearance,
            ...(riskClass && { riskClass }),
            ...(notice !== undefined && {
              creditNoticeOn: `2026-02-${String(notice).padStart(2, '0')}`,
            }),
          }),
        ),
    },
    { weight: 2, arbitrary: day.map((asOf) => curedOn(who, asOf)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(day, fc.integer({ min: 90, max: 400 }), fc.nat(100_000))
        .map(([asOf, dpd, principal]) => chargedOffOn(who, asOf, dpd, principal)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(day, fc.integer({ min: 1, max: 60 }))
        .map(([asOf, dpd]) => noticeOn(who, asOf, dpd)),
    },
    { weight: 1, arbitrary: day.map((asOf) => dueSoonOn(who, asOf)) },
    { weight: 1, arbitrary: day.map((asOf) => feeOn(who, asOf)) },
  );
}
