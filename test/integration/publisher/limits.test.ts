/**
 * The stream publisher at SNS's limits, on DynamoDB Local and the SNS/SQS emulator: loan items
 * carrying recorded events are written to the loans table, its stream is pumped through the event
 * source mapping's filters to the publisher (built by its wiring, on an SNS client that enforces
 * SNS's limits as SNS does), and what reaches the reporting queue is read back. Each test first
 * shows the finding (a review found each on the earlier publisher), then that it is fixed.
 */

import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { storedOutboxOf } from '../../../functions/adapters/outbox-text';
import { createSnsPublisher, messageAttributesOf } from '../../../functions/adapters/sns-publisher';
import { METRIC_NAMES } from '../../../functions/contract/observability';
import { buildSweepCompletedEvent, messageBodyOf } from '../../../functions/core/events';
import type { BusinessDate, EventEnvelope } from '../../../functions/core/types';
import { drainQueue, freshResources } from '../../../local/fixtures/aws';
import { installmentItem, loanItem } from '../../../local/fixtures/loans';
import { SNS_LIMIT_BYTES, snsWithLimits } from '../../../local/fixtures/sns-limits';
import {
  overdueOf,
  readStreamRecords,
  reversalOf,
  withOutbox,
} from '../../../local/fixtures/stream-records';
import { clients, envelopes, putItems } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';
import { drainIntoDeployedPublisher, publisherOn as onEmulator } from '../../support/publisher';

let resources: LocalResources;

beforeEach(async () => {
  resources = await freshResources(clients, 'publisher-limits');
});

/** A loan item (due since 2026-10-19, shard 3) carrying `events` as the sweep records them. */
const loanWith = (loanId: string, events: readonly EventEnvelope[]) =>
  withOutbox(loanItem(loanId, [installmentItem(1, '2026-10-19')], { sweepShard: 3 }), events);

const publisherOn = (sns: SNSClient) => onEmulator(resources, sns);

/** Every event id the reporting queue (every event) received since the last call, with repeats. */
async function delivered(): Promise<string[]> {
  const messages = await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl);
  return envelopes(messages).map((event) => event.id);
}

describe('three loans with 88 KB reversal events', () => {
  const loans = ['R-1', 'R-2', 'R-3'];
  const events = loans.flatMap((id) => [overdueOf(id), reversalOf(id, 350)]);

  it('would be refused as BatchRequestTooLong in one call of 10 (the finding)', async () => {
    const limited = snsWithLimits();
    const naive = limited.sns.send(
      new PublishBatchCommand({
        TopicArn: resources.events.topicArn,
        PublishBatchRequestEntries: events.map((event, i) => ({
          Id: `e${i}`,
          Message: messageBodyOf(event),
          MessageAttributes: messageAttributesOf(event),
        })),
      }),
    );
    await expect(naive).rejects.toMatchObject({ name: 'BatchRequestTooLongException' });
    const bytes = limited.calls[0]?.bytes ?? 0;
    expect(bytes).toBeGreaterThan(SNS_LIMIT_BYTES);
    expect(bytes / 3).toBeGreaterThan(87_000);
  });

  it('are delivered in calls packed by size, each event once, nothing retried', async () => {
    await putItems(
      resources.tables.LOANS_TABLE_NAME,
      loans.map((id) => loanWith(id, [overdueOf(id), reversalOf(id, 350)])),
    );
    const limited = snsWithLimits();
    const { pump, counted } = publisherOn(limited.sns);
    const drained = await pump.drain();
    expect(drained).toMatchObject({ delivered: 3, retries: 0, failing: [] });
    expect(limited.calls.every((call) => !call.refused && call.bytes <= SNS_LIMIT_BYTES)).toBe(
      true,
    );
    // Two 88 KB events fit one call, three do not.
    expect(limited.calls.length).toBe(2);
    expect((await delivered()).sort()).toEqual(events.map((event) => event.id).sort());
    expect(counted.get(METRIC_NAMES.publisher.eventsPublished)).toBe(6);
    expect(counted.get(METRIC_NAMES.publisher.publishBatchCalls)).toBe(2);
  });
});

describe('an event SNS can never accept', () => {
  const huge = reversalOf('H-1', 1_100);
  const small = ['N-1', 'N-2'].flatMap((id) => [overdueOf(id), reversalOf(id, 3)]);

  it('goes to the failure path after one attempt; the rest of its batch is published once', async () => {
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanWith('N-1', small.slice(0, 2)),
      loanWith('H-1', [overdueOf('H-1'), huge]),
      loanWith('N-2', small.slice(2)),
    ]);
    const limited = snsWithLimits();
    const { pump, log, counted } = publisherOn(limited.sns);
    const drained = await pump.drain();
    // Not retried: the shard is not held behind it.
    expect(drained).toMatchObject({ delivered: 3, retries: 0, failing: [] });
    const attempts = limited.calls.filter((call) => call.ids.includes(huge.id));
    expect(attempts).toHaveLength(1);
    const wanted = [...small, overdueOf('H-1')].map((event) => event.id);
    expect((await delivered()).sort()).toEqual(wanted.sort());
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'event cannot be published; it is not sent again',
        extra: {
          loanId: 'H-1',
          eventId: huge.id,
          eventType: 'loan.charges_reversed',
          reason: 'InvalidParameter: Invalid parameter: Message too long',
        },
      },
    ]);
    expect(counted.get(METRIC_NAMES.publisher.eventsUnpublishable)).toBe(1);
    // Nothing is left to retry: a later drain sends nothing.
    const callsBefore = limited.calls.length;
    expect(await pump.drain()).toMatchObject({ delivered: 0, failing: [] });
    expect(limited.calls.length).toBe(callsBefore);
  });

  it('is refused by the emulator too, through the deployed handler, with its log line and metric', async () => {
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanWith('H-2', [overdueOf('H-2'), reversalOf('H-2', 1_100)]),
    ]);
    const { drained, printed: line } = await drainIntoDeployedPublisher(resources);
    expect(drained).toMatchObject({ delivered: 1, failing: [] });
    expect(line).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'event cannot be published; it is not sent again',
        loanId: 'H-2',
        eventId: 'H-2:loan.charges_reversed:2026-11-28',
      }),
    );
    const emf = line.find((entry) => '_aws' in entry);
    expect(emf).toMatchObject({ EventsUnpublishable: 1, EventsPublished: 1, service: 'publisher' });
    expect(await delivered()).toEqual(['H-2:loan.overdue:2026-11-28']);
  });
});

