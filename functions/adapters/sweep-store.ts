/**
 * The loans and ledger tables as the sweep sees them: one object speaking the domain's language,
 * built on the document client (which must wrap numbers, see `createLoanDocumentClient`).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusinessDate } from '../core/types';
import {
  type BatchGetResult,
  batchGetLoanItems,
  type DueIndexPosition,
  type DuePage,
  getLoanItem,
  queryDuePage,
} from './loan-store';
import {
  type CommitResult,
  clearOutbox,
  commitLoan,
  type LoanCommit,
  type OutboxClear,
  type SweepTables,
} from './loan-writer';

/** Reads and writes of one sweep run. */
export interface SweepStore {
  /** A consistent read of one loan item; undefined when it does not exist. */
  get(loanId: string): Promise<Record<string, unknown> | undefined>;
  /** One page of a due-index shard (`nextDueDate ≤ horizon`), after `after`. */
  duePage(
    shard: number,
    horizon: BusinessDate,
    after: DueIndexPosition | undefined,
    pageSize: number,
  ): Promise<DuePage>;
  /** Consistent reads of up to 100 loans by key. */
  batchGet(loanIds: readonly string[]): Promise<BatchGetResult>;
  /** The loan's conditional transaction (update, outbox, ledger entries). */
  commit(commit: LoanCommit): Promise<CommitResult>;
  /** Removes accepted events from a loan's outbox (conditional). */
  clearOutbox(clear: OutboxClear): Promise<'cleared' | 'conflict'>;
}

/** A SweepStore on DynamoDB. */
export function createSweepStore(doc: DynamoDBDocumentClient, tables: SweepTables): SweepStore {
  return {
    get: (loanId) => getLoanItem(doc, tables.loans, loanId),
    duePage: (shard, horizon, after, pageSize) =>
      queryDuePage(doc, tables.loans, shard, horizon, after, pageSize),
    batchGet: (loanIds) => batchGetLoanItems(doc, tables.loans, loanIds),
    commit: (commit) => commitLoan(doc, tables, commit),
    clearOutbox: (clear) => clearOutbox(doc, tables.loans, clear),
  };
}
