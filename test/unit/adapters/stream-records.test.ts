/**
 * The loans-table stream-record codec: DynamoDB JSON read attribute by attribute, exactly (numbers
 * keep their decimal text), strictly (a value of an unknown type or shape makes that attribute
 * unreadable, with a reason), and never throwing whatever the record holds.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readImage, readLoanTableWrite } from '../../../functions/adapters/stream-records';
import { assess } from '../../../functions/core/assess';
import type { EventEnvelope } from '../../../functions/core/types';
import {
  d,
  installment,
  installmentItem,
  loan,
  loanItem,
  policy,
  RUN,
} from '../../../local/fixtures/loans';
import { image, streamRecord, withOutbox } from '../../../local/fixtures/stream-records';

type Item = Record<string, unknown>;

function eventsOn(loanId: string): readonly EventEnvelope[] {
  const result = assess(
    loan({ loanId, installments: [installment({ seq: 1, dueDate: d('2026-01-10') })] }),
    policy({ lateFee: 500 }),
    d('2026-01-20'),
    RUN,
  );
  if (result.kind !== 'change') throw new Error('expected a change');
  return result.events;
}

const item = (extra: Item = {}) =>
  loanItem('L-1', [installmentItem(1, '2026-01-10')], { sweepShard: 3, ...extra });

/** Reads a record whose new image is `raw` (DynamoDB JSON as given). */
const readRaw = (raw: Record<string, unknown>, keys: unknown = { loanId: { S: 'L-1' } }) =>
  readLoanTableWrite({ dynamodb: { Keys: keys, NewImage: raw, SequenceNumber: '9' } });

describe('a loans-table stream record', () => {
  it('gives the key, the sequence number and the events the write recorded', () => {
    const events = eventsOn('L-1');
    const write = readLoanTableWrite(streamRecord('42', { after: withOutbox(item(), events) }));
    expect(write).toMatchObject({ sequenceNumber: '42', loanId: 'L-1' });
    expect(write.recorded).toEqual({ ok: true, events });
    expect(write.written).toEqual({ status: 'ACTIVE', keyFaults: [] });
  });

  it('takes away the events the old image already carried', () => {
    const events = eventsOn('L-1');
    const write = readLoanTableWrite(
      streamRecord('1', {
        before: withOutbox(item(), events.slice(0, 2)),
        after: withOutbox(item(), events),
      }),
    );
    expect(write.recorded).toEqual({ ok: true, events: events.slice(2) });
  });

  it('publishes every new event when the old outbox cannot be read (duplicates are harmless)', () => {
    const events = eventsOn('L-1');
    const write = readLoanTableWrite(
      streamRecord('1', { before: { ...item(), outbox: 5 }, after: withOutbox(item(), events) }),
    );
    expect(write.recorded).toEqual({ ok: true, events });
  });

  it('has nothing written for a delete, and no events', () => {
    const write = readLoanTableWrite(
      streamRecord('1', { before: withOutbox(item(), eventsOn('L-1')) }),
    );
    expect(write.written).toBeUndefined();
    expect(write.recorded).toEqual({ ok: true, events: [] });
  });

  it('reads the key from an image when the record has no keys', () => {
    const write = readLoanTableWrite({ dynamodb: { NewImage: image(item()) } });
    expect(write.loanId).toBe('L-1');
    expect(write.sequenceNumber).toBeUndefined();
  });

  it('a key it cannot read makes recorded events unreadable (their ids derive from it)', () => {
    const write = readRaw(image(withOutbox(item(), eventsOn('L-1'))) as Item, {
      loanId: { N: '5' },
    });
    expect(write.loanId).toBeUndefined();
    expect(write.recorded).toEqual({ ok: false, reason: 'loanId: not a non-empty string' });
    const quiet = readRaw(image(item()) as Item, {});
    expect(quiet.recorded).toEqual({ ok: true, events: [] });
  });
});

