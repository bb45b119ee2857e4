import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../../functions/adapters/sns-publisher';
import type { BusinessDate, EventEnvelope } from '../../../functions/core/types';
import { createPublishBatcher } from '../../../functions/sweep/publish-batcher';
import {
  countSkipped,
  emptyTotals,
  mergeTotals,
  SKIPPED_LIST_LIMIT,
} from '../../../functions/sweep/summary';

const event = (id: string): EventEnvelope => ({
  id,
  type: 'loan.overdue',
  schemaVersion: 1,
  asOf: '2026-11-28' as BusinessDate,
  occurredAt: '2026-11-28T00:00:00Z',
  runId: 'r',
  data: {},
});

describe('createPublishBatcher', () => {
  it('fills batches of 10 across loans and tells each loan only its own results', async () => {
    const calls: string[][] = [];
    const publisher: EventPublisher = {
      publish: async (events) => {
        calls.push(events.map((e) => e.id));
        return {
          accepted: events.filter((e) => !e.id.endsWith('x')).map((e) => e.id),
          failed: events.filter((e) => e.id.endsWith('x')).map((e) => ({ id: e.id, reason: 'no' })),
        };
      },
    };
    const batcher = createPublishBatcher(publisher, 5);
    const loans = Array.from({ length: 7 }, (_, l) =>
      Array.from({ length: 3 }, (_, i) => event(`L${l}-${i}${l === 2 && i === 1 ? 'x' : ''}`)),
    );
    const results = await Promise.all(loans.map((events) => batcher.publish(events)));
    expect(calls.map((c) => c.length)).toEqual([10, 10, 1]);
    expect(results[2]).toEqual({
      accepted: ['L2-0', 'L2-2'],
      failed: [{ id: 'L2-1x', reason: 'no' }],
    });
    expect(results[0]?.accepted).toEqual(['L0-0', 'L0-1', 'L0-2']);
  });
});

describe('summary totals', () => {
  it('keeps the skipped count exact while the list stays bounded', () => {
    const a = emptyTotals();
    const b = emptyTotals();
    for (let i = 0; i < 80; i++) countSkipped(a, { loanId: `A${i}`, reason: 'r' });
    for (let i = 0; i < 80; i++) countSkipped(b, { loanId: `B${i}`, reason: 'r' });
    const merged = mergeTotals(a, b);
    expect(merged.skipped.count).toBe(160);
    expect(merged.skipped.loans).toHaveLength(SKIPPED_LIST_LIMIT);
  });
});
