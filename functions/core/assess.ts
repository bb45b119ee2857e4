/**
 * Assessment of one loan for one business date (docs/contract.md: Charges, Events): what to charge, the loan's new sweep
 * state, its delinquency episode (see `episodes.ts`) and the events. It never writes; the sweep
 * turns a 'change' into one transaction.
 */
import { type Charges, computeCharges, isForborneOn, penaltyDailyRate } from './charges';
import { addDays, daysBetween, minDate } from './dates';
import { bucketOf } from './delinquency';
import { decideEpisode, type EpisodeDecision, NO_EPISODE_ACTIONS, sameEpisode } from './episodes';
import { buildLoanEvent, listedIds } from './events';
import {
  amountOverdueOn,
  daysPastDueOn,
  isUnpaid,
  nextDueDateOf,
  unpaidAmount,
  unpaidPrincipal,
} from './installments';
import { sumMinorUnits } from './money';
import { paymentsAppliedAfter } from './payments';
import {
  computeReversals,
  hasBackdatedPayments,
  ledgerNeededFrom,
  NO_REVERSALS,
  type Reversals,
} from './reversals';
import type {
  Assessment,
  Bucket,
  BusinessDate,
  EventEnvelope,
  FeePolicy,
  Installment,
  InstallmentUpdate,
  Loan,
  LoanOutcome,
  LoanUpdate,
  PostedLine,
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

/** The outcome fields of the reversals a run makes. */
function reversedOutcome(
  reversals: Reversals,
): Pick<LoanOutcome, 'lateFeeReversed' | 'penaltyReversed' | 'paymentIds'> {
  return {
    lateFeeReversed: reversals.lateFee,
    penaltyReversed: reversals.penaltyInterest,
    paymentIds: reversals.paymentIds,
  };
}

/** `loan` as it reads once `reversals` are made: totals and instalment late fees lowered. */
function afterReversals(loan: Loan, reversals: Reversals): Loan {
  if (reversals.entries.length === 0) return loan;
  return {
    ...loan,
    lateFeesCharged: loan.lateFeesCharged - reversals.lateFee,
    penaltyCharged: loan.penaltyCharged - reversals.penaltyInterest,
    installments: loan.installments.map((inst) => {
      const lateFeeCharged = reversals.lateFeeCharged.get(inst.seq);
      return lateFeeCharged === undefined ? inst : { ...inst, lateFeeCharged };
    }),
  };
}

/**
 * The instalments a write changes: what reversals and charges changed (charges were computed on the
 * loan after its reversals, so theirs win), and every instalment with payments not yet in
 * `paymentsApplied`, which the write accounts for (rule 7). In `seq` order.
 */
function installmentUpdates(
  settled: Loan,
  reversals: Reversals,
  charges: Pick<Charges, 'installments'>,
): InstallmentUpdate[] {
  const charged = new Map(charges.installments.map((update) => [update.seq, update]));
  const updates: InstallmentUpdate[] = [];
  for (const inst of settled.installments) {
    const paymentsApplied = paymentsAppliedAfter(inst);
    const update =
      charged.get(inst.seq) ??
      (reversals.lateFeeCharged.has(inst.seq) || paymentsApplied !== undefined
        ? {
            seq: inst.seq,
            ...(inst.penaltyThrough === undefined ? {} : { penaltyThrough: inst.penaltyThrough }),
            lateFeeCharged: inst.lateFeeCharged,
          }
        : undefined);
    if (update) updates.push({ ...update, ...(paymentsApplied && { paymentsApplied }) });
  }
  return updates;
}

/** `loan.charges_reversed` for the reversals a run makes, if any. */
function reversalEvents(
  loan: Loan,
  state: { readonly bucket: Loan['bucket']; readonly dpd: number },
  asOf: BusinessDate,
  run: RunContext,
  reversals: Reversals,
): EventEnvelope[] {
  if (reversals.entries.length === 0) return [];
  const entryIds = reversals.entries.map((entry) => entry.entryId);
  return [
    buildLoanEvent('loan.charges_reversed', loan, state, asOf, run, {
      lateFeeReversed: reversals.lateFee,
      penaltyReversed: reversals.penaltyInterest,
      currency: loan.currency,
      // Bounded, so the event fits one SNS message; the reversal entries list every payment.
      ...listedIds('paymentIds', 'paymentIdCount', reversals.paymentIds),
      ...listedIds('entryIds', 'entryIdCount', entryIds),
    }),
  ];
}

/**
 * The episode of a loan that leaves the index without being charged by the sweep (paid off, closed
 * or charged off upstream): the write that takes it out ends the episode and decides a pending
 * promise. A loan that was overdue when last swept goes back to M0 at dpd 0 unless charged off.
 */
function closingEpisode(
  loan: Loan,
  policy: FeePolicy,
  asOf: BusinessDate,
  run: RunContext,
): { readonly decision: EpisodeDecision; readonly bucket: Bucket; readonly dpd: number } {
  const exit = loan.status === 'CHARGED_OFF' ? 'charged-off' : 'closed';
  const wasOverdue = loan.episode.delinquentSince !== undefined || loan.dpd >= 1;
  const recovers = exit === 'closed' && wasOverdue;
  const bucket = recovers ? 'M0' : loan.bucket;
  const dpd = recovers ? 0 : loan.dpd;
  const decision = decideEpisode({
    loan,
    policy,
    asOf,
    run,
    dpd,
    bucket,
    amountOverdue: amountOverdueOn(loan, policy, asOf),
    overdue: daysPastDueOn(loan, policy, asOf) >= 1,
    inForbearance: isForborneOn(loan, asOf),
    exit,
  });
  return { decision, bucket, dpd };
}

/**
 * A loan upstream closed (paid off, cancelled) or the sweep charged off is never charged, but one
 * still carrying the index key leaves the index (docs/contract.md, Loans table: the sweep removes `nextDueDate` when a
 * loan leaves ACTIVE), so it is not read again every day. That write also ends the loan's
 * delinquency episode and decides a pending promise (see `closingEpisode`); if a backdated payment
 * reached the loan, any write makes its reversals (rule 7); and nothing else. A loan already swept
 * for `asOf` with reversals or an episode to end is left to the next date's run, so its events
 * never reuse an id of this date.
 */
function closedLoan(
  loan: Loan,
  policy: FeePolicy,
  asOf: BusinessDate,
  run: RunContext,
  history: readonly PostedLine[] | undefined,
): Assessment {
  const backdated = hasBackdatedPayments(loan);
  const leaving = loan.nextDueDate !== undefined;
  if (!backdated && !leaving) {
    return { kind: 'unchanged', reason: 'not-active' };
  }
  const closing = leaving ? closingEpisode(loan, policy, asOf, run) : undefined;
  const episodeEnds =
    closing !== undefined &&
    (closing.decision.events.length > 0 ||
      closing.dpd !== loan.dpd ||
      !sameEpisode(loan.episode, closing.decision.episode));
  if (
    (backdated || episodeEnds) &&
    loan.accruedThrough !== undefined &&
    loan.accruedThrough >= asOf
  ) {
    return { kind: 'unchanged', reason: 'already-swept' };
  }
  let reversals = NO_REVERSALS;
  if (backdated) {
    const rate = penaltyDailyRate(loan.dailyInterestRate, policy);
    const result = computeReversals(loan, policy, rate, history ?? [], asOf, run);
    if (!result.ok) return { kind: 'skip', reason: result.reason };
    reversals = result.reversals;
  }
  const settled = afterReversals(loan, reversals);
  const bucket = closing?.bucket ?? loan.bucket;
  const dpd = closing?.dpd ?? loan.dpd;
  const episode = closing?.decision.episode ?? loan.episode;
  const update: LoanUpdate = {
    loanId: loan.loanId,
    expectedVersion: loan.version,
    version: loan.version + 1,
    accruedThrough:
      loan.accruedThrough !== undefined && loan.accruedThrough > asOf ? loan.accruedThrough : asOf,
    dpd,
    bucket,
    lateFeesCharged: settled.lateFeesCharged,
    penaltyCharged: settled.penaltyCharged,
    installments: backdated ? installmentUpdates(settled, reversals, { installments: [] }) : [],
    nextDueDate: null,
    episode,
  };
  const outcome: LoanOutcome = {
    loanId: loan.loanId,
    currency: loan.currency,
    overdue: false,
    dpd,
    bucket,
    previousBucket: loan.bucket,
    riskClass: episode.riskClass,
    previousRiskClass: loan.episode.riskClass,
    lateFee: 0,
    penaltyInterest: 0,
    capped: false,
    chargedOff: false,
    ...reversedOutcome(reversals),
    actions: closing?.decision.actions ?? NO_EPISODE_ACTIONS,
  };
  const state = { bucket, dpd };
  const events = [
    ...reversalEvents(loan, state, asOf, run, reversals),
    ...(bucket === loan.bucket
      ? []
      : [
          buildLoanEvent('loan.delinquency_changed', loan, state, asOf, run, {
            from: loan.bucket,
            to: bucket,
            dpd,
          }),
        ]),
    ...(closing?.decision.events ?? []),
  ];
  return { kind: 'change', update, ledgerEntries: reversals.entries, events, outcome };
}

/**
 * Assesses `loan` for business date `asOf` under `policy`.
 * @param history the loan's ledger lines since {@link ledgerNeededFrom} (charges and earlier
 *   reversals), required when that names a date: rule 7 recomputes from them what was over-charged.
 * @returns 'unchanged' (`not-active`, `already-swept` when accruedThrough ≥ asOf, or
 *   `nothing-to-change`), 'skip' when the ledger and the loan's totals disagree, or 'change' with
 *   the conditional update, ledger entries (minor units), events and outcome. A leftover outbox is
 *   the sweep's business, not this function's.
 */
export function assess(
  loan: Loan,
  policy: FeePolicy,
  asOf: BusinessDate,
  run: RunContext,
  history?: readonly PostedLine[],
): Assessment {
  const ledgerFrom = ledgerNeededFrom(loan, asOf);
  if (ledgerFrom !== undefined && history === undefined) {
    throw new Error(`assess: loan ${loan.loanId} needs its ledger from ${ledgerFrom} (rule 7)`);
  }
  if (loan.status !== 'ACTIVE') return closedLoan(loan, policy, asOf, run, history);
  if (loan.accruedThrough !== undefined && loan.accruedThrough >= asOf) {
    return { kind: 'unchanged', reason: 'already-swept' };
  }

  let reversals = NO_REVERSALS;
  if (ledgerFrom !== undefined) {
    const rate = penaltyDailyRate(loan.dailyInterestRate, policy);
    const result = computeReversals(loan, policy, rate, history ?? [], asOf, run);
    if (!result.ok) return { kind: 'skip', reason: result.reason };
    reversals = result.reversals;
  }
  // A lower total frees headroom under the cap for this run's charges.
  const settled = afterReversals(loan, reversals);

  const unpaid = loan.installments.filter((inst) => isUnpaid(inst, policy));
  const dpd = daysPastDueOn(loan, policy, asOf);
  const oldestDue = dpd === 0 ? undefined : addDays(asOf, -dpd);
  const chargedOff = oldestDue !== undefined && dpd >= policy.chargeOffDpd;
  const end =
    oldestDue === undefined ? asOf : minDate(asOf, addDays(oldestDue, policy.chargeOffDpd));

  const charges = computeCharges(settled, policy, asOf, end, run);
  const lateFeesCharged = settled.lateFeesCharged + charges.lateFee;
  const penaltyCharged = settled.penaltyCharged + charges.penaltyInterest;
  const bucket = bucketOf(dpd);
  const state = { bucket, dpd };
  const inForbearance = isForborneOn(loan, asOf);
  const amountOverdue = amountOverdueOn(loan, policy, asOf);
  // A charge-off takes the loan out of the index: the episode ends on this write, decided as of
  // the charge-off date, where the daily runs would have stopped.
  const episode = decideEpisode({
    loan,
    policy,
    asOf,
    run,
    dpd,
    bucket,
    amountOverdue,
    overdue: dpd >= 1,
    inForbearance: chargedOff ? isForborneOn(loan, end) : inForbearance,
    ...(chargedOff && {
      exit: 'charged-off' as const,
      thresholdDpd: oldestDue === undefined ? dpd : daysBetween(oldestDue, end),
    }),
  });

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
  if (episode.facts) {
    events.push(
      buildLoanEvent('loan.overdue', loan, state, asOf, run, {
        dpd,
        bucket,
        inGrace: dpd <= policy.graceDays,
        forbearance: inForbearance,
        amountOverdue,
        currency: loan.currency,
        ...episode.facts,
      }),
    );
  }
  if (charges.entries.length > 0) {
    const entryIds = charges.entries.map((entry) => entry.entryId);
    events.push(
      buildLoanEvent('loan.fee_applied', loan, state, asOf, run, {
        lateFee: charges.lateFee,
        penaltyInterest: charges.penaltyInterest,
        currency: loan.currency,
        capped: charges.capped,
        ...listedIds('entryIds', 'entryIdCount', entryIds),
      }),
    );
  }
  events.push(...reversalEvents(loan, state, asOf, run, reversals));
  if (bucket !== loan.bucket) {
    events.push(
      buildLoanEvent('loan.delinquency_changed', loan, state, asOf, run, {
        from: loan.bucket,
        to: bucket,
        dpd,
      }),
    );
  }
  events.push(...episode.events);
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
    riskClass: episode.episode.riskClass,
    previousRiskClass: loan.episode.riskClass,
    lateFee: charges.lateFee,
    penaltyInterest: charges.penaltyInterest,
    capped: charges.capped,
    chargedOff,
    ...reversedOutcome(reversals),
    actions: episode.actions,
  };

  const nextDueDate = chargedOff ? null : nextDueDateOf(loan, policy);
  const unchanged =
    events.length === 0 &&
    charges.entries.length === 0 &&
    charges.installments.length === 0 &&
    // Payments to account for: the write records them even when nothing was given back.
    ledgerFrom === undefined &&
    !chargedOff &&
    dpd === loan.dpd &&
    bucket === loan.bucket &&
    nextDueDate === (loan.nextDueDate ?? null) &&
    sameEpisode(loan.episode, episode.episode);
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
    installments: installmentUpdates(settled, reversals, charges),
    ...(chargedOff ? { status: 'CHARGED_OFF' as const } : {}),
    nextDueDate,
    episode: episode.episode,
  };
  return {
    kind: 'change',
    update,
    ledgerEntries: [...charges.entries, ...reversals.entries],
    events,
    outcome,
  };
}
