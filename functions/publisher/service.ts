/**
 * The stream publisher's work on one batch of loans-table stream records (SPEC §5.5): for each
 * record, the events its write added (those in the new image's outbox and not in the old one, so
 * an upstream write that leaves the outbox in place publishes nothing), published 10 per
 * PublishBatch across records. A record with an event SNS did not accept is reported as the batch
 * item failure, so Lambda retries from that record on; what was published before it is not lost,
 * and what is sent again carries the same ids (consumers dedupe).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { EventPublisher } from '../adapters/sns-publisher';
import { OUTBOX_ATTRIBUTE } from '../contract/tables';
import { decodeOutbox } from '../core/outbox';
import type { EventEnvelope } from '../core/types';

/** What the publisher tells the outside world (metrics and logs). */
export interface PublisherObserver {
  published(count: number, calls: number): void;
  /** An outbox that cannot be decoded: nothing in it can be published (a bug or a manual edit). */
  unreadable(loanId: string, reason: string): void;
  failed(eventId: string, reason: string): void;
}

type Image = Record<string, AttributeValue> | undefined;

function outboxOf(image: Image): unknown {
  const value = image?.[OUTBOX_ATTRIBUTE];
  return value === undefined ? undefined : unmarshall({ value }).value;
}

function loanIdOf(record: DynamoDBRecord): string | undefined {
  const key = record.dynamodb?.Keys?.loanId?.S;
  return typeof key === 'string' ? key : undefined;
}

/**
 * The events a stream record adds: in the new image's outbox and not in the old image's.
 * @returns the events, or the reason the new outbox cannot be read.
 */
export function eventsAddedBy(
  record: DynamoDBRecord,
): { readonly events: readonly EventEnvelope[] } | { readonly reason: string } {
  const loanId = loanIdOf(record);
  if (loanId === undefined) return { events: [] };
  const added = decodeOutbox(outboxOf(record.dynamodb?.NewImage as Image), loanId);
  if (!added.ok) return { reason: added.reason };
  if (added.events.length === 0) return { events: [] };
  const before = decodeOutbox(outboxOf(record.dynamodb?.OldImage as Image), loanId);
  const seen = new Set(before.ok ? before.events.map((event) => event.id) : []);
  return { events: added.events.filter((event) => !seen.has(event.id)) };
}

/** Builds the batch handler on `publisher`. */
export function createPublisherService(publisher: EventPublisher, observer: PublisherObserver) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const owners: { readonly record: DynamoDBRecord; readonly ids: readonly string[] }[] = [];
    const events: EventEnvelope[] = [];
    for (const record of event.Records) {
      const added = eventsAddedBy(record);
      if ('reason' in added) {
        observer.unreadable(loanIdOf(record) ?? '(no loanId)', added.reason);
        continue;
      }
      owners.push({ record, ids: added.events.map((e) => e.id) });
      events.push(...added.events);
    }
    if (events.length === 0) return { batchItemFailures: [] };
    const result = await publisher.publish(events);
    observer.published(result.accepted.length, result.calls);
    for (const failure of result.failed) observer.failed(failure.id, failure.reason);
    const failed = new Set(result.failed.map((failure) => failure.id));
    // Lambda retries from the first failed record (and re-sends the ones after it).
    const first = owners.find(({ ids }) => ids.some((id) => failed.has(id)));
    const sequence = first?.record.dynamodb?.SequenceNumber;
    return { batchItemFailures: sequence ? [{ itemIdentifier: sequence }] : [] };
  };
}
