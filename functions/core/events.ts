/**
 * Events (docs/contract.md, Events): deterministic ids, the envelope, the typed data of each type, and the SNS
 * message attributes that subscription filter policies match on.
 */
import { EVENT_TYPES, type RiskClass } from '../contract/events';
import type {
  Bucket,
  BusinessDate,
  CurrencyCode,
  EventAttributes,
  EventEnvelope,
  EventType,
  Loan,
  MinorUnits,
  RunContext,
} from './types';

/** The event types that concern one loan (all but `sweep.completed`). */
export type LoanEventType = Exclude<EventType, 'sweep.completed'>;

/** True when `value` names an event type. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** `loan.payment_due_soon`: an unpaid instalment is due in exactly one of the reminder offsets. */
export type DueSoonData = {
  readonly installmentSeq: number;
  readonly dueDate: BusinessDate;
  /** Days from `asOf` to `dueDate` (0 = due today). */
  readonly daysUntilDue: number;
  /** Unpaid principal + interest of that instalment, minor units. */
  readonly amountDue: MinorUnits;
  readonly currency: CurrencyCode;
};

/** `loan.overdue`: sent on every run while the loan's dpd ≥ 1. */
export type OverdueData = {
  readonly dpd: number;
  readonly bucket: Bucket;
  /** `dpd ≤ graceDays`. */
  readonly inGrace: boolean;
  /** `asOf ≤ forbearanceUntil`. */
  readonly forbearance: boolean;
  /** Unpaid principal + interest of the overdue instalments (charges not included), minor units. */
  readonly amountOverdue: MinorUnits;
  readonly currency: CurrencyCode;
  /**
   * The episode's state after this run (docs/contract.md, Delinquency episodes). Optional: events
   * recorded before the episode rules existed lack them, and consumers must read those too.
   */
  readonly riskClass?: RiskClass;
  /** The day after the oldest unpaid instalment's due date: when the episode began. */
  readonly delinquentSince?: BusinessDate;
  /** True while the loan holds the borrower's credit line frozen. */
  readonly creditHold?: boolean;
  /** The date the episode's credit-report notice was raised; absent until it is. */
  readonly creditNoticeOn?: BusinessDate;
  /** True while a promise to pay is pending (after this run's decision of it). */
  readonly promisePending?: boolean;
};

/**
 * `loan.fee_applied`: this run charged something. Amounts in minor units. `entryIds`: the ledger
 * entries written with this run's update, as {@link listedIds} lists them (at most
 * {@link MAX_LISTED_IDS}; `entryIdCount`, how many there are, only when the list is cut).
 */
export type FeeAppliedData = {
  readonly lateFee: MinorUnits;
  readonly penaltyInterest: MinorUnits;
  readonly currency: CurrencyCode;
  /** True when the charges cap cut any charge of this run. */
  readonly capped: boolean;
} & ListedIds<'entryIds', 'entryIdCount'>;

/**
 * `loan.charges_reversed`: this run gave charges back after backdated payments (docs/contract.md, Value-dated payments).
 * Amounts in minor units. Listed as {@link listedIds} lists them (at most {@link MAX_LISTED_IDS},
 * the count beside only when a list is cut): `paymentIds`, the payments that caused the
 * reversals (the ledger's reversal entries list them all), and `entryIds`, the reversal entries
 * written with this run's update.
 */
export type ChargesReversedData = {
  readonly lateFeeReversed: MinorUnits;
  readonly penaltyReversed: MinorUnits;
  readonly currency: CurrencyCode;
} & ListedIds<'paymentIds', 'paymentIdCount'> &
  ListedIds<'entryIds', 'entryIdCount'>;

/** `loan.delinquency_changed`: the bucket changed, either way (recovery to M0 included). */
export type DelinquencyChangedData = {
  readonly from: Bucket;
  readonly to: Bucket;
  readonly dpd: number;
};

/** `loan.risk_class_changed`: the loan's five-category classification changed, either way. */
export type RiskClassChangedData = {
  readonly from: RiskClass;
  readonly to: RiskClass;
  readonly dpd: number;
};

/** `loan.credit_hold`: the loan puts the borrower's credit line on hold (the limits service freezes it). */
export type CreditHoldData = {
  readonly dpd: number;
  readonly bucket: Bucket;
  readonly delinquentSince: BusinessDate;
};

/** `loan.credit_released`: a held loan was cured or left the index other than by charge-off. */
export type CreditReleasedData = {
  readonly dpd: number;
  readonly delinquentSince: BusinessDate;
};

/**
 * `loan.credit_report_notice`: the borrower must be told that the overdue will be reported to the
 * credit reference system on `settlementDate` (the last day of the month of `asOf`) unless repaid.
 * Amounts in minor units.
 */
export type CreditReportNoticeData = {
  readonly dpd: number;
  readonly amountOverdue: MinorUnits;
  readonly currency: CurrencyCode;
  readonly settlementDate: BusinessDate;
  readonly delinquentSince: BusinessDate;
};

/** `loan.hardship_offer`: a repayment plan is offered. Amounts in minor units. */
export type HardshipOfferData = {
  /** `<loanId>:hardship:<delinquentSince>`: the link the borrower follows. */
  readonly offerId: string;
  readonly dpd: number;
  readonly amountOverdue: MinorUnits;
  readonly currency: CurrencyCode;
};

