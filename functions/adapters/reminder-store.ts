/**
 * The reminders table (SPEC §7): the outbox a messaging gateway drains, at most one reminder per
 * loan per business date (partition key `loanId`, sort key `asOf`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReminderKind } from '../core/reminders';
import type { BusinessDate, CurrencyCode, Locale, MinorUnits } from '../core/types';

/** One reminder as stored; ids only, no personal data. */
export interface ReminderItem {
  readonly loanId: string;
  readonly asOf: BusinessDate;
  /** The gateway looks the borrower's contact details up by this id. */
  readonly borrowerId: string;
  readonly kind: ReminderKind;
  readonly locale: Locale;
  readonly message: string;
  /** The amount the message states, minor units of `currency`. */
  readonly amount: MinorUnits;
  readonly currency: CurrencyCode;
  /** ISO-8601 instant with the business zone's offset: 09:00 business time on `asOf`. */
  readonly sendAfter: string;
  readonly status: 'PENDING';
  /** The event that caused it. */
  readonly eventId: string;
  /** ISO-8601 instant the reminder was written. */
  readonly createdAt: string;
}

/** `created`, or `exists` when the loan already has a reminder for that date (the first wins). */
export type SaveReminderResult = 'created' | 'exists';

/** Writes a reminder unless the loan already has one for `asOf` (conditional put). */
export async function saveReminderOnce(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: ReminderItem,
): Promise<SaveReminderResult> {
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        // The key is (loanId, asOf): an existing item means this date's reminder is written.
        ConditionExpression: 'attribute_not_exists(loanId)',
      }),
    );
    return 'created';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'exists';
    throw error;
  }
}
