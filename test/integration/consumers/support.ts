/**
 * Helpers for the consumer integration tests: quiet Powertools instances, loan items as upstream
 * writes them, and SQS events shaped as Lambda's event source mapping delivers them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Message } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../../../functions/contract/observability';
import { sqsRecord } from '../../../local/fixtures/sqs';

// Metrics are asserted through the store, not EMF output; keep test logs readable.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const quietLogger = () => new Logger({ logLevel: 'SILENT' });
export const quietMetrics = () =>
  new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'test' });

/** An SQS event of envelopes (or raw bodies), message ids `m0`, `m1`, … unless given. */
export function sqsEventOf(bodies: readonly (object | string)[], prefix = 'm'): SQSEvent {
  return {
    Records: bodies.map((body, i) =>
      sqsRecord(typeof body === 'string' ? body : JSON.stringify(body), `${prefix}${i}`),
    ),
  };
}

/** SQS events of at most 10 records from messages received from an emulator queue. */
export function sqsEventsFromMessages(messages: readonly Message[], queueArn: string): SQSEvent[] {
  const records = messages.map((message, i) =>
    sqsRecord(message.Body ?? '', message.MessageId ?? `msg-${i}`, queueArn),
  );
  const events: SQSEvent[] = [];
  for (let i = 0; i < records.length; i += 10) events.push({ Records: records.slice(i, i + 10) });
  return events;
}

/** Writes a loan item as upstream does: one unpaid instalment of 10,000 + 300 unless overridden. */
export async function putLoan(
  doc: DynamoDBDocumentClient,
  tableName: string,
  loanId: string,
  overrides: Record<string, unknown> = {},
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        loanId,
        borrowerId: `B-${loanId}`,
        currency: 'CNY',
        principal: 10_000,
        dailyInterestRate: 0.0003,
        status: 'ACTIVE',
        sweepShard: 0,
        nextDueDate: '2026-03-01',
        installments: [
          {
            seq: 1,
            dueDate: '2026-03-01',
            principalDue: 10_000,
            interestDue: 300,
            principalPaid: 0,
            interestPaid: 0,
          },
        ],
        ...overrides,
      },
    }),
  );
}
