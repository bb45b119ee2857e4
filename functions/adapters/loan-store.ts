/**
 * Reads one loan by key (docs/contract.md, Loans table), for a consumer that decides on the loan as it is now (the
 * reminder service), parsed at the edge through the item codec. Use a document client built with
 * `exactNumbers` (see dynamodb.ts), so rates reach the parser exactly.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LoanParseResult } from '../core/types';
import { decodeLoanItem, plainValueOf } from './item-codec';

async function getItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: { loanId }, ConsistentRead: true }),
  );
  return Item;
}

/**
 * Reads one loan with a strongly consistent read.
 * @returns the parsed loan (or the reason its item cannot be used), or undefined when there is
 *   no item.
 */
export async function readLoan(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
): Promise<LoanParseResult | undefined> {
  const item = await getItem(doc, tableName, loanId);
  return item === undefined ? undefined : decodeLoanItem(item);
}

/**
 * Reads one loan item with a strongly consistent read, as plain values (for `parseLoanItem`).
 * @deprecated use {@link readLoan}, which returns the loan parsed.
 * @returns the item, or undefined when there is none.
 */
export async function readLoanItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
): Promise<Record<string, unknown> | undefined> {
  const item = await getItem(doc, tableName, loanId);
  return item === undefined ? undefined : (plainValueOf(item) as Record<string, unknown>);
}