/** `loan.promise_kept` / `loan.promise_broken`: a promise to pay was decided. Minor units. */
export type PromiseDecidedData = {
  readonly promiseId: string;
  readonly until: BusinessDate;
  /** What the borrower promised to pay. */
  readonly amount: MinorUnits;
  /** What the borrower paid with value dates within the promise's dates. */
  readonly paid: MinorUnits;
  readonly currency: CurrencyCode;
};

/** `loan.charged_off`: the loan reached `chargeOffDpd`. Amounts in minor units. */
export type ChargedOffData = {
  readonly dpd: number;
  /** Unpaid principal over all instalments. */
  readonly principalOutstanding: MinorUnits;
  /** `lateFeesCharged + penaltyCharged` after this run. */
  readonly chargesTotal: MinorUnits;
  readonly currency: CurrencyCode;
};

/** The data each loan event type carries (type aliases, so each is a `Record<string, unknown>`). */
export interface LoanEventDataByType {
  readonly 'loan.payment_due_soon': DueSoonData;
  readonly 'loan.overdue': OverdueData;
  readonly 'loan.fee_applied': FeeAppliedData;
  readonly 'loan.charges_reversed': ChargesReversedData;
  readonly 'loan.delinquency_changed': DelinquencyChangedData;
  readonly 'loan.risk_class_changed': RiskClassChangedData;
  readonly 'loan.credit_hold': CreditHoldData;
  readonly 'loan.credit_released': CreditReleasedData;
  readonly 'loan.credit_report_notice': CreditReportNoticeData;
  readonly 'loan.hardship_offer': HardshipOfferData;
  readonly 'loan.promise_kept': PromiseDecidedData;
  readonly 'loan.promise_broken': PromiseDecidedData;
  readonly 'loan.charged_off': ChargedOffData;
}

/**
 * Most ids an event lists (payments, ledger entries), so every event fits one SNS message whatever
 * the loan (100 payment ids of at most 256 characters are some 26 KB); the full lists stay in the
 * ledger, and a count beside each list says how long it is.
 */
export const MAX_LISTED_IDS = 100;

/**
 * An id list as an event carries it under `field`: all of `ids` when they are at most
 * {@link MAX_LISTED_IDS}, otherwise the first ones and their count under `countField`.
 */
export function listedIds<F extends string, C extends string>(
  field: F,
  countField: C,
  ids: readonly string[],
): ListedIds<F, C> {
  const listed =
    ids.length <= MAX_LISTED_IDS
      ? { [field]: ids }
      : { [field]: ids.slice(0, MAX_LISTED_IDS), [countField]: ids.length };
  return listed as ListedIds<F, C>;
}

/** An id list under `F`, with its count under `C` when it was cut. */
export type ListedIds<F extends string, C extends string> = {
  readonly [K in F]: readonly string[];
} & { readonly [K in C]?: number };

/** `loanId:type:asOf`: a re-run for the same date re-sends the same id. */
export function eventIdOf(type: LoanEventType, asOf: BusinessDate, loanId: string): string {
  return `${loanId}:${type}:${asOf}`;
}

/** `sweep.completed:asOf:runId`. */
export function sweepCompletedEventId(asOf: BusinessDate, runId: string): string {
  return `sweep.completed:${asOf}:${runId}`;
}

/**
 * Builds a loan event; `state` is the loan's bucket and dpd after the assessment, which every
 * loan event carries so filter policies can match on them.
 */
export function buildLoanEvent<T extends LoanEventType>(
  type: T,
  loan: Pick<Loan, 'loanId' | 'borrowerId'>,
  state: { readonly bucket: Bucket; readonly dpd: number },
  asOf: BusinessDate,
  run: RunContext,
  data: LoanEventDataByType[T],
): EventEnvelope<LoanEventDataByType[T]> {
  return {
    id: eventIdOf(type, asOf, loan.loanId),
    type,
    schemaVersion: 1,
    asOf,
    occurredAt: run.occurredAt,
    runId: run.runId,
    loanId: loan.loanId,
    borrowerId: loan.borrowerId,
    bucket: state.bucket,
    dpd: state.dpd,
    data,
  };
}

/** Builds the `sweep.completed` event; `summary` is the run summary of docs/contract.md, Sweep. */
export function buildSweepCompletedEvent(
  summary: Record<string, unknown>,
  asOf: BusinessDate,
  run: RunContext,
): EventEnvelope {
  return {
    id: sweepCompletedEventId(asOf, run.runId),
    type: 'sweep.completed',
    schemaVersion: 1,
    asOf,
    occurredAt: run.occurredAt,
    runId: run.runId,
    data: summary,
  };
}

/**
 * The message body of an event: the envelope exactly as docs/contract.md, Events defines it. `bucket` and `dpd`
 * ride on the stored envelope only to rebuild the message attributes when an outbox is re-sent;
 * consumers read them from `data` (or filter on the attributes), so they stay out of the body.
 */
export function messageBodyOf(event: EventEnvelope<unknown>): string {
  const { bucket: _bucket, dpd: _dpd, ...envelope } = event;
  return JSON.stringify(envelope);
}

/** The SNS message attributes: `eventType` always; `bucket` and `dpd` on loan events. */
export function eventAttributesOf(event: EventEnvelope<unknown>): EventAttributes {
  if (event.type === 'sweep.completed') return { eventType: event.type };
  return {
    eventType: event.type,
    ...(event.bucket === undefined ? {} : { bucket: event.bucket }),
    ...(event.dpd === undefined ? {} : { dpd: event.dpd }),
  };
}
