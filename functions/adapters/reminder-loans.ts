/**
 * The reminder service's reads of the loans table: the loans of one SQS batch read together (one
 * BatchGetItem, shared with the batch's other reads: batch-get.ts; a GetItem per event would cost
 * a request each), strongly consistent, each item parsed at the edge by the loan item codec into a
 * loan, or the reason it cannot be read. It reads the table loan-store.ts reads, with exact numbers
 * (rates are decimals) and only the attributes the codec reads (not the sweep's recorded events),
 * and hands the service parsed loans only.
 */
import { LOANS_TABLE } from '../contract/tables';
import { LOAN_ITEM_ATTRIBUTES, parseLoanItem } from '../core/loan';
import type { LoanState } from '../core/reminders';
import type { LoanReader } from '../reminder/ports';
import type { BatchGet } from './batch-get';
import { fitsPartitionKey } from './dynamodb';

const KEY = LOANS_TABLE.partitionKey.name;

/** A loan item as the codec parses it: the loan, or the reason naming the attribute. */
function stateOf(item: Record<string, unknown>): LoanState {
  const parsed = parseLoanItem(item);
  return parsed.ok
    ? { kind: 'found', loan: parsed.loan }
    : { kind: 'unreadable', reason: parsed.reason };
}

/**
 * A LoanReader on `batchGet`, whose document client must read numbers exactly
 * (`documentClient(…, { exactNumbers: true })`).
 */
export function createReminderLoanReader(batchGet: BatchGet, tableName: string): LoanReader {
  return {
    async read(loanIds) {
      const states = new Map<string, LoanState>();
      // An id no key can hold names no loan, and would fail the whole BatchGetItem.
      const askable = [...new Set(loanIds)].filter(fitsPartitionKey);
      const items = await batchGet(
        tableName,
        askable.map((loanId) => ({ [KEY]: loanId })),
        LOAN_ITEM_ATTRIBUTES,
      );
      const wanted = new Set(askable);
      for (const item of items) {
        const loanId = item[KEY];
        if (typeof loanId === 'string' && wanted.has(loanId)) states.set(loanId, stateOf(item));
      }
      for (const loanId of loanIds)
        if (!states.has(loanId)) states.set(loanId, { kind: 'missing' });
      return states;
    },
  };
}
