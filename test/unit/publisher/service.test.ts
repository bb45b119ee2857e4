/**
 * The stream publisher's decisions on stream records (SPEC §5.5): it publishes exactly the events a
 * write added, nothing for an upstream write that leaves them in place, and names the first record
 * whose events SNS did not accept, so Lambda retries from there.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../../functions/adapters/sns-publisher';
import { assess } from '../../../functions/core/assess';
import { encodeOutbox } from '../../../functions/core/outbox';
import type { EventEnvelope } from '../../../functions/core/types';
import { createPublisherService, eventsAddedBy } from '../../../functions/publisher/service';
import { d, installment, loan, policy, RUN } from '../../support/loans';

function eventsOn(loanId: string, asOf: string): readonly EventEnvelope[] {
  const result = assess(
    loan({ loanId, installments: [installment({ seq: 1, dueDate: d('2026-01-10') })] }),
    policy({ lateFee: 500 }),
    d(asOf),
    { ...RUN, runId: `sweep-${asOf}` },
  );
  if (result.kind !== 'change') throw new Error('expected a change');
  return result.events;
}

function record(
  sequence: string,
  loanId: string,
  images: { old?: readonly EventEnvelope[]; new?: readonly EventEnvelope[]; name?: string },
): DynamoDBRecord {
  const image = (events?: readonly EventEnvelope[]) =>
    marshall(
      { loanId, ...(events && { outbox: encodeOutbox(events) }) },
      {
        removeUndefinedValues: true,
      },
    ) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
  return {
    eventName: (images.name ?? 'MODIFY') as DynamoDBRecord['eventName'],
    dynamodb: {
      Keys: marshall({ loanId }) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      NewImage: image(images.new),
      ...(images.old !== undefined && { OldImage: image(images.old) }),
      SequenceNumber: sequence,
    },
  };
}

/** A publisher that accepts everything except the ids `failing` names. */
function publisherFailing(failing: (id: string) => boolean = () => false) {
  const sent: string[][] = [];
  const publisher: EventPublisher = {
    async publish(events) {
      sent.push(events.map((event) => event.id));
      const ids = events.map((event) => event.id);
      return {
        accepted: ids.filter((id) => !failing(id)),
        failed: ids.filter(failing).map((id) => ({ id, reason: 'InternalError: injected' })),
        calls: Math.ceil(ids.length / 10),
      };
    },
  };
  return { publisher, sent };
}

const quiet = { published: () => {}, unreadable: () => {}, failed: () => {} };

describe('which events a stream record adds', () => {
  it('a sweep write adds the events it recorded', () => {
    const events = eventsOn('L-1', '2026-01-20');
    const added = eventsAddedBy(
      record('1', 'L-1', { new: events, old: eventsOn('L-1', '2026-01-19') }),
    );
    expect(added).toEqual({ events });
  });

  it('an upstream write that leaves the recorded events in place adds none', () => {
    const events = eventsOn('L-1', '2026-01-20');
    expect(eventsAddedBy(record('1', 'L-1', { new: events, old: events }))).toEqual({ events: [] });
  });

  it('a write that recorded nothing adds none', () => {
    expect(eventsAddedBy(record('1', 'L-1', {}))).toEqual({ events: [] });
  });

  it('a write after a day that recorded different events adds only the new ids', () => {
    const today = eventsOn('L-1', '2026-01-20');
    const added = eventsAddedBy(record('1', 'L-1', { new: today, old: today.slice(0, 1) }));
    expect(added).toEqual({ events: today.slice(1) });
  });
});

describe('a batch of stream records', () => {
  it('publishes the added events of every record together, 10 per call downstream', async () => {
    const { publisher, sent } = publisherFailing();
    const records = ['L-1', 'L-2', 'L-3'].map((id, i) =>
      record(String(i + 1), id, { new: eventsOn(id, '2026-01-20') }),
    );
    const result = await createPublisherService(publisher, quiet)({ Records: records });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(records.length * eventsOn('L-1', '2026-01-20').length);
  });

  it('names the first record with an event SNS did not accept, so Lambda retries from it', async () => {
    const { publisher } = publisherFailing((id) => id.startsWith('L-2:') || id.startsWith('L-3:'));
    const records = ['L-1', 'L-2', 'L-3'].map((id, i) =>
      record(String(i + 1), id, { new: eventsOn(id, '2026-01-20') }),
    );
    const result = await createPublisherService(publisher, quiet)({ Records: records });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  });

  it('reports a record whose recorded events cannot be read, and goes on with the rest', async () => {
    const { publisher, sent } = publisherFailing();
    const unreadable: string[] = [];
    const broken: DynamoDBRecord = {
      ...record('1', 'L-1', {}),
      dynamodb: {
        Keys: marshall({ loanId: 'L-1' }) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
        NewImage: marshall({ loanId: 'L-1', outbox: '{' }) as NonNullable<
          DynamoDBRecord['dynamodb']
        >['NewImage'],
        SequenceNumber: '1',
      },
    };
    const result = await createPublisherService(publisher, {
      ...quiet,
      unreadable: (loanId, reason) => unreadable.push(`${loanId}: ${reason}`),
    })({ Records: [broken, record('2', 'L-2', { new: eventsOn('L-2', '2026-01-20') })] });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(unreadable).toEqual(['L-1: outbox: not valid JSON']);
    expect(sent.flat().every((id) => id.startsWith('L-2:'))).toBe(true);
  });
});
