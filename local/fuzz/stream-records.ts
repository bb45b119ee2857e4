/**
 * Loans-table stream records for the publisher's fuzz: batches mixing good sweep writes (events
 * added, or left in place by an upstream write), hostile outboxes (an event too large for SNS, text
 * that is not an outbox, attribute types no reader knows, in the outbox, elsewhere or in the key),
 * ACTIVE loans written with index keys the sweep can never reach (and closed or paid-up ones that
 * do not matter), deletes and records that are hardly records at all — each with what the
 * publisher must do with it, worked out here from the contract alone.
 */

import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { BUCKETS } from '../../functions/contract/events';
import { buildLoanEvent, type LoanEventType } from '../../functions/core/events';
import type { BusinessDate, EventEnvelope } from '../../functions/core/types';
import { installmentItem, loanItem } from '../fixtures/loans';
import { image, streamRecord, withOutbox } from '../fixtures/stream-records';
import { type FuzzScale, personalValue } from './values';

type Item = Record<string, unknown>;
type Image = NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];

/** What the publisher must make of one record. */
export interface StreamExpectation {
  /** Event ids to be published, once each. */
  readonly published: readonly string[];
  /** Event ids to go to the failure path as never publishable. */
  readonly unpublishable: readonly string[];
  /** True when the record's recorded events cannot be read (reported, nothing published). */
  readonly unreadable: boolean;
  /** The index key at fault, when the record writes an unreachable loan. */
  readonly unreachable?: 'sweepShard' | 'nextDueDate';
  /** Personal values the record carries: never in a log line or a report. */
  readonly personal: readonly string[];
}

/** One generated record with its expectation. */
export interface StreamCase {
  readonly kind: string;
  readonly record: unknown;
  readonly expect: StreamExpectation;
}

/** Where a record sits: its batch and position make its loan id and sequence number unique. */
export interface RecordContext {
  readonly batch: number;
  readonly index: number;
}

type Plan = (context: RecordContext) => StreamCase;

const ASOF = '2026-11-28' as BusinessDate;
const YESTERDAY = '2026-11-27' as BusinessDate;
const RUN = { runId: 'sweep-2026-11-28', occurredAt: '2026-11-27T16:30:04.120Z' };

const TYPES: readonly LoanEventType[] = [
  'loan.payment_due_soon',
  'loan.overdue',
  'loan.fee_applied',
  'loan.delinquency_changed',
  'loan.risk_class_changed',
  'loan.credit_hold',
  'loan.charged_off',
];

/** Odd but valid loan-id tails: CJK, emoji, quotes, bidi, a long one. */
const TAILS = ['', '', '', '-字', '-👩‍👩‍👧', '-"q"', '-\u202Eevil', `-${'x'.repeat(300)}`];

const sequenceOf = ({ batch, index }: RecordContext) =>
  `${String(batch).padStart(6, '0')}${String(index).padStart(4, '0')}`;
const loanIdOf = (context: RecordContext, tail: string) =>
  `S${context.batch}-${context.index}${tail}`;

/** Events of `loanId` on `asOf`, one per type (ids are `loanId:type:asOf`). */
function eventsOf(
  loanId: string,
  borrowerId: string,
  types: readonly LoanEventType[],
  asOf: BusinessDate,
  amount: number,
): EventEnvelope[] {
  return types.map((type) =>
    buildLoanEvent(
      type,
      { loanId, borrowerId },
      { bucket: BUCKETS[amount % BUCKETS.length] ?? 'M0', dpd: amount % 400 },
      asOf,
      RUN,
      { dpd: amount % 400, amount, currency: 'CNY', note: `run of ${asOf}` } as never,
    ),
  );
}

/** A `loan.charges_reversed` whose message passes SNS's 256 KiB by `extra` bytes or so. */
function hugeEvent(loanId: string, borrowerId: string, extra: number): EventEnvelope {
  const paymentIds = Array.from({ length: 1_060 + Math.ceil(extra / 250) }, (_, i) =>
    `PAY-${i}-`.padEnd(250, 'x'),
  );
  return buildLoanEvent(
    'loan.charges_reversed',
    { loanId, borrowerId },
    { bucket: 'M2', dpd: 45 },
    ASOF,
    RUN,
    { lateFeeReversed: 500, penaltyReversed: 0, currency: 'CNY', paymentIds, entryIds: [] },
  );
}

const unpaid = [installmentItem(1, '2026-10-19')];

function baseItem(loanId: string, borrowerId: string, extra: Item = {}): Item {
  return loanItem(loanId, unpaid, { sweepShard: 7, borrowerId, ...extra });
}

const nothing = (personal: readonly string[]): StreamExpectation => ({
  published: [],
  unpublishable: [],
  unreadable: false,
  personal,
});