describe('attribute values', () => {
  it('reads every DynamoDB type, numbers exactly, map keys as keys', () => {
    const read = readImage({
      name: { S: 'x' },
      rate: { N: '0.000300000000000000000000000000000001' },
      flag: { BOOL: false },
      none: { NULL: true },
      bytes: { B: 'AQID' },
      tags: { SS: ['a', 'b'] },
      counts: { NS: ['1', '2.5'] },
      blobs: { BS: ['AQ=='] },
      list: { L: [{ S: 'x' }, { N: '1' }] },
      map: { M: JSON.parse('{"__proto__": {"S": "not a prototype"}, "a": {"M": {}}}') },
    });
    expect(read?.unreadable).toEqual({});
    const values = read?.item ?? {};
    expect(values.name).toBe('x');
    expect(values.rate).toEqual(NumberValue.from('0.000300000000000000000000000000000001'));
    expect(values.flag).toBe(false);
    expect(values.none).toBeNull();
    expect(values.bytes).toEqual(new Uint8Array([1, 2, 3]));
    expect(values.tags).toEqual(new Set(['a', 'b']));
    expect(values.counts).toEqual(new Set([NumberValue.from('1'), NumberValue.from('2.5')]));
    expect(values.blobs).toEqual(new Set([new Uint8Array([1])]));
    expect(values.list).toEqual(['x', NumberValue.from('1')]);
    const map = values.map as Record<string, unknown>;
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.keys(map)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(map, '__proto__')?.value).toBe('not a prototype');
  });

  it('keeps a number exact through to the loan', () => {
    const numbers = readRaw({
      ...(image(item()) as Item),
      sweepShard: { N: '16' },
      dailyInterestRate: { N: '0.000300000000000000000000000000000001' },
    }).written?.loan;
    expect(numbers?.ok).toBe(true);
    if (numbers?.ok) expect(numbers.loan.dailyInterestRate.denominator).toBe(10n ** 36n);
  });

  it('reads binary given as bytes, as the DynamoDB Streams API returns it', () => {
    const write = readRaw({ ...(image(item()) as Item), photo: { B: new Uint8Array([1, 2]) } });
    expect(write.written?.keyFaults).toEqual([]);
  });

  it.each([
    ['an unknown type', { X: 'x' }, 'unknown attribute type "X"'],
    ['two types at once', { S: '3', N: '3' }, 'not a DynamoDB attribute value (2 type keys)'],
    ['no type', {}, 'not a DynamoDB attribute value (0 type keys)'],
    ['a plain value', 3, 'not a DynamoDB attribute value'],
    ['an N that is no number', { N: 'three' }, '"three" is not a DynamoDB number'],
    ['an N that is not text', { N: 3 }, '3 is not a DynamoDB number'],
    ['an S that is not text', { S: 3 }, 'S value is not a string'],
    ['an L that is not a list', { L: 'x' }, 'L value is not a list'],
    ['a NULL that is false', { NULL: false }, 'NULL value is not true'],
    ['binary that is no base64', { B: '***' }, 'binary value is neither bytes nor base64'],
    ['an unknown type inside a list', { L: [{ Z: 1 }] }, 'unknown attribute type "Z"'],
  ])('%s makes just that attribute unreadable', (_, value, problem) => {
    const write = readRaw({ ...(image(item()) as Item), sweepShard: value });
    expect(write.written?.keyFaults).toEqual([
      { attribute: 'sweepShard', reason: `sweepShard: ${problem}` },
    ]);
    expect(write.loanId).toBe('L-1');
  });

  it('refuses nesting deeper than DynamoDB allows', () => {
    let deep: unknown = { S: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { L: [deep] };
    const write = readRaw({ ...(image(item()) as Item), nextDueDate: deep as Item });
    expect(write.written?.keyFaults).toEqual([
      { attribute: 'nextDueDate', reason: 'nextDueDate: nested deeper than 32 levels' },
    ]);
  });

  it('an unknown type in the outbox makes the recorded events unreadable, naming the outbox', () => {
    const write = readRaw({ ...(image(item()) as Item), outbox: { SX: ['?'] } });
    expect(write.recorded).toEqual({ ok: false, reason: 'outbox: unknown attribute type "SX"' });
  });

  it('never throws, whatever the record', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6, withObjectString: true }), (junk) => {
        readLoanTableWrite(junk);
        readLoanTableWrite({ dynamodb: junk });
        readLoanTableWrite({ dynamodb: { Keys: junk, NewImage: junk, OldImage: junk } });
        readLoanTableWrite({ dynamodb: { NewImage: { loanId: { S: 'L' }, outbox: junk } } });
      }),
      { numRuns: 500 },
    );
  });
});

describe('index keys', () => {
  const faults = (extra: Item) =>
    readLoanTableWrite(streamRecord('1', { after: item(extra) })).written?.keyFaults;

  it('accepts any integer 0–15 however DynamoDB spells it, and a real date', () => {
    expect(faults({ sweepShard: 0, nextDueDate: '2026-01-10' })).toEqual([]);
    expect(faults({ sweepShard: 15 })).toEqual([]);
    const spelled = readRaw({ ...(image(item()) as Item), sweepShard: { N: '1.5E1' } });
    expect(spelled.written?.keyFaults).toEqual([]);
  });

  it('names each fault of the keys, quoting only short values', () => {
    expect(faults({ sweepShard: 16 })).toEqual([
      { attribute: 'sweepShard', reason: 'sweepShard: 16 is outside 0–15' },
    ]);
    expect(faults({ sweepShard: '3' })).toEqual([
      { attribute: 'sweepShard', reason: 'sweepShard: "3" is not a number' },
    ]);
    expect(faults({ nextDueDate: '2026-02-30' })).toEqual([
      { attribute: 'nextDueDate', reason: 'nextDueDate: "2026-02-30" is not a YYYY-MM-DD date' },
    ]);
    expect(faults({ nextDueDate: 'x'.repeat(500) })).toEqual([
      {
        attribute: 'nextDueDate',
        reason: 'nextDueDate: a string of 500 characters is not a YYYY-MM-DD date',
      },
    ]);
    expect(faults({ sweepShard: NumberValue.from('1'.repeat(60)) })).toEqual([
      { attribute: 'sweepShard', reason: 'sweepShard: a string of 60 characters is outside 0–15' },
    ]);
  });

  it('reads the loan, keys set aside, only when a key is at fault and the loan is ACTIVE', () => {
    const good = readLoanTableWrite(streamRecord('1', { after: item() })).written;
    expect(good?.loan).toBeUndefined();
    const closed = readLoanTableWrite(
      streamRecord('1', { after: item({ status: 'PAID_OFF', sweepShard: 16 }) }),
    ).written;
    expect(closed?.loan).toBeUndefined();
    const faulty = readLoanTableWrite(
      streamRecord('1', { after: item({ sweepShard: 16 }) }),
    ).written;
    expect(faulty?.loan).toMatchObject({ ok: true, loan: { loanId: 'L-1', status: 'ACTIVE' } });
  });
});
