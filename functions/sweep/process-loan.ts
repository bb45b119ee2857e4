/**
 * One loan through one run (SPEC §5): parse, deliver a leftover outbox, assess, write the
 * conditional transaction, deliver its events, and clear them once SNS has accepted them. Every
 * problem becomes a counted skip with a reason; nothing here stops the run.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { indexKeyTo } from '../adapters/loan-writer';
import type { SweepStore } from '../adapters/sweep-store';
import { assess } from '../core/assess';
import { nextDueDateOf } from '../core/installments';
import { parseLoanItem } from '../core/loan';
import { policyFor } from '../core/policy';
import type {
  BusinessDate,
  EventEnvelope,
  FeePolicy,
  Loan,
  PolicyBook,
  RunContext,
} from '../core/types';
import { indexKeyWhilePending } from './index-key';
import type { PublishBatcher } from './publish-batcher';
import { countOutcome, countSkipped, type SweepTotals } from './summary';

/** The structured logger the sweep writes to: Powertools Logger's levels it uses. */
export type SweepLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** Everything a loan's processing needs; one per run part. */
export interface LoanRunContext {
  readonly asOf: BusinessDate;
  /** `asOf + max reminder offset`: the due-index query's upper bound. */
  readonly horizon: BusinessDate;
  readonly dryRun: boolean;
  readonly run: RunContext;
  readonly policyBook: PolicyBook;
  readonly store: SweepStore;
  readonly publisher: PublishBatcher;
  readonly log: SweepLog;
  /** Re-reads after a version conflict before the loan is skipped. */
  readonly conflictRetries: number;
  /** This part's counters (mutated). */
  readonly totals: SweepTotals;
}

/** A loan's state after its outbox was (partly) cleared, or unknown after a lost race. */
type Delivery = { readonly loan: Loan } | { readonly loan: undefined };

const CLEAR_ATTEMPTS = 3;

/** Counts and logs a loan the run could not sweep (no personal data: id and reason only). */
export function skip(ctx: LoanRunContext, loanId: string, reason: string): void {
  countSkipped(ctx.totals, { loanId, reason });
  ctx.log.warn('loan skipped', { loanId, reason });
}

/** A reason for an error that survived the SDK's retries, naming throttling as such. */
function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const throttled = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(
    `${name} ${message}`,
  );
  return `${throttled ? 'throttled' : 'error'}: ${name}: ${message}`;
}

/**
 * Publishes `events` (a loan's outbox at `loan.version`) and removes the accepted ones; when that
 * empties the outbox, the loan gets its final index key `final`. Lost races are retried on a
 * fresh read, so accepted events are cleared even when another run wrote in between.
 */
async function deliver(
  ctx: LoanRunContext,
  loan: Loan,
  events: readonly EventEnvelope[],
  final: BusinessDate | null,
  policy: FeePolicy,
): Promise<Delivery> {
  const result = await ctx.publisher.publish(events);
  ctx.totals.eventsPublished += result.accepted.length;
  ctx.totals.eventsPending += result.failed.length;
  for (const failure of result.failed) {
    ctx.log.warn('event not accepted by SNS; it stays in the outbox for the next run', {
      loanId: loan.loanId,
      eventId: failure.id,
      reason: failure.reason,
    });
  }
  const accepted = new Set(result.accepted);
  let known = loan;
  let outboxIds = events.map((event) => event.id);
  let finalKey = final;
  for (let attempt = 0; attempt < CLEAR_ATTEMPTS; attempt++) {
    const clearing = outboxIds.filter((id) => accepted.has(id));
    if (clearing.length === 0) return { loan: known };
    const empties = clearing.length === outboxIds.length;
    let cleared: 'cleared' | 'conflict';
    try {
      cleared = await ctx.store.clearOutbox({
        loanId: known.loanId,
        expectedVersion: known.version,
        eventIds: clearing,
        empties,
        indexKey: indexKeyTo(finalKey),
      });
    } catch (error) {
      // SNS has these events; only their removal failed (e.g. throttling past the SDK's retries).
      // The loan's write stands, so this is no skip: they stay in the outbox, and the next run
      // re-sends the same ids and clears them then.
      ctx.totals.eventsPending += clearing.length;
      ctx.log.warn('outbox not cleared; the next run re-sends these events', {
        loanId: known.loanId,
        eventIds: clearing,
        reason: reasonOf(error),
      });
      return { loan: known };
    }
    if (cleared === 'cleared') {
      const outbox = Object.fromEntries(
        Object.entries(known.outbox).filter(([id]) => !accepted.has(id)),
      );
      const nextDueDate = empties ? (finalKey ?? undefined) : known.nextDueDate;
      return { loan: { ...known, version: known.version + 1, outbox, nextDueDate } };
    }
    const item = await ctx.store.get(known.loanId);
    const reread = item ? parseLoanItem(item) : undefined;
    if (!reread?.ok) return { loan: undefined };
    known = reread.loan;
    outboxIds = Object.keys(known.outbox);
    finalKey = nextDueDateOf(known, policy);
  }
  return { loan: undefined };
}

