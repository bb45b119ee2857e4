/**
 * The domain's shared vocabulary (docs/contract.md: Business dates, Loans table, Charges, Delinquency episodes, Sweep, Events). Types only: the rules live in the files named
 * beside each type, one place each.
 */
import type { Bucket, EventType, RiskClass } from '../contract/events';

/** Names the contract pins (functions/contract/events.ts). */
export type { Bucket, EventType, RiskClass };

/** A calendar date `YYYY-MM-DD` in the business time zone (see `dates.ts`). */
export type BusinessDate = string & { readonly __brand: 'BusinessDate' };

/** An integer count of a currency's minor unit (fen for CNY). Always a safe integer. */
export type MinorUnits = number;

/** An ISO 4217 currency code, e.g. `CNY`. */
export type CurrencyCode = string;

/**
 * An exact non-negative rational number (see `rational.ts`): rates are decimals such as
 * `0.0003`, and `maxPenaltyAnnualRate ÷ 365` does not terminate, so rates are kept as fractions.
 */
export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** How a fractional charge becomes minor units; applied only when a charge is posted. */
export type RoundingMode = 'HALF_UP' | 'HALF_EVEN';

/** A risk class below `NORMAL`: the classes a policy gives a starting dpd. */
export type AdverseRiskClass = Exclude<RiskClass, 'NORMAL'>;

/**
 * The days past due from which each class below `NORMAL` applies: integers ≥ 1, strictly
 * increasing from `SPECIAL_MENTION` to `LOSS` (see `policy.ts`).
 */
export type RiskClassThresholds = Readonly<Record<AdverseRiskClass, number>>;

/** A fully resolved fee policy (docs/contract.md, Charges; see `policy.ts`). */
export interface FeePolicy {
  /** Days after the due date within which a payment is on time. */
  readonly graceDays: number;
  readonly penaltyRateMultiplier: Rational;
  readonly maxPenaltyAnnualRate: Rational;
  /** Flat late fee per instalment, minor units; 0 = off. */
  readonly lateFee: MinorUnits;
  readonly maxChargesRatio: Rational;
  /** Unpaid amounts up to this many minor units count as paid. */
  readonly arrearsTolerance: MinorUnits;
  readonly chargeOffDpd: number;
  /** Days before a due date on which a due-soon event is sent, e.g. [3, 1, 0]. */
  readonly reminderOffsets: readonly number[];
  readonly rounding: RoundingMode;
  /** The dpd from which each risk class applies (docs/contract.md, Delinquency episodes). */
  readonly riskClassDpd: RiskClassThresholds;
  /** From this dpd (≥ 1) the loan puts the borrower's credit line on hold. */
  readonly creditHoldDpd: number;
  /** From this dpd (≥ 1) the borrower is told the overdue will reach the credit record. */
  readonly creditNoticeDpd: number;
  /** From this dpd a repayment plan is offered; 0 = never. */
  readonly hardshipOfferDpd: number;
}

/** The configured default policy plus per-product policies, each fully resolved. */
export interface PolicyBook {
  readonly default: FeePolicy;
  readonly products: Readonly<Record<string, FeePolicy>>;
}

export type LoanStatus = 'ACTIVE' | 'PAID_OFF' | 'CHARGED_OFF' | 'CANCELLED';

export type Locale = 'zh-CN' | 'en';

/**
 * One payment on an instalment (docs/contract.md, Loans table `payments`, upstream, append-only). Amounts in minor units.
 * `valueDate` is the business date the borrower paid, which may be earlier than the day it reached
 * the item (a backdated payment).
 */
export interface Payment {
  readonly paymentId: string;
  readonly valueDate: BusinessDate;
  readonly principal: MinorUnits;
  readonly interest: MinorUnits;
}

/**
 * The borrower's promise to pay (upstream: the collections desk or the app): `amount` minor units
 * (> 0) paid with value dates within `madeOn … until` (`madeOn ≤ until`).
 */
export interface PromiseToPay {
  readonly promiseId: string;
  readonly madeOn: BusinessDate;
  readonly until: BusinessDate;
  readonly amount: MinorUnits;
}

/** How a promise to pay was decided. */
export type PromiseVerdict = 'KEPT' | 'BROKEN';

/** The last promise the sweep decided: which, how, and on the run of which business date. */
export interface PromiseOutcome {
  readonly promiseId: string;
  readonly outcome: PromiseVerdict;
  readonly asOf: BusinessDate;
}

