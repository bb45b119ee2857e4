/**
 * Delinquency episodes and what they set in motion (docs/contract.md, Delinquency episodes): the
 * episode itself (`delinquentSince`), the five-category risk class, the credit hold, the
 * credit-report notice, the repayment-plan offer and the promise to pay, decided for one write from
 * the loan as read and what this run found. Pure; `assess.ts` puts the result in the same write as
 * the charges, so each of them happens exactly once and a catch-up run raises what daily runs
 * would have (each once, as of its `asOf`).
 */
import { addDays, endOfMonth } from './dates';
import { buildLoanEvent } from './events';
import { sumMinorUnits } from './money';
import { ADVERSE_RISK_CLASSES } from './policy';
import type {
  Bucket,
  BusinessDate,
  EpisodeActions,
  EpisodeState,
  EventEnvelope,
  FeePolicy,
  Loan,
  MinorUnits,
  PromiseToPay,
  PromiseVerdict,
  RiskClass,
  RunContext,
} from './types';

/** The episode of a loan that was never overdue: `NORMAL`, not on hold. */
export const NO_EPISODE: EpisodeState = Object.freeze({ riskClass: 'NORMAL', creditHold: false });

/** No episode action: what a write that sets nothing in motion reports. */
export const NO_EPISODE_ACTIONS: EpisodeActions = Object.freeze({
  creditHoldPlaced: false,
  creditHoldReleased: false,
  creditNoticeRaised: false,
  hardshipOffered: false,
  promiseKept: false,
  promiseBroken: false,
});

/**
 * The risk class (五级分类) at `dpd` days past due: `NORMAL` at 0, otherwise the worst class whose
 * `riskClassDpd` is ≤ dpd (`NORMAL` below them all); `LOSS` once charged off.
 */
export function riskClassOf(dpd: number, policy: FeePolicy, chargedOff = false): RiskClass {
  if (chargedOff) return 'LOSS';
  let riskClass: RiskClass = 'NORMAL';
  if (dpd <= 0) return riskClass;
  for (const candidate of ADVERSE_RISK_CLASSES) {
    if (policy.riskClassDpd[candidate] <= dpd) riskClass = candidate;
  }
  return riskClass;
}

/** `<loanId>:hardship:<delinquentSince>`: one offer per episode, the same id on every re-run. */
export function hardshipOfferIdOf(loanId: string, delinquentSince: BusinessDate): string {
  return `${loanId}:hardship:${delinquentSince}`;
}

/**
 * What the borrower paid towards `promise`: principal + interest of the loan's payments value-dated
 * within `madeOn … until`, minor units. Instalments without `payments` have no value dates and
 * count nothing (such a promise can still be kept by the loan no longer being overdue).
 */
export function promisePaid(loan: Loan, promise: PromiseToPay): MinorUnits {
  const amounts: MinorUnits[] = [];
  for (const inst of loan.installments) {
    for (const payment of inst.payments ?? []) {
      if (payment.valueDate >= promise.madeOn && payment.valueDate <= promise.until) {
        amounts.push(payment.principal, payment.interest);
      }
    }
  }
  return sumMinorUnits(amounts);
}

/** How the write leaves the due index, if it does. */
export type IndexExit = 'charged-off' | 'closed';

/** What one write decides for the episode, from the loan as read and what this run found. */
export interface EpisodeInput {
  readonly loan: Loan;
  readonly policy: FeePolicy;
  readonly asOf: BusinessDate;
  readonly run: RunContext;
  /** The loan's days past due and bucket after this write (0 and M0 for a closed loan). */
  readonly dpd: number;
  readonly bucket: Bucket;
  /**
   * The dpd the thresholds are judged at: `dpd`, except on a charge-off by a catch-up run, where
   * it is the charge-off date's (the daily runs would have stopped there). Defaults to `dpd`.
   */
  readonly thresholdDpd?: number;
  /** Unpaid principal + interest overdue on `asOf`, minor units (charges not included). */
  readonly amountOverdue: MinorUnits;
  /** True when some instalment is overdue on `asOf` (a promise is kept when none is). */
  readonly overdue: boolean;
  /** In forbearance (on the charge-off date, for a charge-off): no notice, no offer. */
  readonly inForbearance: boolean;
  /** Set when this write takes the loan out of the due index: the episode ends with it. */
  readonly exit?: IndexExit;
}