/**
 * Sweeps one loan item (as read, numbers wrapped) for `ctx.asOf`; `requestedId` names it when
 * the item cannot. Never throws: failures are counted as skipped with a reason.
 */
export async function processLoan(
  item: Record<string, unknown>,
  ctx: LoanRunContext,
  requestedId?: string,
): Promise<void> {
  const itemId = typeof item.loanId === 'string' ? item.loanId : undefined;
  const loanId = itemId ?? requestedId ?? '(no loanId)';
  try {
    await sweepLoan(item, loanId, ctx);
  } catch (error) {
    ctx.log.error('loan failed', { loanId, reason: reasonOf(error) });
    skip(ctx, loanId, reasonOf(error));
  }
}

async function sweepLoan(
  first: Record<string, unknown>,
  loanId: string,
  ctx: LoanRunContext,
): Promise<void> {
  let item: Record<string, unknown> | undefined = first;
  let examined = false;
  for (let attempt = 0; ; attempt++) {
    if (!item) return skip(ctx, loanId, 'not found');
    const parsed = parseLoanItem(item);
    if (!parsed.ok) return skip(ctx, parsed.loanId ?? loanId, parsed.reason);
    if (!examined) {
      ctx.totals.loansExamined++;
      examined = true;
    }
    let loan: Loan | undefined = parsed.loan;
    const policy = policyFor(ctx.policyBook, loan.productCode);
    const leftover = Object.values(loan.outbox);
    if (!ctx.dryRun && leftover.length > 0) {
      // An earlier write's events SNS never accepted: deliver them (same ids) before anything else.
      ({ loan } = await deliver(ctx, loan, leftover, nextDueDateOf(loan, policy), policy));
      if (!loan) {
        if (attempt >= ctx.conflictRetries) {
          return skip(ctx, loanId, 'outbox could not be cleared: the loan kept changing');
        }
        item = await ctx.store.get(loanId);
        continue;
      }
    }

    const assessment = assess(loan, policy, ctx.asOf, ctx.run);
    if (assessment.kind === 'unchanged') {
      if (assessment.outcome) countOutcome(ctx.totals, assessment.outcome, false);
      else if (loan.accruedThrough === ctx.asOf && loan.dpd >= 1) ctx.totals.loansOverdue++;
      return;
    }
    if (ctx.dryRun) {
      countOutcome(ctx.totals, assessment.outcome, true);
      return;
    }

    const { update } = assessment;
    const pending = { ...loan.outbox };
    for (const event of assessment.events) pending[event.id] = event;
    const pendingEvents = Object.values(pending);
    const held =
      pendingEvents.length === 0
        ? undefined
        : indexKeyWhilePending(loan.nextDueDate, update.nextDueDate, ctx.asOf, ctx.horizon);
    const committed = await ctx.store.commit({
      update,
      ledgerEntries: assessment.ledgerEntries,
      events: assessment.events,
      outboxWasEmpty: Object.keys(loan.outbox).length === 0,
      indexKey:
        held === undefined
          ? indexKeyTo(update.nextDueDate)
          : held === loan.nextDueDate
            ? { kind: 'keep' }
            : { kind: 'set', nextDueDate: held },
    });
    if (committed.kind === 'rejected') return skip(ctx, loanId, committed.reason);
    if (committed.kind === 'conflict') {
      ctx.totals.versionConflicts++;
      if (attempt >= ctx.conflictRetries) {
        return skip(ctx, loanId, `version conflict on ${ctx.conflictRetries + 1} attempts`);
      }
      item = await ctx.store.get(loanId);
      continue;
    }

    countOutcome(ctx.totals, assessment.outcome, false);
    const written: Loan = {
      ...loan,
      version: update.version,
      outbox: pending,
      nextDueDate: held ?? update.nextDueDate ?? undefined,
    };
    await deliver(ctx, written, pendingEvents, update.nextDueDate, policy);
    return;
  }
}
