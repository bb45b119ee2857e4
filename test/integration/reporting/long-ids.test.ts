/**
 * Any valid loan id is counted downstream: a loan whose id is 1,024 two-byte characters (2,048
 * bytes in UTF-8, the most a loan id may be) is swept by the real sweep handler, its events go out
 * through the real stream publisher, the topic and the reporting queue, and the real reporting
 * handler counts every one of them, so the day's report completes. Its event ids are longer than a
 * DynamoDB key; the report's markers are keyed by their digest.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReportStore, eventMarkerKey } from '../../../functions/adapters/report-store';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { utf8ByteLength } from '../../../functions/core/values';
import { drainQueue, freshResources, localClients } from '../../../local/fixtures/aws';
import { lambdaContext } from '../../../local/fixtures/lambda';
import type { LocalResources } from '../../../local/local-resources';
import { createPublisherPump, type StreamPump } from '../../../local/stream-pump';
import { putLoan, sqsEventsFromMessages } from '../consumers/support';

const clients = localClients();
const ASOF = '2026-10-31' as BusinessDate;
const LONG_ID = 'ж'.repeat(1_024);

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let resources: LocalResources;
let reporting: Handler;
let pump: StreamPump;
let delivered: string[] = [];
let failures: SQSBatchResponse['batchItemFailures'] = [];

beforeAll(async () => {
  resources = await freshResources(clients, 'longids');
  Object.assign(process.env, resources.env, {
    BUSINESS_TIMEZONE: 'Asia/Shanghai',
    FEE_POLICY: JSON.stringify({ default: { lateFee: 500 } }),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const sweep = (await import('../../../functions/sweep/handler')).handler as Handler;
  const publisher = (await import('../../../functions/publisher/handler')).handler as Handler;
  reporting = (await import('../../../functions/reporting/handler')).handler as Handler;
  pump = createPublisherPump(
    resources.loansStreamArn,
    async (event) => (await publisher(event, lambdaContext('publisher'))) as never,
  );
  const dueDate = addDays(ASOF, -10);
  await putLoan(clients.doc, resources.tables.LOANS_TABLE_NAME, LONG_ID, {
    borrowerId: 'B-long',
    nextDueDate: dueDate,
    installments: [
      {
        seq: 1,
        dueDate,
        principalDue: 10_000,
        interestDue: 300,
        principalPaid: 0,
        interestPaid: 0,
      },
    ],
  });
  await sweep({ asOf: ASOF }, lambdaContext('sweep'));
  await pump.drain();
  const { queueUrl, queueArn } = resources.events.queues.Reporting;
  const messages = await drainQueue(clients.sqs, queueUrl);
  delivered = messages.map((message) => JSON.parse(message.Body ?? '{}').id as string);
  for (const event of sqsEventsFromMessages(messages, queueArn)) {
    const response = (await reporting(event, lambdaContext('reporting'))) as SQSBatchResponse;
    failures = [...failures, ...response.batchItemFailures];
  }
});

describe('a loan id of 1,024 two-byte characters', () => {
  it('is 2,048 bytes, and its event ids are longer than a DynamoDB key', () => {
    expect(utf8ByteLength(LONG_ID)).toBe(2_048);
    const loanEvents = delivered.filter((id) => id.startsWith(LONG_ID));
    expect(loanEvents.length).toBeGreaterThanOrEqual(2);
    for (const id of loanEvents) expect(utf8ByteLength(id)).toBeGreaterThan(2_048);
  });

  it('has every event counted, each under a marker keyed by its digest', async () => {
    expect(failures).toEqual([]);
    for (const id of delivered) {
      const { Item } = await clients.doc.send(
        new GetCommand({
          TableName: resources.tables.REPORTS_TABLE_NAME,
          Key: { asOf: eventMarkerKey(id) },
          ConsistentRead: true,
        }),
      );
      expect(Item?.eventId).toBe(id);
    }
  });

  it('completes the day: the report counts the loan and is final', async () => {
    const report = await createReportStore(clients.doc, resources.tables.REPORTS_TABLE_NAME).get(
      ASOF,
    );
    expect(report).toMatchObject({
      loansOverdue: 1,
      buckets: { M1: 1 },
      amountOverdue: { CNY: 10_300 },
      complete: true,
    });
  });
});