/** A sweep write: events added (some already on the old image), or none added by upstream. */
const goodWrite = (): fc.Arbitrary<Plan> =>
  fc
    .record({
      tail: fc.constantFrom(...TAILS),
      borrower: personalValue(),
      types: fc.subarray([...TYPES], { minLength: 1 }),
      before: fc.constantFrom('none', 'yesterday', 'some', 'same'),
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'CHARGED_OFF', 'PAID_OFF'),
      amount: fc.nat(50_000_000),
    })
    .map((g) => (context: RecordContext): StreamCase => {
      const loanId = loanIdOf(context, g.tail);
      const events = eventsOf(loanId, g.borrower, g.types, ASOF, g.amount);
      const item = baseItem(loanId, g.borrower, { status: g.status });
      const old =
        g.before === 'none'
          ? undefined
          : g.before === 'yesterday'
            ? eventsOf(loanId, g.borrower, g.types, YESTERDAY, g.amount)
            : g.before === 'some'
              ? events.slice(0, Math.floor(events.length / 2))
              : events;
      const seen = new Set((old ?? []).map((event) => event.id));
      return {
        kind: g.before === 'same' ? 'upstream write' : 'sweep write',
        record: streamRecord(sequenceOf(context), {
          after: withOutbox(item, events),
          ...(old && { before: old.length > 0 ? withOutbox(item, old) : item }),
        }),
        expect: {
          ...nothing([g.borrower]),
          published: events.map((event) => event.id).filter((id) => !seen.has(id)),
        },
      };
    });

/** A write whose outbox holds an event no SNS topic accepts, beside good ones. */
const hugeWrite = (): fc.Arbitrary<Plan> =>
  fc
    .record({
      borrower: personalValue(),
      types: fc.subarray([...TYPES], { maxLength: 3 }),
      extra: fc.integer({ min: 1, max: 40_000 }),
    })
    .map((g) => (context: RecordContext): StreamCase => {
      const loanId = loanIdOf(context, '');
      const good = eventsOf(loanId, g.borrower, g.types, ASOF, 7);
      const huge = hugeEvent(loanId, g.borrower, g.extra);
      return {
        kind: 'huge event',
        record: streamRecord(sequenceOf(context), {
          after: withOutbox(baseItem(loanId, g.borrower), [...good, huge]),
        }),
        expect: {
          ...nothing([g.borrower]),
          published: good.map((event) => event.id),
          unpublishable: [huge.id],
        },
      };
    });

/**
 * Outbox text the publisher cannot read: not JSON, not an outbox, wrong fields; compressed text
 * that does not inflate, or a prefix no reader knows.
 */
const UNDECODABLE = [
  '',
  'z1:',
  'z1:not base64 at all',
  'z1:AAAAAAAA',
  'z2:AAAA',
  '{',
  'null',
  '[]',
  '"text"',
  '{"asOf":"2026-11-28"}',
  '{"asOf":"2026-02-30","runId":"r","at":"x","borrowerId":"b","bucket":"M0","dpd":0,"events":[]}',
  '{"asOf":"2026-11-28","runId":"r","at":"x","borrowerId":"b","bucket":"M9","dpd":0,"events":[]}',
  '{"asOf":"2026-11-28","runId":"r","at":"x","borrowerId":"b","bucket":"M0","dpd":-1,"events":[]}',
  '{"asOf":"2026-11-28","runId":"r","at":"x","borrowerId":"b","bucket":"M0","dpd":0,"events":{}}',
  '{"asOf":"2026-11-28","runId":"r","at":"x","borrowerId":"b","bucket":"M0","dpd":0,"events":[["loan.unknown",{}]]}',
  '{"asOf":"2026-11-28","runId":"r","at":"x","borrowerId":"b","bucket":"M0","dpd":0,"events":[["loan.overdue",5]]}',
  '{"asOf":"2026-11-28","runId":"","at":"x","borrowerId":"b","bucket":"M0","dpd":0,"events":[]}',
];

const undecodableWrite = (): fc.Arbitrary<Plan> =>
  fc.record({ borrower: personalValue(), text: fc.constantFrom(...UNDECODABLE) }).map(
    (g) =>
      (context: RecordContext): StreamCase => ({
        kind: 'undecodable outbox',
        record: streamRecord(sequenceOf(context), {
          after: { ...baseItem(loanIdOf(context, ''), g.borrower), outbox: g.text },
        }),
        expect: { ...nothing([g.borrower]), unreadable: true },
      }),
  );

/** Attribute values of types no DynamoDB reader knows, or malformed ones. */
const UNKNOWN_VALUES: readonly unknown[] = [
  { X: 'x' },
  { SX: ['a'] },
  { S: 1 },
  { N: 'one' },
  { S: 'a', N: '1' },
  {},
  'plain',
  null,
  { L: [{ Q: 1 }] },
  { M: { a: { BOOL: 'yes' } } },
];

