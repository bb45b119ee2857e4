/**
 * Reads loan items from the loans table (SPEC §3). Numbers must reach the core's parser as exact
 * decimal text, so the document client is built with `wrapNumbers` (see `createLoanDocumentClient`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The document client every loans/ledger adapter uses: numbers unmarshalled as NumberValue so
 * rates stay exact, undefined values dropped on writes. Note that lib-dynamodb stores this
 * translation config on the base client, so give it a DynamoDBClient of its own.
 */
export function createLoanDocumentClient(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  });
}

/**
 * Reads one loan item by key with a strongly consistent read (so its `version` is the latest).
 * Returns the raw item (numbers as NumberValue when `doc` wraps numbers) or undefined if absent.
 */
export async function getLoanItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: { loanId }, ConsistentRead: true }),
  );
  return Item;
}
