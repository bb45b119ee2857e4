/**
 * Loans-table stream records as Lambda delivers them (DynamoDB JSON images, epoch-second times),
 * built from items in the document client's shape, for the publisher's tests and fuzz.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { encodeOutbox } from '../../functions/core/outbox';
import type { EventEnvelope } from '../../functions/core/types';

type Item = Record<string, unknown>;
type Image = NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];

/** An item in DynamoDB JSON, as a stream image carries it. */
export function image(item: Item): Image {
  return marshall(item, { removeUndefinedValues: true }) as Image;
}

/** An item with `events` recorded in its outbox, as the sweep writes it. */
export function withOutbox(item: Item, events: readonly EventEnvelope[]): Item {
  return { ...item, outbox: encodeOutbox(events) };
}

/**
 * A stream record of a write of `after` (a MODIFY of `before`, an INSERT without it, a REMOVE
 * without `after`). Images may be given ready-made in DynamoDB JSON (hostile ones).
 */
export function streamRecord(
  sequenceNumber: string,
  write: { readonly before?: Item | Image; readonly after?: Item | Image; readonly raw?: boolean },
): DynamoDBRecord {
  const toImage = (item: Item | Image) => (write.raw ? (item as Image) : image(item as Item));
  const source = (write.after ?? write.before) as Item;
  const eventName = write.after === undefined ? 'REMOVE' : write.before ? 'MODIFY' : 'INSERT';
  const loanId = write.raw ? (source as Image)?.loanId : { S: String(source.loanId) };
  return {
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ap-east-1',
    eventSourceARN:
      'arn:aws:dynamodb:ap-east-1:000000000000:table/loans/stream/2026-01-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1_764_291_600,
      ...(loanId && { Keys: { loanId } as NonNullable<DynamoDBRecord['dynamodb']>['Keys'] }),
      ...(write.after !== undefined && { NewImage: toImage(write.after) }),
      ...(write.before !== undefined && { OldImage: toImage(write.before) }),
      SequenceNumber: sequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** A batch of records as one invocation. */
export function streamEvent(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: [...records] };
}
