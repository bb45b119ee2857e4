/**
 * Reads one loan item by key (SPEC §3), for the reminder service that decides on the loan as it is
 * now. Numbers must reach the core's parser as exact decimal text: use a document client built
 * with `exactNumbers` (see dynamodb.ts).
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Reads one loan item with a strongly consistent read.
 * @returns the raw item, or undefined when there is none.
 */
export async function readLoanItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: { loanId }, ConsistentRead: true }),
  );
  return Item;
}
