/**
 * Loans-table stream records as Lambda delivers them (DynamoDB JSON images, epoch-second times),
 * built from items in the document client's shape, for the publisher's tests and fuzz.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { buildLoanEvent } from '../../functions/core/events';
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

const RUN_OF_DAY = { runId: 'sweep-2026-11-28', occurredAt: '2026-11-27T16:30:04.120Z' };
const ASOF = '2026-11-28' as EventEnvelope['asOf'];

/** `loan.overdue` of `loanId` on 2026-11-28: a small event. */
export function overdueOf(loanId: string): EventEnvelope {
  return buildLoanEvent(
    'loan.overdue',
    { loanId, borrowerId: `B-${loanId}` },
    { bucket: 'M1', dpd: 40 },
    ASOF,
    RUN_OF_DAY,
    {
      dpd: 40,
      bucket: 'M1',
      inGrace: false,
      forbearance: false,
      amountOverdue: 10_300,
      currency: 'CNY',
    },
  );
}

/**
 * `loan.charges_reversed` of `loanId` on 2026-11-28 naming `payments` payment ids of 250
 * characters each: 350 make an event of about 88 KB, 1,100 one over SNS's 256 KiB.
 */
export function reversalOf(loanId: string, payments: number): EventEnvelope {
  const paymentIds = Array.from({ length: payments }, (_, i) =>
    `PAY-${loanId}-${String(i).padStart(5, '0')}-`.padEnd(250, 'x'),
  );
  return buildLoanEvent(
    'loan.charges_reversed',
    { loanId, borrowerId: `B-${loanId}` },
    { bucket: 'M1', dpd: 40 },
    ASOF,
    RUN_OF_DAY,
    {
      lateFeeReversed: 500,
      penaltyReversed: 1_200,
      currency: 'CNY',
      paymentIds,
      entryIds: ['2026-11-28#LATE_FEE_REVERSAL', '2026-11-28#PENALTY_REVERSAL'],
    },
  );
}

/** Every record of a stream so far (each shard from its start), as the DynamoDB Streams API returns them. */
export async function readStreamRecords(streamArn: string): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient({});
  try {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (ShardIterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
        records.push(...((page.Records ?? []) as unknown as DynamoDBRecord[]));
        // An open shard answers an empty page at its current end.
        if ((page.Records ?? []).length === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return records;
  } finally {
    streams.destroy();
  }
}