/** What `loan.overdue` of this write says about the episode. */
export interface EpisodeFacts {
  readonly riskClass: RiskClass;
  /** The episode's start, as it was when the write ends it. */
  readonly delinquentSince: BusinessDate;
  readonly creditHold: boolean;
  /** The episode's notice date, as it was when the write ends it; absent until raised. */
  readonly creditNoticeOn?: BusinessDate;
  readonly promisePending: boolean;
}

/** The episode after one write, what it set in motion, and the events that say so. */
export interface EpisodeDecision {
  readonly episode: EpisodeState;
  readonly actions: EpisodeActions;
  /** For `loan.overdue`: undefined when the loan is not overdue after this write. */
  readonly facts?: EpisodeFacts;
  /** In contract order: risk class, hold, release, notice, offer, promise. */
  readonly events: readonly EventEnvelope[];
}

interface PromiseDecision {
  readonly verdict?: PromiseVerdict;
  readonly paid: MinorUnits;
  readonly pending: boolean;
}

/**
 * The promise to pay on this write: decided on the first run that can — `KEPT` when the paid
 * amount reaches `amount`, or when no instalment is overdue on a run with `asOf ≤ until + 1`;
 * otherwise `BROKEN` once `asOf > until`, or on the write that takes the loan out of the index
 * (its last chance to be decided). Pending while undecided and `madeOn ≤ asOf ≤ until`. A promise
 * made after `asOf`, or already decided, is left alone.
 */
function decidePromise(input: EpisodeInput): PromiseDecision {
  const { loan, asOf } = input;
  const promise = loan.promiseToPay;
  const idle = { paid: 0, pending: false };
  if (promise === undefined || loan.episode.promiseOutcome?.promiseId === promise.promiseId) {
    return idle;
  }
  if (asOf < promise.madeOn) return idle;
  const paid = promisePaid(loan, promise);
  if (paid >= promise.amount) return { verdict: 'KEPT', paid, pending: false };
  if (!input.overdue && asOf <= addDays(promise.until, 1)) {
    return { verdict: 'KEPT', paid, pending: false };
  }
  if (asOf > promise.until || input.exit !== undefined) {
    return { verdict: 'BROKEN', paid, pending: false };
  }
  return { paid, pending: true };
}

/** True when two episode states are the same (what a write would leave unchanged). */
export function sameEpisode(a: EpisodeState, b: EpisodeState): boolean {
  return (
    a.riskClass === b.riskClass &&
    a.creditHold === b.creditHold &&
    a.delinquentSince === b.delinquentSince &&
    a.creditNoticeOn === b.creditNoticeOn &&
    a.hardshipOfferId === b.hardshipOfferId &&
    a.promiseOutcome?.promiseId === b.promiseOutcome?.promiseId &&
    a.promiseOutcome?.outcome === b.promiseOutcome?.outcome &&
    a.promiseOutcome?.asOf === b.promiseOutcome?.asOf
  );
}

/**
 * Decides the episode for one write. While the loan is overdue (`dpd ≥ 1`) its episode runs from
 * `delinquentSince = asOf − dpd + 1` (kept from the run that began it); the hold, the notice and the
 * offer each come once, on the first run past their threshold (the notice and the offer not in
 * forbearance, the offer not while a promise is pending). A run that finds the loan cured, or the
 * write that takes it out of the index, ends the episode: `delinquentSince`, `creditNoticeOn` and
 * `hardshipOfferId` go, the hold is released and the class is `NORMAL` — except on a charge-off,
 * which keeps the hold and makes the class `LOSS`. The events of that write carry the episode as
 * it was.
 */