/**
 * What the sweep keeps of a loan's delinquency episode (docs/contract.md, Delinquency episodes):
 * the item's `riskClass`, `delinquentSince`, `creditHold`, `creditNoticeOn`, `hardshipOfferId` and
 * `promiseOutcome`, absent ones defaulted (`NORMAL`, not on hold).
 */
export interface EpisodeState {
  readonly riskClass: RiskClass;
  /** The business date the current episode began; absent while the loan is not overdue. */
  readonly delinquentSince?: BusinessDate;
  /** True while the borrower's credit line should stay frozen for this loan. */
  readonly creditHold: boolean;
  /** The business date the current episode's credit-report notice was raised. */
  readonly creditNoticeOn?: BusinessDate;
  /** The repayment-plan offer of the current episode: `<loanId>:hardship:<delinquentSince>`. */
  readonly hardshipOfferId?: string;
  /** The last promise to pay decided (kept across episodes). */
  readonly promiseOutcome?: PromiseOutcome;
}

/** One instalment of a loan, as parsed from the loans table (docs/contract.md, Loans table). */
export interface Installment {
  readonly seq: number;
  readonly dueDate: BusinessDate;
  readonly principalDue: MinorUnits;
  readonly interestDue: MinorUnits;
  readonly principalPaid: MinorUnits;
  readonly interestPaid: MinorUnits;
  /** Last date for which penalty interest has been charged or forgiven; absent = none yet. */
  readonly penaltyThrough?: BusinessDate;
  /** Late fee charged for this instalment so far, net of reversals (0 when absent on the item). */
  readonly lateFeeCharged: MinorUnits;
  /**
   * Its payments, when upstream records them (value dating, docs/contract.md, Value-dated payments); their sums equal
   * `principalPaid` and `interestPaid`. Absent: the instalment is charged as before rule 7.
   */
  readonly payments?: readonly Payment[];
  /** Payment ids the sweep has already accounted for (empty when absent on the item). */
  readonly paymentsApplied: readonly string[];
}

/** A loan item parsed and validated (see `loan.ts`); sweep attributes defaulted when absent. */
export interface Loan {
  readonly loanId: string;
  readonly borrowerId: string;
  readonly productCode?: string;
  readonly currency: CurrencyCode;
  readonly principal: MinorUnits;
  readonly dailyInterestRate: Rational;
  readonly status: LoanStatus;
  /** Ordered by `seq`, unique `seq`. */
  readonly installments: readonly Installment[];
  readonly forbearanceUntil?: BusinessDate;
  readonly locale: Locale;
  readonly remindersOptOut: boolean;
  /** Upstream's latest promise to pay, if any. */
  readonly promiseToPay?: PromiseToPay;
  readonly nextDueDate?: BusinessDate;
  readonly sweepShard: number;
  readonly accruedThrough?: BusinessDate;
  readonly dpd: number;
  readonly bucket: Bucket;
  readonly lateFeesCharged: MinorUnits;
  readonly penaltyCharged: MinorUnits;
  /** Optimistic-concurrency counter; 0 when the item has none yet. */
  readonly version: number;
  /** The delinquency episode as the sweep last wrote it. */
  readonly episode: EpisodeState;
}

/** Why a loan item could not be assessed; the run skips it and reports this. */
export interface LoanParseFailure {
  readonly ok: false;
  /** The item's `loanId` when it has a usable one. */
  readonly loanId?: string;
  /** Human-readable, names the attribute, e.g. `installments[2].dueDate: not a YYYY-MM-DD date`. */
  readonly reason: string;
}

export type LoanParseResult = { readonly ok: true; readonly loan: Loan } | LoanParseFailure;

/** The JSON envelope of every event (docs/contract.md, Events); the SNS message body. */
export interface EventEnvelope<TData = Record<string, unknown>> {
  /** `loanId:type:asOf`, or `sweep.completed:asOf:runId`. */
  readonly id: string;
  readonly type: EventType;
  readonly schemaVersion: 1;
  readonly asOf: BusinessDate;
  /** ISO-8601 instant the event was built. */
  readonly occurredAt: string;
  readonly runId: string;
  readonly loanId?: string;
  readonly borrowerId?: string;
  /** Loan events: the loan's bucket after the assessment (feeds the `bucket` attribute). */
  readonly bucket?: Bucket;
  /** Loan events: the loan's days past due after the assessment (feeds the `dpd` attribute). */
  readonly dpd?: number;
  readonly data: TData;
}

/** SNS message attributes of an event, for subscription filter policies (docs/contract.md, Events). */
export interface EventAttributes {
  readonly eventType: EventType;
  readonly bucket?: Bucket;
  readonly dpd?: number;
}

