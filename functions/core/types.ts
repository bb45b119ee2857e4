/**
 * The domain's shared vocabulary (SPEC §2–§6). Types only: the rules live in the files named
 * beside each type, one place each.
 */

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

/** A fully resolved fee policy (SPEC §4; see `policy.ts`). */
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
}

/** The configured default policy plus per-product policies, each fully resolved. */
export interface PolicyBook {
  readonly default: FeePolicy;
  readonly products: Readonly<Record<string, FeePolicy>>;
}

export type LoanStatus = 'ACTIVE' | 'PAID_OFF' | 'CHARGED_OFF' | 'CANCELLED';

export type Locale = 'zh-CN' | 'en';

export type Bucket = 'M0' | 'M1' | 'M2' | 'M3' | 'M4' | 'M5' | 'M6' | 'M7';

/** One instalment of a loan, as parsed from the loans table (SPEC §3). */
export interface Installment {
  readonly seq: number;
  readonly dueDate: BusinessDate;
  readonly principalDue: MinorUnits;
  readonly interestDue: MinorUnits;
  readonly principalPaid: MinorUnits;
  readonly interestPaid: MinorUnits;
  /** Last date for which penalty interest has been charged or forgiven; absent = none yet. */
  readonly penaltyThrough?: BusinessDate;
  /** Late fee charged for this instalment so far (0 when absent on the item). */
  readonly lateFeeCharged: MinorUnits;
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
  readonly nextDueDate?: BusinessDate;
  readonly sweepShard: number;
  readonly accruedThrough?: BusinessDate;
  readonly dpd: number;
  readonly bucket: Bucket;
  readonly lateFeesCharged: MinorUnits;
  readonly penaltyCharged: MinorUnits;
  /** Optimistic-concurrency counter; 0 when the item has none yet. */
  readonly version: number;
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

export type EventType =
  | 'loan.payment_due_soon'
  | 'loan.overdue'
  | 'loan.fee_applied'
  | 'loan.delinquency_changed'
  | 'loan.charged_off'
  | 'sweep.completed';

/** The JSON envelope of every event (SPEC §6); the SNS message body. */
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

/** SNS message attributes of an event, for subscription filter policies (SPEC §6). */
export interface EventAttributes {
  readonly eventType: EventType;
  readonly bucket?: Bucket;
  readonly dpd?: number;
}

export type LedgerKind = 'PENALTY_INTEREST' | 'LATE_FEE';

/** The calculation of one instalment's charge within a ledger entry (SPEC §3 `lines`). */
export interface LedgerLine {
  readonly installmentSeq: number;
  /** Posted, minor units, > 0 (after the cap). */
  readonly amount: MinorUnits;
  /** Penalty: the unpaid principal charged on; late fee: the policy's late fee. Minor units. */
  readonly base: MinorUnits;
  /** Penalty daily rate as a decimal string (exact when it terminates); late fee: absent. */
  readonly rate?: string;
  readonly fromDate: BusinessDate;
  readonly toDate: BusinessDate;
  /** Number of penalty days charged (late fee: 0). */
  readonly days: number;
  /** True when the cap cut this charge. */
  readonly capped: boolean;
}

/**
 * One ledger entry: per loan and run, one per kind of charge posted, written in the same
 * transaction as the loan update (SPEC §3). Never updated or deleted.
 */
export interface LedgerEntry {
  readonly loanId: string;
  /** Deterministic per loan, date and kind (`<asOf>#<kind>`), so a retry cannot post it twice. */
  readonly entryId: string;
  readonly kind: LedgerKind;
  /** The total of its lines, minor units, > 0. */
  readonly amount: MinorUnits;
  readonly currency: CurrencyCode;
  readonly asOf: BusinessDate;
  readonly runId: string;
  /** One per instalment charged, in instalment order. */
  readonly lines: readonly LedgerLine[];
}

/** New sweep-maintained state of one instalment, identified by its `seq`. */
export interface InstallmentUpdate {
  readonly seq: number;
  readonly penaltyThrough?: BusinessDate;
  readonly lateFeeCharged: MinorUnits;
}

/** Everything one sweep write changes on a loan item (SPEC §3 *sweep* attributes). */
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
}

/** What a run learns about one loan, for the summary and the dry-run preview. */
export interface LoanOutcome {
  readonly loanId: string;
  readonly currency: CurrencyCode;
  readonly overdue: boolean;
  readonly dpd: number;
  readonly bucket: Bucket;
  readonly previousBucket: Bucket;
  /** Charged by this run, minor units. */
  readonly lateFee: MinorUnits;
  readonly penaltyInterest: MinorUnits;
  readonly capped: boolean;
  readonly chargedOff: boolean;
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
