/**
 * The benchmark's portfolio: `candidates` ACTIVE loans overdue on `asOf` (spread over the 16
 * shards, most past grace so they are charged) and `closed` PAID_OFF loans without an index key,
 * which a sweep must never read (docs/performance.md). Deterministic: loan `i` is always the same loan.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SWEEP_SHARDS } from '../functions/contract/tables';
import { addDays } from '../functions/core/dates';
import type { BusinessDate } from '../functions/core/types';

/** DynamoDB's limit of items per BatchWriteItem call. */
const BATCH_WRITE_LIMIT = 25;

function installment(seq: number, dueDate: BusinessDate, paid: boolean) {
  const principalDue = 100_000;
  const interestDue = 3_000;
  return {
    seq,
    dueDate,
    principalDue,
    interestDue,
    principalPaid: paid ? principalDue : 0,
    interestPaid: paid ? interestDue : 0,
  };
}

/** Candidate loan `i`: 1–90 days overdue on `asOf`, three monthly instalments. */
export function candidateLoan(i: number, asOf: BusinessDate): Record<string, unknown> {
  const dpd = 1 + (i % 90);
  const firstDue = addDays(asOf, -dpd);
  return {
    loanId: `B-${String(i).padStart(7, '0')}`,
    borrowerId: `BR-${i}`,
    currency: 'CNY',
    principal: 300_000,
    dailyInterestRate: 0.0005,
    status: 'ACTIVE',
    sweepShard: i % SWEEP_SHARDS,
    nextDueDate: firstDue,
    installments: [
      installment(1, firstDue, false),
      installment(2, addDays(firstDue, 30), false),
      installment(3, addDays(firstDue, 60), false),
    ],
  };
}

/** Closed loan `i`: the same shape, fully paid, no `nextDueDate` (outside the sparse index). */
export function closedLoan(i: number, asOf: BusinessDate): Record<string, unknown> {
  const firstDue = addDays(asOf, -400 - (i % 300));
  return {
    loanId: `C-${String(i).padStart(7, '0')}`,
    borrowerId: `BR-C${i}`,
    currency: 'CNY',
    principal: 300_000,
    dailyInterestRate: 0.0005,
    status: 'PAID_OFF',
    sweepShard: i % SWEEP_SHARDS,
    installments: [
      installment(1, firstDue, true),
      installment(2, addDays(firstDue, 30), true),
      installment(3, addDays(firstDue, 60), true),
    ],
  };
}

async function writeBatch(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
) {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10));
    const { UnprocessedItems } = await doc.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
    );
    requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}

/**
 * Writes the portfolio with `concurrency` BatchWriteItem calls in flight; `onProgress` gets the
 * number of items written so far.
 */
export async function seedBenchPortfolio(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: {
    candidates: number;
    closed: number;
    asOf: BusinessDate;
    concurrency?: number;
    onProgress?: (written: number) => void;
  },
): Promise<void> {
  const { candidates, closed, asOf, concurrency = 8, onProgress } = options;
  const total = candidates + closed;
  let next = 0;
  let written = 0;
  const itemAt = (n: number) =>
    n < candidates ? candidateLoan(n, asOf) : closedLoan(n - candidates, asOf);
  const worker = async () => {
    while (next < total) {
      const start = next;
      next = Math.min(total, next + BATCH_WRITE_LIMIT);
      const items: Record<string, unknown>[] = [];
      for (let n = start; n < next; n += 1) items.push(itemAt(n));
      await writeBatch(doc, tableName, items);
      written += items.length;
      onProgress?.(written);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