/** The kinds of charge a run posts (docs/contract.md, Loans table). */
export type ChargeKind = 'PENALTY_INTEREST' | 'LATE_FEE';

/** The kinds of reversal a run posts after backdated payments (docs/contract.md: Loans table, Value-dated payments). */
export type ReversalKind = 'PENALTY_REVERSAL' | 'LATE_FEE_REVERSAL';

export type LedgerKind = ChargeKind | ReversalKind;

/** A stretch of dates on which an instalment's value-dated penalty base is constant (rule 7). */
export interface BaseSegment {
  readonly fromDate: BusinessDate;
  readonly toDate: BusinessDate;
  readonly days: number;
  /** Unpaid principal on each of these dates, minor units. */
  readonly base: MinorUnits;
}

/** A segment of a penalty charge: `days × round(base × rate)` before the cap, minor units. */
export interface ChargedSegment extends BaseSegment {
  readonly amount: MinorUnits;
}

/** The calculation of one instalment's charge within a ledger entry (docs/contract.md, Loans table `lines`). */
export interface LedgerLine {
  readonly installmentSeq: number;
  /** Posted, minor units, > 0 (after the cap). */
  readonly amount: MinorUnits;
  /**
   * Penalty: the unpaid principal charged on (on `fromDate`, when `segments` shows it changing);
   * late fee: the policy's late fee. Minor units.
   */
  readonly base: MinorUnits;
  /** Penalty daily rate as a decimal string (exact when it terminates); late fee: absent. */
  readonly rate?: string;
  readonly fromDate: BusinessDate;
  readonly toDate: BusinessDate;
  /** Number of penalty days charged (late fee: 0). */
  readonly days: number;
  /** True when the cap cut this charge. */
  readonly capped: boolean;
  /**
   * Penalty only, and only when value-dated payments change the base within the line's dates: one
   * segment per constant base, in date order, with its amount before the cap.
   */
  readonly segments?: readonly ChargedSegment[];
}

/**
 * The recomputation behind one instalment's reversal within a reversal entry (rule 7). Minor units;
 * `amount = charged − reversedBefore − correct`.
 */
export interface ReversalLine {
  readonly installmentSeq: number;
  /** Given back by this entry, > 0. */
  readonly amount: MinorUnits;
  /** The instalment's charges of this kind in the ledger. */
  readonly charged: MinorUnits;
  /** What earlier reversals of this kind already gave back on the instalment. */
  readonly reversedBefore: MinorUnits;
  /** What the charges come to with the value-dated base (0 when paid within grace). */
  readonly correct: MinorUnits;
  /** True when the instalment counts as paid within grace: every charge on it is 0. */
  readonly paidWithinGrace: boolean;
  /** Penalty: first and last date of the charge lines recomputed, and their number of days. */
  readonly fromDate?: BusinessDate;
  readonly toDate?: BusinessDate;
  readonly days?: number;
  /** Penalty: the daily rate of the charge lines, when they share one. */
  readonly rate?: string;
  /** Penalty: the value-dated base over `fromDate … toDate`, one segment per constant base. */
  readonly segments?: readonly BaseSegment[];
}

/** What every ledger entry has: per loan, business date and kind, never updated or deleted. */
interface LedgerEntryHead {
  readonly loanId: string;
  /** Deterministic per loan, date and kind (`<asOf>#<kind>`), so a retry cannot post it twice. */
  readonly entryId: string;
  /** The total of its lines, minor units, > 0. */
  readonly amount: MinorUnits;
  readonly currency: CurrencyCode;
  readonly asOf: BusinessDate;
  readonly runId: string;
}

/**
 * A charge entry: per loan and run, one per kind of charge posted, written in the same transaction
 * as the loan update (docs/contract.md, Loans table).
 */
export interface ChargeEntry extends LedgerEntryHead {
  readonly kind: ChargeKind;
  /** One per instalment charged, in instalment order. */
  readonly lines: readonly LedgerLine[];
}

/** A reversal entry (rule 7): what a run gave back of one kind, and why. */
export interface ReversalEntry extends LedgerEntryHead {
  readonly kind: ReversalKind;
  /** The payments that caused it, in instalment and payment order. */
  readonly paymentIds: readonly string[];
  /** One per instalment given back on, in instalment order. */
  readonly lines: readonly ReversalLine[];
}

/** One ledger entry. */
export type LedgerEntry = ChargeEntry | ReversalEntry;

/**
 * One line of a ledger entry as rule 7 reads it back: the entry's kind, the instalment, the amount
 * (minor units) and, for penalty charges, the dates and rate it was charged for.
 */