describe('a passing failure', () => {
  it('is retried with backoff, names only its record, and sends nothing twice once SNS is back', async () => {
    const loans = ['F-1', 'F-2', 'F-3'];
    await putItems(
      resources.tables.LOANS_TABLE_NAME,
      loans.map((id) => loanWith(id, [overdueOf(id), reversalOf(id, 2)])),
    );
    let throttled = true;
    const failing = 'F-2:loan.charges_reversed:2026-11-28';
    const limited = snsWithLimits({ failing: (id) => throttled && id === failing });
    const { pump, counted } = publisherOn(limited.sns);
    const started = Date.now();
    const down = await pump.drain();
    // Lambda's view: the batch fails at F-2's record, every time, until the record's max age.
    expect(down.failing).toHaveLength(1);
    expect(down.delivered).toBe(1);
    // Four attempts per invocation with backoff (100, 200, 400 ms), three invocations.
    expect(limited.calls.filter((call) => call.ids.includes(failing))).toHaveLength(12);
    expect(Date.now() - started).toBeGreaterThan(3 * 700);
    expect(counted.get(METRIC_NAMES.publisher.eventsNotAccepted)).toBe(3);

    throttled = false;
    expect(await pump.drain()).toMatchObject({ failing: [] });
    // Each event once on the queue: what SNS accepted beside the failure was not sent again.
    const all = loans.flatMap((id) => [overdueOf(id).id, reversalOf(id, 2).id]);
    expect((await delivered()).sort()).toEqual(all.sort());
  });
});

describe('a stream record with an attribute type the reader does not know', () => {
  it('fails alone: the rest of the batch is published, never the whole batch retried', async () => {
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanWith('T-1', [overdueOf('T-1')]),
      loanWith('T-2', [overdueOf('T-2')]),
      loanWith('T-3', [overdueOf('T-3')]),
    ]);
    const [first, second, third] = (await readStreamRecords(resources.loansStreamArn)).sort(
      (a, b) =>
        String(a.dynamodb?.Keys?.loanId?.S).localeCompare(String(b.dynamodb?.Keys?.loanId?.S)),
    );
    if (!first?.dynamodb || !second?.dynamodb || !third?.dynamodb) throw new Error('3 records');
    // As a newer DynamoDB type would arrive: T-1's outbox, and T-2's instalments.
    const unknown = (value: unknown) => ({ ZZ: value }) as never;
    const hostile = [
      {
        ...first,
        dynamodb: {
          ...first.dynamodb,
          NewImage: { ...first.dynamodb.NewImage, outbox: unknown('?') },
        },
      },
      {
        ...second,
        dynamodb: {
          ...second.dynamodb,
          NewImage: { ...second.dynamodb.NewImage, installments: unknown([]) },
        },
      },
      third,
    ];
    const { publish, log, counted } = publisherOn(snsWithLimits().sns);
    const answer = await publish({ Records: hostile });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect((await delivered()).sort()).toEqual([
      'T-2:loan.overdue:2026-11-28',
      'T-3:loan.overdue:2026-11-28',
    ]);
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'recorded events cannot be read; nothing of them is published',
        extra: {
          loanId: 'T-1',
          sequenceNumber: first.dynamodb.SequenceNumber,
          reason: 'outbox: unknown attribute type "ZZ"',
        },
      },
    ]);
    expect(counted.get(METRIC_NAMES.publisher.unreadableOutboxes)).toBe(1);
  });
});

describe('sweep.completed', () => {
  const event = buildSweepCompletedEvent(
    { runId: 'sweep-2026-11-28', asOf: '2026-11-28', complete: true, loansExamined: 3 },
    '2026-11-28' as BusinessDate,
    { runId: 'sweep-2026-11-28', occurredAt: '2026-11-27T16:40:00.000Z' },
  );

  it('is published with only its eventType attribute and an envelope without loan or borrower', async () => {
    const result = await createSnsPublisher(clients.sns, resources.events.topicArn).publish([
      event,
    ]);
    expect(result).toMatchObject({ accepted: [event.id], failed: [], unsent: [] });
    const [message] = await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl);
    expect(Object.keys(message?.MessageAttributes ?? {})).toEqual(['eventType']);
    const body = JSON.parse(message?.Body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ id: event.id, type: 'sweep.completed' });
    expect(body).not.toHaveProperty('loanId');
    expect(body).not.toHaveProperty('borrowerId');
  });

  const key = '#run#sweep-2026-11-28';

  it('is published from its run record through the stream', async () => {
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      { loanId: key, outbox: storedOutboxOf([event]) },
    ]);
    const { pump, log } = publisherOn(snsWithLimits().sns);
    expect(await pump.drain()).toMatchObject({ delivered: 1, failing: [] });
    const [message] = await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl);
    expect(Object.keys(message?.MessageAttributes ?? {})).toEqual(['eventType']);
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({ id: event.id });
    expect(log.lines).toEqual([]);
  });
});