export function decideEpisode(input: EpisodeInput): EpisodeDecision {
  const { loan, policy, asOf, run, dpd, bucket, exit } = input;
  const judged = input.thresholdDpd ?? dpd;
  const before = loan.episode;
  const chargedOff = exit === 'charged-off';
  const closed = exit === 'closed';
  const ongoing = before.delinquentSince;
  const overdue = dpd >= 1 && !closed;
  const delinquentSince = overdue ? (ongoing ?? addDays(asOf, 1 - dpd)) : ongoing;
  // Only an episode under way has a notice or an offer: none is carried into a new one.
  let creditNoticeOn = ongoing === undefined ? undefined : before.creditNoticeOn;
  let hardshipOfferId = ongoing === undefined ? undefined : before.hardshipOfferId;

  const riskClass = closed ? 'NORMAL' : riskClassOf(dpd, policy, chargedOff);
  const promise = decidePromise(input);

  let creditHold = before.creditHold;
  let creditHoldPlaced = false;
  let creditNoticeRaised = false;
  let hardshipOffered = false;
  if (overdue) {
    if (!creditHold && judged >= policy.creditHoldDpd) {
      creditHold = true;
      creditHoldPlaced = true;
    }
    if (!input.inForbearance && creditNoticeOn === undefined && judged >= policy.creditNoticeDpd) {
      creditNoticeOn = asOf;
      creditNoticeRaised = true;
    }
    if (
      policy.hardshipOfferDpd > 0 &&
      judged >= policy.hardshipOfferDpd &&
      hardshipOfferId === undefined &&
      !input.inForbearance &&
      !promise.pending &&
      delinquentSince !== undefined
    ) {
      hardshipOfferId = hardshipOfferIdOf(loan.loanId, delinquentSince);
      hardshipOffered = true;
    }
  }
  // Cured, paid off or closed upstream: the borrower's credit line is free again; a charged-off
  // loan stays on hold.
  const ends = !overdue || exit !== undefined;
  const creditHoldReleased = creditHold && !overdue && !chargedOff;
  if (creditHoldReleased) creditHold = false;

  const verdict = promise.verdict;
  const episode: EpisodeState = {
    riskClass,
    ...(!ends && delinquentSince !== undefined && { delinquentSince }),
    creditHold,
    ...(!ends && creditNoticeOn !== undefined && { creditNoticeOn }),
    ...(!ends && hardshipOfferId !== undefined && { hardshipOfferId }),
    ...(verdict !== undefined && loan.promiseToPay !== undefined
      ? { promiseOutcome: { promiseId: loan.promiseToPay.promiseId, outcome: verdict, asOf } }
      : before.promiseOutcome !== undefined && { promiseOutcome: before.promiseOutcome }),
  };

  const state = { bucket, dpd };
  const events: EventEnvelope[] = [];
  if (riskClass !== before.riskClass) {
    events.push(
      buildLoanEvent('loan.risk_class_changed', loan, state, asOf, run, {
        from: before.riskClass,
        to: riskClass,
        dpd,
      }),
    );
  }
  if (creditHoldPlaced && delinquentSince !== undefined) {
    events.push(
      buildLoanEvent('loan.credit_hold', loan, state, asOf, run, { dpd, bucket, delinquentSince }),
    );
  }
  if (creditHoldReleased) {
    events.push(
      buildLoanEvent('loan.credit_released', loan, state, asOf, run, {
        dpd,
        // A hold without an episode (a loan upstream reopened after a charge-off): since it was last swept.
        delinquentSince: delinquentSince ?? loan.accruedThrough ?? asOf,
      }),
    );
  }
  if (creditNoticeRaised && delinquentSince !== undefined) {
    events.push(
      buildLoanEvent('loan.credit_report_notice', loan, state, asOf, run, {
        dpd,
        amountOverdue: input.amountOverdue,
        currency: loan.currency,
        settlementDate: endOfMonth(asOf),
        delinquentSince,
      }),
    );
  }
  if (hardshipOffered && hardshipOfferId !== undefined) {
    events.push(
      buildLoanEvent('loan.hardship_offer', loan, state, asOf, run, {
        offerId: hardshipOfferId,
        dpd,
        amountOverdue: input.amountOverdue,
        currency: loan.currency,
      }),
    );
  }
  if (verdict !== undefined && loan.promiseToPay !== undefined) {
    const { promiseId, until, amount } = loan.promiseToPay;
    const type = verdict === 'KEPT' ? 'loan.promise_kept' : 'loan.promise_broken';
    events.push(
      buildLoanEvent(type, loan, state, asOf, run, {
        promiseId,
        until,
        amount,
        paid: promise.paid,
        currency: loan.currency,
      }),
    );
  }

  return {
    episode,
    actions: {
      creditHoldPlaced,
      creditHoldReleased,
      creditNoticeRaised,
      hardshipOffered,
      promiseKept: verdict === 'KEPT',
      promiseBroken: verdict === 'BROKEN',
    },
    ...(overdue &&
      delinquentSince !== undefined && {
        facts: {
          riskClass,
          delinquentSince,
          creditHold,
          ...(creditNoticeOn !== undefined && { creditNoticeOn }),
          promisePending: promise.pending,
        },
      }),
    events,
  };
}
