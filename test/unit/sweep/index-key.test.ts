import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { indexKeyWhilePending } from '../../../functions/sweep/index-key';

const base = '2026-11-28' as BusinessDate;
const date = fc.integer({ min: -200, max: 200 }).map((n) => addDays(base, n));

describe('indexKeyWhilePending', () => {
  it('always holds a key within the horizon, so the next run finds the pending outbox', () => {
    fc.assert(
      fc.property(
        fc.option(date, { nil: undefined }),
        fc.option(date, { nil: null }),
        fc.integer({ min: 0, max: 10 }),
        (current, final, offset) => {
          const horizon = addDays(base, offset);
          expect(indexKeyWhilePending(current, final, base, horizon) <= horizon).toBe(true);
        },
      ),
    );
  });

  it('keeps the current key when the final one is later or null, takes an earlier final one', () => {
    const horizon = addDays(base, 3);
    const current = '2026-11-01' as BusinessDate;
    expect(indexKeyWhilePending(current, null, base, horizon)).toBe(current);
    expect(indexKeyWhilePending(current, '2027-01-01' as BusinessDate, base, horizon)).toBe(
      current,
    );
    expect(indexKeyWhilePending(current, '2026-10-01' as BusinessDate, base, horizon)).toBe(
      '2026-10-01',
    );
    expect(indexKeyWhilePending(undefined, null, base, horizon)).toBe(base);
  });
});
