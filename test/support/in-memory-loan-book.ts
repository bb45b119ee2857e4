/**
 * An in-memory LoanBook (the sweep's port, functions/sweep/ports.ts) for unit tests of the run loop:
 * the same answers the DynamoDB book gives — due pages in (nextDueDate, loanId) order, reads by id,
 * version-conditioned records — without DynamoDB Local. Faults are injected per record call.
 */

import { storedOutboxOf } from '../../functions/adapters/outbox-text';
import { postedLinesOf } from '../../functions/core/ledger';
import { parseLoanItem } from '../../functions/core/loan';
import type { EventEnvelope, LedgerEntry } from '../../functions/core/types';
import type {
  CompletionRecord,
  DueCursor,
  LoanBook,
  LoanChange,
  LoanRead,
  RecordResult,
} from '../../functions/sweep/ports';

type Item = Record<string, unknown>;

/** What a record call should do instead of writing (fault injection). */
export type InjectedFault = 'conflict' | { readonly rejected: string } | Error;

export interface InMemoryLoanBook extends LoanBook {
  /** The items as they are now, by loanId. */
  readonly items: Map<string, Item>;
  /** Ledger entries written, by `loanId#entryId`. */
  readonly ledger: Map<string, LedgerEntry>;
  /** Every change recorded, in order. */
  readonly recorded: LoanChange[];
  /** Loan ids read by id (re-reads included), in order. */
  readonly readIds: string[];
  /** Loan ids whose ledger was read (rule 7), in order. */
  readonly ledgerReads: string[];
  /** The run records: each run id's `sweep.completed`, the first recorded standing. */
  readonly runRecords: Map<string, EventEnvelope>;
  /** Every `sweep.completed` a finish asked to record (kept ones included), in order. */
  readonly completions: EventEnvelope[];
}

function readOf(item: Item): LoanRead {
  const parsed = parseLoanItem(item);
  if (parsed.ok) return { ok: true, loan: parsed.loan };
  return { ok: false, loanId: parsed.loanId ?? '(no loanId)', reason: parsed.reason };
}

const cursorOf = (item: Item): DueCursor =>
  ({ nextDueDate: item.nextDueDate, loanId: item.loanId }) as DueCursor;

const after = (item: Item, cursor: DueCursor | undefined) =>
  !cursor ||
  String(item.nextDueDate) > cursor.nextDueDate ||
  (item.nextDueDate === cursor.nextDueDate && String(item.loanId) > cursor.loanId);

/** Applies a change to an item as the DynamoDB book's update expression does. */
function applied(item: Item, change: LoanChange): Item {
  const { update } = change;
  const bySeq = new Map(update.installments.map((inst) => [inst.seq, inst]));
  const installments = (item.installments as Item[]).map((inst) => {
    const next = bySeq.get(Number(inst.seq));
    if (!next) return inst;
    return {
      ...inst,
      ...(next.penaltyThrough === undefined ? {} : { penaltyThrough: next.penaltyThrough }),
      lateFeeCharged: next.lateFeeCharged,
      ...(next.paymentsApplied === undefined ? {} : { paymentsApplied: next.paymentsApplied }),
    };
  });
  const { nextDueDate: _key, outbox: _outbox, ...rest } = item;
  const outbox = storedOutboxOf(change.events);
  return {
    ...rest,
    installments,
    accruedThrough: update.accruedThrough,
    dpd: update.dpd,
    bucket: update.bucket,
    lateFeesCharged: update.lateFeesCharged,
    penaltyCharged: update.penaltyCharged,
    version: update.version,
    ...(update.status && { status: update.status }),
    ...(update.nextDueDate !== null && { nextDueDate: update.nextDueDate }),
    ...(outbox !== undefined && { outbox }),
  };
}

/**
 * A book holding `items`. `fault(change, attempt)` may make the n-th record call of a loan (1-based)
 * fail instead of writing.
 */
export function inMemoryLoanBook(
  items: readonly Item[],
  fault?: (change: LoanChange, attempt: number) => InjectedFault | undefined,
): InMemoryLoanBook {
  const state = new Map(items.map((item) => [String(item.loanId), structuredClone(item)]));
  const ledger = new Map<string, LedgerEntry>();
  const recorded: LoanChange[] = [];
  const readIds: string[] = [];
  const ledgerReads: string[] = [];
  const attempts = new Map<string, number>();
  const runRecords = new Map<string, EventEnvelope>();
  const completions: EventEnvelope[] = [];
  return {
    items: state,
    ledger,
    recorded,
    readIds,
    ledgerReads,
    runRecords,
    completions,
    async recordCompletion(event): Promise<CompletionRecord> {
      completions.push(event);
      if (runRecords.has(event.runId)) return 'kept';
      runRecords.set(event.runId, event);
      return 'recorded';
    },
    async duePage(shard, horizon, cursor, pageSize) {
      const due = [...state.values()]
        .filter((item) => item.sweepShard === shard && typeof item.nextDueDate === 'string')
        .filter((item) => String(item.nextDueDate) <= horizon && after(item, cursor))
        .sort((a, b) =>
          `${a.nextDueDate}\u0000${a.loanId}`.localeCompare(`${b.nextDueDate}\u0000${b.loanId}`),
        );
      const page = due.slice(0, pageSize);
      const last = page.at(-1);
      return {
        entries: page.map((item) => ({ read: readOf(item), cursor: cursorOf(item) })),
        ...(due.length > pageSize && last && { next: cursorOf(last) }),
      };
    },
    async readByIds(loanIds) {
      readIds.push(...loanIds);
      return loanIds.map((loanId) => {
        const item = state.get(loanId);
        return item ? readOf(item) : { ok: false, loanId, reason: 'not found' };
      });
    },
    async ledgerSince(loanId, from) {
      ledgerReads.push(loanId);
      const entries = [...ledger.values()].filter(
        (entry) => entry.loanId === loanId && entry.entryId >= from,
      );
      entries.sort((a, b) => a.entryId.localeCompare(b.entryId));
      return { ok: true, lines: postedLinesOf(entries) };
    },
    async record(change): Promise<RecordResult> {
      const loanId = change.loan.loanId;
      const attempt = (attempts.get(loanId) ?? 0) + 1;
      attempts.set(loanId, attempt);
      const injected = fault?.(change, attempt);
      if (injected instanceof Error) throw injected;
      if (injected === 'conflict') return { kind: 'conflict' };
      if (injected) return { kind: 'rejected', reason: injected.rejected };
      const item = state.get(loanId);
      if (!item || Number(item.version ?? 0) !== change.loan.version) return { kind: 'conflict' };
      for (const entry of change.ledgerEntries) {
        if (ledger.has(`${loanId}#${entry.entryId}`)) {
          return { kind: 'rejected', reason: `ledger entry ${entry.entryId} already exists` };
        }
      }
      for (const entry of change.ledgerEntries) ledger.set(`${loanId}#${entry.entryId}`, entry);
      state.set(loanId, applied(item, change));
      recorded.push(change);
      return { kind: 'recorded' };
    },
  };
}
