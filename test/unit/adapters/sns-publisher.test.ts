/**
 * How the SNS adapter sizes and packs PublishBatch calls: a message counts as SNS counts it (its
 * body and each attribute's name, data type and value, in UTF-8 bytes), and calls hold at most 10
 * entries and at most 256 KiB in all, in the order given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  messageAttributesOf,
  messageBytesOf,
  PUBLISH_BATCH_LIMIT,
  packCalls,
  SNS_MESSAGE_BYTES,
} from '../../../functions/adapters/sns-publisher';
import { buildLoanEvent, buildSweepCompletedEvent } from '../../../functions/core/events';
import { d } from '../../../local/fixtures/loans';

const run = { runId: 'sweep-2026-11-28', occurredAt: '2026-11-27T16:30:00.000Z' };

describe('the size of a message', () => {
  it('counts the body and every attribute’s name, type and value in UTF-8 bytes', () => {
    const attributes = {
      eventType: { DataType: 'String', StringValue: 'loan.overdue' },
      dpd: { DataType: 'Number', StringValue: '17' },
    };
    // body 7 bytes (字 is 3); eventType 9 + String 6 + 12; dpd 3 + Number 6 + 2.
    expect(messageBytesOf('{"字"}', attributes)).toBe(7 + 9 + 6 + 12 + 3 + 6 + 2);
  });

  it('a loan event carries eventType, bucket and dpd; sweep.completed only eventType', () => {
    const overdue = buildLoanEvent(
      'loan.overdue',
      { loanId: 'L-1', borrowerId: 'B-1' },
      { bucket: 'M1', dpd: 40 },
      d('2026-11-28'),
      run,
      {
        dpd: 40,
        bucket: 'M1',
        inGrace: false,
        forbearance: false,
        amountOverdue: 1,
        currency: 'CNY',
      },
    );
    expect(messageAttributesOf(overdue)).toEqual({
      eventType: { DataType: 'String', StringValue: 'loan.overdue' },
      bucket: { DataType: 'String', StringValue: 'M1' },
      dpd: { DataType: 'Number', StringValue: '40' },
    });
    const completed = buildSweepCompletedEvent({ complete: true }, d('2026-11-28'), run);
    expect(messageAttributesOf(completed)).toEqual({
      eventType: { DataType: 'String', StringValue: 'sweep.completed' },
    });
  });
});

describe('packing calls', () => {
  const sized = (bytes: number, id = 0) => ({ id, bytes });

  it('puts at most 10 entries in a call', () => {
    const calls = packCalls(Array.from({ length: 25 }, (_, i) => sized(100, i)));
    expect(calls.map((c) => c.length)).toEqual([10, 10, 5]);
  });

  it('three 88 KB events go two and one: 264,000 bytes would pass 256 KiB', () => {
    const calls = packCalls([sized(88_000, 1), sized(88_000, 2), sized(88_000, 3)]);
    expect(calls.map((c) => c.map((e) => e.id))).toEqual([[1, 2], [3]]);
  });

  it('fills a call to exactly 256 KiB, and not one byte more', () => {
    expect(packCalls([sized(SNS_MESSAGE_BYTES - 10), sized(10)])).toHaveLength(1);
    expect(packCalls([sized(SNS_MESSAGE_BYTES - 10), sized(11)])).toHaveLength(2);
  });

  it('sends an entry over the limit by itself, once', () => {
    const calls = packCalls([sized(10, 1), sized(SNS_MESSAGE_BYTES + 1, 2), sized(10, 3)]);
    expect(calls.map((c) => c.map((e) => e.id))).toEqual([[1], [2], [3]]);
  });

  it('keeps every entry once, in order, within both limits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300_000 }), { maxLength: 60 }), (sizes) => {
        const entries = sizes.map((bytes, id) => ({ id, bytes }));
        const calls = packCalls(entries);
        expect(calls.flat()).toEqual(entries);
        for (const call of calls) {
          expect(call.length).toBeGreaterThan(0);
          expect(call.length).toBeLessThanOrEqual(PUBLISH_BATCH_LIMIT);
          const total = call.reduce((sum, e) => sum + e.bytes, 0);
          if (call.length > 1) expect(total).toBeLessThanOrEqual(SNS_MESSAGE_BYTES);
        }
      }),
    );
  });
});