/** An unknown attribute type in the outbox, elsewhere on the item, or in the key. */
const unknownTypeWrite = (): fc.Arbitrary<Plan> =>
  fc
    .record({
      borrower: personalValue(),
      where: fc.constantFrom('outbox', 'locale', 'installments', 'key'),
      value: fc.constantFrom(...UNKNOWN_VALUES),
      types: fc.subarray([...TYPES], { minLength: 1, maxLength: 3 }),
    })
    .map((g) => (context: RecordContext): StreamCase => {
      const loanId = loanIdOf(context, '');
      const events = eventsOf(loanId, g.borrower, g.types, ASOF, 3);
      const after = image(withOutbox(baseItem(loanId, g.borrower), events)) as Record<
        string,
        unknown
      >;
      const record = streamRecord(sequenceOf(context), { after: after as Image, raw: true });
      if (g.where === 'key') {
        const dynamodb = { ...record.dynamodb, Keys: { loanId: g.value } } as never;
        return {
          kind: 'unknown type in the key',
          // The key is read from `Keys`: without it, no event id can be rebuilt.
          record: { ...record, dynamodb },
          expect: { ...nothing([g.borrower]), unreadable: true },
        };
      }
      const hostile = { ...after, [g.where]: g.value } as Image;
      return {
        kind: `unknown type in ${g.where}`,
        record: streamRecord(sequenceOf(context), { after: hostile, raw: true }),
        expect: {
          ...nothing([g.borrower]),
          ...(g.where === 'outbox'
            ? { unreadable: true }
            : { published: events.map((event) => event.id) }),
        },
      };
    });

const BAD_SHARDS: readonly unknown[] = [16, -1, 3.5, 99, 1e6, undefined];
const BAD_DATES: readonly unknown[] = ['overdue!', undefined, '2026-02-30', '', '2026-11-03T12:00'];

/** An ACTIVE loan written with index keys at fault: reported unless nothing is unpaid. */
const unreachableWrite = (): fc.Arbitrary<Plan> =>
  fc
    .record({
      borrower: personalValue(),
      shard: fc.option(fc.constantFrom(...BAD_SHARDS), { freq: 2 }),
      due: fc.option(fc.constantFrom(...BAD_DATES), { freq: 2 }),
      paid: fc.boolean(),
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'PAID_OFF'),
      withEvents: fc.boolean(),
    })
    .filter((g) => g.shard !== null || g.due !== null)
    .map((g) => (context: RecordContext): StreamCase => {
      const loanId = loanIdOf(context, '');
      const keys: Item = {};
      if (g.shard !== null) keys.sweepShard = g.shard;
      if (g.due !== null) keys.nextDueDate = g.due;
      const installments = [installmentItem(1, '2026-10-19', g.paid)];
      const item = loanItem(loanId, installments, {
        sweepShard: 7,
        nextDueDate: '2026-10-19',
        borrowerId: g.borrower,
        status: g.status,
        ...keys,
      });
      const events = g.withEvents ? eventsOf(loanId, g.borrower, ['loan.overdue'], ASOF, 9) : [];
      const attribute = g.shard !== null ? 'sweepShard' : 'nextDueDate';
      const reported = g.status === 'ACTIVE' && !g.paid;
      return {
        kind: reported ? 'unreachable loan' : 'bad keys that do not matter',
        record: streamRecord(sequenceOf(context), {
          after: events.length > 0 ? withOutbox(item, events) : item,
        }),
        expect: {
          ...nothing([g.borrower]),
          published: events.map((event) => event.id),
          ...(reported && { unreachable: attribute }),
        },
      };
    });

/** A delete, and records that are hardly stream records. */
const oddRecord = (): fc.Arbitrary<Plan> =>
  fc.constantFrom<Plan>(
    (context) => ({
      kind: 'delete',
      record: streamRecord(sequenceOf(context), {
        before: withOutbox(baseItem(loanIdOf(context, ''), 'B-x'), []),
      }),
      expect: nothing([]),
    }),
    () => ({ kind: 'not a record', record: {}, expect: nothing([]) }),
    () => ({ kind: 'not a record', record: { dynamodb: 'x' }, expect: nothing([]) }),
    (context) => ({
      kind: 'images not maps',
      record: { dynamodb: { SequenceNumber: sequenceOf(context), NewImage: [], OldImage: 5 } },
      expect: nothing([]),
    }),
  );

/** One record plan of any kind, weighted towards good writes. */
const recordPlan = (): fc.Arbitrary<Plan> =>
  fc.oneof(
    { weight: 8, arbitrary: goodWrite() },
    { weight: 2, arbitrary: hugeWrite() },
    { weight: 2, arbitrary: undecodableWrite() },
    { weight: 3, arbitrary: unknownTypeWrite() },
    { weight: 3, arbitrary: unreachableWrite() },
    { weight: 1, arbitrary: oddRecord() },
  );

/** A batch of up to 100 records (a dozen at the test scale), as one invocation of the publisher. */
export const streamBatchCase = (scale: FuzzScale): fc.Arbitrary<(batch: number) => StreamCase[]> =>
  fc
    .array(
      recordPlan(),
      // At the large scale, batch sizes spread over the whole range Lambda delivers.
      scale.maxItems >= 100
        ? { minLength: 1, maxLength: 100, size: 'max' }
        : { minLength: 1, maxLength: 12 },
    )
    .map((plans) => (batch: number) => plans.map((plan, index) => plan({ batch, index })));
