import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { decodeOutbox, encodeOutbox } from '../../../functions/core/outbox';
import type { EventEnvelope } from '../../../functions/core/types';
import { d, installment, loan, policy, RUN } from '../../../local/fixtures/loans';

/** The events of a loan charged, in grace for another instalment, changing bucket. */
function eventsOfOneWrite(): readonly EventEnvelope[] {
  const result = assess(
    loan({ installments: [installment({ seq: 1, dueDate: d('2026-01-10') })] }),
    policy({ lateFee: 500 }),
    d('2026-01-20'),
    RUN,
  );
  if (result.kind !== 'change') throw new Error('expected a change');
  return result.events;
}

describe('the events a sweep write records on the loan item', () => {
  it('decode to exactly the envelopes the sweep built, ids derived from the loan id', () => {
    const events = eventsOfOneWrite();
    expect(events.length).toBeGreaterThan(1);
    const decoded = decodeOutbox(encodeOutbox(events), 'L-1');
    expect(decoded).toEqual({ ok: true, events });
  });

  it('store what the events share once and no event id', () => {
    const events = eventsOfOneWrite();
    const stored = encodeOutbox(events) ?? '';
    expect(stored).not.toContain('L-1:loan.');
    expect(stored.split('"runId"')).toHaveLength(2);
    // Much smaller than the envelopes themselves: every byte is paid twice in a transaction.
    expect(stored.length).toBeLessThan(JSON.stringify(events).length * 0.75);
  });

  it('are absent when a write records no event, and absent decodes to none', () => {
    expect(encodeOutbox([])).toBeUndefined();
    expect(decodeOutbox(undefined, 'L-1')).toEqual({ ok: true, events: [] });
  });

  it.each([
    ['not a string', { a: 1 }, 'outbox: not a string'],
    ['not JSON', '{', 'outbox: not valid JSON'],
    ['a bad date', '{"asOf":"tomorrow"}', 'outbox.asOf: not a YYYY-MM-DD date'],
    [
      'an unknown event type',
      JSON.stringify({
        asOf: '2026-01-20',
        runId: 'r',
        at: 't',
        borrowerId: 'B',
        bucket: 'M1',
        dpd: 1,
        events: [['loan.unknown', {}]],
      }),
      'outbox.events[0]: unknown type',
    ],
  ])('name what is wrong with one that cannot be read: %s', (_name, value, reason) => {
    expect(decodeOutbox(value, 'L-1')).toEqual({ ok: false, reason });
  });
});
