/**
 * Reads the reminders table the way the local run's and the bench's own checks do: a scan, not
 * a path the reminder service takes.
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { BusinessDate } from '../functions/core/types';

/**
 * The reminder items of `asOf`, page by page (a scan). Reminders only: the lines the weekly cap
 * holds back are kept in items without a message, which are left out.
 */
export async function* scanReminderItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  asOf: BusinessDate,
): AsyncGenerator<Record<string, unknown>> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'asOf = :asOf AND attribute_exists(message)',
        ExpressionAttributeValues: { ':asOf': asOf },
        ExclusiveStartKey,
      }),
    );
    yield* page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
