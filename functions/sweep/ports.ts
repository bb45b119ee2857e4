/**
 * What the sweep needs from the outside world, in its own words (STYLE: a port is declared by its
 * user). The DynamoDB adapter implements it for AWS; an in-memory book implements it for unit tests.
 * Nothing here knows an attribute name, an expression or a batch limit.
 */
import type {
  BusinessDate,
  EventEnvelope,
  LedgerEntry,
  Loan,
  LoanUpdate,
  PostedLine,
} from '../core/types';

/** A loan read from the book: parsed at the edge into a loan, or the reason it cannot be swept. */
export type LoanRead =
  | { readonly ok: true; readonly loan: Loan }
  | { readonly ok: false; readonly loanId: string; readonly reason: string };

/** A loan's ledger lines as read back for rule 7, or why they cannot be used. */
export type LedgerRead =
  | { readonly ok: true; readonly lines: readonly PostedLine[] }
  | { readonly ok: false; readonly reason: string };

/** Where a shard's walk resumes: right after this loan in due-date order. */
export interface DueCursor {
  /**
   * The index key as stored: upstream writes it and may write it wrong (the loan is then skipped
   * with a reason), so it is kept as text rather than as a date.
   */
  readonly nextDueDate: string;
  readonly loanId: string;
}

/** One loan of a due page, with the cursor that resumes right after it. */
export interface DueEntry {
  readonly read: LoanRead;
  readonly cursor: DueCursor;
}

/** One page of a shard's candidates, in due-date order. */
export interface DuePage {
  readonly entries: readonly DueEntry[];
  /** Where the next page starts; absent when the shard is exhausted. */
  readonly next?: DueCursor;
}

/** Everything one sweep write changes, recorded atomically (docs/contract.md: Loans table, Sweep, Guarantees). */
export interface LoanChange {
  /** The loan as read: the write is conditioned on its `version`. */
  readonly loan: Loan;
  readonly update: LoanUpdate;
  readonly ledgerEntries: readonly LedgerEntry[];
  /** The events this write records for the stream publisher. */
  readonly events: readonly EventEnvelope[];
}

/**
 * `recorded`; `conflict` when the loan changed since it was read (re-read and re-assess);
 * `rejected` when the write can never succeed as it is (e.g. a ledger entry with its id exists).
 */
export type RecordResult =
  | { readonly kind: 'recorded' }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'rejected'; readonly reason: string };

/** The loans and ledger tables as the sweep sees them. */
export interface LoanBook {
  /**
   * One page of shard `shard` (0–15) of the due index: loans with a due date on or before
   * `horizon`, after `after`, at most `pageSize` of them.
   */
  duePage(
    shard: number,
    horizon: BusinessDate,
    after: DueCursor | undefined,
    pageSize: number,
  ): Promise<DuePage>;
  /** Consistent reads by id, in the order given; a missing loan is a read with reason `not found`. */
  readByIds(loanIds: readonly string[]): Promise<readonly LoanRead[]>;
  /**
   * The lines of the loan's ledger entries of business dates `from` and later (charges and
   * reversals), read consistently: what rule 7 recomputes a backdated payment's charges from.
   * Read only for a loan with such a payment, so reads stay proportional to the candidates.
   */
  ledgerSince(loanId: string, from: BusinessDate): Promise<LedgerRead>;
  /** The loan's update, its ledger entries and its events, in one transaction. */
  record(change: LoanChange): Promise<RecordResult>;
  /**
   * Records a finished run's `sweep.completed` durably, once per run id, for the stream publisher
   * to send (docs/contract.md, Guarantees). `kept` when a record of that run id stands already:
   * it is never overwritten, so the first complete run's summary is the one delivered.
   */
  recordCompletion(event: EventEnvelope): Promise<CompletionRecord>;
}

/** `recorded` by this call, or an earlier record of the same run id `kept` as it was. */
export type CompletionRecord = 'recorded' | 'kept';

/** Asks Step Functions about an execution of the sweep-run state machine. */
export interface ExecutionCheck {
  /** True when execution `executionArn` exists and is RUNNING. */
  isRunning(executionArn: string): Promise<boolean>;
}

/** Hands the rest of a direct run to a new workflow execution (never to the function itself). */
export interface RunHandOff {
  /** Starts the execution with `input`; resolves with its ARN once Step Functions accepted it. */
  start(input: unknown, name: string): Promise<{ readonly executionArn: string }>;
}