export interface PostedLine {
  readonly entryId: string;
  readonly kind: LedgerKind;
  readonly installmentSeq: number;
  readonly amount: MinorUnits;
  /** Penalty charges only. */
  readonly fromDate?: BusinessDate;
  readonly toDate?: BusinessDate;
  /** Penalty charges only: the daily rate as written (decimal text). */
  readonly rate?: string;
}

/** New sweep-maintained state of one instalment, identified by its `seq`. */
export interface InstallmentUpdate {
  readonly seq: number;
  readonly penaltyThrough?: BusinessDate;
  readonly lateFeeCharged: MinorUnits;
  /** Set when payments were accounted for by this write: the whole new list. */
  readonly paymentsApplied?: readonly string[];
}

/** Everything one sweep write changes on a loan item (docs/contract.md, Loans table *sweep* attributes). */
export interface LoanUpdate {
  readonly loanId: string;
  /** The `version` the assessment read: the write is conditioned on it. */
  readonly expectedVersion: number;
  /** `expectedVersion + 1`. */
  readonly version: number;
  readonly accruedThrough: BusinessDate;
  readonly dpd: number;
  readonly bucket: Bucket;
  readonly lateFeesCharged: MinorUnits;
  readonly penaltyCharged: MinorUnits;
  /** Only the instalments whose sweep fields change. */
  readonly installments: readonly InstallmentUpdate[];
  /** Set when the loan is charged off by this update. */
  readonly status?: 'CHARGED_OFF';
  /** Final index key: earliest unpaid due date, or null to remove it (left ACTIVE / all paid). */
  readonly nextDueDate: BusinessDate | null;
  /**
   * The episode after this write, whole; the write sets the attributes that differ from what was
   * read and removes those that become absent.
   */
  readonly episode: EpisodeState;
}

/**
 * What a write set in motion in the loan's delinquency episode (docs/contract.md, Delinquency
 * episodes): each true at most once per episode (or per promise), on the write that raised its event.
 */
export interface EpisodeActions {
  /** `loan.credit_hold` raised. */
  readonly creditHoldPlaced: boolean;
  /** `loan.credit_released` raised. */
  readonly creditHoldReleased: boolean;
  /** `loan.credit_report_notice` raised. */
  readonly creditNoticeRaised: boolean;
  /** `loan.hardship_offer` raised. */
  readonly hardshipOffered: boolean;
  /** `loan.promise_kept` raised. */
  readonly promiseKept: boolean;
  /** `loan.promise_broken` raised. */
  readonly promiseBroken: boolean;
}

/** What a run learns about one loan, for the summary and the dry-run preview. */
export interface LoanOutcome {
  readonly loanId: string;
  readonly currency: CurrencyCode;
  readonly overdue: boolean;
  readonly dpd: number;
  readonly bucket: Bucket;
  readonly previousBucket: Bucket;
  /** The loan's risk class after this run, and before it. */
  readonly riskClass: RiskClass;
  readonly previousRiskClass: RiskClass;
  /** Charged by this run, minor units. */
  readonly lateFee: MinorUnits;
  readonly penaltyInterest: MinorUnits;
  readonly capped: boolean;
  readonly chargedOff: boolean;
  /** Given back by this run after backdated payments (rule 7), minor units. */
  readonly lateFeeReversed: MinorUnits;
  readonly penaltyReversed: MinorUnits;
  /** The payments that caused the reversals (empty when none). */
  readonly paymentIds: readonly string[];
  /** What the write set in motion in the loan's delinquency episode. */
  readonly actions: EpisodeActions;
}

/** Identifies the run an assessment belongs to. */
export interface RunContext {
  readonly runId: string;
  /** ISO-8601 instant used as every event's `occurredAt`. */
  readonly occurredAt: string;
}

/** The result of assessing one loan for one business date (see `assess.ts`). */
export type Assessment =
  | {
      /** The loan cannot be assessed as it is (e.g. its ledger disagrees with its totals). */
      readonly kind: 'skip';
      readonly reason: string;
    }
  | {
      readonly kind: 'unchanged';
      /** `already-swept`: accruedThrough ≥ asOf; `not-active`; `nothing-to-change`. */
      readonly reason: 'already-swept' | 'not-active' | 'nothing-to-change';
      readonly outcome?: LoanOutcome;
    }
  | {
      readonly kind: 'change';
      readonly update: LoanUpdate;
      readonly ledgerEntries: readonly LedgerEntry[];
      readonly events: readonly EventEnvelope[];
      readonly outcome: LoanOutcome;
    };
