/**
 * The reminder service's reads of the loans table: the loans of one SQS batch in one strongly
 * consistent BatchGetItem (a GetItem per event would cost a request each), each item parsed at the
 * edge by the loan item codec into a loan, or the reason it cannot be read. It reads the table
 * loan-store.ts reads, through the same exact-number document client (rates are decimals), and
 * hands the service parsed loans only.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOANS_TABLE } from '../contract/tables';
import { parseLoanItem } from '../core/loan';
import type { LoanState } from '../core/reminders';
import type { LoanReader } from '../reminder/ports';
import { fitsPartitionKey } from './dynamodb';
import { exponentialBackoff, type RetryPolicy, sleep } from './retry';

/** DynamoDB's limit of keys per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;
const KEY = LOANS_TABLE.partitionKey.name;
const DEFAULT_BATCH_RETRY = exponentialBackoff(7, 50, 2_000);

/** A loan item as the codec parses it: the loan, or the reason naming the attribute. */
function stateOf(item: Record<string, unknown>): LoanState {
  const parsed = parseLoanItem(item);
  return parsed.ok
    ? { kind: 'found', loan: parsed.loan }
    : { kind: 'unreadable', reason: parsed.reason };
}

/**
 * A LoanReader on `doc`, which must read numbers exactly (`documentClient(…, { exactNumbers:
 * true })`).
 */
export function createReminderLoanReader(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: { readonly batchRetry?: RetryPolicy } = {},
): LoanReader {
  const batchRetry = options.batchRetry ?? DEFAULT_BATCH_RETRY;
  return {
    async read(loanIds) {
      const states = new Map<string, LoanState>();
      // An id no key can hold names no loan, and would fail the whole BatchGetItem.
      const askable = [...new Set(loanIds)].filter(fitsPartitionKey);
      for (let start = 0; start < askable.length; start += BATCH_GET_LIMIT) {
        let keys: Record<string, unknown>[] = askable
          .slice(start, start + BATCH_GET_LIMIT)
          .map((loanId) => ({ [KEY]: loanId }));
        for (let attempt = 1; keys.length > 0; attempt++) {
          if (attempt > batchRetry.attempts) {
            throw new Error(`${keys.length} loan keys still unprocessed after retries`);
          }
          if (attempt > 1) await sleep(batchRetry.delayMs(attempt));
          const { Responses, UnprocessedKeys } = await doc.send(
            new BatchGetCommand({
              RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } },
            }),
          );
          for (const item of Responses?.[tableName] ?? []) {
            if (typeof item[KEY] === 'string') states.set(item[KEY], stateOf(item));
          }
          keys = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      for (const loanId of loanIds)
        if (!states.has(loanId)) states.set(loanId, { kind: 'missing' });
      return states;
    },
  };
}
