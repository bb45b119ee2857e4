/**
 * The local run's stand-in for Lambda's SQS event source mapping, on the emulator: batches of at
 * most 10 records shaped as Lambda passes them, successes deleted, batch item failures kept.
 */
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { drainQueue, freshResources, localClients } from '../../../local/fixtures/aws';
import type { LocalQueue } from '../../../local/local-resources';
import { deliverQueue } from '../../../local/local-run';

const clients = localClients();
let queue: LocalQueue;

beforeAll(async () => {
  const resources = await freshResources(clients, 'deliver');
  queue = resources.events.queues.Reporting;
});

const context = { functionName: 'test' } as Context;

async function send(sqs: SQSClient, bodies: readonly string[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: bodies.slice(start, start + 10).map((body, index) => ({
          Id: String(start + index),
          MessageBody: body,
          MessageAttributes: { type: { DataType: 'String', StringValue: `type-${body}` } },
        })),
      }),
    );
  }
}

describe('delivering a queue to a handler', () => {
  it('hands every message over in batches of at most 10, deletes successes and keeps the failure', async () => {
    const bodies = Array.from({ length: 23 }, (_, index) => `m${index}`);
    await send(clients.sqs, bodies);
    const batches: SQSRecord[][] = [];
    let failedRecord: SQSRecord | undefined;
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      batches.push(event.Records);
      const failing = event.Records.find((record) => record.body === 'm7');
      if (failing) failedRecord = failing;
      return { batchItemFailures: failing ? [{ itemIdentifier: failing.messageId }] : [] };
    };

    const result = await deliverQueue(clients.sqs, queue, handler, context, () => {});

    expect(result).toEqual({ delivered: 22, failed: 1 });
    expect(batches.every((records) => records.length >= 1 && records.length <= 10)).toBe(true);
    const seen = batches.flat();
    expect(new Set(seen.map((record) => record.body))).toEqual(new Set(bodies));
    const first = seen[0];
    expect(first?.eventSource).toBe('aws:sqs');
    expect(first?.eventSourceARN).toBe(queue.queueArn);
    expect(first?.receiptHandle).not.toBe('');
    expect(first?.messageAttributes.type).toEqual(
      expect.objectContaining({ dataType: 'String', stringValue: `type-${first?.body}` }),
    );
    // Only the failure is left: made visible again (its visibility timeout "expired"), it is the
    // queue's only message.
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.queueUrl,
        ReceiptHandle: failedRecord?.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const left = await drainQueue(clients.sqs, queue.queueUrl);
    expect(left.map((message) => message.Body)).toEqual(['m7']);
  });
});
